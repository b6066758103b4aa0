"""Benchmarks for geo.analysis.spatial (timings, not tests: figures vary with the machine).

Usage::

    python scripts/bench_spatial.py               # 100k and 1M points
    python scripts/bench_spatial.py --sizes 100000 --naive 500

Points are uniform random over the extent of the shipped admin-1 units of
Mali and its neighbours (so some fall in the Atlantic and are snapped or left
without an area, as real coastal data would be). They are synthetic and never
written anywhere.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import config  # noqa: E402
from geo.analysis.spatial import border_distance, join_areas  # noqa: E402
from geo.reference.boundaries import load_admin1, load_borders  # noqa: E402


def random_points(n: int, bounds: Sequence[float], seed: int = 0) -> pd.DataFrame:
    """``n`` uniform random points inside ``bounds`` (minx, miny, maxx, maxy)."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = bounds
    return pd.DataFrame(
        {"latitude": rng.uniform(miny, maxy, n), "longitude": rng.uniform(minx, maxx, n)}
    )


def naive_join(points: pd.DataFrame, areas: pd.DataFrame) -> list[str]:
    """The per-point loop join_areas replaces: test every polygon for every point."""
    names = areas["area"].tolist()
    geoms = list(areas.geometry)
    out = []
    for lat, lon in zip(points["latitude"], points["longitude"], strict=True):
        point = shapely.Point(lon, lat)
        hit = ""
        for name, geom in zip(names, geoms, strict=True):
            if geom.intersects(point):
                hit = name
                break
        out.append(hit)
    return out


def _best_of(repeats: int, func, *args, **kwargs) -> tuple[float, object]:
    best = float("inf")
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


def bench_join(
    sizes: Sequence[int] = (100_000, 1_000_000),
    naive_n: int = 2_000,
    repeats: int = 3,
    seed: int = 0,
) -> dict[str, float]:
    """Time join_areas against the naive loop and print points per second.

    Parameters
    ----------
    sizes : sequence of int
        Numbers of points for join_areas (best of ``repeats`` runs each).
    naive_n : int
        Points for the naive loop (best of ``repeats`` runs); its rate is
        extrapolated to each size.
    """
    areas = load_admin1()
    region = areas[areas["iso3"].isin(("MLI", *config.MALI_NEIGHBOURS))]
    bounds = region.total_bounds
    print(
        f"areas: {len(areas)} admin-1 polygons, "
        f"{int(shapely.get_num_coordinates(areas.geometry.to_numpy()).sum()):,} vertices; "
        f"points uniform over lon {bounds[0]:.1f}..{bounds[2]:.1f}, "
        f"lat {bounds[1]:.1f}..{bounds[3]:.1f}"
    )
    figures: dict[str, float] = {}

    sample = random_points(naive_n, bounds, seed + 1)
    naive_s, naive_result = _best_of(repeats, naive_join, sample, areas)
    naive = list(naive_result)  # type: ignore[call-overload]
    naive_rate = naive_n / naive_s
    fast = join_areas(sample, areas, snap_km=0)["area"].tolist()
    agree = np.mean([a == b for a, b in zip(naive, fast, strict=True)])
    print(
        f"naive loop: {naive_n:,} points in {naive_s:.2f} s = {naive_rate:,.0f} points/s "
        f"(agrees with join_areas on {agree:.1%} of points)"
    )
    figures["naive_points_per_s"] = naive_rate

    join_areas(sample, areas)  # warm-up: prepares polygons, imports
    for n in sizes:
        pts = random_points(n, bounds, seed)
        secs, joined = _best_of(repeats, join_areas, pts, areas)
        assert isinstance(joined, pd.DataFrame)
        rate = n / secs
        inside = float((joined["area_snap_km"] == 0).mean())
        snapped = float(joined["area_snapped"].mean())
        print(
            f"join_areas: {n:>9,} points in {secs:6.2f} s = {rate:>10,.0f} points/s; "
            f"naive extrapolated {n / naive_rate:8.0f} s; speed-up x{rate / naive_rate:,.0f} "
            f"({inside:.1%} inside, {snapped:.1%} snapped)"
        )
        figures[f"join_{n}_points_per_s"] = rate
        figures[f"join_{n}_speedup"] = rate / naive_rate
    return figures


def bench_border(sizes: Sequence[int] = (100_000, 1_000_000), repeats: int = 3) -> None:
    """Time border_distance on the same kind of points."""
    areas = load_admin1()
    bounds = areas[areas["iso3"].isin(("MLI", *config.MALI_NEIGHBOURS))].total_bounds
    borders = load_borders()
    border_distance(random_points(1000, bounds), borders)
    for n in sizes:
        secs, _ = _best_of(repeats, border_distance, random_points(n, bounds), borders)
        print(f"border_distance: {n:>9,} points in {secs:6.2f} s = {n / secs:>10,.0f} points/s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--naive", type=int, default=2_000, help="points for the naive loop")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    bench_join(args.sizes, args.naive, args.repeats)
    bench_border(args.sizes, args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
