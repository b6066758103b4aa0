"""Spatial joins, snapping, border distances and admin-1 consistency checks.

Everything is vectorized: points go through shapely 2 STRtree queries and
array functions, never a Python loop per incident. Distances are in km on
the WGS84 ellipsoid: the nearest point is found in a frame where degrees are
locally metric (longitude scaled by the cosine of latitude, or an azimuthal
equidistant projection for border lines), and the distance to it is then
measured geodesically, so figures hold to well under 1 %.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Geod, Transformer

from geo.boundaries import AreaMatch, AreaNames
from geo.schema import Problem, spreadsheet_row

__all__ = ["JOIN_COLUMNS", "border_distance", "check_admin1_consistency", "join_areas"]

JOIN_COLUMNS = ("area", "area_code", "area_iso3", "area_snapped", "area_snap_km")
"""Columns :func:`join_areas` adds."""

_GEOD = Geod(ellps="WGS84")
# Shortest length of one degree of latitude on WGS84 (at the equator), km:
# a search box this many degrees per km never misses a point within reach.
_KM_PER_DEG_LAT_MIN = 110.574
# Longest border segment measured in one piece, degrees (about 2 km).
_SEGMENT_DEG = 0.02


# ---------------------------------------------------------------------------
# Helpers


def _coords(incidents: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Longitude, latitude (float arrays) and the mask of usable coordinates."""
    for col in ("latitude", "longitude"):
        if col not in incidents.columns:
            raise KeyError(f"incidents need a {col!r} column; got {list(incidents.columns)}")
    lat = pd.to_numeric(incidents["latitude"], errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    lon = pd.to_numeric(incidents["longitude"], errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    return lon, lat, ok


def _to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise ValueError("the layer has no CRS; set one (EPSG:4326 for lon/lat) first")
    return gdf if gdf.crs.equals("EPSG:4326") else gdf.to_crs("EPSG:4326")


def _text_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return frame[name].astype("string").fillna("").to_numpy(dtype=object)


def _search_boxes(lon: np.ndarray, lat: np.ndarray, km: float) -> np.ndarray:
    """Lon/lat boxes that contain every point within ``km`` of each point."""
    dlat = km / _KM_PER_DEG_LAT_MIN
    poleward = np.minimum(np.abs(lat) + dlat, 89.999)
    dlon = np.minimum(dlat / np.cos(np.radians(poleward)), 180.0)
    return shapely.box(
        lon - dlon, np.maximum(lat - dlat, -90), lon + dlon, np.minimum(lat + dlat, 90)
    )


def _distance_km(
    lon: np.ndarray, lat: np.ndarray, geoms: np.ndarray, within_km: float | None = None
) -> np.ndarray:
    """Geodesic km from each point to the matching geometry (element-wise).

    The nearest point is found with longitudes scaled by cos(latitude of the
    point), which is metric to first order around the point, then measured
    on the ellipsoid. With ``within_km``, geometries are first clipped to a
    box around the point (much faster for big polygons) and points farther
    than that come back as NaN. Points inside a polygon are at 0 km.
    """
    n = len(lon)
    out = np.full(n, np.nan)
    if n == 0:
        return out
    if within_km is not None:
        geoms = shapely.intersection(geoms, _search_boxes(lon, lat, within_km))
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not usable.any():
        return out
    idx = np.flatnonzero(usable)
    k = np.cos(np.radians(lat[idx]))
    scaled = np.array(geoms[idx], dtype=object)
    xy, owner = shapely.get_coordinates(scaled, return_index=True)
    xy[:, 0] *= k[owner]
    scaled = shapely.set_coordinates(scaled.copy(), xy)
    points = shapely.points(lon[idx] * k, lat[idx])
    near = shapely.get_coordinates(shapely.shortest_line(points, scaled)).reshape(-1, 2, 2)[:, 1]
    near_lon = near[:, 0] / k
    _, _, metres = _GEOD.inv(lon[idx], lat[idx], near_lon, near[:, 1])
    km = np.asarray(metres) / 1000.0
    if within_km is not None:
        km[km > within_km] = np.nan
    out[idx] = km
    return out


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
    areas = _to_wgs84(areas)
    area = _text_column(areas, "area")
    code = _text_column(areas, "area_code")
    iso3 = _text_column(areas, "iso3")
    order = np.lexsort((np.arange(len(areas)), area.astype(str), code.astype(str)))
    rank = np.empty(len(areas), dtype=np.int64)
    rank[order] = np.arange(len(areas))
    return _AreaTable(np.asarray(areas.geometry.to_numpy(), dtype=object), area, code, iso3, rank)


def _first_by_rank(
    points: np.ndarray, areas: np.ndarray, rank: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For (point, area) pairs, the best-ranked area of each point."""
    order = np.lexsort((rank[areas], points))
    pts, first = np.unique(points[order], return_index=True)
    return pts, areas[order][first]


# ---------------------------------------------------------------------------
# Joins


def join_areas(
    incidents: pd.DataFrame, areas: gpd.GeoDataFrame, snap_km: float = 10.0
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

    Returns
    -------
    DataFrame
        A copy of ``incidents`` (same index and row order) plus ``area``,
        ``area_code``, ``area_iso3`` (``""`` when none), ``area_snapped``
        (bool) and ``area_snap_km`` (0 inside, km when snapped, NaN when no
        area).

    Notes
    -----
    A point on an edge shared by two areas belongs to the one with the
    lowest ``area_code`` (then ``area``, then layer position), whatever the
    row order. Each incident gets at most one area.

    Examples
    --------
    >>> joined = join_areas(incidents, load_admin1())  # doctest: +SKIP
    """
    out = incidents.copy()
    lon, lat, ok = _coords(incidents)
    table = _area_table(areas)
    n = len(incidents)
    chosen = np.full(n, -1, dtype=np.int64)
    snap = np.full(n, np.nan)
    snapped = np.zeros(n, dtype=bool)

    valid = np.flatnonzero(ok)
    if valid.size and len(table.geoms):
        points = shapely.points(lon[valid], lat[valid])
        # Tree of points queried with each polygon: GEOS prepares the polygon
        # once and tests all candidate points against it.
        tree = shapely.STRtree(points)
        area_idx, point_idx = tree.query(table.geoms, predicate="intersects")
        if point_idx.size:
            pts, best = _first_by_rank(point_idx, area_idx, table.rank)
            chosen[valid[pts]] = best
            snap[valid[pts]] = 0.0

        missing = valid[chosen[valid] < 0]
        if snap_km > 0 and missing.size:
            boxes = _search_boxes(lon[missing], lat[missing], snap_km)
            box_idx, cand = shapely.STRtree(table.geoms).query(boxes, predicate="intersects")
            if box_idx.size:
                km = _distance_km(
                    lon[missing][box_idx], lat[missing][box_idx], table.geoms[cand], snap_km
                )
                keep = np.isfinite(km)
                box_idx, cand, km = box_idx[keep], cand[keep], km[keep]
                # nearest area per point; equal distances fall back to the rank
                order = np.lexsort((table.rank[cand], km, box_idx))
                first_pts, first = np.unique(box_idx[order], return_index=True)
                rows = missing[first_pts]
                chosen[rows] = cand[order][first]
                snap[rows] = km[order][first]
                snapped[rows] = True

    has = chosen >= 0
    pick = np.where(has, chosen, 0)

    def text(values: np.ndarray) -> pd.Series:
        if len(values) == 0:
            return pd.Series([""] * n, index=out.index, dtype="string")
        return pd.Series(np.where(has, values[pick], ""), index=out.index, dtype="string")

    out["area"] = text(table.area)
    out["area_code"] = text(table.code)
    out["area_iso3"] = text(table.iso3)
    out["area_snapped"] = pd.Series(snapped, index=out.index, dtype=bool)
    out["area_snap_km"] = pd.Series(snap, index=out.index, dtype="float64")
    return out


# ---------------------------------------------------------------------------
# Border distance


def _segments(borders: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start points, end points (lon/lat) and neighbour label of every border segment."""
    # Border vertices are joined by straight lines in lon/lat, as everywhere
    # else in the layers; densifying keeps each projected segment on that line.
    lines = shapely.segmentize(shapely.get_parts(borders.geometry.to_numpy()), _SEGMENT_DEG)
    owner = np.repeat(
        np.arange(len(borders)), shapely.get_num_geometries(borders.geometry.to_numpy())
    )
    boundary_like = shapely.get_type_id(lines) != 1  # polygons given as borders: use rings
    if boundary_like.any():
        lines = np.where(boundary_like, shapely.boundary(lines), lines)
        lines, sub = shapely.get_parts(lines, return_index=True)
        owner = owner[sub]
    xy, line_idx = shapely.get_coordinates(lines, return_index=True)
    same = line_idx[1:] == line_idx[:-1]
    starts, ends = xy[:-1][same], xy[1:][same]
    labels = _text_column(borders, "neighbour_iso3")[owner[line_idx[:-1][same]]]
    return starts, ends, labels


def border_distance(incidents: pd.DataFrame, borders: gpd.GeoDataFrame) -> pd.DataFrame:
    """Distance from each incident to the nearest border line.

    Parameters
    ----------
    incidents : DataFrame
        Needs ``latitude`` and ``longitude``.
    borders : GeoDataFrame
        Line features with ``neighbour_iso3`` (e.g. :func:`geo.boundaries.load_borders`).

    Returns
    -------
    DataFrame
        A copy of ``incidents`` (same index and order) plus ``border_km``
        (float, km on WGS84; NaN without coordinates or borders) and
        ``border_neighbour`` (ISO3 across the nearest border, ``""`` when
        none).

    Notes
    -----
    Candidate segments are ranked in an azimuthal equidistant projection
    centred on the border layer; every segment whose projected distance is
    within 5 % (plus 1 km) of the nearest is then measured geodesically and
    the shortest kept, so projection distortion far from the centre cannot
    pick the wrong stretch of border.
    """
    out = incidents.copy()
    lon, lat, ok = _coords(incidents)
    n = len(incidents)
    km = np.full(n, np.nan)
    label = np.full(n, "", dtype=object)

    borders = _to_wgs84(borders)
    starts, ends, labels = (
        _segments(borders)
        if len(borders)
        else (np.empty((0, 2)),) * 2 + (np.empty(0, dtype=object),)
    )
    valid = np.flatnonzero(ok)
    if valid.size and len(starts):
        west, south, east, north = borders.total_bounds
        aeqd = CRS.from_proj4(
            f"+proj=aeqd +lat_0={(south + north) / 2} +lon_0={(west + east) / 2} "
            "+datum=WGS84 +units=m +no_defs"
        )
        fwd = Transformer.from_crs("EPSG:4326", aeqd, always_xy=True)
        inv = Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True)
        ax, ay = fwd.transform(starts[:, 0], starts[:, 1])
        bx, by = fwd.transform(ends[:, 0], ends[:, 1])
        px, py = fwd.transform(lon[valid], lat[valid])
        segs = shapely.linestrings(
            np.stack([np.column_stack([ax, ay]), np.column_stack([bx, by])], axis=1)
        )
        tree = shapely.STRtree(segs)
        pts = shapely.points(px, py)
        _, dist0 = tree.query_nearest(pts, return_distance=True, all_matches=False)
        reach = dist0 * 1.05 + 1000.0
        p_idx, s_idx = tree.query(pts, predicate="dwithin", distance=reach)

        # nearest point on each candidate segment, in the projection
        dx, dy = bx[s_idx] - ax[s_idx], by[s_idx] - ay[s_idx]
        length2 = dx * dx + dy * dy
        t = np.where(
            length2 > 0,
            ((px[p_idx] - ax[s_idx]) * dx + (py[p_idx] - ay[s_idx]) * dy)
            / np.where(length2 > 0, length2, 1),
            0.0,
        )
        t = np.clip(t, 0.0, 1.0)
        qlon, qlat = inv.transform(ax[s_idx] + t * dx, ay[s_idx] + t * dy)
        _, _, metres = _GEOD.inv(lon[valid][p_idx], lat[valid][p_idx], qlon, qlat)
        metres = np.asarray(metres)
        order = np.lexsort((s_idx, metres, p_idx))
        first_p, first = np.unique(p_idx[order], return_index=True)
        rows = valid[first_p]
        km[rows] = metres[order][first] / 1000.0
        label[rows] = labels[s_idx[order][first]]

    out["border_km"] = pd.Series(km, index=out.index, dtype="float64")
    out["border_neighbour"] = pd.Series(label, index=out.index, dtype="string")
    return out


# ---------------------------------------------------------------------------
# Admin-1 consistency

_HINTS: Sequence[tuple[str, int, int, int, int]] = (
    # message, then lat and lon of the trial point as (source, sign) pairs:
    # source 0 = latitude, 1 = longitude.
    ("longitude sign looks wrong", 0, 1, 1, -1),
    ("latitude sign looks wrong", 0, -1, 1, 1),
    ("latitude/longitude look swapped", 1, 1, 0, 1),
    ("latitude/longitude look swapped", 1, -1, 0, 1),
    ("latitude/longitude look swapped", 1, 1, 0, -1),
    ("latitude and longitude signs both look wrong", 0, -1, 1, -1),
)


def check_admin1_consistency(
    incidents_joined: pd.DataFrame,
    names: AreaNames,
    file: str = "incidents",
    tolerance_km: float = 5.0,
) -> list[Problem]:
    """Rows whose stated admin1 disagrees with the area of their coordinates.

    Parameters
    ----------
    incidents_joined : DataFrame
        Output of :func:`join_areas` (needs ``admin1``, ``latitude``,
        ``longitude``, ``area``, ``area_code``, ``area_iso3``; ``iso3`` is
        used to resolve ``admin1`` within its country when present).
    names : AreaNames
        Built from the same area layer the rows were joined with, with
        geometry.
    file : str
        File name for the messages.
    tolerance_km : float
        A point this close to its stated area is not flagged: boundaries
        differ between sources by a few km (the shipped layer is simplified
        by up to ~1-3 km).

    Returns
    -------
    list of Problem
        One per flagged row, in row order; ``row`` is the spreadsheet row
        (data row i is row i + 2). When the point with its longitude negated,
        latitude negated, or the two swapped falls in the stated area the
        message says so ("longitude sign looks wrong", "latitude/longitude
        look swapped"). Rows with an empty admin1, an admin1 that does not
        resolve, a country outside the layer, or no coordinates are not
        flagged; neither are points in no area unless such a fix explains
        them.
    """
    needed = ("admin1", "latitude", "longitude", "area", "area_code", "area_iso3")
    missing_cols = [c for c in needed if c not in incidents_joined.columns]
    if missing_cols:
        raise KeyError(
            f"check_admin1_consistency needs {missing_cols}; run join_areas first "
            f"(columns present: {list(incidents_joined.columns)})"
        )
    frame = incidents_joined.reset_index(drop=True)
    admin1 = frame["admin1"].astype("string").fillna("").str.strip()
    iso3 = (
        frame["iso3"].astype("string").fillna("").str.strip().str.upper()
        if "iso3" in frame.columns
        else pd.Series("", index=frame.index, dtype="string")
    )
    lon, lat, ok = _coords(frame)

    candidates = (admin1 != "").to_numpy() & ok
    candidates &= ((iso3 == "") | iso3.isin(sorted(names.countries))).to_numpy()
    rows = np.flatnonzero(candidates)
    if rows.size == 0:
        return []
    stated = names.match_series(admin1.iloc[rows], iso3.iloc[rows])
    resolved = stated["area"].notna().to_numpy()
    rows, stated = rows[resolved], stated[resolved]

    joined_area = _text_column(frame, "area")[rows]
    joined_code = _text_column(frame, "area_code")[rows]
    joined_iso3 = _text_column(frame, "area_iso3")[rows]
    s_area = stated["area"].to_numpy(dtype=object)
    s_code = stated["area_code"].to_numpy(dtype=object)
    s_iso3 = stated["iso3"].to_numpy(dtype=object)
    same = (joined_area == s_area) & (joined_code == s_code) & (joined_iso3 == s_iso3)
    suspect = ~same
    rows, joined_area, joined_code = rows[suspect], joined_area[suspect], joined_code[suspect]
    s_area, s_code = s_area[suspect], s_code[suspect]
    matches = [AreaMatch(*m) for m in stated[suspect].itertuples(index=False, name=None)]
    if not matches:
        return []
    geoms = names.geometry_of(matches)

    # Close to the stated area: a boundary disagreement, not an error.
    near = _distance_km(lon[rows], lat[rows], geoms, within_km=tolerance_km)
    far = ~(near <= tolerance_km)

    hint = np.full(len(rows), "", dtype=object)
    hint_lat = np.full(len(rows), np.nan)
    hint_lon = np.full(len(rows), np.nan)
    source = np.stack([lat[rows], lon[rows]])
    for message, lat_src, lat_sign, lon_src, lon_sign in _HINTS:
        open_rows = far & (hint == "")
        if not open_rows.any():
            break
        t_lat = source[lat_src] * lat_sign
        t_lon = source[lon_src] * lon_sign
        plausible = open_rows & (np.abs(t_lat) <= 90) & (np.abs(t_lon) <= 180)
        inside = np.zeros(len(rows), dtype=bool)
        if plausible.any():
            idx = np.flatnonzero(plausible)
            inside[idx] = shapely.intersects(geoms[idx], shapely.points(t_lon[idx], t_lat[idx]))
        hint[inside] = message
        hint_lat[inside] = t_lat[inside]
        hint_lon[inside] = t_lon[inside]

    flagged = far & ((joined_area != "") | (hint != ""))
    problems: list[Problem] = []
    for i in np.flatnonzero(flagged):
        r = int(rows[i])
        where = f"{joined_area[i]} ({joined_code[i]})" if joined_area[i] else "no area of the layer"
        text = (
            f"an admin1 that contains the coordinates: ({lat[r]:.4f}, {lon[r]:.4f}) "
            f"lies in {where}, not in {s_area[i]} ({s_code[i]})"
        )
        if hint[i]:
            text += f"; {hint[i]}: ({hint_lat[i]:.4f}, {hint_lon[i]:.4f}) is in {s_area[i]}"
        problems.append(
            Problem(
                file=file,
                row=spreadsheet_row(r),
                column="admin1",
                value=str(admin1.iloc[r]),
                expected=text,
            )
        )
    return problems
