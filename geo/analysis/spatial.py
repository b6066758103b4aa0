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

__all__ = ["JOIN_COLUMNS", "border_distance", "check_admin1_consistency", "join_areas"]

JOIN_COLUMNS = ("area", "area_code", "area_iso3", "area_snapped", "area_snap_km")
"""Columns :func:`join_areas` adds."""


@dataclass(frozen=True)
class _AreaTable:
    geoms: np.ndarray
    area: np.ndarray
    code: np.ndarray
    iso3: np.ndarray
    rank: np.ndarray  # tie-break order: lowest (area_code, area, position) wins


def _area_table(areas: gpd.GeoDataFrame) -> _AreaTable:
    if "area" not in areas.columns:
        raise KeyError(f"the area layer needs an 'area' column; got {list(areas.columns)}")
    areas = to_wgs84(areas)
    area = text_column(areas, "area").to_numpy(dtype=object)
    code = text_column(areas, "area_code").to_numpy(dtype=object)
    iso3 = text_column(areas, "iso3").to_numpy(dtype=object)
    order = np.lexsort((np.arange(len(areas)), area.astype(str), code.astype(str)))
    rank = np.empty(len(areas), dtype=np.int64)
    rank[order] = np.arange(len(areas))
    return _AreaTable(np.asarray(areas.geometry.to_numpy(), dtype=object), area, code, iso3, rank)


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
    country: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest area within ``within_km`` (geodesic) of each point of ``rows``.

    With ``country`` (one ISO3 per incident), only areas of that country
    are candidates. Returns the rows that found one, the area positions and
    the km; equal distances fall back to the layer rank.
    """
    none = np.empty(0, dtype=np.int64)
    if rows.size == 0 or within_km <= 0 or len(table.geoms) == 0:
        return none, none, np.empty(0)
    boxes = search_boxes(lon[rows], lat[rows], within_km)
    box_idx, cand = shapely.STRtree(table.geoms).query(boxes, predicate="intersects")
    if country is not None:
        own = table.iso3[cand] == country[rows][box_idx]
        box_idx, cand = box_idx[own], cand[own]
    if box_idx.size == 0:
        return none, none, np.empty(0)
    km = distance_km(lon[rows][box_idx], lat[rows][box_idx], table.geoms[cand], within_km)
    keep = np.isfinite(km)
    box_idx, cand, km = box_idx[keep], cand[keep], km[keep]
    order = np.lexsort((table.rank[cand], km, box_idx))
    first_pts, first = np.unique(box_idx[order], return_index=True)
    return rows[first_pts], cand[order][first], km[order][first]


def _stated_country(incidents: pd.DataFrame, column: str | None, table: _AreaTable) -> np.ndarray:
    """Each row's stated ISO3 when it is a country of the layer, else ``""``."""
    if column is None:
        return np.full(len(incidents), "", dtype=object)
    stated = text_column(incidents, column).str.strip().str.upper()
    known = stated.isin(set(table.iso3.tolist()) - {""}).to_numpy(dtype=bool)
    return np.where(known, stated.to_numpy(dtype=object), "").astype(object)


def join_areas(
    incidents: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    snap_km: float = 10.0,
    country_col: str | None = "iso3",
) -> pd.DataFrame:
    """Place each incident in the area its coordinates fall in.

    Parameters
    ----------
    incidents : DataFrame
        Needs ``latitude`` and ``longitude`` (EPSG:4326). Missing or
        out-of-range coordinates get no area.
    areas : GeoDataFrame
        Area layer with ``area`` and, ideally, ``area_code`` and ``iso3``
        (any CRS; reprojected).
    snap_km : float
        A point on no polygon (a coastal town, a rounding error on the
        border) is given the nearest area within this many km, and flagged.
        0 disables snapping.
    country_col : str or None
        Column of ``incidents`` holding each row's stated country (ISO3).
        When a row states a country of the layer and its point falls in (or
        snaps to) an area of another country, the row goes to the nearest
        area of its own country within ``snap_km`` instead, flagged as
        snapped: simplified or disputed borders put towns on the line
        (Rafah) a little way across it. With no own-country area that
        close the geometric answer stands. None, or a missing column,
        ignores stated countries.

    Returns
    -------
    DataFrame
        A copy of ``incidents`` (same index and row order) plus ``area``,
        ``area_code``, ``area_iso3`` (``""`` when none), ``area_snapped``
        (bool) and ``area_snap_km`` (0 inside, km when snapped, NaN when no
        area).

    Notes
    -----
    A point on an edge shared by two areas belongs to the one of the row's
    stated country, then to the one with the lowest ``area_code`` (then
    ``area``, then layer position), whatever the row order. Each incident
    gets at most one area.

    Examples
    --------
    >>> joined = join_areas(incidents, load_admin1())  # doctest: +SKIP
    """
    out = incidents.copy()
    lon, lat, ok = coords(incidents)
    table = _area_table(areas)
    country = _stated_country(incidents, country_col, table)
    n = len(incidents)
    chosen = np.full(n, -1, dtype=np.int64)
    snap = np.full(n, np.nan)
    snapped = np.zeros(n, dtype=bool)

    valid = np.flatnonzero(ok)
    if valid.size and len(table.geoms):
        point_idx, area_idx = _points_in_areas(lon[valid], lat[valid], table.geoms)
        if point_idx.size:
            # Only points on shared edges have several areas; rank just those.
            shared = np.bincount(point_idx, minlength=valid.size)[point_idx] > 1
            chosen[valid[point_idx[~shared]]] = area_idx[~shared]
            if shared.any():
                pts, areas_of = point_idx[shared], area_idx[shared]
                rows_of = valid[pts]
                foreign = (country[rows_of] != "") & (table.iso3[areas_of] != country[rows_of])
                key = foreign * len(table.geoms) + table.rank[areas_of]
                first_pts, best = _first_by_key(pts, areas_of, key)
                chosen[valid[first_pts]] = best
            snap[valid[point_idx]] = 0.0

        missing = valid[chosen[valid] < 0]
        rows, best, km = _nearest_areas(lon, lat, missing, table, snap_km)
        chosen[rows], snap[rows], snapped[rows] = best, km, True

        placed = valid[chosen[valid] >= 0]
        stated = country[placed]
        abroad = placed[(stated != "") & (table.iso3[chosen[placed]] != stated)]
        rows, best, km = _nearest_areas(lon, lat, abroad, table, snap_km, country=country)
        chosen[rows], snap[rows], snapped[rows] = best, km, True

    # Index into the area values with one extra "" slot for "no area": a
    # take on a short string array is far cheaper than building a long one.
    pick = np.where(chosen >= 0, chosen, len(table.geoms))

    def text(values: np.ndarray) -> pd.Series:
        lookup = pd.array([*values.tolist(), ""], dtype="string")
        return pd.Series(lookup.take(pick), index=out.index)

    out["area"] = text(table.area)
    out["area_code"] = text(table.code)
    out["area_iso3"] = text(table.iso3)
    out["area_snapped"] = pd.Series(snapped, index=out.index, dtype=bool)
    out["area_snap_km"] = pd.Series(snap, index=out.index, dtype="float64")
    return out
