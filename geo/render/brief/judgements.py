"""A draft of a briefing's key judgements, worked out from the data.

Key judgements are the analyst's words: what a director should take away.
The draft only gathers the facts an analyst would start from (areas where
reporting rose most against the previous period of the same length, the
deadliest incidents, actors not reported in the 90 days before) as short
sentences to edit, cut or replace before the briefing is rendered; the app
puts it in a text box and ``python -m geo brief --draft-judgements`` prints it.

The app drafts again at every filter change, so it keeps :func:`draft_data`
of the store (the columns the draft reads, text coded as categories, made
once per store version): a draft then counts integer codes over row
positions and copies no column of the store (0.05 s at 1,000,000 incidents
where copying took 0.3-0.8 s; docs/performance.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis.filters import FilterState, filter_mask
from geo.render.brief.content import briefing_rows
from geo.render.brief.text import clean, day_text

MAX_JUDGEMENTS = 6
# Actors seen in this many days before the period are not "new".
_ACTOR_LOOKBACK_DAYS = 90

# Text a draft reads, kept as categories: every filter change then counts
# integer codes instead of hashing a million strings per column. Blank when
# missing, as the briefing's own incidents have them (content._filtered).
_BLANK_FILLED = ("area", "area_code", "location", "sub_event_type")
_CODED = ("event_type", "country", "iso3", "actor1", "actor2")
_AS_IS = ("event_date", "latitude", "longitude", "geo_precision")


@dataclasses.dataclass(frozen=True)
class DraftData:
    """The incidents as a draft reads them (see :func:`draft_data`).

    Attributes
    ----------
    frame : DataFrame
        The columns the filters, the map's extent and the sentences read,
        one row per incident in the store's order; text as categories with
        sorted categories, fatalities as whole numbers (missing ones 0).
    span : (date, date) or None
        Days holding every dated incident (None when none is dated).
    """

    frame: pd.DataFrame
    span: tuple[dt.date, dt.date] | None = None


def draft_data(joined: pd.DataFrame) -> DraftData:
    """The columns of ``joined`` a draft reads, coded once for every draft after.

    Worth keeping while the store does not change: the app keeps one per
    store version, so a filter change at 1,000,000 incidents drafts in
    milliseconds (docs/performance.md).

    Parameters
    ----------
    joined : DataFrame
        Incidents joined to areas, as :func:`draft_judgements` takes them.
    """
    cols: dict[str, object] = {}
    for col in _AS_IS:
        if col in joined.columns:
            cols[col] = joined[col].array
    cols["fatalities"] = joined["fatalities"].fillna(0).astype("int64").to_numpy()
    # The admin-1 filter reads the stated admin1 only when there are no areas.
    coded = _CODED if "area" in joined.columns else (*_CODED, "admin1")
    for col in coded:
        if col in joined.columns:
            cols[col] = _categories(joined[col])
    for col in _BLANK_FILLED:
        if col in joined.columns:
            cols[col] = _categories(joined[col].astype("string").fillna(""))
    frame = pd.DataFrame(cols, index=pd.RangeIndex(len(joined)))
    first, last = frame["event_date"].min(), frame["event_date"].max()
    if pd.isna(first):
        return DraftData(frame)
    return DraftData(frame, (first.date(), last.date() + dt.timedelta(days=1)))


def _categories(col: pd.Series) -> pd.Categorical:
    """``col`` as a categorical with its distinct values sorted (missing kept missing)."""
    codes, uniques = pd.factorize(col, sort=True)
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))


def draft_judgements(
    joined: pd.DataFrame | DraftData,
    state: FilterState,
    risk: pd.DataFrame | None = None,
    areas: gpd.GeoDataFrame | None = None,
    admin0: gpd.GeoDataFrame | None = None,
) -> list[str]:
    """Short factual sentences an analyst edits into key judgements.

    Parameters
    ----------
    joined : DataFrame or DraftData
        Incidents joined to areas (all of them: the previous period and the
        actors' look-back are read from it too), or :func:`draft_data` of
        them, which a caller drafting again and again keeps.
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
    data = joined if isinstance(joined, DraftData) else draft_data(joined)
    frame = data.frame
    if data.span is None:
        return []
    # Every filter but the period, once for this period and the one before.
    if state == FilterState(state.date_from, state.date_to, as_of=state.as_of):
        others = frame["event_date"].notna().to_numpy(dtype=bool)  # none but the period
    else:
        others = filter_mask(
            frame, dataclasses.replace(state, date_from=data.span[0], date_to=data.span[1])
        )
    matching = others & _between(frame, state.date_from, state.date_to)
    # The briefing's own incidents (filtered, on its map), as positions.
    now = briefing_rows(frame, state, areas, admin0, matching=matching)
    if not now.size:
        return []
    out = _changes(frame, state, now, others)
    out += _deadliest(frame, now)
    out += _new_actors(frame, state, now)
    if risk is not None:
        out += _high_areas(risk, _present(frame["iso3"], now), state)
    return out[:MAX_JUDGEMENTS]


def _previous(state: FilterState) -> FilterState:
    """The same filters over the period of the same length just before."""
    days = (state.date_to - state.date_from).days + 1
    end = state.date_from - dt.timedelta(days=1)
    return dataclasses.replace(state, date_from=end - dt.timedelta(days=days - 1), date_to=end)


def _per_area(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Incidents and deaths per area name of ``rows`` (positions), blank names left out.

    Indexed by the names in sorted order, as a group-by on them would be.
    """
    if "area" not in frame.columns:
        # Not joined: the briefing's incidents all have a blank area.
        return pd.DataFrame(
            {"incidents": np.zeros(0, "int64"), "deaths": np.zeros(0, "int64")},
            index=pd.Index([], name="area", dtype=object),
        )
    area = frame["area"].array
    names = np.asarray(area.categories, dtype=object)
    codes = _at(area.codes, rows)
    deaths = _at(frame["fatalities"].to_numpy(), rows)
    count = np.bincount(codes, minlength=len(names))
    # Float sums of whole numbers are exact far beyond any death toll.
    total = np.bincount(codes, weights=deaths, minlength=len(names)).astype("int64")
    keep = (count > 0) & (names != "")
    return pd.DataFrame(
        {"incidents": count[keep].astype("int64"), "deaths": total[keep]},
        index=pd.Index(names[keep], name="area"),
    )


def _between(frame: pd.DataFrame, first: dt.date, last: dt.date) -> np.ndarray:
    """Which incidents fall on the days ``first`` to ``last``, as the filters compare them."""
    dates = frame["event_date"]
    return ((dates >= pd.Timestamp(first)) & (dates <= pd.Timestamp(last))).to_numpy(dtype=bool)


def _changes(
    frame: pd.DataFrame, state: FilterState, now: np.ndarray, others: np.ndarray
) -> list[str]:
    """The two areas where reporting rose most against the previous period.

    ``others`` says which incidents pass every filter but the period's.
    """
    cur = _per_area(frame, now)
    if not len(cur):
        return []
    prev = _previous(state)
    before = np.flatnonzero(others & _between(frame, prev.date_from, prev.date_to))
    counts = _per_area(frame, before).reindex(cur.index, fill_value=0)
    rise = (cur["incidents"] - counts["incidents"]).rename("rise")
    table = pd.concat([cur, counts.add_prefix("prev_"), rise], axis=1)
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
    return _top_rows(deaths, now["event_date"].to_numpy(), k)


def _top_rows(
    deaths: np.ndarray, dates: np.ndarray, k: int, at: np.ndarray | None = None
) -> np.ndarray:
    """:func:`deadliest_rows` over arrays: deaths (floats), one per row, and
    dates, one per row or (with ``at``) the date of row ``i`` at ``at[i]``."""
    if deaths.size > k and (kth := _kth_largest(deaths, k)) > 0:
        # Only rows at least as deadly as the k-th deadliest can be in the top k
        # (all of them killed, as the k-th did).
        rows = np.flatnonzero(deaths >= kth)
    else:
        rows = np.flatnonzero(deaths > 0)
    when = pd.to_datetime(dates[rows if at is None else at[rows]], errors="coerce")
    when = when.to_numpy("datetime64[ns]")
    day = when.view("int64").copy()
    day[np.isnat(when)] = np.iinfo(np.int64).max  # sort_values puts a missing date last
    return rows[np.lexsort((rows, day, -deaths[rows]))[:k]]


def _kth_largest(values: np.ndarray, k: int) -> float:
    """The ``k``-th largest of ``values`` (counting repeats), at most ``values.size``."""
    if k > 3:
        return float(np.partition(values, values.size - k)[values.size - k])
    # A pass or two over a million rows, not a partition of them: often
    # several rows share the top toll.
    top = values.max()
    while np.count_nonzero(values >= top) < k:
        top = values[values < top].max()
    return float(top)


def _deadliest(frame: pd.DataFrame, now: np.ndarray) -> list[str]:
    """The two deadliest incidents of the period, if any killed."""
    deaths = frame["fatalities"].to_numpy()
    dates = frame["event_date"].to_numpy()
    out = []
    # Positions in the period's order: ties go to the first, as in deadliest_rows.
    for pos in now[_top_rows(_at(deaths, now).astype("float64"), dates, 2, at=now)]:
        kind = _text(frame, "sub_event_type", pos) or _text(frame, "event_type", pos)
        place = _text(frame, "location", pos)
        area = _text(frame, "area", pos)
        if area and area.casefold() != place.casefold():
            place = f"{place} ({area})"
        when = pd.Timestamp(dates[pos])
        out.append(f"{when.day} {when:%b}: {kind.lower()}, {place}, {_n(deaths[pos], 'death')}.")
    return out


def _text(frame: pd.DataFrame, col: str, pos: int) -> str:
    """The cleaned text of ``col`` at row ``pos``; blank when the column is absent."""
    if col not in frame.columns:
        return ""
    value = frame[col].iat[pos]
    # A missing value prints as the store's own text columns print it.
    return clean(pd.NA if pd.isna(value) else value)


def _at(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``values[rows]``, without a copy when ``rows`` are all the positions
    (they are ascending and distinct)."""
    return values if rows.size == values.size else values[rows]


def _present(col: pd.Series, rows: np.ndarray | None = None) -> set[object]:
    """The distinct values of a categorical column over ``rows`` (all when None);
    a missing value as NaN, as ``set(series.astype(str))`` has it."""
    cat = col.array
    codes = cat.codes if rows is None else _at(cat.codes, rows)
    seen = np.bincount(codes.astype(np.intp) + 1, minlength=len(cat.categories) + 1) > 0
    out: set[object] = set(np.asarray(cat.categories, dtype=object)[seen[1:]])
    if seen[0]:
        out.add(float("nan"))
    return out


def _actors(frame: pd.DataFrame, rows: np.ndarray) -> set[str]:
    """Every actor named in ``rows`` (both columns), by short name, once each."""
    names: set[object] = set()
    for col in ("actor1", "actor2"):
        if col in frame.columns:
            names |= _present(frame[col], rows)
    short = set()
    for name in names:
        if isinstance(name, str):
            # "MUJAO: Movement for Oneness and Jihad in West Africa" -> "MUJAO".
            s = clean(name).split(": ", 1)[0].strip()
            if s:
                short.add(s)
    return short


def _new_actors(frame: pd.DataFrame, state: FilterState, now: np.ndarray) -> list[str]:
    """Actors of the period not reported in the look-back before it."""
    start = state.date_from - dt.timedelta(days=_ACTOR_LOOKBACK_DAYS)
    dates = frame["event_date"]
    before = np.flatnonzero(
        ((dates >= pd.Timestamp(start)) & (dates < pd.Timestamp(state.date_from))).to_numpy(bool)
    )
    seen = {a.casefold() for a in _actors(frame, before)}
    new = [a for a in _actors(frame, now) if a.casefold() not in seen]
    if not new:
        return []
    shown = ", ".join(sorted(new)[:3]) + (f" and {len(new) - 3} more" if len(new) > 3 else "")
    return [f"New actors (none in the {_ACTOR_LOOKBACK_DAYS} days before): {shown}."]


def _high_areas(risk: pd.DataFrame, iso3s: set[object], state: FilterState) -> list[str]:
    """How many areas of the briefing's countries (``iso3s``) are at High or
    Extreme, and how many of them by an analyst's override."""
    r = risk.drop_duplicates("area_code") if "area_code" in risk.columns else risk
    if "iso3" in r.columns:
        r = r[r["iso3"].isin(iso3s)]
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
