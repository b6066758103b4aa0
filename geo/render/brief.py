"""Static briefing images (PNG) and one-page PDFs of a filter state.

A briefing is what an analyst pastes into a slide deck or mails to a manager:
the admin-1 risk shading, the incidents of the period as symbols by event
type sized by fatalities, borders, towns, a scale bar, the top areas and, in
the PDF, the key incidents of the period as text. It is drawn with
matplotlib (Agg) from the local boundary and place layers: no tiles, no
browser, no network.

The output is deterministic: the same inputs and the same ``generated_at``
give identical bytes (fixed font, no timestamps in the file metadata, fixed
hash salt). Report text is untrusted, so every text artist is created with
math parsing and TeX off: a ``$`` in a note is printed as a dollar sign.

Example
-------
>>> import datetime as dt
>>> from geo import pipeline, store
>>> from geo.analysis.filters import FilterState
>>> joined = pipeline.prepare(store.read_incidents())  # doctest: +SKIP
>>> state = FilterState(dt.date(2013, 2, 1), dt.date(2013, 2, 28))
>>> png = render_brief(joined, state)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon as MplPolygon
from matplotlib.patches import Rectangle
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from geo.analysis.filters import FilterState, apply_filters
from geo.render import style

Format = Literal["png", "pdf"]
_HAlign = Literal["left", "center", "right"]
_VAlign = Literal["bottom", "center", "top"]

FONT = "DejaVu Sans"  # ships with matplotlib, so every machine renders the same glyphs
PNG_DPI = 120  # 16 x 9 in at 120 dpi = 1920 x 1080 px, a full-HD slide
MIN_PNG_WIDTH = 1600
DEFAULT_ISO3 = "MLI"  # the project's focus country: the map when nothing else says where
TOP_AREAS = 8
MAX_KEY_INCIDENTS = 12
# The slide's short list beside the map (the PDF lists MAX_KEY_INCIDENTS).
MAX_SLIDE_INCIDENTS = 6
MAX_TOWN_LABELS = 10  # populous towns labelled besides the towns with incidents
TOWN_MIN_POPULATION = 10_000  # smaller places are labelled only when incidents name them
MARKER_SCALE = 1.5  # briefing markers relative to the web map's

# Map furniture colours (risk and event colours come from geo.render.style).
SEA_COLOUR = "#e3ebf1"
NOT_ASSESSED_COLOUR = "#ecebe6"
ADMIN0_LINE_COLOUR = "#505050"
TEXT_COLOUR = "#1f1f1f"
MUTED_COLOUR = "#666666"
COUNTRY_LABEL_COLOUR = "#8a8a8a"
RULE_COLOUR = "#c9c9c9"

# Marker shape and a size factor per event type, so that types differ by shape
# as well as colour (greyscale prints, colour-vision deficiencies). Factors
# even out how large the shapes look at the same nominal size.
EVENT_MARKERS: dict[str, tuple[str, float]] = {
    "Battles": ("o", 1.0),
    "Explosions/Remote violence": ("*", 2.0),
    "Violence against civilians": ("^", 1.3),
    "Protests": ("s", 0.8),
    "Riots": ("D", 0.7),
    "Strategic developments": ("P", 1.0),
}
_FALLBACK_MARKER = ("o", 1.0)
_FALLBACK_EVENT_COLOUR = "#7f7f7f"

# Scale bar lengths a reader takes in at a glance.
_NICE_KM = (5, 10, 20, 25, 50, 100, 150, 200, 250, 300, 400, 500, 750, 1000, 1500, 2000)
_KM_PER_DEGREE = 111.32
# Beyond this span the map would be a continent: incidents that would stretch
# it further are counted in a note instead of drawn.
_MAX_SPAN_DEG = (32.0, 24.0)
# Another country's incidents join the map when this close (degrees) to it.
_NEAR_DEG = 2.0
_MAX_SPREAD = 8  # larger stacks of incidents at one point are not fanned out
# Above this many incidents on the map, draw counts per grid cell instead of
# one symbol per incident, on a grid this many cells across.
DENSE_THRESHOLD = 3000
DENSE_CELLS_ACROSS = 36

_RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "text.usetex": False,
    "svg.hashsalt": "geo-brief",
    "pdf.fonttype": 42,  # embedded TrueType: text stays text, extractable
    "pdf.compression": 6,
    "path.simplify": True,
    "axes.unicode_minus": True,
}
# rcParams are process-global: one briefing at a time per process.
_LOCK = threading.Lock()
_REQUIRED = ("event_date", "event_type", "latitude", "longitude", "fatalities", "iso3")


@dataclass(frozen=True)
class _Layout:
    """Page geometry in inches (from the top-left) and type sizes in points."""

    size: tuple[float, float]
    dpi: int
    margin: float
    map_box: tuple[float, float, float, float]  # left, top, width, height
    panel_box: tuple[float, float, float, float]
    list_box: tuple[float, float, float, float] | None
    title_pt: float
    subtitle_pt: float
    heading_pt: float
    body_pt: float
    small_pt: float
    town_pt: float
    country_pt: float
    row_pt: float  # table row pitch
    table_rows: int
    towns: int


_PNG_LAYOUT = _Layout(
    size=(16.0, 9.0),
    dpi=PNG_DPI,
    margin=0.4,
    map_box=(0.4, 1.3, 9.9, 7.05),
    panel_box=(10.75, 1.3, 4.85, 7.05),
    list_box=None,
    title_pt=25,
    subtitle_pt=13,
    heading_pt=13,
    body_pt=11,
    small_pt=9,
    town_pt=10.5,
    country_pt=12.5,
    row_pt=22,
    table_rows=TOP_AREAS,
    towns=MAX_TOWN_LABELS,
)
_PDF_LAYOUT = _Layout(
    size=(11.69, 8.27),  # A4 landscape
    dpi=200,
    margin=0.4,
    map_box=(0.4, 1.05, 6.75, 4.3),
    panel_box=(7.45, 1.05, 3.84, 4.3),
    list_box=(0.4, 5.55, 10.89, 2.4),
    title_pt=18,
    subtitle_pt=9.5,
    heading_pt=9.5,
    body_pt=8,
    small_pt=6.5,
    town_pt=7.5,
    country_pt=9,
    row_pt=15.5,
    table_rows=TOP_AREAS,
    towns=8,
)


@dataclass
class _Brief:
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


def render_brief(
    joined: pd.DataFrame,
    state: FilterState,
    *,
    risk: pd.DataFrame | None = None,
    areas: gpd.GeoDataFrame | None = None,
    borders: gpd.GeoDataFrame | None = None,
    admin0: gpd.GeoDataFrame | None = None,
    towns: pd.DataFrame | None = None,
    fmt: Format = "png",
    generated_at: dt.datetime | None = None,
    title: str | None = None,
    dpi: int | None = None,
    window_days: int = 90,
) -> bytes:
    """Render a briefing of ``state`` as PNG or PDF bytes.

    Parameters
    ----------
    joined : DataFrame
        Incidents joined to areas (:func:`geo.analysis.pipeline.prepare`), all of
        them: the filter is applied here, and risk needs the days before the
        period.
    state : FilterState
        Period, places, event types, as-of date.
    risk : DataFrame, optional
        Output of :func:`geo.analysis.risk.score_areas`; computed from all of
        ``joined`` (not only the filtered rows: risk belongs to the area, not
        to the view) at ``state.assessed_at`` over ``window_days``, with the
        analysts' overrides, when omitted.
    areas, borders, admin0 : GeoDataFrame, optional
        Admin-1 areas, international border lines and countries; the shipped
        layers by default.
    towns : DataFrame, optional
        Places with ``name, latitude, longitude, population, iso3``; the
        shipped gazetteer's towns of the countries on the map by default.
    fmt : {"png", "pdf"}
        PNG: 16:9 slide, 1920 px wide at the default dpi. PDF: one A4
        landscape page with the list of key incidents.
    generated_at : datetime, optional
        Printed generation time (now, UTC, by default); pin it for identical
        output.
    title : str, optional
        Replaces the default title.
    dpi : int, optional
        PNG resolution (default 120, at least 100 so the image stays 1600 px
        wide) or resolution of the raster parts of the PDF.
    window_days : int
        Risk window, used when ``risk`` is computed here and in the captions.

    Returns
    -------
    bytes
        The PNG or PDF file.

    Raises
    ------
    ValueError
        When ``fmt`` or ``dpi`` is not usable, or ``joined`` lacks a column.
    """
    if fmt not in ("png", "pdf"):
        raise ValueError(f"fmt must be 'png' or 'pdf', got {fmt!r}")
    layout = _PNG_LAYOUT if fmt == "png" else _PDF_LAYOUT
    out_dpi = int(dpi) if dpi is not None else layout.dpi
    if fmt == "png" and out_dpi * layout.size[0] < MIN_PNG_WIDTH:
        raise ValueError(
            f"dpi={out_dpi} makes a PNG {out_dpi * layout.size[0]:.0f} px wide; "
            f"use at least {math.ceil(MIN_PNG_WIDTH / layout.size[0])} for {MIN_PNG_WIDTH} px"
        )
    missing = [c for c in _REQUIRED if c not in joined.columns]
    if missing:
        raise ValueError(f"the incident frame lacks column(s) {', '.join(missing)}")

    areas, borders, admin0 = _layers(areas, borders, admin0)
    if risk is None:
        from geo.analysis.risk import load_overrides, score_areas

        risk = score_areas(
            joined, areas, state.assessed_at, window_days=window_days, overrides=load_overrides()
        )
    brief = _compose(
        joined, state, risk, areas, borders, admin0, towns, title, generated_at, window_days
    )
    with _LOCK, matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        fig = Figure(figsize=layout.size, dpi=layout.dpi if fmt == "pdf" else out_dpi)
        canvas = FigureCanvasAgg(fig)
        _draw(fig, canvas.get_renderer(), brief, layout)
        return _save(fig, fmt, out_dpi)


# --------------------------------------------------------------------------
# What to show


def _layers(
    areas: gpd.GeoDataFrame | None,
    borders: gpd.GeoDataFrame | None,
    admin0: gpd.GeoDataFrame | None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    if areas is None or borders is None or admin0 is None:
        from geo.reference import boundaries

        areas = boundaries.load_admin1() if areas is None else areas
        borders = boundaries.load_borders() if borders is None else borders
        admin0 = boundaries.load_admin0() if admin0 is None else admin0
    return areas, borders, admin0


def _compose(
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
) -> _Brief:
    filtered = apply_filters(joined, state).copy()
    filtered["fatalities"] = filtered["fatalities"].fillna(0).astype("int64")
    for col in ("area", "area_code", "location", "notes", "source", "sub_event_type"):
        if col not in filtered.columns:
            filtered[col] = ""
        filtered[col] = filtered[col].astype("string").fillna("")

    country_iso3 = _state_iso3(state, joined, admin0)
    extent, inside = _extent(filtered, areas, admin0, country_iso3, state)
    # The briefing is about what its map shows: counts, lists and sources all
    # use the incidents on the map; the others are named in the header.
    shown = filtered.loc[inside]
    elsewhere = filtered.loc[~inside]

    # Countries are shaded by risk only where the data has incidents there: a
    # country the data does not cover is "not assessed", not "Low".
    assessed = set(joined["iso3"].dropna().unique()) | set(country_iso3)
    if "area_iso3" in joined.columns:
        assessed |= set(joined["area_iso3"].dropna().unique()) - {""}
    shading = _shading(areas, risk, assessed)
    table = _top_areas(risk, shown, state, country_iso3)
    focus = set(country_iso3) | set(shown["iso3"].unique()) or {DEFAULT_ISO3}
    town_frame = _towns(towns, _countries_in(admin0, extent), extent, shown, focus)

    names = _country_names(shown, admin0, country_iso3)
    generated = _as_utc(generated_at)
    deaths = int(shown["fatalities"].sum())
    n = len(shown)
    subtitle = (
        f"{_period(state.date_from, state.date_to)}  ·  "
        f"{n:,} incident{'s' if n != 1 else ''}, {deaths:,} "
        f"{'fatality' if deaths == 1 else 'fatalities'}  ·  "
        f"area risk as of {_day(state.assessed_at)}"
    )
    return _Brief(
        state=state,
        shown=shown,
        extent=extent,
        elsewhere=elsewhere,
        shading=shading,
        countries=admin0,
        borders=borders,
        towns=town_frame,
        table=table,
        title=_clean(title) if title else f"Security briefing: {names}",
        subtitle=subtitle,
        filters_line=_filters_line(state, elsewhere),
        attribution=_attribution(shown),
        generated=f"Generated {generated.day} {generated:%b %Y %H:%M} UTC",
        window_days=window_days,
        region_labels=_region_labels(areas, table, shown, focus),
        features=_features(shown, town_frame),
    )


def _state_iso3(state: FilterState, joined: pd.DataFrame, admin0: gpd.GeoDataFrame) -> list[str]:
    """ISO3 codes of the countries the filter names (by name or code)."""
    if not state.countries:
        return []
    wanted = {str(c) for c in state.countries}
    codes = set(admin0.loc[admin0["name"].isin(wanted) | admin0["iso3"].isin(wanted), "iso3"])
    if "country" in joined.columns:
        rows = joined["country"].isin(wanted) | joined["iso3"].isin(wanted)
        codes |= set(joined.loc[rows, "iso3"].astype(str))
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
    order = (
        filtered.groupby("iso3", observed=True)
        .agg(n=("iso3", "size"), f=("fatalities", "sum"))
        .reset_index()
        .sort_values(["n", "f", "iso3"], ascending=[False, False, True])
    )
    extent: np.ndarray | None = None
    for iso3 in order["iso3"]:
        rows = filtered[filtered["iso3"] == iso3]
        lon, lat = rows["longitude"], rows["latitude"]
        pts = np.array([lon.min(), lat.min(), lon.max(), lat.max()], dtype=float)
        if extent is None:
            codes = pd.Index(rows["area_code"][rows["area_code"] != ""].unique())
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


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.array([min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])])


def _fit(
    bounds: tuple[float, float, float, float], width_in: float, height_in: float
) -> tuple[float, float, float, float]:
    """Pad ``bounds`` and widen one side so the map fills its box undistorted.

    The map is drawn in longitude/latitude with the x axis shrunk by the
    cosine of the centre latitude, which keeps shapes true near that latitude.
    """
    minx, miny, maxx, maxy = bounds
    w = max(maxx - minx, 1.0)
    h = max(maxy - miny, 1.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w, h = w * 1.1, h * 1.1
    k = math.cos(math.radians(cy))
    if w * k / h < width_in / height_in:
        w = h * (width_in / height_in) / k
    else:
        h = w * k / (width_in / height_in)
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _shading(areas: gpd.GeoDataFrame, risk: pd.DataFrame, assessed: set[str]) -> gpd.GeoDataFrame:
    level_by_code = risk.drop_duplicates("area_code").set_index("area_code")["final_level"]
    out = areas[["area", "area_code", "iso3", "geometry"]].copy()
    level = out["area_code"].map(level_by_code).astype("string")
    known = level.isin(style.LEVELS) & out["iso3"].isin(assessed)
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
    rank = {lvl: i for i, lvl in enumerate(style.LEVELS)}
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
    return _clean(line)


def _attribution(filtered: pd.DataFrame) -> str:
    # Split the distinct values only: 100,000 rows often share a few sources.
    distinct = pd.Series(filtered["source"].unique(), dtype="string").fillna("")
    sources = distinct.str.split(";").explode().str.strip()
    uniq = sorted(set(sources[sources != ""]))
    base = "Boundaries: Natural Earth. Places: GeoNames (CC BY 4.0)."
    if not uniq:
        return base
    return f"{base} Incidents: " + "; ".join(_clean(s) for s in uniq) + "."


def _as_utc(when: dt.datetime | None) -> dt.datetime:
    if when is None:
        return dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        return when
    return when.astimezone(dt.UTC)


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def _period(a: dt.date, b: dt.date) -> str:
    if a == b:
        return f"{a.day} {a:%B %Y}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%B %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%b} – {b.day} {b:%b %Y}"
    return f"{_day(a)} – {_day(b)}"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _clean(text: object) -> str:
    """Untrusted text on one line: control characters and runs of space folded."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())


# --------------------------------------------------------------------------
# Drawing


class _Page:
    """Figure helpers working in inches from the top-left corner."""

    def __init__(self, fig: Figure, renderer: RendererBase, layout: _Layout) -> None:
        self.fig = fig
        self.renderer = renderer
        self.w, self.h = layout.size

    def fx(self, x_in: float) -> float:
        return x_in / self.w

    def fy(self, y_in: float) -> float:
        return 1.0 - y_in / self.h

    def text(self, x_in: float, y_in: float, s: str, size: float, **kw: Any) -> Text:
        kw.setdefault("color", TEXT_COLOUR)
        kw.setdefault("va", "baseline")
        return self.fig.text(
            self.fx(x_in), self.fy(y_in), s, fontsize=size, parse_math=False, usetex=False, **kw
        )

    def width_in(self, s: str, size: float, weight: str = "normal") -> float:
        t = Text(0, 0, s, fontsize=size, fontweight=weight, parse_math=False, usetex=False)
        t.set_figure(self.fig)
        return float(t.get_window_extent(self.renderer).width) / self.fig.dpi

    def fit(self, s: str, size: float, width: float, weight: str = "normal") -> str:
        """``s`` cut with an ellipsis so it fits ``width`` inches."""
        if self.width_in(s, size, weight) <= width:
            return s
        lo, hi = 0, len(s)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.width_in(s[:mid].rstrip() + "…", size, weight) <= width:
                lo = mid
            else:
                hi = mid - 1
        return s[:lo].rstrip(" ,;:-") + "…"

    def wrap(self, s: str, size: float, width: float) -> list[str]:
        """Greedy word wrap of ``s`` to lines of at most ``width`` inches."""
        lines: list[str] = []
        for word in s.split():
            if lines and self.width_in(f"{lines[-1]} {word}", size) <= width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        return lines

    def rule(
        self, x0: float, x1: float, y: float, colour: str = RULE_COLOUR, lw: float = 0.8
    ) -> None:
        self.fig.add_artist(
            Line2D(
                [self.fx(x0), self.fx(x1)],
                [self.fy(y), self.fy(y)],
                transform=self.fig.transFigure,
                color=colour,
                linewidth=lw,
            )
        )

    def rect(self, x: float, y: float, w: float, h: float, colour: str, edge: str = "none") -> None:
        self.fig.add_artist(
            Rectangle(
                (self.fx(x), self.fy(y + h)),
                w / self.w,
                h / self.h,
                transform=self.fig.transFigure,
                facecolor=colour,
                edgecolor=edge,
                linewidth=0.5,
            )
        )

    def marker(self, x: float, y: float, etype: str, size_pt: float, colour: str) -> None:
        shape, factor = EVENT_MARKERS.get(etype, _FALLBACK_MARKER)
        self.fig.add_artist(
            Line2D(
                [self.fx(x)],
                [self.fy(y)],
                transform=self.fig.transFigure,
                marker=shape,
                markersize=size_pt * math.sqrt(factor),
                markerfacecolor=colour,
                markeredgecolor="white",
                markeredgewidth=0.6,
                linestyle="none",
            )
        )


def _draw(fig: Figure, renderer: RendererBase, brief: _Brief, layout: _Layout) -> None:
    page = _Page(fig, renderer, layout)
    fig.patch.set_facecolor("white")
    _draw_header(page, brief, layout)
    left, top, width, height = layout.map_box
    ax = fig.add_axes((page.fx(left), page.fy(top + height), width / page.w, height / page.h))
    view = _fit(brief.extent, width, height)
    cells = _draw_map(ax, renderer, brief, view, layout)
    _draw_panel(page, brief, layout, cells)
    if layout.list_box is not None:
        _draw_key_incidents(page, brief, layout)
    _draw_footer(page, brief, layout)


def _draw_header(page: _Page, brief: _Brief, layout: _Layout) -> None:
    m = layout.margin
    usable = page.w - 2 * m
    top = 0.2 + layout.title_pt / 72
    page.text(
        m,
        top,
        page.fit(brief.title, layout.title_pt, usable * 0.8, "bold"),
        layout.title_pt,
        fontweight="bold",
    )
    page.text(page.w - m, top, brief.generated, layout.small_pt, ha="right", color=MUTED_COLOUR)
    y = top + layout.subtitle_pt / 72 * 1.55
    page.text(
        m,
        y,
        page.fit(brief.subtitle, layout.subtitle_pt, usable),
        layout.subtitle_pt,
        color="#3a3a3a",
    )
    if brief.filters_line:
        y2 = y + layout.small_pt / 72 * 1.5
        page.text(
            m,
            y2,
            page.fit(brief.filters_line, layout.small_pt, usable),
            layout.small_pt,
            color=MUTED_COLOUR,
        )
    page.rule(m, page.w - m, layout.map_box[1] - 0.12, colour="#9a9a9a", lw=1.0)


def _draw_footer(page: _Page, brief: _Brief, layout: _Layout) -> None:
    """Attribution on at most two lines at the foot of the page."""
    m = layout.margin
    width = page.w - 2 * m
    lines = page.wrap(brief.attribution, layout.small_pt, width)
    if len(lines) > 2:
        lines = [lines[0], page.fit(" ".join(lines[1:]), layout.small_pt, width)]
    step = layout.small_pt / 72 * 1.35
    y = page.h - 0.16 - step * (len(lines) - 1)
    for line in lines:
        page.text(m, y, line, layout.small_pt, color=MUTED_COLOUR)
        y += step


def _draw_map(
    ax: Axes,
    renderer: RendererBase,
    brief: _Brief,
    view: tuple[float, float, float, float],
    layout: _Layout,
) -> _Cells | None:
    minx, miny, maxx, maxy = view
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("auto")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(SEA_COLOUR)
    for spine in ax.spines.values():
        spine.set_edgecolor("#8a8a8a")
        spine.set_linewidth(0.8)

    pad_x, pad_y = (maxx - minx) * 0.05, (maxy - miny) * 0.05
    clip = (minx - pad_x, miny - pad_y, maxx + pad_x, maxy + pad_y)
    countries = _clip(brief.countries, clip)
    shading = _clip(brief.shading, clip)
    borders = _clip(brief.borders, clip)

    _add_polygons(ax, countries, facecolor=NOT_ASSESSED_COLOUR, edgecolor="none", zorder=1)
    _add_polygons(
        ax,
        shading,
        facecolor=shading["colour"].tolist(),
        edgecolor=style.ADMIN_LINE_COLOUR,
        linewidth=0.45,
        zorder=2,
    )
    _add_polygons(
        ax, countries, facecolor="none", edgecolor=ADMIN0_LINE_COLOUR, linewidth=0.9, zorder=3
    )
    # A wide pale casing under a dash-dot line: borders read as borders on
    # every fill colour, and differ from admin-0 outlines by style.
    _add_lines(ax, borders, color="white", linewidth=4.2, alpha=0.8, zorder=4)
    _add_lines(
        ax,
        borders,
        color=style.BORDER_COLOUR,
        linewidth=2.0,
        linestyle=(0, (7, 2, 1.5, 2)),
        zorder=5,
    )
    markers, cells = _draw_incidents(ax, brief.shown)
    placer = _Placer(ax, renderer, markers)
    _draw_north_arrow(ax, placer, layout)
    _draw_scale_bar(ax, placer, view, layout)
    _label_towns(ax, placer, brief.towns, layout, incident_towns=True)
    if cells is None:
        _label_features(ax, placer, brief.features, layout)
    _label_countries(ax, placer, countries, layout)
    _label_regions(ax, placer, brief.region_labels, layout)
    _label_towns(ax, placer, brief.towns, layout, incident_towns=False)
    return cells


def _add_polygons(ax: Axes, frame: gpd.GeoDataFrame, facecolor: str | list[str], **kw: Any) -> None:
    """Draw polygon geometries as one collection (one path per polygon part).

    Built here rather than with GeoDataFrame.plot, which redraws the whole
    figure after every call and sets axis labels.
    """
    if not len(frame):
        return
    parts, owner = shapely.get_parts(frame.geometry.to_numpy(), return_index=True)
    polygon = shapely.get_type_id(parts) == 3
    parts, owner = parts[polygon], owner[polygon]
    paths = []
    for part in parts:  # one per polygon part: hundreds, not one per incident
        rings = [np.asarray(part.exterior.coords)[:, :2]]
        rings += [np.asarray(r.coords)[:, :2] for r in part.interiors]
        codes = [
            np.r_[Path.MOVETO, np.full(len(r) - 2, Path.LINETO), Path.CLOSEPOLY] for r in rings
        ]
        paths.append(Path(np.concatenate(rings), np.concatenate(codes).astype(np.uint8)))
    colours = facecolor if isinstance(facecolor, str) else [facecolor[i] for i in owner]
    ax.add_collection(PathCollection(paths, facecolors=colours, **kw), autolim=False)


def _add_lines(ax: Axes, frame: gpd.GeoDataFrame, **kw: Any) -> None:
    """Draw line geometries as one LineCollection."""
    if not len(frame):
        return
    parts = shapely.get_parts(frame.geometry.to_numpy())
    lines = parts[shapely.get_type_id(parts) == 1]
    segments = [np.asarray(line.coords)[:, :2] for line in lines]
    ax.add_collection(LineCollection(segments, **kw), autolim=False)


def _clip(frame: gpd.GeoDataFrame, box: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    hit = frame.cx[box[0] : box[2], box[1] : box[3]]
    if not len(hit):
        return hit
    out = hit.copy()
    out["geometry"] = shapely.clip_by_rect(hit.geometry.to_numpy(), *box)
    return out[~out.geometry.is_empty]


def _marker_sizes(fatalities: np.ndarray) -> np.ndarray:
    """Marker radius in points from geo.render.style (same scale as the web map)."""
    values, inverse = np.unique(fatalities, return_inverse=True)
    radii = np.array([style.marker_radius(float(v)) for v in values], dtype=float)
    # style radii are CSS pixels (1/96 in); matplotlib sizes are points (1/72 in).
    # A slide is seen from further away than a screen: same scale, larger.
    return radii[inverse] * 72 / 96 * MARKER_SCALE


def _draw_incidents(ax: Axes, filtered: pd.DataFrame) -> tuple[np.ndarray, _Cells | None]:
    """Scatter the incidents, one call per event type; return marker discs.

    Returns an array of (x_px, y_px, radius_px) used to keep labels off the
    markers, and the aggregation used when there were too many to draw one
    by one (:func:`_draw_cells`).
    """
    if not len(filtered):
        return np.empty((0, 3)), None
    if len(filtered) > DENSE_THRESHOLD:
        return _draw_cells(ax, filtered)
    lon = filtered["longitude"].to_numpy(dtype=float)
    lat = filtered["latitude"].to_numpy(dtype=float)
    fat = filtered["fatalities"].to_numpy(dtype=float)
    radius = _marker_sizes(fat)
    r_px = radius * ax.figure.dpi / 72
    xy = _spread(ax.transData.transform(np.column_stack([lon, lat])), r_px, fat)
    lon, lat = ax.transData.inverted().transform(xy).T
    types = filtered["event_type"].astype(str).to_numpy()
    for etype in sorted(set(types), key=_event_order):
        idx = np.flatnonzero(types == etype)
        # Largest first, so small markers stay visible on top of big ones.
        idx = idx[np.argsort(-radius[idx], kind="stable")]
        shape, factor = EVENT_MARKERS.get(etype, _FALLBACK_MARKER)
        ax.scatter(
            lon[idx],
            lat[idx],
            s=(2 * radius[idx]) ** 2 * factor,
            marker=shape,
            c=style.EVENT_TYPE_COLOURS.get(etype, _FALLBACK_EVENT_COLOUR),
            edgecolors="white",
            linewidths=1.0,
            alpha=0.92,
            zorder=6,
        )
    return np.column_stack([xy, r_px]), None


@dataclass(frozen=True)
class _Cells:
    """How a dense map was aggregated, for its legend."""

    cell_km: float
    max_count: int
    r_min: float  # points
    r_max: float


def _draw_cells(ax: Axes, filtered: pd.DataFrame) -> tuple[np.ndarray, _Cells]:
    """Many incidents: one circle per grid cell, sized by count, coloured by
    the cell's most frequent event type.

    Tens of thousands of symbols would bury the risk shading and each other;
    counts per cell keep both readable, and cost the same for any ``n``.
    """
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    k = math.cos(math.radians((y0 + y1) / 2))
    cell = (x1 - x0) / DENSE_CELLS_ACROSS
    cell_y = cell * k  # square on the ground
    lon = filtered["longitude"].to_numpy(dtype=float)
    lat = filtered["latitude"].to_numpy(dtype=float)
    grid = pd.DataFrame(
        {
            "i": np.floor((lon - x0) / cell).astype(np.int64),
            "j": np.floor((lat - y0) / cell_y).astype(np.int64),
            "t": filtered["event_type"].astype(str).to_numpy(),
        }
    )
    by_type = grid.groupby(["i", "j", "t"], sort=True).size().unstack("t", fill_value=0)
    counts = by_type.sum(axis=1).to_numpy()
    # Ties go to the type listed first in geo.render.style (columns are put in that order).
    ordered = by_type[sorted(by_type.columns, key=_event_order)]
    dominant = ordered.columns.to_numpy()[np.argmax(ordered.to_numpy(), axis=1)]
    i = by_type.index.get_level_values("i").to_numpy()
    j = by_type.index.get_level_values("j").to_numpy()
    cx, cy = x0 + (i + 0.5) * cell, y0 + (j + 0.5) * cell_y
    px_per_deg = ax.transData.transform((x1, y0))[0] - ax.transData.transform((x0, y0))[0]
    cell_pt = cell * px_per_deg / (x1 - x0) * 72 / ax.figure.dpi
    r_min, r_max = 1.6, cell_pt * 0.62
    max_count = int(counts.max())
    radius = r_min + (r_max - r_min) * np.sqrt(counts / max_count)
    order = np.argsort(-radius, kind="stable")  # big first, small on top
    colours = [style.EVENT_TYPE_COLOURS.get(t, _FALLBACK_EVENT_COLOUR) for t in dominant]
    ax.scatter(
        cx[order],
        cy[order],
        s=(2 * radius[order]) ** 2,
        c=[colours[n] for n in order],
        edgecolors="white",
        linewidths=0.6,
        alpha=0.85,
        zorder=6,
    )
    xy = ax.transData.transform(np.column_stack([cx, cy]))
    discs = np.column_stack([xy, radius * ax.figure.dpi / 72])
    km = cell * _KM_PER_DEGREE * k
    return discs, _Cells(cell_km=km, max_count=max_count, r_min=r_min, r_max=r_max)


def _spread(xy: np.ndarray, r_px: np.ndarray, fatalities: np.ndarray) -> np.ndarray:
    """Fan out small stacks of incidents coded to the same point.

    Reports often place several incidents at one town; drawn on top of each
    other they read as one. Stacks of up to ``_MAX_SPREAD`` markers are laid
    on a ring around the point (deadliest at the top), just wide enough for
    the markers to sit side by side. Bigger stacks are dense data and stay.
    """
    cell = pd.DataFrame({"x": np.round(xy[:, 0] / 2), "y": np.round(xy[:, 1] / 2)})
    cell["order"] = -fatalities
    groups = cell.groupby(["x", "y"], sort=False)
    size = groups["x"].transform("size").to_numpy()
    spread = (size > 1) & (size <= _MAX_SPREAD)
    if not spread.any():
        return xy
    ranked = cell.assign(i=np.arange(len(cell))).sort_values(["order", "i"], kind="stable")
    rank = np.empty(len(cell), dtype=int)
    rank[ranked["i"].to_numpy()] = ranked.groupby(["x", "y"], sort=False).cumcount().to_numpy()
    widest = pd.Series(r_px).groupby([cell["x"], cell["y"]]).transform("max").to_numpy()
    ring = widest / np.sin(np.pi / np.maximum(size, 2)) * 0.85
    angle = np.pi / 2 + 2 * np.pi * rank / np.maximum(size, 1)
    out = xy.copy()
    out[spread, 0] += (ring * np.cos(angle))[spread]
    out[spread, 1] += (ring * np.sin(angle))[spread]
    return out


def _event_order(etype: str) -> int:
    order = list(style.EVENT_TYPE_COLOURS)
    return order.index(etype) if etype in order else len(order)


class _Placer:
    """Greedy label placement: a label goes where it hits no other label,
    no map furniture, and (where possible) no incident marker."""

    def __init__(self, ax: Axes, renderer: RendererBase, discs: np.ndarray) -> None:
        self.ax = ax
        self.renderer = renderer
        self.discs = discs
        self.frame = ax.get_window_extent(renderer)
        self.taken: list[Bbox] = []

    def free(self, box: Bbox, pad: float = 2.0) -> bool:
        f = self.frame
        if box.x0 < f.x0 + pad or box.x1 > f.x1 - pad or box.y0 < f.y0 + pad or box.y1 > f.y1 - pad:
            return False
        grown = box.expanded(1.0, 1.0)
        return not any(grown.overlaps(t) for t in self.taken)

    def hits(self, box: Bbox) -> int:
        if not len(self.discs):
            return 0
        d = self.discs
        cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        near = (np.abs(d[:, 0] - cx) < box.width / 2 + d[:, 2]) & (
            np.abs(d[:, 1] - cy) < box.height / 2 + d[:, 2]
        )
        return int(near.sum())

    def take(self, box: Bbox) -> None:
        self.taken.append(box)

    def px_per_pt(self) -> float:
        return float(self.ax.figure.dpi) / 72


def _halo(width: float = 2.6) -> list[patheffects.AbstractPathEffect]:
    return [patheffects.withStroke(linewidth=width, foreground="white", alpha=0.9)]


def _label_towns(
    ax: Axes, placer: _Placer, towns: pd.DataFrame, layout: _Layout, *, incident_towns: bool
) -> None:
    if not len(towns):
        return
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    on_map = towns["longitude"].between(x0, x1) & towns["latitude"].between(y0, y1)
    sel = towns[on_map & (towns["incident"] == incident_towns)]
    if not incident_towns:
        sel = sel.head(layout.towns * 3)
    placed = 0
    k = placer.px_per_pt()
    dot_pt = 3.4
    for name, lon, lat in zip(sel["name"], sel["longitude"], sel["latitude"], strict=True):
        if not incident_towns and placed >= layout.towns:
            break
        x, y = ax.transData.transform((lon, lat))
        dot = Bbox.from_bounds(x - dot_pt * k, y - dot_pt * k, 2 * dot_pt * k, 2 * dot_pt * k)
        if not placer.free(dot, pad=0):
            continue
        if not incident_towns and placer.hits(dot) > 0:
            continue
        text = ax.text(
            lon,
            lat,
            _clean(name),
            fontsize=layout.town_pt,
            color=style.TOWN_COLOUR,
            fontweight="bold" if incident_towns else "normal",
            zorder=9,
            parse_math=False,
            usetex=False,
            path_effects=_halo(),
        )
        best: tuple[int, Bbox, tuple[_HAlign, _VAlign, float, float]] | None = None
        for ha, va, dx, dy in _TOWN_SLOTS:
            _move(ax, text, ha, va, x + dx * k, y + dy * k)
            box = text.get_window_extent(placer.renderer)
            if not placer.free(box):
                continue
            hits = placer.hits(box)
            if best is None or hits < best[0]:
                best = (hits, box, (ha, va, dx, dy))
            if hits == 0:
                break
        if best is None or (best[0] > 0 and not incident_towns):
            text.remove()
            continue
        ha, va, dx, dy = best[2]
        _move(ax, text, ha, va, x + dx * k, y + dy * k)
        ax.plot(
            [lon],
            [lat],
            marker="o",
            markersize=dot_pt * 1.3,
            markerfacecolor=style.TOWN_COLOUR,
            markeredgecolor="white",
            markeredgewidth=0.8,
            linestyle="none",
            zorder=5.5 if incident_towns else 8,  # incident markers sit on their town
        )
        placer.take(best[1])
        placer.take(dot)
        placed += 1


def _label_features(ax: Axes, placer: _Placer, features: pd.DataFrame, layout: _Layout) -> None:
    """Name the deadliest incident places that are not towns ("Adrar des Ifoghas").

    The label sits beside the incident's own marker, in italics so it does
    not read as a town.
    """
    k = placer.px_per_pt()
    for name, lon, lat in zip(
        features["location"], features["longitude"], features["latitude"], strict=True
    ):
        x, y = ax.transData.transform((lon, lat))
        d = placer.discs
        near = d[np.argmin(np.hypot(d[:, 0] - x, d[:, 1] - y))] if len(d) else (x, y, 0.0)
        x, y, r = float(near[0]), float(near[1]), float(near[2]) / k
        text = ax.text(
            lon,
            lat,
            _clean(name),
            fontsize=layout.town_pt * 0.95,
            color="#2b2b2b",
            fontstyle="italic",
            zorder=9,
            parse_math=False,
            usetex=False,
            path_effects=_halo(),
        )
        slots: tuple[tuple[_HAlign, _VAlign, float, float], ...] = (
            ("left", "center", r + 4, 0),
            ("right", "center", -r - 4, 0),
            ("center", "bottom", 0, r + 3),
            ("center", "top", 0, -r - 3),
        )
        for ha, va, dx, dy in slots:
            _move(ax, text, ha, va, x + dx * k, y + dy * k)
            box = text.get_window_extent(placer.renderer)
            if placer.free(box) and placer.hits(box) == 0:
                placer.take(box)
                break
        else:
            text.remove()


def _move(ax: Axes, text: Text, ha: _HAlign, va: _VAlign, x_px: float, y_px: float) -> None:
    """Anchor ``text`` at display point (x_px, y_px) with the given alignment."""
    text.set_horizontalalignment(ha)
    text.set_verticalalignment(va)
    x, y = ax.transData.inverted().transform((x_px, y_px))
    text.set_position((float(x), float(y)))


# (ha, va, dx, dy) offsets in points from the town, in order of preference.
_TOWN_SLOTS: tuple[tuple[_HAlign, _VAlign, float, float], ...] = (
    ("left", "center", 6, 0),
    ("right", "center", -6, 0),
    ("left", "bottom", 4, 4),
    ("left", "top", 4, -4),
    ("right", "bottom", -4, 4),
    ("right", "top", -4, -4),
    ("center", "bottom", 0, 7),
    ("center", "top", 0, -7),
    ("left", "center", 14, 0),
    ("right", "center", -14, 0),
)


def _label_countries(
    ax: Axes, placer: _Placer, countries: gpd.GeoDataFrame, layout: _Layout
) -> None:
    """Country names in spaced capitals, inside the visible part of each country."""
    if not len(countries):
        return
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1)
    view_area = view.area
    dpx, dpy = ax.transData.transform((x1, y1)) - ax.transData.transform((x0, y0))
    sx, sy = (x1 - x0) / dpx, (y1 - y0) / dpy  # data units per pixel
    c = countries.assign(_vis=countries.geometry.intersection(view))
    c = c.assign(_a=shapely.area(c["_vis"].to_numpy())).sort_values(
        ["_a", "iso3"], ascending=[False, True]
    )
    for name, vis, area in zip(c["name"], c["_vis"], c["_a"], strict=True):
        if area < view_area * 0.02:
            continue
        label = "  ".join(" ".join(w) for w in _clean(name).upper().split())
        text = ax.text(
            0,
            0,
            label,
            fontsize=layout.country_pt,
            color=COUNTRY_LABEL_COLOUR,
            ha="center",
            va="center",
            zorder=7,
            parse_math=False,
            usetex=False,
            path_effects=_halo(2.0),
        )
        ext = text.get_window_extent(placer.renderer)
        hw, hh = ext.width / 2 * sx, ext.height / 2 * sy
        gx = np.linspace(x0, x1, 25)[1:-1]
        gy = np.linspace(y0, y1, 25)[1:-1]
        px, py = (a.ravel() for a in np.meshgrid(gx, gy))
        boxes = shapely.box(px - hw * 1.1, py - hh * 1.3, px + hw * 1.1, py + hh * 1.3)
        ok = shapely.contains(vis, boxes)
        if not ok.any():
            text.remove()
            continue
        centre = vis.representative_point()
        cand = np.flatnonzero(ok)
        cand = cand[np.argsort(np.hypot(px[cand] - centre.x, py[cand] - centre.y), kind="stable")]
        chosen = None
        for i in cand:
            text.set_position((px[i], py[i]))
            box = text.get_window_extent(placer.renderer)
            if placer.free(box) and placer.hits(box) == 0:
                chosen = box
                break
        if chosen is None:
            text.remove()
            continue
        placer.take(chosen)


def _label_regions(ax: Axes, placer: _Placer, regions: pd.DataFrame, layout: _Layout) -> None:
    if not len(regions):
        return
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1)
    for name, geom in zip(regions["area"], regions["geometry"], strict=True):
        vis = geom.intersection(view)
        if vis.is_empty:
            continue
        p = vis.representative_point()
        text = ax.text(
            p.x,
            p.y,
            _clean(name),
            fontsize=layout.town_pt * 0.95,
            color="#4a3b2a",
            fontstyle="italic",
            ha="center",
            va="center",
            zorder=7,
            parse_math=False,
            usetex=False,
            path_effects=_halo(2.2),
        )
        box = text.get_window_extent(placer.renderer)
        if placer.free(box) and placer.hits(box) == 0:
            placer.take(box)
        else:
            text.remove()


def _nice_km(target: float) -> int:
    fits = [k for k in _NICE_KM if k <= target]
    return fits[-1] if fits else _NICE_KM[0]


def _draw_scale_bar(
    ax: Axes, placer: _Placer, view: tuple[float, float, float, float], layout: _Layout
) -> None:
    """A four-segment scale bar, true at the map's centre latitude."""
    minx, miny, maxx, maxy = view
    lat0 = (miny + maxy) / 2
    km_per_deg = _KM_PER_DEGREE * math.cos(math.radians(lat0))
    width_km = (maxx - minx) * km_per_deg
    length = _nice_km(width_km * 0.22)
    deg = length / km_per_deg
    x0 = minx + (maxx - minx) * 0.035
    y0 = miny + (maxy - miny) * 0.045
    bar_h = (maxy - miny) * 0.009
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (x0 + i * deg / 4, y0),
                deg / 4,
                bar_h,
                facecolor=TEXT_COLOUR if i % 2 == 0 else "white",
                edgecolor=TEXT_COLOUR,
                linewidth=0.8,
                zorder=10,
            )
        )
    size = layout.small_pt
    for frac, label in ((0.0, "0"), (0.5, f"{length / 2:g}"), (1.0, f"{length:g} km")):
        ax.text(
            x0 + deg * frac,
            y0 + bar_h * 1.8,
            label,
            fontsize=size,
            ha="center",
            va="bottom",
            color=TEXT_COLOUR,
            zorder=10,
            parse_math=False,
            usetex=False,
            path_effects=_halo(2.4),
        )
    lo = ax.transData.transform((x0, y0))
    hi = ax.transData.transform((x0 + deg, y0 + bar_h * 5))
    k = placer.px_per_pt()
    frame = Bbox.from_extents(lo[0] - 9 * k, lo[1] - 5 * k, hi[0] + 22 * k, hi[1] + 3 * k)
    # A pale card keeps the bar legible on any risk colour.
    to_data = ax.transData.inverted()
    (bx0, by0), (bx1, by1) = to_data.transform([(frame.x0, frame.y0), (frame.x1, frame.y1)])
    ax.add_patch(
        Rectangle(
            (bx0, by0),
            bx1 - bx0,
            by1 - by0,
            facecolor="white",
            alpha=0.75,
            edgecolor="none",
            zorder=9,
        )
    )
    placer.take(frame)


def _draw_north_arrow(ax: Axes, placer: _Placer, layout: _Layout) -> None:
    """A north arrow in the top-right corner (the map is north-up everywhere)."""
    frame = placer.frame
    k = placer.px_per_pt()
    cx = frame.x1 - 26 * k
    top = frame.y1 - 14 * k
    h, w = 26 * k, 8 * k
    to_axes = ax.transAxes.inverted()

    def ax_xy(x: float, y: float) -> tuple[float, float]:
        p = to_axes.transform((x, y))
        return float(p[0]), float(p[1])

    tip, base_y = (cx, top - 12 * k), top - 12 * k - h
    left_half = [ax_xy(*tip), ax_xy(cx - w, base_y), ax_xy(cx, base_y + h * 0.28)]
    right_half = [ax_xy(*tip), ax_xy(cx + w, base_y), ax_xy(cx, base_y + h * 0.28)]
    ax.add_patch(
        MplPolygon(
            left_half,
            closed=True,
            transform=ax.transAxes,
            facecolor=TEXT_COLOUR,
            edgecolor=TEXT_COLOUR,
            linewidth=0.8,
            zorder=10,
        )
    )
    ax.add_patch(
        MplPolygon(
            right_half,
            closed=True,
            transform=ax.transAxes,
            facecolor="white",
            edgecolor=TEXT_COLOUR,
            linewidth=0.8,
            zorder=10,
        )
    )
    nx, ny = ax_xy(cx, top - 10 * k)
    ax.text(
        nx,
        ny,
        "N",
        transform=ax.transAxes,
        fontsize=layout.body_pt,
        fontweight="bold",
        ha="center",
        va="bottom",
        color=TEXT_COLOUR,
        zorder=10,
        parse_math=False,
        usetex=False,
        path_effects=_halo(2.4),
    )
    placer.take(Bbox.from_extents(cx - w - 6 * k, base_y - 4 * k, cx + w + 6 * k, top + 4 * k))


def _draw_panel(page: _Page, brief: _Brief, layout: _Layout, cells: _Cells | None) -> None:
    """Top areas table and the legends, stacked in the right-hand column."""
    x, top, width, height = layout.panel_box
    pt = 1 / 72
    y = top + layout.heading_pt * pt
    page.text(x, y, "Highest-risk areas", layout.heading_pt, fontweight="bold")
    y += layout.small_pt * pt * 1.7
    caption = (
        f"Level and score (0–100): {brief.window_days}-day window to "
        f"{_day(brief.state.assessed_at)}. Trend: its last 7 days against the 4 weeks "
        "before. Incidents and deaths: in the period."
    )
    for part in page.wrap(caption, layout.small_pt, width):
        page.text(x, y, part, layout.small_pt, color=MUTED_COLOUR)
        y += layout.small_pt * pt * 1.35
    y += layout.row_pt * pt * 0.5
    y = _draw_table(page, brief, layout, x, y, width)
    y += layout.row_pt * pt * 0.9
    y = _draw_legends(page, brief, layout, x, y, width, top + height, cells)
    if layout.list_box is None:
        _draw_short_list(page, brief, layout, x, y + layout.row_pt * pt * 0.9, width, top + height)


def _draw_short_list(
    page: _Page, brief: _Brief, layout: _Layout, x: float, y: float, width: float, bottom: float
) -> None:
    """The slide's short list of key incidents (the deadliest), as many as fit."""
    pt = 1 / 72
    size = layout.small_pt * 1.08
    line = size * pt * 1.55
    # Rows are drawn on baselines from the first one down; the last one's
    # descenders must stay above the bottom of the panel.
    first = y + layout.heading_pt * pt * 1.45
    room = int((bottom - size * pt * 0.3 - first) / line) + 1
    key = key_incidents(brief.shown, limit=min(room, MAX_SLIDE_INCIDENTS))
    if room < 2 or not len(key):
        return
    heading = "Key incidents"
    if len(key) < len(brief.shown):
        # Say what the list leaves out, so a missing incident is not read as none.
        heading += f" ({len(key)} deadliest of {len(brief.shown):,})"
    page.text(x, y, heading, layout.heading_pt * 0.92, fontweight="bold")
    y += layout.heading_pt * pt * 1.45
    for _, row in key.iterrows():
        etype = str(row["event_type"])
        colour = style.EVENT_TYPE_COLOURS.get(etype, _FALLBACK_EVENT_COLOUR)
        page.marker(x + size * pt * 0.6, y - size * pt * 0.35, etype, size * 0.9, colour)
        deaths = int(row["fatalities"])
        date = pd.Timestamp(row["event_date"])
        page.text(x + size * pt * 1.5, y, f"{date.day} {date:%b}", size, fontweight="bold")
        page.text(x + width, y, f"{deaths:,}", size, ha="right")
        what = f"{_clean(row['location'])}: {_clean(row['sub_event_type']) or etype}"
        left = x + size * pt * 1.5 + 0.62
        page.text(left, y, page.fit(what, size, x + width - 0.45 - left), size)
        y += line


# Table columns: (key, header, share of the panel width, alignment)
_TABLE_COLUMNS = (
    ("area", "Area", 0.22, "left"),
    ("level", "Level", 0.20, "left"),
    ("score", "Score", 0.08, "right"),
    ("trend", "Trend", 0.29, "right"),  # room for "▲ Moderate increase" (a smaller size)
    ("incidents", "Incid.", 0.10, "right"),
    ("deaths", "Deaths", 0.11, "right"),
)


def _draw_table(
    page: _Page, brief: _Brief, layout: _Layout, x: float, y: float, width: float
) -> float:
    pt = 1 / 72
    row_h = layout.row_pt * pt
    size = layout.body_pt
    xs = []
    cursor = x
    for _key, _head, share, align in _TABLE_COLUMNS:
        xs.append((cursor, cursor + share * width, align))
        cursor += share * width
    for (x0, x1, align), (_k, head, _s, _a) in zip(xs, _TABLE_COLUMNS, strict=True):
        page.text(
            x0 if align == "left" else x1,
            y,
            head,
            layout.small_pt,
            color=MUTED_COLOUR,
            ha=align,
            fontweight="bold",
        )
    page.rule(x, x + width, y + row_h * 0.35, colour="#8a8a8a", lw=0.9)
    y += row_h
    table = brief.table
    if not len(table):
        page.text(
            x,
            y,
            "No area has incidents in the risk window or the period.",
            size,
            color=MUTED_COLOUR,
        )
        return y + row_h * 0.4
    for _, row in table.iterrows():
        cells = _table_cells(row)
        for (x0, x1, align), (key, *_rest) in zip(xs, _TABLE_COLUMNS, strict=True):
            value, colour = cells[key]
            if key == "level":
                chip = size * pt * 0.95
                page.rect(
                    x0,
                    y - chip * 0.9,
                    chip,
                    chip,
                    style.LEVEL_COLOURS.get(str(row["final_level"]), "white"),
                    edge="#7a7a7a",
                )
                page.text(x0 + chip + 0.06, y, value, size, color=colour)
                continue
            # The trend classes are long phrases: a slightly smaller size fits them whole.
            cell_size = size * 0.82 if key == "trend" else size
            text = page.fit(value, cell_size, x1 - x0 - 0.08, "bold" if key == "area" else "normal")
            page.text(
                x0 if align == "left" else x1,
                y,
                text,
                cell_size,
                ha=align,
                color=colour,
                fontweight="bold" if key == "area" else "normal",
            )
        page.rule(x, x + width, y + row_h * 0.35, lw=0.5)
        y += row_h
    if (table["final_level"] != table["level"]).any():
        page.text(
            x,
            y - row_h * 0.3,
            "* level set by an analyst override",
            layout.small_pt,
            color=MUTED_COLOUR,
        )
        y += layout.small_pt * pt * 1.4
    return y - row_h * 0.4


def _table_cells(row: pd.Series) -> dict[str, tuple[str, str]]:
    """Display text and colour of each table cell for one risk row."""
    final = str(row["final_level"])
    overridden = str(row.get("level", final)) != final
    trend, trend_colour = _trend_cell(row.get("trend"), row.get("trend_pct"))
    score = row.get("score")
    return {
        "area": (_clean(row["area"]), TEXT_COLOUR),
        "level": (final + (" *" if overridden else ""), TEXT_COLOUR),
        "score": ("–" if score is None or pd.isna(score) else f"{float(score):.0f}", TEXT_COLOUR),
        "trend": (trend, trend_colour),
        "incidents": (_count(int(row["incidents"])), TEXT_COLOUR),
        "deaths": (_count(int(row["deaths"])), TEXT_COLOUR),
    }


def _trend_cell(label: object, pct: object) -> tuple[str, str]:
    """The risk module's trend class (ACLED's words) with an arrow and a colour.

    The class already applies the low-baseline rule, so a jump from one event
    to three reads "Limited change", as it does in the dashboard's risk
    table. A row without a class (a risk frame from elsewhere) is classed
    from its percentage with the same thresholds; with neither it is "–".
    """
    text = label.strip() if isinstance(label, str) else ""
    if not text:
        number = None if pct is None or pd.isna(pct) else float(pct)  # type: ignore[arg-type]
        if number is None:
            return "–", MUTED_COLOUR
        text = (
            "Large increase"
            if number > 25
            else "Moderate increase"
            if number > 10
            else "Large decrease"
            if number < -25
            else "Limited change"
        )
    if "increase" in text.lower():
        return f"▲ {text}", "#b2182b"
    if "decrease" in text.lower():
        return f"▼ {text}", "#2166ac"
    return text, MUTED_COLOUR


def _draw_legends(
    page: _Page,
    brief: _Brief,
    layout: _Layout,
    x: float,
    y: float,
    width: float,
    bottom: float,
    cells: _Cells | None,
) -> float:
    pt = 1 / 72
    size = layout.body_pt
    line = size * pt * 1.75
    # Risk level ramp: five equal boxes with the names under them.
    page.text(x, y, "Area risk level", layout.heading_pt * 0.92, fontweight="bold")
    y += line * 0.55
    box_w = width / len(style.LEVELS)
    box_h = size * pt * 1.3
    present = set(brief.shading["level"])
    for i, lvl in enumerate(style.LEVELS):
        page.rect(x + i * box_w, y, box_w, box_h, style.LEVEL_COLOURS[lvl], edge="#7a7a7a")
        page.text(
            x + (i + 0.5) * box_w,
            y + box_h + size * pt * 1.2,
            lvl,
            layout.small_pt,
            ha="center",
            color=TEXT_COLOUR if lvl in present else MUTED_COLOUR,
        )
    y += box_h + size * pt * 1.3 + line * 0.7
    page.rect(
        x,
        y - size * pt * 0.85,
        size * pt * 1.3,
        size * pt * 0.9,
        NOT_ASSESSED_COLOUR,
        edge="#7a7a7a",
    )
    page.text(
        x + size * pt * 1.6,
        y,
        "No incidents in the data (not assessed)",
        layout.small_pt,
        color=MUTED_COLOUR,
    )
    y += line * 1.25

    # Event types present, with counts, in two columns.
    page.text(x, y, "Incidents by type", layout.heading_pt * 0.92, fontweight="bold")
    y += line * 0.95
    counts = brief.shown["event_type"].astype(str).value_counts()
    types = sorted(counts.index, key=_event_order)
    if not types:
        page.text(x, y, "No incidents match the filters.", size, color=MUTED_COLOUR)
        y += line
    type_labels = {t: f"{t} ({_count(int(counts[t]))})" for t in types}
    label_pt = layout.small_pt * 1.08
    widest = max((page.width_in(v, label_pt) for v in type_labels.values()), default=0.0)
    columns = 2 if widest + size * pt * 1.8 <= width / 2 else 1
    col_w = width / columns
    for i, etype in enumerate(types):
        cx = x + (i % columns) * col_w
        cy = y + (i // columns) * line
        colour = style.EVENT_TYPE_COLOURS.get(etype, _FALLBACK_EVENT_COLOUR)
        shape = "Battles" if cells is not None else etype  # cells are all circles
        page.marker(cx + size * pt * 0.6, cy - size * pt * 0.35, shape, size * 0.95, colour)
        page.text(
            cx + size * pt * 1.5,
            cy,
            page.fit(type_labels[etype], label_pt, col_w - size * pt * 1.8),
            label_pt,
        )
    y += -(-len(types) // columns) * line + line * 0.35

    # Size key: fatalities on the same square-root scale as the web map, or
    # incidents per cell when the map shows counts.
    if cells is None:
        title = "Fatalities"
        samples: tuple[int, ...] = (0, 5, 25, 100)
        radii = _marker_sizes(np.array(samples, dtype=float))
        labels = ["0", "5", "25", "100+"]
        note = "Symbol area grows with the square root of reported fatalities."
    else:
        title = f"Incidents per {cells.cell_km:.0f} km cell"
        samples = _cell_samples(cells.max_count)
        radii = cells.r_min + (cells.r_max - cells.r_min) * np.sqrt(
            np.array(samples, dtype=float) / cells.max_count
        )
        labels = [_count(v) for v in samples]
        note = (
            f"{len(brief.shown):,} incidents, too many for one symbol each: circles count "
            "them per cell; colour = the cell's most frequent type."
        )
    page.text(x, y, title, layout.heading_pt * 0.92, fontweight="bold")
    max_r = float(radii.max()) * pt
    cy = y + max_r + size * pt * 0.7
    cursor = x + float(radii[0]) * pt
    for label, r in zip(labels, radii, strict=True):
        r_in = float(r) * pt
        cursor += r_in
        page.fig.add_artist(
            Line2D(
                [page.fx(cursor)],
                [page.fy(cy)],
                transform=page.fig.transFigure,
                marker="o",
                markersize=2 * float(r),
                markerfacecolor="#9e9e9e",
                markeredgecolor="white",
                markeredgewidth=0.7,
                linestyle="none",
            )
        )
        page.text(
            cursor + r_in + 0.05,
            cy + size * pt * 0.35,
            label,
            layout.small_pt,
        )
        cursor += r_in + 0.45
    y = cy + max_r + layout.small_pt * pt * 1.6
    for part in page.wrap(note, layout.small_pt, width)[:2]:
        if y <= bottom + 0.05:
            page.text(x, y, part, layout.small_pt, color=MUTED_COLOUR)
        y += layout.small_pt * pt * 1.35
    return y


def _count(n: int) -> str:
    """A count for a narrow column: 9,876 then 12.3k, 123k, 1.2M."""
    if n < 10_000:
        return f"{n:,}"
    if n < 100_000:
        return f"{n / 1000:.1f}k"
    if n < 1_000_000:
        return f"{n / 1000:.0f}k"
    return f"{n / 1e6:.1f}M"


def _cell_samples(max_count: int) -> tuple[int, ...]:
    """Three round counts for the cell-size key, the largest at most ``max_count``."""
    nice = [m * 10**e for e in range(7) for m in (1, 2, 5)]
    top = max([v for v in nice if v <= max_count] or [max(max_count, 1)])
    picks = [v for v in nice if v <= top // 4]
    low = max([v for v in picks if v <= top // 16] or [1])
    mid = max(picks or [1])
    return tuple(sorted({low, mid, top}))


def _draw_key_incidents(page: _Page, brief: _Brief, layout: _Layout) -> None:
    """The PDF's list: the deadliest incidents of the period, in date order."""
    assert layout.list_box is not None
    x, top, width, height = layout.list_box
    pt = 1 / 72
    size = layout.body_pt
    key = key_incidents(brief.shown)
    y = top + layout.heading_pt * pt
    n = len(brief.shown)
    heading = "Key incidents in the period"
    if n > len(key):
        heading += f" (the {len(key)} deadliest of {n:,})"
    page.text(x, y, heading, layout.heading_pt, fontweight="bold")
    y += size * pt * 2.0
    cols = (
        ("Date", 0.085, "left"),
        ("Place", 0.16, "left"),
        ("Type", 0.19, "left"),
        ("Deaths", 0.055, "right"),
        ("Description", 0.51, "left"),
    )
    xs = []
    cursor = x
    for _h, share, align in cols:
        xs.append((cursor, cursor + share * width - 0.1, align))
        cursor += share * width
    for (x0, x1, align), (head, _s, _a) in zip(xs, cols, strict=True):
        page.text(
            x0 if align == "left" else x1,
            y,
            head,
            layout.small_pt,
            color=MUTED_COLOUR,
            ha=align,
            fontweight="bold",
        )
    page.rule(x, x + width, y + size * pt * 0.45, colour="#8a8a8a", lw=0.8)
    y += size * pt * 1.45
    if not len(key):
        page.text(x, y, "No incidents match the filters in this period.", size, color=MUTED_COLOUR)
        return
    for _, row in key.iterrows():
        etype = str(row["event_type"])
        # The sub-event type says more ("Suicide bomb"); the symbol gives the type.
        kind = _clean(row["sub_event_type"]) or etype
        place = _clean(row["location"])
        area = _clean(row["area"])
        if area and _clean(area).casefold() != place.casefold():
            place = f"{place}, {area}"
        cells = (
            _day(pd.Timestamp(row["event_date"]).date()),
            place,
            kind,
            f"{int(row['fatalities']):,}",
            _clean(row["notes"]) or "–",
        )
        for (x0, x1, align), value in zip(xs, cells, strict=True):
            if (x0, x1, align) == xs[2]:
                page.marker(
                    x0 + size * pt * 0.45,
                    y - size * pt * 0.33,
                    etype,
                    size * 0.9,
                    style.EVENT_TYPE_COLOURS.get(etype, _FALLBACK_EVENT_COLOUR),
                )
                x0 += size * pt * 1.2
            text = page.fit(value, size, x1 - x0)
            page.text(x0 if align == "left" else x1, y, text, size, ha=align)
        y += size * pt * 1.38


def key_incidents(filtered: pd.DataFrame, limit: int = MAX_KEY_INCIDENTS) -> pd.DataFrame:
    """The ``limit`` deadliest incidents (ties: earlier first), in date order.

    Parameters
    ----------
    filtered : DataFrame
        Incidents of the period (already filtered).
    limit : int
        How many to keep.

    Returns
    -------
    DataFrame
        The chosen rows sorted by date, then event id.
    """
    if not len(filtered):
        return filtered
    f = filtered.assign(_fat=filtered["fatalities"].fillna(0).astype("int64"))
    ids = f["event_id"] if "event_id" in f.columns else pd.Series(range(len(f)), index=f.index)
    f = f.assign(_id=ids.astype(str))
    chosen = f.sort_values(["_fat", "event_date", "_id"], ascending=[False, True, True]).head(limit)
    return chosen.sort_values(["event_date", "_id"]).drop(columns=["_fat", "_id"])


def _save(fig: Figure, fmt: str, dpi: int) -> bytes:
    buf = io.BytesIO()
    if fmt == "png":
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    else:
        fig.savefig(
            buf,
            format="pdf",
            dpi=dpi,
            metadata={
                "Creator": None,
                "Producer": None,
                "CreationDate": None,
                "Title": None,
            },
        )
    return buf.getvalue()
