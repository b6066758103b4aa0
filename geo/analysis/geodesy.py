"""Incident coordinates and geodesic distances, shared by the spatial analyses.

Distances are in km on the WGS84 ellipsoid: the nearest point is found in a
frame where degrees are locally metric (longitude scaled by the cosine of
latitude), and the distance to it is then measured geodesically, so figures
hold to well under 1 %. Joining (:mod:`geo.analysis.spatial`), border
distance (:mod:`geo.analysis.borders`) and the admin-1 checks
(:mod:`geo.analysis.consistency`) all read points and measure with these.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

__all__ = [
    "GEOD",
    "coords",
    "distance_km",
    "km_from",
    "nearest_lonlat",
    "search_boxes",
    "to_wgs84",
]

GEOD = Geod(ellps="WGS84")

# Shortest length of one degree of latitude on WGS84 (at the equator), km:
# a search box this many degrees per km never misses a point within reach.
_KM_PER_DEG_LAT_MIN = 110.574


def coords(incidents: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer in EPSG:4326 (unchanged when it already is); a layer without a CRS is refused."""
    if gdf.crs is None:
        raise ValueError("the layer has no CRS; set one (EPSG:4326 for lon/lat) first")
    return gdf if gdf.crs.equals("EPSG:4326") else gdf.to_crs("EPSG:4326")


def search_boxes(lon: np.ndarray, lat: np.ndarray, km: float | np.ndarray) -> np.ndarray:
    """Lon/lat boxes holding every point within ``km`` (one, or one per point) of each point."""
    dlat = km / _KM_PER_DEG_LAT_MIN
    poleward = np.minimum(np.abs(lat) + dlat, 89.999)
    dlon = np.minimum(dlat / np.cos(np.radians(poleward)), 180.0)
    return shapely.box(
        lon - dlon, np.maximum(lat - dlat, -90), lon + dlon, np.minimum(lat + dlat, 90)
    )


def nearest_lonlat(
    lon: np.ndarray, lat: np.ndarray, geoms: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of the point of each geometry nearest to each point (element-wise).

    Found with longitudes scaled by cos(latitude of the point), which is
    metric to first order around the point; every geometry must be present
    and non-empty.
    """
    k = np.cos(np.radians(lat))
    scaled = np.array(geoms, dtype=object)
    xy, owner = shapely.get_coordinates(scaled, return_index=True)
    xy[:, 0] *= k[owner]
    scaled = shapely.set_coordinates(scaled.copy(), xy)
    points = shapely.points(lon * k, lat)
    near = shapely.get_coordinates(shapely.shortest_line(points, scaled)).reshape(-1, 2, 2)[:, 1]
    return near[:, 0] / k, near[:, 1]


def distance_km(
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
        geoms = shapely.intersection(geoms, search_boxes(lon, lat, within_km))
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not usable.any():
        return out
    idx = np.flatnonzero(usable)
    near_lon, near_lat = nearest_lonlat(lon[idx], lat[idx], geoms[idx])
    _, _, metres = GEOD.inv(lon[idx], lat[idx], near_lon, near_lat)
    km = np.asarray(metres) / 1000.0
    if within_km is not None:
        km[km > within_km] = np.nan
    out[idx] = km
    return out


def km_from(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    """Geodesic km from each point to one point (NaN where a coordinate is missing).

    >>> round(float(km_from(np.array([1.0]), np.array([0.0]), 0.0, 0.0)[0]), 1)
    111.3
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.full(lon.shape, np.nan)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if ok.any():
        _, _, metres = GEOD.inv(lon[ok], lat[ok], np.full(ok.sum(), lon0), np.full(ok.sum(), lat0))
        out[ok] = np.asarray(metres) / 1000.0
    return out
