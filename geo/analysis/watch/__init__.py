"""What changed, per area and ISO week: alerts that each say why they fired.

Five rules, each stated with its numbers in the alert's ``why``:

* ``spike``: the week's count is improbably high against the area's own
  baseline (one-sided Poisson test against the mean of the previous 12
  weeks, with a floor on the rate and a minimum count);
* ``quiet``: the first incident after at least 60 quiet days;
* ``new_actor``: an actor active in the area for the first time in the store;
* ``fatalities``: an incident's fatalities above the 90th percentile of the
  area's earlier incidents;
* ``site``: an incident within one of the team's sites' radius.

The defaults, the test and the backtest they were chosen from are in
docs/watch.md. The package, in the order the work is done:

* :mod:`.weeks`: ISO week labels and the area-by-week count matrix;
* :mod:`.config`: :class:`WatchConfig`, the rules' settings;
* :mod:`.events`: the columns the rules read, each incident's area key;
* :mod:`.stats`: the Poisson tail;
* :mod:`.rules`: the five rules, each over all areas and weeks at once;
* :mod:`.alerts`: :func:`detect_alerts`, :func:`alerts_for_week`,
  :func:`top_changes`;
* :mod:`.digest`: :func:`week_digest`, what a week's digest says.

Example
-------
>>> from geo.analysis import pipeline
>>> from geo.io import store
>>> joined = pipeline.prepare(store.read_incidents())  # doctest: +SKIP
>>> alerts = detect_alerts(joined)  # doctest: +SKIP
>>> alerts_for_week(alerts, "2013-W08")[["area", "kind", "why"]]  # doctest: +SKIP
"""

from __future__ import annotations

from geo.analysis.watch.alerts import CHANGE_COLUMNS, alerts_for_week, detect_alerts, top_changes
from geo.analysis.watch.config import KINDS, WatchConfig
from geo.analysis.watch.digest import NEAR_KM, WeekDigest, week_digest
from geo.analysis.watch.events import ALERT_COLUMNS
from geo.analysis.watch.stats import poisson_tail
from geo.analysis.watch.weeks import parse_week, week_label

__all__ = [
    "ALERT_COLUMNS",
    "CHANGE_COLUMNS",
    "KINDS",
    "NEAR_KM",
    "WatchConfig",
    "WeekDigest",
    "alerts_for_week",
    "detect_alerts",
    "parse_week",
    "poisson_tail",
    "top_changes",
    "week_digest",
    "week_label",
]
