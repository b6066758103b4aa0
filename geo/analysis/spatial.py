"""Spatial joins, snapping, border distances and admin-1 consistency checks.

Everything is vectorized: points go through shapely 2 array functions
(``intersects_xy`` against prepared polygons, STRtree queries for snapping
and borders), never a Python loop per incident. Distances are in km on the
WGS84 ellipsoid (:mod:`geo.analysis.geodesy`), so figures hold to well under
1 %.

This module places incidents in areas (:func:`join_areas`, with snapping)
and is the front door for the other two analyses, importable from here:
:func:`border_distance` (:mod:`geo.analysis.borders`) and
:func:`check_admin1_consistency` (:mod:`geo.analysis.consistency`).

Measured on this project's 2-core machine (``scripts/bench_spatial.py``):
join_areas ~0.6 M points/s over the shipped admin-1 layer, border_distance
~0.1 M points/s.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis.borders import border_distance
from geo.analysis.consistency import check_admin1_consistency
from geo.analysis.geodesy import coords, distance_km, search_boxes, to_wgs84
from geo.model.params import text_column

__all__ = [
    "COUNTRY_LEVEL_PRECISION",
    "JOIN_COLUMNS",
    "border_distance",
    "check_admin1_consistency",
    "country_level_rows",
    "join_areas",
]

JOIN_COLUMNS = (
    "area",
    "area_code",
    "area_iso3",
    "area_snapped",
    "area_snap_km",
    "area_abroad",
    "country_level",
)
"""Columns :func:`join_areas` adds."""

COUNTRY_LEVEL_PRECISION = 3
"""The ``geo_precision`` of an incident placed only as precisely as a region or a country."""


@dataclass(frozen=True)
class _AreaTable:
    geoms: np.ndarray
    area: np.ndarray
    code: np.ndarray
    iso3: np.ndarray
    rank: np.ndarray  # tie-break order: lowest (area_code, area, position) wins
    iso3_id: np.ndarray  # country of each area as an id of _CountryIds, -1 when unknown
    sov_id: np.ndarray  # its sovereign (``sov_iso3``, else its own country), same ids


@dataclass
class _Placement:
    """Where each incident goes, filled in step by step."""

    chosen: np.ndarray  # area position, -1 for none
    snap: np.ndarray  # km to the area (0 inside), NaN for none
    snapped: np.ndarray  # placed by snapping
    abroad: np.ndarray  # in or near only another country's area: left without one

    @classmethod
    def empty(cls, n: int) -> _Placement:
        return cls(
            np.full(n, -1, dtype=np.int64),
            np.full(n, np.nan),
            np.zeros(n, dtype=bool),
            np.zeros(n, dtype=bool),
        )


def _area_table(areas: gpd.GeoDataFrame, stated: pd.Series) -> tuple[_AreaTable, np.ndarray]:
    """The layer as arrays, and each stated country as an id comparable with its countries.

    Countries are compared as small integers: the layer's ``iso3`` and
    ``sov_iso3`` values and the stated ones are numbered together, ``""``
    being -1 (no country: an area of unknown country may take any incident,
    an incident of unknown country may go to any area).
    """
    if "area" not in areas.columns:
        raise KeyError(f"the area layer needs an 'area' column; got {list(areas.columns)}")
    areas = to_wgs84(areas)
    area = text_column(areas, "area").to_numpy(dtype=object)
    code = text_column(areas, "area_code").to_numpy(dtype=object)
    iso3 = text_column(areas, "iso3").str.strip().str.upper()
    sov = text_column(areas, "sov_iso3").str.strip().str.upper()
    sov = sov.where(sov != "", iso3)
    order = np.lexsort((np.arange(len(areas)), area.astype(str), code.astype(str)))
    rank = np.empty(len(areas), dtype=np.int64)
    rank[order] = np.arange(len(areas))
    ids, names = pd.factorize(pd.concat([iso3, sov, stated], ignore_index=True))
    blank = np.flatnonzero(np.asarray(names) == "")
    if blank.size:
        ids = np.where(ids == blank[0], -1, ids)
    n = len(areas)
    table = _AreaTable(
        np.asarray(areas.geometry.to_numpy(), dtype=object),
        area,
        code,
        iso3.to_numpy(dtype=object),
        rank,
        ids[:n],
        ids[n : 2 * n],
    )
    return table, ids[2 * n :]


def _own(table: _AreaTable, areas: np.ndarray, stated: np.ndarray) -> np.ndarray:
    """Which (area, stated country) pairs may go together: never another country's area.

    An area is the incident's own when its country or its sovereign is the
    stated one (Hong Kong's areas take incidents coded to China), or when
    either side has no country.
    """
    return (
        (stated < 0)
        | (table.iso3_id[areas] < 0)
        | (table.iso3_id[areas] == stated)
        | (table.sov_id[areas] == stated)
    )


def _points_in_areas(
    x: np.ndarray, y: np.ndarray, geoms: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All (point, area) pairs where the point lies in or on the area.

    Points are sorted by longitude once; each area then takes the slice of
    points in its bounding box (two binary searches and a latitude mask)
    and tests them in one ``intersects_xy`` call against the prepared
    polygon. The loop runs once per area, never per point, and builds no
    Point objects, which is 2-3x faster than an STRtree of points here.
    """
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    bounds = shapely.bounds(geoms)
    shapely.prepare(geoms)
    lo = np.searchsorted(xs, bounds[:, 0], side="left")
    hi = np.searchsorted(xs, bounds[:, 2], side="right")
    found_points: list[np.ndarray] = []
    found_areas: list[np.ndarray] = []
    for k in np.flatnonzero(hi > lo):
        ys_k = ys[lo[k] : hi[k]]
        cand = np.flatnonzero((ys_k >= bounds[k, 1]) & (ys_k <= bounds[k, 3])) + lo[k]
        if cand.size == 0:
            continue
        hit = cand[shapely.intersects_xy(geoms[k], xs[cand], ys[cand])]
        found_points.append(order[hit])
        found_areas.append(np.full(hit.size, k, dtype=np.int64))
    if not found_points:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(found_points), np.concatenate(found_areas)


def _first_by_key(
    points: np.ndarray, areas: np.ndarray, key: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For (point, area) pairs, the area of each point with the lowest ``key`` (per pair)."""
    order = np.lexsort((key, points))
    pts, first = np.unique(points[order], return_index=True)
    return pts, areas[order][first]


def _nearest_areas(
    lon: np.ndarray,
    lat: np.ndarray,
    rows: np.ndarray,
    table: _AreaTable,
    within_km: float,
    stated: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest area within ``within_km`` (geodesic) of each point of ``rows``.

    With ``stated`` (one country id per incident), only the incident's own
    areas are candidates (:func:`_own`). Returns the rows that found one,
    the area positions and the km; equal distances fall back to the layer
    rank.
    """
    none = np.empty(0, dtype=np.int64)
    if rows.size == 0 or within_km <= 0 or len(table.geoms) == 0:
        return none, none, np.empty(0)
    boxes = search_boxes(lon[rows], lat[rows], within_km)
    box_idx, cand = shapely.STRtree(table.geoms).query(boxes, predicate="intersects")
    if stated is not None:
        own = _own(table, cand, stated[rows][box_idx])
        box_idx, cand = box_idx[own], cand[own]
    if box_idx.size == 0:
        return none, none, np.empty(0)
    km = distance_km(lon[rows][box_idx], lat[rows][box_idx], table.geoms[cand], within_km)
    keep = np.isfinite(km)
    box_idx, cand, km = box_idx[keep], cand[keep], km[keep]
    order = np.lexsort((table.rank[cand], km, box_idx))
    first_pts, first = np.unique(box_idx[order], return_index=True)
    return rows[first_pts], cand[order][first], km[order][first]


def _stated_country(incidents: pd.DataFrame, column: str | None) -> pd.Series:
    """Each row's stated ISO3 (upper case), ``""`` when none or when ``column`` is None."""
    if column is None:
        return pd.Series("", index=incidents.index, dtype="string")
    return text_column(incidents, column).str.strip().str.upper()


def country_level_rows(incidents: pd.DataFrame) -> np.ndarray:
    """Which incidents are placed only at country level.

    The rule: ``geo_precision`` is 3 (the source gives no place finer than
    a region) and ``admin1`` is empty (it names no region either). Such an
    incident's point is a stand-in, usually the country's representative
    point, so the area it happens to fall in says nothing. A frame without
    ``geo_precision`` has none.
    """
    if "geo_precision" not in incidents.columns:
        return np.zeros(len(incidents), dtype=bool)
    precision = pd.to_numeric(incidents["geo_precision"], errors="coerce")
    vague = (precision == COUNTRY_LEVEL_PRECISION).to_numpy(dtype=bool, na_value=False)
    no_region = (text_column(incidents, "admin1").str.strip() == "").to_numpy(dtype=bool)
    return vague & no_region


def _place_inside(
    placed: _Placement,
    rows: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    table: _AreaTable,
    stated: np.ndarray,
) -> None:
    """Give each point the area of its own country it lies in (edges: the lowest rank).

    A point lying only in other countries' areas is marked abroad for now;
    snapping may still find it an area of its own.
    """
    point_idx, area_idx = _points_in_areas(lon[rows], lat[rows], table.geoms)
    if point_idx.size == 0:
        return
    placed.snap[rows[point_idx]] = 0.0
    own = _own(table, area_idx, stated[rows[point_idx]])
    placed.abroad[rows[point_idx[~own]]] = True
    point_idx, area_idx = point_idx[own], area_idx[own]
    # Only points on shared edges have several areas; rank just those.
    shared = np.bincount(point_idx, minlength=rows.size)[point_idx] > 1
    placed.chosen[rows[point_idx[~shared]]] = area_idx[~shared]
    if shared.any():
        pts, best = _first_by_key(point_idx[shared], area_idx[shared], table.rank[area_idx[shared]])
        placed.chosen[rows[pts]] = best
    inside = placed.chosen[rows] >= 0
    placed.abroad[rows[inside]] = False
    placed.snap[rows[~inside]] = np.nan


def _snap_to_own(
    placed: _Placement,
    rows: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    table: _AreaTable,
    stated: np.ndarray,
    snap_km: float,
) -> None:
    """Give each point still without an area the nearest of its own within ``snap_km``."""
    missing = _near_own(rows[placed.chosen[rows] < 0], lon, lat, table, stated, snap_km)
    found, best, km = _nearest_areas(lon, lat, missing, table, snap_km, stated)
    placed.chosen[found], placed.snap[found], placed.snapped[found] = best, km, True
    placed.abroad[found] = False


def _near_own(
    rows: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    table: _AreaTable,
    stated: np.ndarray,
    km: float,
) -> np.ndarray:
    """The rows whose search box meets an area of their own country: all snapping can place.

    Most points outside their country lie far inside a neighbour; the
    nearest-area search would test each against every area near it, only
    to drop the neighbour's. Tested first against the few areas of the
    stated country (prepared polygons, a loop over areas, never points),
    with the very box the search uses, so the answer is the same.
    """
    if rows.size == 0 or km <= 0:
        return rows
    country = stated[rows]
    keep = country < 0  # a row without a country may take any area
    unknown_areas = table.iso3_id < 0
    for code in pd.unique(country[~keep]).tolist():
        sel = np.flatnonzero(country == code)
        own = np.flatnonzero(unknown_areas | (table.iso3_id == code) | (table.sov_id == code))
        boxes = search_boxes(lon[rows[sel]], lat[rows[sel]], km)
        near = np.zeros(sel.size, dtype=bool)
        for k in own:
            near |= shapely.intersects(table.geoms[k], boxes)
        keep[sel] = near
    return rows[keep]


def _flag_abroad(
    placed: _Placement,
    rows: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    table: _AreaTable,
    stated: np.ndarray,
    snap_km: float,
) -> None:
    """Mark points left without an area that are within ``snap_km`` of another country's."""
    todo = rows[(placed.chosen[rows] < 0) & ~placed.abroad[rows] & (stated[rows] >= 0)]
    found, _, _ = _nearest_areas(lon, lat, todo, table, snap_km)
    placed.abroad[found] = True


def join_areas(
    incidents: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    snap_km: float = 10.0,
    country_col: str | None = "iso3",
    country_level: bool = True,
) -> pd.DataFrame:
    """Place each incident in the area its coordinates fall in, never in another country's.

    Parameters
    ----------
    incidents : DataFrame
        Needs ``latitude`` and ``longitude`` (EPSG:4326). Missing or
        out-of-range coordinates get no area.
    areas : GeoDataFrame
        Area layer with ``area`` and, ideally, ``area_code`` and ``iso3``
        (any CRS; reprojected). ``sov_iso3``, when present, names each
        area's sovereign (Hong Kong's is China).
    snap_km : float
        A point on no polygon (a coastal town, a rounding error on the
        border) is given the nearest area within this many km, and flagged.
        0 disables snapping.
    country_col : str or None
        Column of ``incidents`` holding each row's stated country (ISO3).
        A row that states a country only ever goes to an area of that
        country (or of a territory it is sovereign over): the one its
        point lies in, else the nearest within ``snap_km`` (simplified or
        disputed borders put towns on the line, Rafah, a little way
        across it). With none that close it gets no area and
        ``area_abroad`` says whether that is because the point lies in, or
        within ``snap_km`` of, another country's area. A row without a
        country, or an area without one, is placed by geometry alone.
        None, or a missing column, ignores stated countries.
    country_level : bool
        When True (the default), incidents placed only at country level
        (:func:`country_level_rows`: ``geo_precision`` 3 and no
        ``admin1``) get no area and ``country_level`` True, whatever their
        point: it stands for the whole country. False places them by their
        point like any other.

    Returns
    -------
    DataFrame
        A copy of ``incidents`` (same index and row order) plus ``area``,
        ``area_code``, ``area_iso3`` (``""`` when none), ``area_snapped``
        (bool), ``area_snap_km`` (0 inside, km when snapped, NaN when no
        area), ``area_abroad`` (bool) and ``country_level`` (bool).

    Notes
    -----
    A point on an edge shared by two areas of its country belongs to the
    one with the lowest ``area_code`` (then ``area``, then layer position),
    whatever the row order. Each incident gets at most one area.

    Examples
    --------
    >>> joined = join_areas(incidents, load_admin1())  # doctest: +SKIP
    """
    out = incidents.copy()
    lon, lat, ok = coords(incidents)
    table, stated = _area_table(areas, _stated_country(incidents, country_col))
    level = country_level_rows(incidents) if country_level else np.zeros(len(out), dtype=bool)
    placed = _Placement.empty(len(incidents))
    rows = np.flatnonzero(ok & ~level)
    if rows.size and len(table.geoms):
        _place_inside(placed, rows, lon, lat, table, stated)
        _snap_to_own(placed, rows, lon, lat, table, stated, snap_km)
        _flag_abroad(placed, rows, lon, lat, table, stated, snap_km)
    return _with_join_columns(out, table, placed, level)


def _with_join_columns(
    out: pd.DataFrame, table: _AreaTable, placed: _Placement, level: np.ndarray
) -> pd.DataFrame:
    """``out`` with the :data:`JOIN_COLUMNS` of ``placed``."""
    # Index into the area values with one extra "" slot for "no area": a
    # take on a short string array is far cheaper than building a long one.
    pick = np.where(placed.chosen >= 0, placed.chosen, len(table.geoms))

    def text(values: np.ndarray) -> pd.Series:
        lookup = pd.array([*values.tolist(), ""], dtype="string")
        return pd.Series(lookup.take(pick), index=out.index)

    out["area"] = text(table.area)
    out["area_code"] = text(table.code)
    out["area_iso3"] = text(table.iso3)
    out["area_snapped"] = pd.Series(placed.snapped, index=out.index, dtype=bool)
    out["area_snap_km"] = pd.Series(placed.snap, index=out.index, dtype="float64")
    out["area_abroad"] = pd.Series(placed.abroad, index=out.index, dtype=bool)
    out["country_level"] = pd.Series(level, index=out.index, dtype=bool)
    return out
