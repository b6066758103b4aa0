"""Trend classes: this week's events against the average week before it.

The comparison is ACLED's weekly one: the last 7 days against the average
week of the 28 days before them, classed on integer counts so that a
boundary case never depends on floating-point rounding.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "BASELINE_WEEKS",
    "LOW_BASELINE_NOTE",
    "RECENT_DAYS",
    "TREND_CLASSES",
    "TREND_SPAN",
    "is_low_baseline",
    "trend_class",
    "trend_text",
]

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

# The low-baseline rule in a person's words, for pages that show a trend.
LOW_BASELINE_NOTE = (
    "too few incidents to call a change: at most 2 a week before and at most 5 this week "
    "count as limited change, whatever the percentage"
)


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


def is_low_baseline(recent: float, baseline: float) -> bool:
    """Whether the low-baseline rule decides the trend (see :func:`_trend_arrays`).

    ``recent`` is the last 7 days' events, ``baseline`` the average week of
    the 28 days before (``weekly_baseline`` in the risk rows).

    >>> is_low_baseline(2, 0.25), is_low_baseline(6, 0.25), is_low_baseline(2, 3)
    (True, False, False)
    """
    return baseline <= 2 and recent <= 5


def trend_text(label: str, pct: float, recent: float, baseline: float) -> str:
    """A trend class with the figure that supports it, never one that contradicts it.

    ``pct``, ``recent`` and ``baseline`` are the risk rows' ``trend_pct``,
    ``events_last_7d`` and ``weekly_baseline`` (NaN when unknown). Under the
    low-baseline rule the percentage says nothing (one incident after a
    quiet month is "+300 %"), so the counts are given instead.

    >>> trend_text("Limited change", 700.0, 2, 0.25)
    'Limited change (low baseline: 2 this week, 0.2 a week before)'
    >>> trend_text("Large increase", 60.0, 8, 5.0)
    'Large increase (+60 %)'
    >>> trend_text("Large increase", float("nan"), 6, 0.0)
    'Large increase (6 this week, none before)'
    >>> trend_text("Limited change", float("nan"), 0, 0.0)
    'Limited change (no incident in the last 5 weeks)'
    """
    if not label:
        return ""
    counts = math.isfinite(recent) and math.isfinite(baseline)
    if counts and recent == 0 and baseline == 0:
        return f"{label} (no incident in the last {TREND_SPAN // RECENT_DAYS} weeks)"
    if counts and label == "Limited change" and is_low_baseline(recent, baseline):
        return f"{label} (low baseline: {recent:.0f} this week, {baseline:.1f} a week before)"
    if counts and baseline == 0:
        return f"{label} ({recent:.0f} this week, none before)"
    if math.isfinite(pct):
        return f"{label} ({pct:+.0f} %)"
    return label
