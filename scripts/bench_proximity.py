"""Benchmark of geo.analysis.proximity.near_sites (timings, not tests; figures vary by machine).

Usage::

    python scripts/bench_proximity.py                      # 10k and 100k incidents
    python scripts/bench_proximity.py --sizes 10000 --repeats 5

The sites are 50 random points and 10 random-walk routes of ~100 km in and
around Mali; the incidents are uniform over a wider box. All synthetic,
never written anywhere. Each size is timed, best of ``--repeats``, against
what a user would otherwise reach for, in the same run:

- ``sjoin_nearest``: geopandas' nearest join in a projected CRS (UTM zone
  31N, metres), the usual way to get "nearest site and distance" without
  writing code; planar distances, no bearing. Its largest error against
  ours is printed too.
- brute force (first size only): ``pyproj.Geod.inv`` from every incident to
  every point site and every vertex of every route densified every ~100 m,
  one vectorised call per vertex, the check the tests use.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.analysis.proximity import near_sites  # noqa: E402

GEOD = Geod(ellps="WGS84")


def make_sites(seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    geoms = list(shapely.points(rng.uniform(-8, 3, 50), rng.uniform(12, 22, 50)))
    for _ in range(10):
        start = rng.uniform([-8, 12], [3, 22])
        walk = start + np.cumsum(rng.uniform(-0.2, 0.2, (8, 2)), axis=0)
        geoms.append(shapely.LineString(walk))
    return gpd.GeoDataFrame(
        {"name": [f"site {i}" for i in range(len(geoms))], "radius_km": 25.0},
        geometry=geoms,
        crs="EPSG:4326",
    )


def make_incidents(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"longitude": rng.uniform(-12, 6, n), "latitude": rng.uniform(9, 25, n)})


def best_of(repeats: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def sjoin_km(incidents: pd.DataFrame, sites: gpd.GeoDataFrame) -> np.ndarray:
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(incidents["longitude"], incidents["latitude"]),
        crs="EPSG:4326",
    ).to_crs("EPSG:32631")
    joined = gpd.sjoin_nearest(points, sites.to_crs("EPSG:32631"), distance_col="metres")
    joined = joined[~joined.index.duplicated()]
    return joined["metres"].to_numpy() / 1000.0


def brute_km(incidents: pd.DataFrame, sites: gpd.GeoDataFrame) -> np.ndarray:
    xy = np.vstack([shapely.get_coordinates(shapely.segmentize(g, 0.0009)) for g in sites.geometry])
    lon, lat = incidents["longitude"].to_numpy(), incidents["latitude"].to_numpy()
    best = np.full(len(lon), np.inf)
    for vx, vy in xy:
        _, _, metres = GEOD.inv(lon, lat, np.full(len(lon), vx), np.full(len(lon), vy))
        np.minimum(best, metres, out=best)
    return best / 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sites = make_sites()
    for i, n in enumerate(args.sizes):
        incidents = make_incidents(n)
        ours_s, ours = best_of(args.repeats, functools.partial(near_sites, incidents, sites))
        km = ours["distance_km"].to_numpy()  # type: ignore[index]
        sj_s, sj = best_of(args.repeats, functools.partial(sjoin_km, incidents, sites))
        err = np.abs(np.asarray(sj) - km)
        print(
            f"{n:>9,} incidents: near_sites {ours_s:.3f} s ({n / ours_s:,.0f}/s); "
            f"sjoin_nearest UTM {sj_s:.3f} s (ratio {sj_s / ours_s:.2f}x), "
            f"its error vs ours: max {err.max():.2f} km, median {np.median(err):.3f} km"
        )
        if i == 0:
            br_s, br = best_of(1, functools.partial(brute_km, incidents, sites))
            diff = np.abs(np.asarray(br) - km)
            print(
                f"{'':>9}  brute force Geod.inv {br_s:.1f} s (ratio {br_s / ours_s:.0f}x), "
                f"max |ours - brute| {diff.max() * 1000:.0f} m"
            )


if __name__ == "__main__":
    main()
