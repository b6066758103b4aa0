"""The settings of the "what changed" rules, with their defaults and checks.

The defaults and why each was chosen are in docs/watch.md (the spike
rule's threshold comes from the backtest, ``scripts/backtest_alerts.py``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["KINDS", "WatchConfig"]

# Alert kinds, in the order a reader meets them.
KINDS: tuple[str, ...] = ("site", "spike", "new_actor", "fatalities", "quiet")


@dataclass(frozen=True)
class WatchConfig:
    """How each alert rule decides.

    Attributes
    ----------
    baseline_weeks : int
        Weeks before the week that make an area's baseline (their mean count).
    min_baseline_weeks : int
        Weeks of the store's history needed before a spike can be judged;
        fewer, and the area's first weeks would all look like spikes.
    baseline_floor : float
        Lowest weekly rate tested against: an area with no incidents in its
        baseline is tested as if it had this many a week, so one incident
        does not fire.
    spike_test : {"negbin", "poisson"}
        The law a week's count is tested against: a negative binomial of
        the baseline mean and the area's own dispersion (estimated over
        ``dispersion_weeks``), or a Poisson law of the baseline mean.
    dispersion_weeks : int
        Weeks before the week the dispersion is estimated from.
    spike_alpha : float
        The spike fires when ``P(X >= count)`` under that law is below this.
    spike_min_count : int
        And the week holds at least this many incidents.
    quiet_days : int
        An incident fires the quiet rule when the area's previous one is at
        least this many days before it.
    actor_history_days : int
        The store must hold this many days before an incident for a "first
        time in this area" actor to mean anything.
    ignore_actor_prefixes : tuple of str
        Actor names starting with one of these are not armed actors and are
        not reported as new (ACLED's civilians, protesters and rioters).
    fatality_quantile : float
        An incident fires when its fatalities exceed this quantile of the
        area's earlier incidents' fatalities...
    fatality_min_history : int
        ... of which there are at least this many ...
    fatality_min : int
        ... and it has at least this many fatalities.
    """

    baseline_weeks: int = 12
    min_baseline_weeks: int = 4
    baseline_floor: float = 0.1
    spike_test: str = "negbin"
    dispersion_weeks: int = 52
    spike_alpha: float = 0.01
    spike_min_count: int = 2
    quiet_days: int = 60
    actor_history_days: int = 28
    ignore_actor_prefixes: tuple[str, ...] = ("Civilians", "Protesters", "Rioters")
    fatality_quantile: float = 0.9
    fatality_min_history: int = 10
    fatality_min: int = 1

    def __post_init__(self) -> None:
        whole = {
            "baseline_weeks": 1,
            "min_baseline_weeks": 1,
            "spike_min_count": 1,
            "dispersion_weeks": 2,
            "quiet_days": 1,
            "actor_history_days": 0,
            "fatality_min_history": 1,
            "fatality_min": 0,
        }
        for name, low in whole.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"WatchConfig.{name}={value!r}: expected a whole number >= {low}")
        if self.min_baseline_weeks > self.baseline_weeks:
            raise ValueError(
                f"WatchConfig.min_baseline_weeks={self.min_baseline_weeks} is more than "
                f"baseline_weeks={self.baseline_weeks}"
            )
        if self.spike_test not in ("negbin", "poisson"):
            raise ValueError(
                f"WatchConfig.spike_test={self.spike_test!r}: expected 'negbin' or 'poisson'"
            )
        for name in ("spike_alpha", "fatality_quantile"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0 < value < 1:
                raise ValueError(f"WatchConfig.{name}={value!r}: expected a number between 0 and 1")
        if not isinstance(self.baseline_floor, int | float) or not self.baseline_floor > 0:
            raise ValueError(
                f"WatchConfig.baseline_floor={self.baseline_floor!r}: expected a rate > 0"
            )

    def replace(self, **changes: object) -> WatchConfig:
        """A copy with ``changes`` applied (checked again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
