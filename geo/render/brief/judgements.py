"""A draft of a briefing's key judgements, worked out from the data.

Key judgements are the analyst's words: what a director should take away.
The draft only gathers the facts an analyst would start from (areas where
reporting rose most against the previous period of the same length, the
deadliest incidents, actors not reported in the 90 days before) as short
sentences to edit, cut or replace before the briefing is rendered; the app
puts it in a text box and ``python -m geo brief --draft-judgements`` prints it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis.filters import FilterState, apply_filters
from geo.render.brief.content import briefing_incidents
from geo.render.brief.text import clean, day_text

MAX_JUDGEMENTS = 6
# Actors seen in this many days before the period are not "new".
_ACTOR_LOOKBACK_DAYS = 90


def draft_judgements(
    joined: pd.DataFrame,
    state: FilterState,
    risk: pd.DataFrame | None = None,
    areas: gpd.GeoDataFrame | None = None,
    admin0: gpd.GeoDataFrame | None = None,
) -> list[str]:
    """Short factual sentences an analyst edits into key judgements.

    Parameters
    ----------
    joined : DataFrame
        Incidents joined to areas (all of them: the previous period and the
        actors' look-back are read from it too).
    state : FilterState
        The briefing's filters and period.
    risk : DataFrame, optional
        Area risk (:func:`geo.analysis.risk.score_areas`); adds a sentence on
        the areas at High or Extreme and how many of those an analyst set.
    areas, admin0 : GeoDataFrame, optional
        Admin-1 areas and countries (the shipped layers by default): the
        draft covers the incidents on the briefing's map, as its counts do.

    Returns
    -------
    list of str
        At most :data:`MAX_JUDGEMENTS` sentences, most telling first; empty
        when the period has no incidents.

    Examples
    --------
    >>> draft_judgements(joined, state)  # doctest: +SKIP
    ['Reporting rose most in Kidal: 3 incidents, 26 deaths (previous 28 days: 0).', ...]
    """
    now = briefing_incidents(joined, state, areas, admin0)
    if not len(now):
        return []
    out = _changes(joined, state, now)
    out += _deadliest(now)
    out += _new_actors(joined, state, now)
    if risk is not None:
        out += _high_areas(risk, now, state)
    return out[:MAX_JUDGEMENTS]


def _previous(state: FilterState) -> FilterState:
    """The same filters over the period of the same length just before."""
    days = (state.date_to - state.date_from).days + 1
    end = state.date_from - dt.timedelta(days=1)
    return dataclasses.replace(state, date_from=end - dt.timedelta(days=days - 1), date_to=end)


def _per_area(frame: pd.DataFrame) -> pd.DataFrame:
    """Incidents and deaths per area name."""
    col = "area" if "area" in frame.columns else "country"
    names = frame[col].astype("string").fillna("").replace("", pd.NA)
    deaths = frame["fatalities"].fillna(0).astype("int64")
    return (
        pd.DataFrame({"area": names, "deaths": deaths})
        .dropna(subset=["area"])
        .groupby("area")
        .agg(incidents=("deaths", "size"), deaths=("deaths", "sum"))
    )


def _changes(joined: pd.DataFrame, state: FilterState, now: pd.DataFrame) -> list[str]:
    """The two areas where reporting rose most against the previous period."""
    before_state = _previous(state)
    cur = _per_area(now)
    prev = _per_area(apply_filters(joined, before_state)).reindex(cur.index, fill_value=0)
    rise = (cur["incidents"] - prev["incidents"]).rename("rise")
    table = pd.concat([cur, prev.add_prefix("prev_"), rise], axis=1)
    table = table[table["rise"] > 0].sort_values(
        ["rise", "deaths"], ascending=[False, False], kind="stable"
    )
    days = (state.date_to - state.date_from).days + 1
    out = []
    for area, row in table.head(2).iterrows():
        out.append(
            f"{clean(area)}: {_n(row['incidents'], 'incident')}, "
            f"{_n(row['deaths'], 'death')}; {int(row['prev_incidents'])} in the "
            f"{days} days before."
        )
    return out


def deadliest_rows(now: pd.DataFrame, k: int = 2) -> np.ndarray:
    """Positions of the ``k`` deadliest incidents that killed, deadliest first.

    Ties go to the earlier date (a missing date last), then to the row
    first in ``now``: the order of ``now[fatalities > 0].sort_values(
    ["fatalities", "event_date"], ascending=[False, True], kind="stable")``,
    without sorting (or copying) every row of a million-row frame.
    """
    deaths = pd.to_numeric(now["fatalities"], errors="coerce").fillna(0).to_numpy("float64")
    rows = np.flatnonzero(deaths > 0)
    if rows.size > k:
        # Only rows at least as deadly as the k-th deadliest can be in the top k.
        kth = np.partition(deaths[rows], rows.size - k)[rows.size - k]
        rows = rows[deaths[rows] >= kth]
    when = pd.to_datetime(now["event_date"].iloc[rows], errors="coerce").to_numpy("datetime64[ns]")
    day = when.view("int64").copy()
    day[np.isnat(when)] = np.iinfo(np.int64).max  # sort_values puts a missing date last
    return rows[np.lexsort((rows, day, -deaths[rows]))[:k]]


def _deadliest(now: pd.DataFrame) -> list[str]:
    """The two deadliest incidents of the period, if any killed."""
    out = []
    for _, row in now.iloc[deadliest_rows(now, 2)].iterrows():
        kind = clean(row.get("sub_event_type", "") or "") or clean(row["event_type"])
        place = clean(row.get("location", "") or "")
        area = clean(row.get("area", "") or "")
        if area and area.casefold() != place.casefold():
            place = f"{place} ({area})"
        when = pd.Timestamp(row["event_date"])
        deaths = _n(row["fatalities"], "death")
        out.append(f"{when.day} {when:%b}: {kind.lower()}, {place}, {deaths}.")
    return out


def _actors(frame: pd.DataFrame) -> pd.Series:
    """Every actor named in ``frame`` (both columns), once each."""
    cols = [c for c in ("actor1", "actor2") if c in frame.columns]
    if not cols:
        return pd.Series([], dtype="string")
    names = pd.concat([frame[c].astype("string") for c in cols]).dropna().drop_duplicates()
    # "MUJAO: Movement for Oneness and Jihad in West Africa" -> "MUJAO".
    short = names.map(clean).str.split(": ", n=1).str[0].str.strip()
    return short[short != ""].drop_duplicates()


def _new_actors(joined: pd.DataFrame, state: FilterState, now: pd.DataFrame) -> list[str]:
    """Actors of the period not reported in the look-back before it."""
    start = state.date_from - dt.timedelta(days=_ACTOR_LOOKBACK_DAYS)
    before = joined[
        (joined["event_date"] >= pd.Timestamp(start))
        & (joined["event_date"] < pd.Timestamp(state.date_from))
    ]
    seen = set(_actors(before).str.casefold())
    new = [a for a in _actors(now) if a.casefold() not in seen]
    if not new:
        return []
    shown = ", ".join(sorted(new)[:3]) + (f" and {len(new) - 3} more" if len(new) > 3 else "")
    return [f"New actors (none in the {_ACTOR_LOOKBACK_DAYS} days before): {shown}."]


def _high_areas(risk: pd.DataFrame, now: pd.DataFrame, state: FilterState) -> list[str]:
    """How many areas of the briefing's countries are at High or Extreme,
    and how many of them by an analyst's override."""
    r = risk.drop_duplicates("area_code") if "area_code" in risk.columns else risk
    if "iso3" in r.columns:
        r = r[r["iso3"].isin(set(now["iso3"].astype(str)))]
    high = r[r["final_level"].isin(("High", "Extreme"))]
    if not len(high):
        return []
    names = ", ".join(sorted(clean(a) for a in high["area"]))
    by_analyst = int((high["final_level"] != high.get("level", high["final_level"])).sum())
    note = f" ({by_analyst} by analyst override)" if by_analyst else ""
    return [f"At High or Extreme on {day_text(state.assessed_at)}{note}: {names}."]


def _n(count: object, noun: str) -> str:
    """``3 incidents``, ``1 incident``."""
    n = int(count)  # type: ignore[call-overload]
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
