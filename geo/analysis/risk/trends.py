"""Trend classes: this week's events against the average week before it.

The comparison is ACLED's weekly one: the last 7 days against the average
week of the 28 days before them, classed on integer counts so that a
boundary case never depends on floating-point rounding.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BASELINE_WEEKS", "RECENT_DAYS", "TREND_CLASSES", "TREND_SPAN", "trend_class"]

TREND_CLASSES: tuple[str, ...] = (
    "Large increase",
    "Moderate increase",
    "Limited change",
    "Large decrease",
)

# Trend windows (ACLED's weekly comparison): the last 7 days against the
# average week of the 28 days before them.
RECENT_DAYS = 7
BASELINE_WEEKS = 4
TREND_SPAN = RECENT_DAYS * (1 + BASELINE_WEEKS)


def trend_class(recent: int, previous: int) -> str:
    """Trend label for ``recent`` events in the last 7 days and ``previous``
    events in the 28 days before them (one area).

    See :func:`_trend_arrays` for the rule.

    >>> trend_class(3, 0), trend_class(6, 0), trend_class(9, 32), trend_class(4, 32)
    ('Limited change', 'Large increase', 'Moderate increase', 'Large decrease')
    """
    labels, _ = _trend_arrays(np.array([recent]), np.array([previous]))
    return str(labels[0])


def _trend_arrays(recent: np.ndarray, previous: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Trend labels and percentages from integer event counts.

    ``baseline = previous / 4`` (the average week). With ``pct = 100 *
    (recent - baseline) / baseline``: a baseline of at most 2 events a week
    with at most 5 events this week is "Limited change" whatever the
    percentage (the low-baseline rule); otherwise ``pct > 25`` is a large
    increase, ``10 < pct <= 25`` a moderate increase, ``-25 <= pct <= 10``
    limited change and ``pct < -25`` a large decrease. A zero baseline with
    more than 5 events this week is a large increase (``pct`` undefined,
    NaN). The comparisons are made on the integers (``16 * recent > 5 *
    previous`` is ``pct > 25``), so a boundary case never depends on
    floating-point rounding.
    """
    r = recent.astype("int64")
    p = previous.astype("int64")
    w = BASELINE_WEEKS
    # pct > T  <=>  100 * (w * r - p) > T * p  (p > 0), all in integers.
    diff = 100 * (w * r - p)
    large_up = diff > 25 * p
    moderate_up = ~large_up & (diff > 10 * p)
    large_down = diff < -25 * p
    low_baseline = (p <= 2 * w) & (r <= 5)
    labels = np.full(r.shape, "Limited change", dtype=object)
    labels[large_up] = "Large increase"
    labels[moderate_up] = "Moderate increase"
    labels[large_down] = "Large decrease"
    labels[low_baseline] = "Limited change"
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(p > 0, 100.0 * (w * r - p) / np.where(p > 0, p, 1), np.nan)
    return labels, pct
