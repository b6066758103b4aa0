"""ISO weeks: labels, parsing, and the dense area-by-week count matrix the rules share.

Weeks run Monday to Sunday and are named the ISO 8601 way, ``2013-W08``
(the week of Monday 18 February 2013). The ISO year of a week can differ
from the calendar year of its days (29 December 2014 is in ``2015-W01``).
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

__all__ = ["parse_week", "week_label", "week_labels", "week_monday", "weekly_matrix"]

_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


def parse_week(text: str | dt.date) -> dt.date:
    """The Monday of an ISO week given as ``2013-W08`` (or any day of it as a date).

    >>> parse_week("2013-W08")
    datetime.date(2013, 2, 18)

    Raises
    ------
    ValueError
        When ``text`` is not a week of that form, or the year has no such week.
    """
    if isinstance(text, dt.datetime):
        text = text.date()
    if isinstance(text, dt.date):
        return text - dt.timedelta(days=text.weekday())
    match = _WEEK.match(str(text))
    if not match:
        raise ValueError(f"week {text!r}: expected an ISO week such as 2013-W08")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        return dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"week {text!r}: {year} has no week {week}") from None


def week_label(day: dt.date) -> str:
    """The ISO week holding ``day``, e.g. ``2013-W08``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(dates: pd.Series) -> pd.Series:
    """Monday of each date's week, as datetime64 at midnight."""
    days = pd.to_datetime(dates).dt.normalize()
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


def week_labels(mondays: pd.Series) -> pd.Series:
    """ISO labels of a column of Mondays, computed once per distinct week."""
    unique = pd.Series(pd.unique(mondays.dropna()))
    names = {m: week_label(pd.Timestamp(m).date()) for m in unique}
    return mondays.map(names).astype("string")


def weekly_matrix(
    keys: pd.Series, mondays: pd.Series, first: pd.Timestamp, last: pd.Timestamp
) -> pd.DataFrame:
    """Incidents per key and week, every week from ``first`` to ``last`` (zeros filled).

    Returns
    -------
    DataFrame
        One row per key (sorted), one column per Monday; integer counts.
    """
    weeks = pd.date_range(first, last, freq="7D")
    codes, names = pd.factorize(keys.to_numpy(), sort=True)
    column = ((pd.to_datetime(mondays) - pd.Timestamp(first)).dt.days // 7).to_numpy()
    inside = (codes >= 0) & (column >= 0) & (column < len(weeks))
    counts = np.zeros((len(names), len(weeks)), dtype=np.int64)
    np.add.at(counts, (codes[inside], column[inside]), 1)
    return pd.DataFrame(counts, index=pd.Index(names), columns=weeks)
