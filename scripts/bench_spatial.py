"""Benchmarks for geo.analysis.spatial (timings, not tests: figures vary with the machine).

Usage::

    python scripts/bench_spatial.py               # 100k and 1M points
    python scripts/bench_spatial.py --sizes 100000 --naive 500
    python scripts/bench_spatial.py --prepare     # prepare() as the app runs it

Points are uniform random over the extent of the shipped admin-1 units of
Mali and its neighbours (so some fall in the Atlantic and are snapped or left
without an area, as real coastal data would be). They are synthetic and never
written anywhere.

``--prepare`` times :func:`geo.analysis.pipeline.prepare` on the shipped
incidents and on a 100,000-row synthetic frame (:mod:`geo.io.synthetic`),
with its default layers and with the covered admin-1 layer as the app
passes it, each warm (best of ``--repeats`` in this process) and cold (a
fresh interpreter: imports, first reads). It uses nothing newer than
``prepare`` itself, so the same script run from an older checkout gives the
figures to compare with.
"""

from __future__ import annotations

import argparse
import subprocess
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


# One cold run: a fresh interpreter imports the library, reads the data and
# prepares it; prints wall and CPU seconds of the whole run, then of prepare
# with its layer reads.
_COLD = """
import sys, time
start, cpu = time.perf_counter(), time.process_time()
sys.path.insert(0, {root!r})
from geo import config
from geo.analysis.pipeline import prepare
from geo.io.store import read_incidents
from geo.io.synthetic import synthetic_incidents
from geo.reference.boundaries import load_admin1
frame = read_incidents(config.INCIDENTS_CSV) if {n} == 0 else synthetic_incidents({n}, seed=0)
loaded, loaded_cpu = time.perf_counter(), time.process_time()
prepare(frame, areas=load_admin1()) if {covered} else prepare(frame)
end, end_cpu = time.perf_counter(), time.process_time()
print(end - start, end_cpu - cpu, end - loaded, end_cpu - loaded_cpu)
"""


def _cold(n: int, covered: bool, repeats: int) -> list[float]:
    """Best wall and CPU seconds (whole run, then prepare) over fresh interpreters."""
    runs = []
    for _ in range(repeats):
        code = _COLD.format(root=str(ROOT), n=n, covered=covered)
        out = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout.split()
        runs.append([float(v) for v in out])
    return [min(r[i] for r in runs) for i in range(4)]


def _best_cpu(repeats: int, func) -> tuple[float, float]:
    """Best wall and best CPU seconds of ``func()`` over ``repeats`` runs.

    CPU time is the steadier figure on a shared machine: other processes
    stretch the wall clock, not the work done.
    """
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def bench_prepare(repeats: int = 5, synthetic_n: int = 100_000) -> dict[str, float]:
    """Time prepare() on the shipped data and a synthetic frame, warm and cold.

    Each call reads its layers (nothing is cached between calls), as the
    app's first load does. Prints wall and CPU milliseconds.
    """
    from geo.analysis.pipeline import prepare
    from geo.io.store import read_incidents
    from geo.io.synthetic import synthetic_incidents

    figures: dict[str, float] = {}
    frames = {"shipped": read_incidents(config.INCIDENTS_CSV)}
    frames[f"synthetic {synthetic_n:,}"] = synthetic_incidents(synthetic_n, seed=0)
    for name, frame in frames.items():
        n = 0 if name == "shipped" else synthetic_n
        for covered in (False, True):
            layer = "covered admin-1 (app)" if covered else "default layers"

            def run(f: pd.DataFrame = frame, c: bool = covered) -> object:
                return prepare(f, areas=load_admin1()) if c else prepare(f)

            warm, warm_cpu = _best_cpu(repeats, run)
            cold = _cold(n, covered, max(1, repeats // 2))
            print(
                f"prepare {name:>17} with {layer:<22}: "
                f"warm {warm * 1000:6.0f} ms (CPU {warm_cpu * 1000:5.0f}); "
                f"cold {cold[2] * 1000:6.0f} ms (CPU {cold[3] * 1000:5.0f}); "
                f"fresh interpreter to prepared {cold[0]:5.2f} s (CPU {cold[1]:5.2f})"
            )
            key = f"{name}/{'covered' if covered else 'default'}"
            figures[f"{key}/warm_cpu"], figures[f"{key}/cold_cpu"] = warm_cpu, cold[3]
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--naive", type=int, default=2_000, help="points for the naive loop")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--prepare", action="store_true", help="time prepare() only (shipped and 100k synthetic)"
    )
    args = parser.parse_args(argv)
    if args.prepare:
        bench_prepare(max(args.repeats, 5))
        return 0
    bench_join(args.sizes, args.naive, args.repeats)
    bench_border(args.sizes, args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
