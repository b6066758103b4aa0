"""Nearest site or route of each incident: against a brute-force geodesic check, and its edges."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geo.analysis.proximity import RESULT_COLUMNS, compass, describe, near_sites

GEOD = Geod(ellps="WGS84")
# Vertex spacing of the densified routes in the brute-force check, in degrees
# (about 100 m): the check is then at most 50 m long at a route.
_DENSIFY_DEG = 0.0009


def _sites(seed: int, points: int, routes: int, route_steps: int, step_deg: float):
    """Random point sites and short random-walk routes in and around Mali (generated, not typed)."""
    rng = np.random.default_rng(seed)
    geoms = list(shapely.points(rng.uniform(-8, 3, points), rng.uniform(12, 22, points)))
    for _ in range(routes):
        start = rng.uniform([-8, 12], [3, 22])
        walk = start + np.cumsum(rng.uniform(-step_deg, step_deg, (route_steps, 2)), axis=0)
        geoms.append(shapely.LineString(walk))
    names = [f"Example site {i}" for i in range(len(geoms))]
    kinds = ["office"] * points + ["route"] * routes
    return gpd.GeoDataFrame(
        {"name": names, "kind": kinds, "radius_km": 25.0}, geometry=geoms, crs="EPSG:4326"
    )


def _brute_force(incidents: pd.DataFrame, sites: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic km to every point site and every vertex of every densified route; the least wins."""
    vertices, owner = [], []
    for i, geom in enumerate(sites.geometry):
        xy = shapely.get_coordinates(shapely.segmentize(geom, _DENSIFY_DEG))
        vertices.append(xy)
        owner += [i] * len(xy)
    xy, owner_arr = np.vstack(vertices), np.array(owner)
    lon, lat = incidents["longitude"].to_numpy(), incidents["latitude"].to_numpy()
    best, which = np.full(len(lon), np.inf), np.zeros(len(lon), dtype=int)
    for (vx, vy), site in zip(xy, owner_arr, strict=True):
        _, _, metres = GEOD.inv(lon, lat, np.full(len(lon), vx), np.full(len(lon), vy))
        closer = metres < best
        best[closer], which[closer] = metres[closer], site
    return best / 1000.0, which


def _incidents(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"longitude": rng.uniform(-12, 6, n), "latitude": rng.uniform(9, 25, n)},
        index=pd.RangeIndex(1000, 1000 + n),
    )


def test_matches_brute_force_on_10000_random_incidents():
    # 30 sites and three ~10 km routes; 10,000 incidents up to ~1,000 km away.
    sites = _sites(seed=7, points=30, routes=3, route_steps=4, step_deg=0.03)
    incidents = _incidents(seed=8, n=10_000)
    got = near_sites(incidents, sites)
    km, which = _brute_force(incidents, sites)
    assert list(got.columns) == RESULT_COLUMNS
    assert got.index.equals(incidents.index)
    # Both measure to a point on the site, so both are at least the true
    # distance: they agree within the check's own 50 m plus 0.1 %.
    assert np.all(np.abs(got["distance_km"].to_numpy() - km) <= 0.05 + 0.001 * km)
    same = got["site"].to_numpy() == sites["name"].to_numpy()[which]
    # A different site only where two are equally near, within the tolerance.
    assert same.mean() > 0.999
    assert got["within_radius"].to_numpy().tolist() == (got["distance_km"] <= 25.0).tolist()


def test_long_routes_far_incidents_match_brute_force():
    sites = _sites(seed=3, points=2, routes=2, route_steps=6, step_deg=0.4)
    incidents = _incidents(seed=4, n=400)
    got = near_sites(incidents, sites)
    km, _ = _brute_force(incidents, sites)
    assert np.all(np.abs(got["distance_km"].to_numpy() - km) <= 0.05 + 0.001 * km)


def test_bearing_is_from_the_site_to_the_incident():
    site = gpd.GeoDataFrame(
        {"name": ["Example base"], "kind": ["office"], "radius_km": [10.0]},
        geometry=[shapely.Point(0.0, 16.0)],
        crs="EPSG:4326",
    )
    lon, lat, _ = GEOD.fwd(np.zeros(4), np.full(4, 16.0), [0, 90, 225, 300], [12_000] * 4)
    incidents = pd.DataFrame({"longitude": lon, "latitude": lat})
    got = near_sites(incidents, site)
    np.testing.assert_allclose(got["distance_km"], 12.0, atol=1e-6)
    np.testing.assert_allclose(got["bearing_deg"], [0, 90, 225, 300], atol=1e-6)
    assert got["within_radius"].tolist() == [False] * 4
    rows = zip(got.distance_km, got.bearing_deg, got.site, strict=True)
    words = [describe(d, b, s) for d, b, s in rows]
    assert words == [
        "12 km N of Example base",
        "12 km E of Example base",
        "12 km SW of Example base",
        "12 km NW of Example base",
    ]


def test_route_is_measured_to_its_nearest_point_not_a_vertex():
    route = gpd.GeoDataFrame(
        {"name": ["Example road"], "kind": ["route"], "radius_km": [5.0]},
        geometry=[shapely.LineString([(0.0, 15.0), (0.0, 17.0)])],
        crs="EPSG:4326",
    )
    # 0.05 degrees east of the middle of the road: ~5.35 km, far from both ends.
    got = near_sites(pd.DataFrame({"longitude": [0.05], "latitude": [16.0]}), route).iloc[0]
    _, _, metres = GEOD.inv(0.0, 16.0, 0.05, 16.0)
    assert got["distance_km"] == pytest.approx(metres / 1000.0, abs=1e-3)
    assert compass(got["bearing_deg"]) == "E"
    assert not got["within_radius"]


def test_max_km_leaves_far_incidents_without_a_site():
    sites = _sites(seed=1, points=5, routes=1, route_steps=3, step_deg=0.05)
    incidents = _incidents(seed=2, n=500)
    every = near_sites(incidents, sites)
    near = near_sites(incidents, sites, max_km=100.0)
    close = every["distance_km"] <= 100.0
    assert near.loc[close, "site"].tolist() == every.loc[close, "site"].tolist()
    np.testing.assert_allclose(near.loc[close, "distance_km"], every.loc[close, "distance_km"])
    assert (near.loc[~close, "site"] == "").all()
    assert near.loc[~close, "distance_km"].isna().all()
    assert not near.loc[~close, "within_radius"].any()


def test_rows_without_coordinates_and_no_sites():
    sites = _sites(seed=1, points=2, routes=0, route_steps=0, step_deg=0)
    incidents = pd.DataFrame(
        {"longitude": [np.nan, 0.0, 200.0], "latitude": [16.0, 16.0, 16.0]}, index=["a", "b", "c"]
    )
    got = near_sites(incidents, sites)
    assert got.loc[["a", "c"], "site"].tolist() == ["", ""]
    assert got.loc["b", "site"] != ""
    none = near_sites(incidents, sites.iloc[:0])
    assert (none["site"] == "").all() and none["distance_km"].isna().all()
    with pytest.raises(ValueError, match="max_km"):
        near_sites(incidents, sites, max_km=-1)


def test_row_order_never_changes_a_result():
    sites = _sites(seed=5, points=8, routes=2, route_steps=4, step_deg=0.1)
    incidents = _incidents(seed=6, n=300)
    forward = near_sites(incidents, sites)
    backward = near_sites(incidents.iloc[::-1], sites.iloc[::-1]).loc[incidents.index]
    assert forward["site"].tolist() == backward["site"].tolist()
    np.testing.assert_allclose(forward["distance_km"], backward["distance_km"])


@pytest.mark.parametrize(
    ("km", "bearing", "site", "text"),
    [
        (12.4, 44.0, "Ansongo base", "12 km NE of Ansongo base"),
        (4.26, 181.0, "Example base", "4.3 km S of Example base"),
        (0.3, np.nan, "Example base", "at Example base"),
        (1_234.0, 359.0, "Example base", "1,234 km N of Example base"),
        (np.nan, np.nan, "", ""),
    ],
)
def test_describe(km, bearing, site, text):
    assert describe(km, bearing, site) == text
