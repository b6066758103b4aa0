"""Periods the dashboard and briefings show: data span, presets, week steps.

Example
-------
>>> import datetime as dt
>>> bounds = (dt.date(2013, 1, 1), dt.date(2013, 3, 31))
>>> preset_period(30, anchor=dt.date(2013, 2, 28), bounds=bounds)
(datetime.date(2013, 1, 30), datetime.date(2013, 2, 28))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from geo.analysis.filters import FilterState

__all__ = [
    "PRESETS",
    "Period",
    "data_period",
    "day_options",
    "default_as_of",
    "default_state",
    "fresh_as_of",
    "preset_period",
    "step_period",
]

Period = tuple[dt.date, dt.date]

# Period presets: label -> days up to the as-of date (None: the whole period).
PRESETS: dict[str, int | None] = {
    "Last 7 days": 7,
    "Last 30 days": 30,
    "Last 90 days": 90,
    "Whole period": None,
}


def data_period(df: pd.DataFrame) -> Period:
    """First and last event day of an incident frame.

    An empty frame gives today for both, so the widgets still have a range.
    """
    dates = df["event_date"].dropna()
    if dates.empty:
        today = dt.date.today()
        return today, today
    return dates.min().date(), dates.max().date()


def day_options(bounds: Period) -> list[dt.date]:
    """Every day from the first to the last of ``bounds`` (slider stops)."""
    first, last = bounds
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def default_state(df: pd.DataFrame) -> FilterState:
    """The filter state of a fresh visit: the whole period, everything shown."""
    first, last = data_period(df)
    return FilterState(date_from=first, date_to=last)


def fresh_as_of(
    bounds: Period, assessed: Iterable[dt.date], today: dt.date | None = None
) -> dt.date | None:
    """The risk as-of date of a fresh visit: the last day the store knows about.

    That is the last incident day, unless analysts set a risk override later
    (``assessed``: the overrides' ``set_on`` days): their latest judgement
    is newer information than the incidents, and assessing risk before it
    would show a fresh visitor the map without it (the shipped overrides of
    25 February 2013 follow incidents ending on the 22nd). Days after
    ``today`` (a typing slip) never count.

    Returns
    -------
    date or None
        The latest such override day, or ``None`` when there is none after
        the data: risk is then assessed at the end of the period.

    >>> b = (dt.date(2013, 1, 15), dt.date(2013, 2, 22))
    >>> fresh_as_of(b, [dt.date(2013, 2, 25), dt.date(2013, 2, 1)], dt.date(2026, 1, 1))
    datetime.date(2013, 2, 25)
    >>> fresh_as_of(b, [dt.date(2013, 2, 20)]) is None
    True
    """
    limit = today or dt.date.today()
    later = [d for d in assessed if bounds[1] < d <= limit]
    return max(later) if later else None


def default_as_of(
    period_end: dt.date, bounds: Period, assessed: Iterable[dt.date], today: dt.date | None = None
) -> dt.date:
    """The risk as-of date of a view that names none: one rule for every visit.

    A fresh visit and a link without ``asof`` get the same day for the same
    period: a period that reaches the end of the data is assessed on the
    last day the store knows about (:func:`fresh_as_of`: the analysts'
    latest override after the data, else the last incident day); an earlier
    period is assessed at its own end. The app then shows and keeps this day
    explicitly, so the as-of date is set once and a copied link carries it.

    >>> b = (dt.date(2013, 1, 15), dt.date(2013, 2, 22))
    >>> later = [dt.date(2013, 2, 25)]
    >>> default_as_of(b[1], b, later, dt.date(2026, 1, 1))
    datetime.date(2013, 2, 25)
    >>> default_as_of(dt.date(2013, 2, 10), b, later, dt.date(2026, 1, 1))
    datetime.date(2013, 2, 10)
    >>> default_as_of(b[1], b, [])
    datetime.date(2013, 2, 22)
    """
    if period_end >= bounds[1]:
        return fresh_as_of(bounds, assessed, today) or period_end
    return period_end


def _clamp(day: dt.date, bounds: Period) -> dt.date:
    return min(max(day, bounds[0]), bounds[1])


def preset_period(days: int | None, anchor: dt.date, bounds: Period) -> Period:
    """The period of a preset: ``days`` days ending on ``anchor`` (inclusive).

    ``None`` means the whole of ``bounds``. The result is clamped to
    ``bounds``.

    >>> b = (dt.date(2013, 1, 1), dt.date(2013, 3, 31))
    >>> preset_period(7, dt.date(2013, 1, 3), b)
    (datetime.date(2013, 1, 1), datetime.date(2013, 1, 3))
    >>> preset_period(None, dt.date(2013, 1, 3), b) == b
    True
    """
    if days is None:
        return bounds
    end = _clamp(anchor, bounds)
    return _clamp(end - dt.timedelta(days=days - 1), bounds), end


def step_period(period: Period, weeks: int, bounds: Period) -> Period:
    """Move a period by whole weeks, keeping its length inside ``bounds``.

    At either end of the data the period stops rather than shrinks.

    >>> b = (dt.date(2013, 1, 1), dt.date(2013, 1, 31))
    >>> step_period((dt.date(2013, 1, 8), dt.date(2013, 1, 14)), -1, b)
    (datetime.date(2013, 1, 1), datetime.date(2013, 1, 7))
    >>> step_period((dt.date(2013, 1, 22), dt.date(2013, 1, 28)), 1, b)
    (datetime.date(2013, 1, 25), datetime.date(2013, 1, 31))
    """
    start, end = period
    length = end - start
    shift = dt.timedelta(days=7 * weeks)
    new_start, new_end = start + shift, end + shift
    if new_start < bounds[0]:
        new_start, new_end = bounds[0], min(bounds[0] + length, bounds[1])
    if new_end > bounds[1]:
        new_start, new_end = max(bounds[1] - length, bounds[0]), bounds[1]
    return new_start, new_end
