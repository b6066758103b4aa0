"""Region risk index: transparent, time-aware scores, levels, trends, overrides.

Every area of an area layer gets a score from 0 to 100 built from five
components, each an absolute saturating transform of one quantity measured
over a window of days ending on the as-of date:

========== ===================================================== =========
component  quantity x (over the window, ``d`` = decay weight)     reaches 50
========== ===================================================== =========
activity   sum of d over events                                   half_at
severity   sum of d * severity(event type, sub-event type)        half_at
fatalities log(1 + sum of d * fatalities)                         half_at
civilians  sum of d over events targeting civilians               half_at
diffusion  distinct locations (coordinates rounded)               half_at
========== ===================================================== =========

``component = 100 * (1 - 2 ** (-x / half_at))`` (for fatalities ``x`` and
``half_at`` are both on the log scale), ``d = 0.5 ** (age_days /
half_life_days)``, and the score is the weighted mean of the components.
Nothing is normalised across areas, so an area's score depends only on its
own incidents: adding an incident never lowers it, and an incident older than
the window contributes nothing. The method, the defaults and their reasons
are in ``docs/risk.md``; the numbers live in ``config/risk.toml``.

Scoring is vectorized and exact with respect to row order: incidents are
first counted into integer histograms per (area, day, severity class,
civilian flag), so the floating-point sums never depend on the order rows
arrive in.

The package is split by what each module holds:

- ``config``: :class:`RiskConfig`, its checks and :func:`load_risk_config`;
- ``components``: the per-area quantities and their 0-100 transforms;
- ``trends``: the weekly trend classes;
- ``overrides``: :func:`load_overrides` and how overrides pin a level;
- ``country_level``: country-level incidents, counted per country, never
  for a region;
- ``scoring``: :func:`score_areas`, :func:`level_for_score` and
  :func:`country_level_counts`.

Names with a leading underscore are shared between these modules only.

Example
-------
>>> import pandas as pd
>>> areas = pd.DataFrame({"area": ["North", "South"], "area_code": ["N", "S"], "iso3": ["XXX"] * 2})
>>> joined = pd.DataFrame({
...     "area": ["North"], "area_code": ["N"], "event_date": pd.to_datetime(["2013-02-28"]),
...     "event_type": ["Battles"], "sub_event_type": ["Armed clash"], "fatalities": [0],
... })
>>> out = score_areas(joined, areas, "2013-02-28", config=RiskConfig())
>>> out[["area", "events", "level"]].values.tolist()
[['North', 1, 'Low'], ['South', 0, 'Low']]
"""

from __future__ import annotations

from geo.analysis.risk.config import COMPONENTS, RiskConfig, RiskConfigError, load_risk_config
from geo.analysis.risk.country_level import COUNTRY_LEVEL_COLUMNS
from geo.analysis.risk.overrides import (
    OVERRIDE_COLUMNS,
    RiskOverridesError,
    level_text,
    load_overrides,
    parse_overrides,
)
from geo.analysis.risk.scoring import country_level_counts, level_for_score, score_areas
from geo.analysis.risk.trends import TREND_CLASSES, trend_class, trend_text

__all__ = [
    "COMPONENTS",
    "COUNTRY_LEVEL_COLUMNS",
    "OVERRIDE_COLUMNS",
    "TREND_CLASSES",
    "RiskConfig",
    "RiskConfigError",
    "RiskOverridesError",
    "country_level_counts",
    "level_for_score",
    "level_text",
    "load_overrides",
    "load_risk_config",
    "parse_overrides",
    "score_areas",
    "trend_class",
    "trend_text",
]
