"""What the pages summarise: headline figures, the risk table, weekly series.

Pure functions of the filtered incidents and the risk rows, so every figure a
page shows can be tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.analysis.periods import Period
from geo.analysis.risk.overrides import level_text
from geo.analysis.risk.trends import trend_text

__all__ = [
    "HIGH_LEVELS",
    "RISK_TABLE_COLUMNS",
    "DAILY_UP_TO_DAYS",
    "Headline",
    "daily",
    "headline",
    "risk_in_scope",
    "risk_table",
    "scope_iso3",
    "week_start",
    "weekly",
]

HIGH_LEVELS: tuple[str, ...] = ("High", "Extreme")


@dataclass(frozen=True)
class Headline:
    """The three figures at the top of the map page."""

    incidents: int
    fatalities: int
    high_areas: int
    areas: int


def scope_iso3(country_names: Mapping[str, str], countries: Sequence[str]) -> tuple[str, ...]:
    """ISO3 codes of the countries a filter names (by name or by code).

    ``country_names`` maps ISO3 -> name for the countries in the data.
    """
    wanted = set(countries)
    return tuple(
        sorted(code for code, name in country_names.items() if name in wanted or code in wanted)
    )


def risk_in_scope(
    risk: pd.DataFrame, iso3s: Sequence[str] = (), admin1: Sequence[str] = ()
) -> pd.DataFrame:
    """Risk rows of the areas the geographic filters select (all when none).

    Risk belongs to the area, so only the places (countries as ISO3 codes,
    see :func:`scope_iso3`, and admin-1 areas) narrow it; event type, actor
    and fatality filters choose which incidents are drawn, not how dangerous
    an area is.
    """
    mask = pd.Series(True, index=risk.index)
    if iso3s:
        mask &= risk["iso3"].isin(iso3s)
    if admin1:
        mask &= risk["area"].isin(admin1)
    return risk.loc[mask]


def headline(filtered: pd.DataFrame, risk_scope: pd.DataFrame) -> Headline:
    """Incidents, fatalities (lower bounds summed) and areas at High or Extreme."""
    level_col = "final_level" if "final_level" in risk_scope.columns else "level"
    return Headline(
        incidents=len(filtered),
        fatalities=int(filtered["fatalities"].fillna(0).sum()),
        high_areas=int(risk_scope[level_col].isin(HIGH_LEVELS).sum()),
        areas=len(risk_scope),
    )


RISK_TABLE_COLUMNS: dict[str, str] = {
    # What an analyst scans first comes first: the level in force (with any
    # override worded in it), the trend and the counts; the details follow.
    "area": "Area",
    "iso3": "Country",
    "final_level": "Level",
    "trend": "Trend",
    "events": "Incidents",
    "fatalities": "Fatalities",
    "score": "Score",
    "level": "Computed level",
    "override_level": "Override",
    "override_status": "Override status",
    "override_reason": "Override reason",
    "override_expires": "Override until",
    "days_since_last": "Days since last",
}


def risk_table(risk: pd.DataFrame, *, active_only: bool = True) -> pd.DataFrame:
    """The risk rows as a table for people: named columns, rounded numbers.

    ``active_only`` keeps areas with incidents in the window or a level
    above Low (an override can raise a quiet area), which is what an analyst
    scans; the full list has every area of the layer. The computed level and
    the override are side by side; ``Level`` is the one in force, written
    "High (analyst) · computed Elevated 36" when an analyst set it. ``Trend``
    carries its own figure: the percentage, or the counts when the
    low-baseline rule makes the percentage meaningless.
    """
    cols = [c for c in RISK_TABLE_COLUMNS if c in risk.columns]
    if active_only:
        level_col = "final_level" if "final_level" in risk.columns else "level"
        risk = risk.loc[(risk["events"].fillna(0) > 0) | (risk[level_col] != "Low")]
    table = risk[cols]
    rounded: dict[str, pd.Series] = {
        name: table[name].astype(float).round(digits)
        for name, digits in (("score", 1),)
        if name in table.columns
    }
    rounded.update(_worded(risk))
    if "override_expires" in table.columns:
        expires = pd.to_datetime(table["override_expires"])
        rounded["override_expires"] = expires.dt.strftime("%Y-%m-%d").fillna("")
    return table.assign(**rounded).rename(columns=RISK_TABLE_COLUMNS).reset_index(drop=True)


def _worded(risk: pd.DataFrame) -> dict[str, pd.Series]:
    """``final_level`` and ``trend`` in words that show their grounds (one row per area)."""
    out: dict[str, pd.Series] = {}

    def numbers(name: str) -> np.ndarray:
        if name not in risk.columns:
            return np.full(len(risk), np.nan)
        return risk[name].astype("Float64").to_numpy(float, na_value=np.nan)

    if {"final_level", "level", "override_status"} <= set(risk.columns):
        active = (risk["override_status"] == "active").fillna(False).to_numpy(bool)
        out["final_level"] = pd.Series(
            [
                level_text(str(f), str(c), s, a)
                for f, c, s, a in zip(
                    risk["final_level"], risk["level"], numbers("score"), active, strict=True
                )
            ],
            index=risk.index,
            dtype="string",
        )
    if "trend" in risk.columns:
        parts = zip(
            risk["trend"].fillna(""),
            numbers("trend_pct"),
            numbers("events_last_7d"),
            numbers("weekly_baseline"),
            strict=True,
        )
        out["trend"] = pd.Series(
            [trend_text(str(t), p, r, b) for t, p, r, b in parts], index=risk.index, dtype="string"
        )
    return out


def week_start(dates: pd.Series) -> pd.Series:
    """Monday of each date's week (weeks run Monday to Sunday)."""
    days = dates.dt.normalize()
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


def weekly(
    filtered: pd.DataFrame,
    by: str,
    period: Period,
    top: int = 8,
    other: str = "Other",
) -> pd.DataFrame:
    """Weekly incidents and fatalities per group, every week of the period.

    Parameters
    ----------
    filtered : DataFrame
        The incidents shown.
    by : str
        Grouping column (``area``, ``event_type``, ...). Empty values become
        ``"(none)"``.
    period : (date, date)
        Weeks from the one holding the first day to the one holding the
        last; weeks with nothing get zeros so lines do not skip them.
    top : int
        Groups beyond the ``top`` with the most incidents are summed as
        ``other``.

    Returns
    -------
    DataFrame
        Long format: ``week`` (Monday), ``group``, ``incidents``,
        ``fatalities``; sorted by week then group.
    """
    first = week_start(pd.Series([pd.Timestamp(period[0])]))[0]
    last = week_start(pd.Series([pd.Timestamp(period[1])]))[0]
    bins = pd.date_range(first, last, freq="7D")
    keys = week_start(filtered["event_date"])
    return _binned(filtered, by, keys, bins, "week", top, other)


# A period this short is drawn day by day: by week, a week would be one or two bars.
DAILY_UP_TO_DAYS = 31


def daily(
    filtered: pd.DataFrame,
    by: str,
    period: Period,
    top: int = 8,
    other: str = "Other",
) -> pd.DataFrame:
    """Like :func:`weekly`, one row per day of the period (column ``day``).

    For short periods (up to :data:`DAILY_UP_TO_DAYS` days), where weekly
    bars say little: a one-week period is seven bars, not two half-weeks.
    """
    bins = pd.date_range(pd.Timestamp(period[0]), pd.Timestamp(period[1]), freq="D")
    keys = filtered["event_date"].dt.normalize()
    return _binned(filtered, by, keys, bins, "day", top, other)


def _binned(
    filtered: pd.DataFrame,
    by: str,
    keys: pd.Series,
    bins: pd.DatetimeIndex,
    name: str,
    top: int,
    other: str,
) -> pd.DataFrame:
    """Incidents and fatalities per (bin, group), every bin present, top groups kept."""
    groups = filtered[by].astype("string").fillna("").replace("", "(none)")
    counts = groups.value_counts()
    if len(counts) > top:
        keep = set(counts.index[: top - 1])
        groups = groups.where(groups.isin(keep), other)
    frame = pd.DataFrame(
        {
            name: keys,
            "group": groups,
            "fatalities": filtered["fatalities"].fillna(0).astype("int64"),
        }
    )
    agg = frame.groupby([name, "group"], observed=True).agg(
        incidents=("fatalities", "size"), fatalities=("fatalities", "sum")
    )
    names = sorted(set(frame["group"])) or [other]
    full = pd.MultiIndex.from_product([bins, names], names=[name, "group"])
    out = agg.reindex(full, fill_value=0).reset_index()
    return out.astype({"incidents": "int64", "fatalities": "int64", "group": "string"})
