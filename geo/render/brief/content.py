"""What a briefing shows, worked out before anything is drawn.

:func:`compose` filters the incidents, chooses the map's extent (and so which
incidents are in the briefing and which are only counted as "elsewhere"),
shades the areas by risk, ranks the top areas and picks the towns, regions
and places worth a label. The drawing modules only read the :class:`Brief`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis.filters import FilterState, apply_filters, filter_mask
from geo.model.levels import LEVELS
from geo.render import style
from geo.render.brief.layout import (
    DEFAULT_ISO3,
    NOT_ASSESSED_COLOUR,
    TOP_AREAS,
    TOWN_MIN_POPULATION,
)
from geo.render.brief.text import as_utc, clean, day_text, period_text

# Beyond this span the map would be a continent: incidents that would stretch
# it further are counted in a note instead of drawn.
_MAX_SPAN_DEG = (32.0, 24.0)
# Another country's incidents join the map when this close (degrees) to it.
_NEAR_DEG = 2.0


@dataclass(frozen=True)
class Notes:
    """What the analyst adds to a briefing: key judgements, marking, author."""

    judgements: tuple[str, ...] = ()
    marking: str = ""  # handling marking, e.g. "TLP:AMBER", printed top and bottom
    author: str = ""


@dataclass
class Brief:
    """Everything a briefing shows, computed before any drawing."""

    state: FilterState
    shown: pd.DataFrame  # the filtered incidents on the map
    extent: tuple[float, float, float, float]  # minx, miny, maxx, maxy before fitting
    elsewhere: pd.DataFrame  # filtered incidents too far from the map to be in it
    shading: gpd.GeoDataFrame  # areas with a fill colour
    countries: gpd.GeoDataFrame
    borders: gpd.GeoDataFrame
    towns: pd.DataFrame
    table: pd.DataFrame
    title: str
    subtitle: str
    filters_line: str
    attribution: str
    generated: str
    window_days: int
    region_labels: pd.DataFrame = field(default_factory=pd.DataFrame)
    features: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: Notes = field(default_factory=Notes)
    coverage: str = ""
    override_notes: list[str] = field(default_factory=list)


def layers(
    areas: gpd.GeoDataFrame | None,
    borders: gpd.GeoDataFrame | None,
    admin0: gpd.GeoDataFrame | None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The layers given, the shipped ones for those that are not."""
    if areas is None or borders is None or admin0 is None:
        from geo.reference import boundaries

        areas = boundaries.load_admin1() if areas is None else areas
        borders = boundaries.load_borders() if borders is None else borders
        admin0 = boundaries.load_admin0() if admin0 is None else admin0
    return areas, borders, admin0


def compose(
    joined: pd.DataFrame,
    state: FilterState,
    risk: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    borders: gpd.GeoDataFrame,
    admin0: gpd.GeoDataFrame,
    towns: pd.DataFrame | None,
    title: str | None,
    generated_at: dt.datetime | None,
    window_days: int,
    notes: Notes | None = None,
) -> Brief:
    """Everything the briefing of ``state`` shows (see :func:`render_brief`)."""
    filtered = _filtered(joined, state)
    country_iso3 = _state_iso3(state, joined, admin0)
    extent, inside = _extent(filtered, areas, admin0, country_iso3, state)
    # The briefing is about what its map shows: counts, lists and sources all
    # use the incidents on the map; the others are named in the header.
    shown = filtered.loc[inside]
    elsewhere = filtered.loc[~inside]

    shading = _shading(areas, risk, _assessed(joined, country_iso3))
    table = _top_areas(risk, shown, state, country_iso3)
    focus = set(country_iso3) | set(shown["iso3"].unique()) or {DEFAULT_ISO3}
    town_frame = _towns(towns, _countries_in(admin0, extent), extent, shown, focus)

    names = _country_names(shown, admin0, country_iso3)
    generated = as_utc(generated_at)
    return Brief(
        state=state,
        shown=shown,
        extent=extent,
        elsewhere=elsewhere,
        shading=shading,
        countries=admin0,
        borders=borders,
        towns=town_frame,
        table=table,
        title=clean(title) if title else f"Security briefing: {names}",
        subtitle=_subtitle(state, shown),
        filters_line=_filters_line(state, elsewhere),
        attribution=_attribution(shown),
        generated=f"Generated {generated.day} {generated:%b %Y %H:%M} UTC",
        window_days=window_days,
        region_labels=_region_labels(areas, table, shown, focus),
        features=_features(shown, town_frame),
        notes=_clean_notes(notes or Notes()),
        coverage=_coverage(shown, state),
        override_notes=_override_notes(table),
    )


def _clean_notes(notes: Notes) -> Notes:
    """The analyst's text on single lines, blank judgements dropped."""
    lines = tuple(c for c in (clean(j).lstrip("•-* ").strip() for j in notes.judgements) if c)
    return Notes(judgements=lines, marking=clean(notes.marking), author=clean(notes.author))


def _coverage(shown: pd.DataFrame, state: FilterState) -> str:
    """The caveat a reader needs: what the counts are counts of."""
    n = len(shown)
    k = len(_sources(shown))
    return (
        f"{n:,} reported incident{'s' if n != 1 else ''} from {k:,} distinct "
        f"source{'s' if k != 1 else ''}, {period_text(state.date_from, state.date_to)}. "
        "Counts are of incidents that were reported and coded, not of all that happened; "
        "fatalities are the reports' lower bounds."
    )


def _override_notes(table: pd.DataFrame) -> list[str]:
    """For each area of the table set by an override, the analyst's reason."""
    if not len(table) or "level" not in table.columns:
        return []
    rows = table[table["final_level"] != table["level"]]
    reasons = rows.get("override_reason", pd.Series("", index=rows.index))
    out = []
    for (_, row), reason in zip(rows.iterrows(), reasons.fillna(""), strict=True):
        score = row.get("score")
        computed = str(row["level"]) + ("" if pd.isna(score) else f" {float(score):.0f}")
        text = f"{clean(row['area'])}: {row['final_level']} (analyst), computed {computed}."
        out.append(f"{text} {clean(reason)}" if clean(reason) else text)
    return out


def briefing_incidents(
    joined: pd.DataFrame,
    state: FilterState,
    areas: gpd.GeoDataFrame | None = None,
    admin0: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """The incidents a briefing of ``state`` is about: filtered, and on its map.

    The same choice as :func:`compose` makes, for callers that need the rows
    without drawing (the draft of key judgements).
    """
    areas, _borders, admin0 = layers(areas, pd.DataFrame(), admin0)
    filtered = _filtered(joined, state)
    country_iso3 = _state_iso3(state, joined, admin0)
    _bounds, inside = _extent(filtered, areas, admin0, country_iso3, state)
    return filtered.loc[inside]


def briefing_rows(
    joined: pd.DataFrame,
    state: FilterState,
    areas: gpd.GeoDataFrame | None = None,
    admin0: gpd.GeoDataFrame | None = None,
    *,
    matching: np.ndarray | None = None,
) -> np.ndarray:
    """Positions in ``joined`` of the rows :func:`briefing_incidents` returns, in order.

    Copies only the five columns the map's extent reads, of the filtered
    rows: the draft of key judgements asks at every filter change, and
    copying every column of a million rows took most of its time.
    ``matching`` is :func:`~geo.analysis.filters.filter_mask` of ``joined``
    and ``state`` when the caller has it already.
    """
    areas, _borders, admin0 = layers(areas, pd.DataFrame(), admin0)
    rows = np.flatnonzero(filter_mask(joined, state) if matching is None else matching)
    part = joined[[c for c in _EXTENT_COLUMNS if c in joined.columns]]
    if rows.size < len(joined):
        part = part.iloc[rows]
    # Filled as _filtered fills them: _extent groups and sums on these.
    part = part.assign(
        fatalities=part["fatalities"].fillna(0).astype("int64"),
        area_code=_blank_filled(part["area_code"]) if "area_code" in part.columns else "",
    )
    country_iso3 = _state_iso3(state, joined, admin0)
    _bounds, inside = _extent(part, areas, admin0, country_iso3, state)
    keep = inside.to_numpy(dtype=bool)
    return rows if keep.all() else rows[keep]


_EXTENT_COLUMNS = ("longitude", "latitude", "iso3", "fatalities", "area_code")


def _blank_filled(col: pd.Series) -> pd.Series:
    """``col`` as text with missing values blank; categories already so stay as they are."""
    if isinstance(col.dtype, pd.CategoricalDtype) and not col.hasnans:
        return col
    return col.astype("string").fillna("")


def _filtered(joined: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """The incidents of ``state``, with the text columns the briefing prints
    present and free of missing values."""
    filtered = apply_filters(joined, state).copy()
    filtered["fatalities"] = filtered["fatalities"].fillna(0).astype("int64")
    for col in ("area", "area_code", "location", "notes", "source", "sub_event_type"):
        if col not in filtered.columns:
            filtered[col] = ""
        filtered[col] = filtered[col].astype("string").fillna("")
    return filtered


def _assessed(joined: pd.DataFrame, country_iso3: Sequence[str]) -> set[str]:
    """Countries whose areas are shaded by risk.

    Only where the data has incidents: a country the data does not cover is
    "not assessed", not "Low".
    """
    assessed = set(joined["iso3"].dropna().unique()) | set(country_iso3)
    if "area_iso3" in joined.columns:
        assessed |= set(joined["area_iso3"].dropna().unique()) - {""}
    return assessed


def _subtitle(state: FilterState, shown: pd.DataFrame) -> str:
    """Period, incident and fatality counts, and the risk date, on one line."""
    deaths = int(shown["fatalities"].sum())
    n = len(shown)
    return (
        f"{period_text(state.date_from, state.date_to)}  ·  "
        f"{n:,} incident{'s' if n != 1 else ''}, {deaths:,} "
        f"{'fatality' if deaths == 1 else 'fatalities'}  ·  "
        f"area risk as of {day_text(state.assessed_at)}"
    )


def _state_iso3(state: FilterState, joined: pd.DataFrame, admin0: gpd.GeoDataFrame) -> list[str]:
    """ISO3 codes of the countries the filter names (by name or code)."""
    if not state.countries:
        return []
    wanted = {str(c) for c in state.countries}
    codes = set(admin0.loc[admin0["name"].isin(wanted) | admin0["iso3"].isin(wanted), "iso3"])
    if "country" in joined.columns:
        rows = joined["country"].isin(wanted) | joined["iso3"].isin(wanted)
        # Distinct codes first: text for each of a million rows took 0.6 s.
        codes |= set(pd.Series(joined.loc[rows, "iso3"].unique()).astype(str))
    return sorted(codes)


def _extent(
    filtered: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    admin0: gpd.GeoDataFrame,
    country_iso3: Sequence[str],
    state: FilterState,
) -> tuple[tuple[float, float, float, float], pd.Series]:
    """The map extent and which filtered incidents fall inside it.

    Selected admin-1 areas win, then selected countries; otherwise the areas
    of the incidents, grown country by country (most incidents first) while
    the map stays regional. With nothing at all, Mali.
    """
    lon = filtered["longitude"].to_numpy(dtype=float)
    lat = filtered["latitude"].to_numpy(dtype=float)
    bounds: np.ndarray | None = None
    if state.admin1:
        sel = areas[areas["area"].isin(state.admin1)]
        if len(sel):
            bounds = np.asarray(sel.total_bounds, dtype=float)
    if bounds is None and country_iso3:
        sel0 = admin0[admin0["iso3"].isin(country_iso3)]
        if len(sel0):
            bounds = np.asarray(sel0.total_bounds, dtype=float)
    if bounds is None and len(filtered):
        bounds = _grow_extent(filtered, areas)
    if bounds is None:
        sel0 = admin0[admin0["iso3"] == DEFAULT_ISO3]
        base = sel0 if len(sel0) else admin0
        bounds = np.asarray(base.total_bounds, dtype=float)
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    inside = pd.Series(
        (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy), index=filtered.index
    )
    return (minx, miny, maxx, maxy), inside


def _grow_extent(filtered: pd.DataFrame, areas: gpd.GeoDataFrame) -> np.ndarray:
    """Extent of the main country's incident areas, plus nearby incidents.

    The country with most incidents (then most fatalities) anchors the map
    with the admin-1 areas its incidents fall in. Other countries' incidents
    join, one country at a time, only when they lie close to the map so far:
    a briefing on northern Mali should not become a map of North Africa
    because of one item from Tunisia. The rest is reported as "elsewhere".
    """
    country, order = _countries_by_size(filtered)
    # Arrays, not a copy of each country's rows: a million rows at a filter change.
    lon = filtered["longitude"].to_numpy(dtype=float)
    lat = filtered["latitude"].to_numpy(dtype=float)
    extent: np.ndarray | None = None
    for k in order:
        mine = country == k
        # One country is the common case: then its rows are all the rows.
        everyone = bool(mine.all())
        x, y = (lon, lat) if everyone else (lon[mine], lat[mine])
        # fmin/fmax skip missing coordinates, as Series.min/max do.
        pts = np.array([np.fmin.reduce(x), np.fmin.reduce(y), np.fmax.reduce(x), np.fmax.reduce(y)])
        if extent is None:
            # Distinct codes first, then the blank one out: the same set.
            area_code = filtered["area_code"]
            present = (area_code if everyone else area_code[mine]).unique()
            codes = pd.Index(present[present != ""])
            hit = (
                areas[areas["area_code"].isin(codes)] if "area_code" in areas.columns else areas[:0]
            )
            extent = _union(pts, np.asarray(hit.total_bounds)) if len(hit) else pts
            continue
        span = max(extent[2] - extent[0], extent[3] - extent[1])
        gap = max(pts[0] - extent[2], extent[0] - pts[2], pts[1] - extent[3], extent[1] - pts[3])
        grown = _union(extent, pts)
        fits = grown[2] - grown[0] <= _MAX_SPAN_DEG[0] and grown[3] - grown[1] <= _MAX_SPAN_DEG[1]
        if gap <= max(_NEAR_DEG, 0.25 * span) and fits:
            extent = grown
    assert extent is not None
    return extent


def _countries_by_size(filtered: pd.DataFrame) -> tuple[np.ndarray, list[int]]:
    """Each incident's country as a number, and the numbers most incidents first.

    Ties go to more fatalities, then to the ISO3 code; incidents without
    one are left out (-1), as a group-by on ``iso3`` leaves them out.
    """
    iso3 = filtered["iso3"]
    if isinstance(iso3.dtype, pd.CategoricalDtype):
        # Already numbered (the draft's coded columns); unseen codes count 0 below.
        country, codes = iso3.cat.codes.to_numpy(), iso3.cat.categories
    else:
        country, codes = pd.factorize(iso3)
    # Incidents without a code count in an extra last bin, then are dropped.
    bins = np.where(country >= 0, country, len(codes))
    n = np.bincount(bins, minlength=len(codes) + 1)[:-1]
    f: np.ndarray = np.zeros(len(codes))
    if np.unique(n).size < n.size:  # fatalities only break ties
        deaths = filtered["fatalities"].to_numpy(dtype="int64")
        # Float sums of whole numbers are exact far beyond any death toll.
        f = np.bincount(bins, weights=deaths, minlength=len(codes) + 1)[:-1]
    table = pd.DataFrame({"n": n, "f": f, "iso3": np.asarray(codes, dtype=object)})
    order = table[table["n"] > 0].sort_values(["n", "f", "iso3"], ascending=[False, False, True])
    return country, order.index.tolist()


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The bounds (minx, miny, maxx, maxy) holding both ``a`` and ``b``."""
    return np.array([min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])])


def _shading(areas: gpd.GeoDataFrame, risk: pd.DataFrame, assessed: set[str]) -> gpd.GeoDataFrame:
    """Areas with their final risk level and fill colour; unassessed ones blank."""
    level_by_code = risk.drop_duplicates("area_code").set_index("area_code")["final_level"]
    out = areas[["area", "area_code", "iso3", "geometry"]].copy()
    level = out["area_code"].map(level_by_code).astype("string")
    known = level.isin(LEVELS) & out["iso3"].isin(assessed)
    out["level"] = level.where(known, "")
    out["colour"] = out["level"].map(style.LEVEL_COLOURS).fillna(NOT_ASSESSED_COLOUR)
    return out


def _top_areas(
    risk: pd.DataFrame, shown: pd.DataFrame, state: FilterState, country_iso3: Sequence[str]
) -> pd.DataFrame:
    """The highest-risk areas of the briefing's countries, with period counts."""
    r = risk.copy()
    if state.admin1:
        r = r[r["area"].isin(state.admin1)]
    elif country_iso3:
        r = r[r["iso3"].isin(country_iso3)]
    else:
        r = r[r["iso3"].isin(set(shown["iso3"].unique()) or {DEFAULT_ISO3})]
    counts = shown.groupby("area_code", observed=True).agg(
        incidents=("area_code", "size"), deaths=("fatalities", "sum")
    )
    r["incidents"] = r["area_code"].map(counts["incidents"]).fillna(0).astype(int)
    r["deaths"] = r["area_code"].map(counts["deaths"]).fillna(0).astype(int)
    rank = {lvl: i for i, lvl in enumerate(LEVELS)}
    r["_rank"] = r["final_level"].map(rank).fillna(-1)
    r = r[(r["score"].fillna(0) > 0) | (r["incidents"] > 0)]
    r = r.sort_values(
        ["_rank", "score", "incidents", "area"], ascending=[False, False, False, True]
    )
    return r.head(TOP_AREAS).drop(columns="_rank").reset_index(drop=True)


def _around(extent: Sequence[float]) -> tuple[float, float, float, float]:
    """A box that holds any view of ``extent`` (a wide slide or a square).

    Towns and countries are selected from it; those that end up outside the
    drawn map are dropped at placement.
    """
    minx, miny, maxx, maxy = extent
    grow = max(maxx - minx, maxy - miny, 1.0)
    return minx - grow, miny - grow / 2, maxx + grow, maxy + grow / 2


def _countries_in(admin0: gpd.GeoDataFrame, extent: Sequence[float]) -> list[str]:
    """ISO3 codes of the countries near enough to ``extent`` to be on the map."""
    minx, miny, maxx, maxy = _around(extent)
    hit = admin0.cx[minx:maxx, miny:maxy]
    return sorted(hit["iso3"].astype(str))


def _towns(
    towns: pd.DataFrame | None,
    iso3s: list[str],
    extent: Sequence[float],
    filtered: pd.DataFrame,
    focus: set[str],
) -> pd.DataFrame:
    """Towns worth a label, best first.

    Towns named by the incidents come first (``incident``), then the towns
    of the briefing's countries by population, then their neighbours' towns.
    """
    if towns is None:
        from geo.reference.gazetteer import load_gazetteer

        towns = load_gazetteer().towns(iso3s=iso3s, min_population=TOWN_MIN_POPULATION)
    cols = ["name", "latitude", "longitude", "population"]
    if towns is None or not len(towns):
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols} | {"incident": []})
    minx, miny, maxx, maxy = _around(extent)
    t = towns[towns["longitude"].between(minx, maxx) & towns["latitude"].between(miny, maxy)].copy()
    from geo.reference.names import fold_series

    t["_key"] = fold_series(t["name"])
    t["population"] = pd.to_numeric(t["population"], errors="coerce").fillna(0)
    named = set(fold_series(pd.Series(filtered["location"].unique(), dtype="string")))
    t["incident"] = t["_key"].isin(named)
    t["_focus"] = t["iso3"].isin(focus) if "iso3" in t.columns else True
    t = t.sort_values(
        ["_focus", "population", "name"], ascending=[False, False, True]
    ).drop_duplicates("_key")
    return t[cols + ["incident"]].reset_index(drop=True)


def _features(shown: pd.DataFrame, towns: pd.DataFrame, limit: int = 4) -> pd.DataFrame:
    """The deadliest incident places that are not towns of the gazetteer."""
    from geo.reference.names import fold_series

    deadly = shown[shown["fatalities"] > 0].sort_values(
        ["fatalities", "event_date"], ascending=[False, True], kind="stable"
    )
    deadly = deadly.drop_duplicates("location").head(limit * 3)
    town_keys = set(fold_series(towns["name"].astype("string"))) if len(towns) else set()
    keys = fold_series(deadly["location"].astype("string"))
    out = deadly[~keys.isin(town_keys) & (keys != "")]
    return out[["location", "longitude", "latitude"]].head(limit).reset_index(drop=True)


def _region_labels(
    areas: gpd.GeoDataFrame, table: pd.DataFrame, shown: pd.DataFrame, focus: set[str]
) -> pd.DataFrame:
    """Admin-1 names worth printing: the table's areas and the briefing
    countries' areas with incidents."""
    codes = set(table["area_code"]) | set(shown["area_code"].unique())
    sel = areas[areas["area_code"].isin(codes) & areas["iso3"].isin(focus)]
    return pd.DataFrame({"area": sel["area"].to_numpy(), "geometry": sel.geometry.to_numpy()})


def _country_names(
    shown: pd.DataFrame, admin0: gpd.GeoDataFrame, country_iso3: Sequence[str]
) -> str:
    """The countries named in the title: at most three, most incidents first."""
    codes = list(country_iso3)
    if not codes and len(shown):
        counts = shown["iso3"].astype(str).value_counts()
        codes = sorted(counts.index, key=lambda c: (-counts[c], c))
    if not codes:
        codes = [DEFAULT_ISO3]
    name_of = dict(zip(admin0["iso3"], admin0["name"], strict=False))
    names = [str(name_of.get(c, c)) for c in codes[:3]]
    if len(codes) > 3:
        names[-1] = "others"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _filters_line(state: FilterState, elsewhere: pd.DataFrame) -> str:
    """The filters besides period and country, and what the map leaves out."""
    parts = []
    if state.event_types:
        parts.append("event types: " + ", ".join(state.event_types))
    if state.admin1:
        parts.append("areas: " + ", ".join(state.admin1))
    if state.actors:
        parts.append("actors: " + ", ".join(state.actors))
    if state.min_fatalities:
        parts.append(f"at least {state.min_fatalities} fatalities")
    if state.max_geo_precision < 3:
        parts.append(f"location precision {state.max_geo_precision} or better")
    line = ("Filters: " + "; ".join(parts) + ".") if parts else ""
    n = len(elsewhere)
    if n:
        col = "country" if "country" in elsewhere.columns else "iso3"
        counts = elsewhere[col].astype(str).value_counts()
        where = ", ".join(f"{c} {counts[c]}" for c in sorted(counts.index))
        line += (
            f"  Not in this briefing: {n} incident{'s' if n != 1 else ''} of the period "
            f"elsewhere ({where}); select a country to brief on them."
        )
    return clean(line)


def _sources(filtered: pd.DataFrame) -> list[str]:
    """The distinct sources of ``filtered`` (a cell may list several, split on ";")."""
    # Split the distinct values only: 100,000 rows often share a few sources.
    distinct = pd.Series(filtered["source"].unique(), dtype="string").fillna("")
    sources = distinct.str.split(";").explode().str.strip()
    return sorted(set(sources[sources != ""]))


def _attribution(filtered: pd.DataFrame) -> str:
    """The data sources: boundaries, places and the incidents' own sources."""
    uniq = _sources(filtered)
    base = "Boundaries: Natural Earth. Places: GeoNames (CC BY 4.0)."
    if not uniq:
        return base
    return f"{base} Incidents: " + "; ".join(clean(s) for s in uniq) + "."
