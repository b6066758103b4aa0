"""How far each incident is from the team's nearest site or route, and in which direction.

:func:`near_sites` gives every incident its nearest site (a point) or route
(a line, measured to the nearest point on it), the geodesic distance on the
WGS84 ellipsoid, the bearing from the site to the incident and whether it
lies within the site's own radius. :func:`describe` words one of them the
way a security update does: "12 km NE of Ansongo base".

Method
------
No Python loop runs per incident:

1. An STRtree of the sites gives each incident its nearest site in plain
   longitude/latitude (a candidate, not necessarily the geodesic nearest),
   and the geodesic distance ``d`` to it (or ``max_km`` when that is less).
2. Every site within ``d`` of the incident lies inside a longitude/latitude
   box of half-size ``d`` (:func:`geo.analysis.geodesy.search_boxes`): the
   tree returns those (incident, site) pairs, and each pair is measured.
3. The nearest point of a site to an incident is found where longitudes are
   scaled by cos(latitude of the incident), then measured on the ellipsoid
   with :class:`pyproj.Geod` (:func:`geo.analysis.geodesy.nearest_lonlat`).
   The shortest pair per incident wins.

Route segments are straight in longitude/latitude, as the map draws them.
Against a brute-force check (``pyproj.Geod.inv`` from each incident to every
point site and to every vertex of routes densified every 100 m), 10,000
random incidents in and around Mali agree within 0.1 km plus 0.1 % of the
distance (tests/analysis/test_proximity.py). Sites across the antimeridian
from an incident are not searched (the boxes do not wrap).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import shapely

from geo.analysis.geodesy import GEOD, coords, nearest_lonlat, search_boxes, to_wgs84

__all__ = ["COMPASS", "RESULT_COLUMNS", "compass", "describe", "near_sites"]

RESULT_COLUMNS = ["site", "site_kind", "distance_km", "bearing_deg", "within_radius"]
COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")

# A site this close is where the incident is: a bearing means nothing.
_AT_SITE_KM = 0.5


def _empty(index: pd.Index) -> pd.DataFrame:
    n = len(index)
    return pd.DataFrame(
        {
            "site": pd.Series([""] * n, index=index, dtype=object),
            "site_kind": pd.Series([""] * n, index=index, dtype=object),
            "distance_km": np.full(n, np.nan),
            "bearing_deg": np.full(n, np.nan),
            "within_radius": np.zeros(n, dtype=bool),
        },
        index=index,
    )


def near_sites(
    incidents: pd.DataFrame, sites: pd.DataFrame, max_km: float | None = None
) -> pd.DataFrame:
    """The nearest site or route of each incident, how far and in which direction.

    Parameters
    ----------
    incidents : DataFrame
        Needs ``latitude`` and ``longitude`` (EPSG:4326); rows without usable
        coordinates get no site.
    sites : GeoDataFrame
        ``name``, ``geometry`` (points and lines); ``kind`` and ``radius_km``
        used when present (:func:`geo.io.sites.load_sites`).
    max_km : float, optional
        Only sites within this distance count; an incident with none gets no
        site. ``None``: the nearest site, however far.

    Returns
    -------
    DataFrame
        Indexed like ``incidents``, with :data:`RESULT_COLUMNS`: ``site``
        (name; ``""`` when none), ``site_kind``, ``distance_km`` (geodesic,
        NaN when none), ``bearing_deg`` (0-360 clockwise from north, from
        the site's nearest point to the incident; NaN within 0.5 km),
        ``within_radius`` (distance at most the site's ``radius_km``).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> site = gpd.GeoDataFrame({"name": ["Example base"]},
    ...                         geometry=[shapely.Point(0.0, 16.0)], crs="EPSG:4326")
    >>> row = near_sites(pd.DataFrame({"latitude": [16.1], "longitude": [0.1]}), site).iloc[0]
    >>> describe(row.distance_km, row.bearing_deg, row.site)
    '15 km NE of Example base'
    """
    out = _empty(incidents.index)
    lon, lat, ok = coords(incidents)
    if max_km is not None and not max_km >= 0:
        raise ValueError(f"near_sites: max_km={max_km!r}; expected a distance of 0 km or more")
    if len(sites) == 0 or not ok.any():
        return out
    geoms = np.asarray(to_wgs84(sites).geometry.array, dtype=object)
    if (shapely.is_missing(geoms) | shapely.is_empty(geoms)).any():
        raise ValueError("near_sites: every site needs a geometry")
    rows = np.flatnonzero(ok)
    tree = shapely.STRtree(geoms)
    reach = _reach_km(lon[rows], lat[rows], geoms, tree, max_km)
    pair_row, pair_site, km, near = _measure_pairs(lon[rows], lat[rows], reach, geoms, tree)
    first = _nearest_per_incident(pair_row, km, max_km)
    _fill(out, sites, rows[pair_row[first]], pair_site[first], km[first], near[first], lon, lat)
    return out


def _reach_km(
    lon: np.ndarray,
    lat: np.ndarray,
    geoms: np.ndarray,
    tree: shapely.STRtree,
    max_km: float | None,
) -> np.ndarray:
    """A distance no larger than each incident's geodesic nearest site can be."""
    points = shapely.points(lon, lat)
    found = tree.query_nearest(points, all_matches=False)
    order = np.argsort(found[0], kind="stable")
    candidate = found[1][order]
    near_lon, near_lat = nearest_lonlat(lon, lat, geoms[candidate])
    _, _, metres = GEOD.inv(lon, lat, near_lon, near_lat)
    # The candidate is one site's distance, so the nearest is at most this far;
    # a hair more keeps the candidate itself inside its box despite rounding.
    reach = np.asarray(metres) / 1000.0 * (1 + 1e-9) + 1e-6
    return reach if max_km is None else np.minimum(reach, max_km + 1e-6)


def _measure_pairs(
    lon: np.ndarray, lat: np.ndarray, reach: np.ndarray, geoms: np.ndarray, tree: shapely.STRtree
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(incident, site) pairs whose site meets the incident's box, each measured."""
    pair_row, pair_site = tree.query(search_boxes(lon, lat, reach), predicate="intersects")
    if len(pair_row) == 0:
        return pair_row, pair_site, np.empty(0), np.empty((0, 2))
    near_lon, near_lat = nearest_lonlat(lon[pair_row], lat[pair_row], geoms[pair_site])
    _, _, metres = GEOD.inv(lon[pair_row], lat[pair_row], near_lon, near_lat)
    return pair_row, pair_site, np.asarray(metres) / 1000.0, np.column_stack([near_lon, near_lat])


def _nearest_per_incident(pair_row: np.ndarray, km: np.ndarray, max_km: float | None) -> np.ndarray:
    """Positions of the shortest pair of each incident (within ``max_km``)."""
    order = np.lexsort((km, pair_row))
    _, first = np.unique(pair_row[order], return_index=True)
    chosen = order[first]
    if max_km is not None:
        chosen = chosen[km[chosen] <= max_km]
    return chosen


def _fill(
    out: pd.DataFrame,
    sites: pd.DataFrame,
    rows: np.ndarray,
    site_pos: np.ndarray,
    km: np.ndarray,
    near: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
) -> None:
    """Write the chosen sites into ``out`` (positional ``rows``)."""
    if len(rows) == 0:
        return
    names = sites["name"].astype(str).to_numpy()
    kinds = (
        sites["kind"].astype(str).to_numpy()
        if "kind" in sites.columns
        else np.full(len(sites), "", dtype=object)
    )
    radius = (
        pd.to_numeric(sites["radius_km"], errors="coerce").to_numpy(float, na_value=np.nan)
        if "radius_km" in sites.columns
        else np.full(len(sites), np.nan)
    )
    azimuth, _, _ = GEOD.inv(near[:, 0], near[:, 1], lon[rows], lat[rows])
    bearing = np.where(km < _AT_SITE_KM, np.nan, np.mod(np.asarray(azimuth), 360.0))
    out.iloc[rows, out.columns.get_loc("site")] = names[site_pos]
    out.iloc[rows, out.columns.get_loc("site_kind")] = kinds[site_pos]
    out.iloc[rows, out.columns.get_loc("distance_km")] = km
    out.iloc[rows, out.columns.get_loc("bearing_deg")] = bearing
    out.iloc[rows, out.columns.get_loc("within_radius")] = km <= radius[site_pos]


def compass(bearing_deg: float) -> str:
    """The eight-point compass direction of a bearing in degrees (``""`` for NaN)."""
    if bearing_deg is None or not math.isfinite(bearing_deg):
        return ""
    return COMPASS[int(((bearing_deg % 360.0) + 22.5) // 45.0) % 8]


def describe(distance_km: float, bearing_deg: float, site: str) -> str:
    """Where an incident is, said from a site: ``"12 km NE of Ansongo base"``.

    Distances are rounded to whole km (one decimal under 10 km); within
    0.5 km the incident is "at" the site. ``""`` when there is no site.

    >>> describe(12.3, 44.0, "Ansongo base")
    '12 km NE of Ansongo base'
    >>> describe(0.2, float("nan"), "Ansongo base")
    'at Ansongo base'
    """
    if not site or distance_km is None or not math.isfinite(distance_km):
        return ""
    if distance_km < _AT_SITE_KM or not math.isfinite(bearing_deg):
        return f"at {site}"
    figure = f"{distance_km:.1f}" if distance_km < 9.95 else f"{distance_km:,.0f}"
    return f"{figure} km {compass(bearing_deg)} of {site}"
