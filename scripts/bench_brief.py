"""Benchmark: briefing render time for many incidents, against a naive renderer.

All incidents are SYNTHETIC (geo.io.synthetic), labelled as such in every row;
nothing here is real data and nothing is written to data/.

The briefing draws one scatter call per event type (six at most), however
many incidents there are. The naive approach it is compared with adds one
artist per incident (a scatter call per row, the way a per-row loop over a
frame tends to be written); it is timed on subsets and extrapolated, because
running it on 100,000 rows takes minutes.

Usage::

    python scripts/bench_brief.py [--n 100000] [--repeat 3] [--naive 1000 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import geopandas as gpd  # noqa: E402
import matplotlib  # noqa: E402
import pandas as pd  # noqa: E402

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from geo.analysis import pipeline  # noqa: E402
from geo.analysis.filters import FilterState  # noqa: E402
from geo.analysis.risk import score_areas  # noqa: E402
from geo.io.synthetic import synthetic_incidents  # noqa: E402
from geo.reference import boundaries  # noqa: E402
from geo.reference.gazetteer import load_gazetteer  # noqa: E402
from geo.render import style  # noqa: E402
from geo.render.brief import render_brief  # noqa: E402
from geo.render.brief import symbols as brief_symbols  # noqa: E402

PINNED = dt.datetime(2024, 1, 1)


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _naive(joined: pd.DataFrame, areas: gpd.GeoDataFrame, n: int) -> float:
    """One scatter call per incident on the same page size, then PNG."""
    rows = joined.head(n)
    t0 = time.perf_counter()
    fig = Figure(figsize=(16, 9), dpi=120)
    ax = fig.add_axes((0.02, 0.07, 0.62, 0.8))
    areas.plot(ax=ax, facecolor="#eeeeee", edgecolor="#888888", linewidth=0.4)
    for row in rows.itertuples():
        ax.scatter(
            [row.longitude],
            [row.latitude],
            s=(2 * style.marker_radius(row.fatalities)) ** 2,
            c=style.EVENT_TYPE_COLOURS[row.event_type],
            edgecolors="white",
        )
    fig.savefig(io.BytesIO(), format="png")
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="synthetic incidents")
    parser.add_argument("--repeat", type=int, default=3, help="best of N renders")
    parser.add_argument(
        "--naive",
        type=int,
        nargs="+",
        default=[1000, 2000],
        help="subset sizes for the per-incident renderer",
    )
    args = parser.parse_args()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"SYNTHETIC data: {args.n:,} incidents (geo.io.synthetic), "
        f"{os.cpu_count()} CPUs, load {load:.1f}"
    )
    t0 = time.perf_counter()
    incidents = synthetic_incidents(args.n, seed=7, start="2013-01-01", days=59)
    areas = boundaries.load_admin1()
    borders = boundaries.load_borders()
    admin0 = boundaries.load_admin0()
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    joined = pipeline.prepare(incidents, areas=areas, borders=borders)
    t_join = time.perf_counter() - t0
    state = FilterState(dt.date(2013, 1, 1), dt.date(2013, 2, 28))
    t0 = time.perf_counter()
    risk = score_areas(joined, areas, state.assessed_at)
    t_risk = time.perf_counter() - t0
    t0 = time.perf_counter()
    towns = load_gazetteer().towns(min_population=10_000)
    t_towns = time.perf_counter() - t0

    def render(fmt: Literal["png", "pdf"]) -> Callable[[], bytes]:
        return lambda: render_brief(
            joined,
            state,
            risk=risk,
            areas=areas,
            borders=borders,
            admin0=admin0,
            towns=towns,
            fmt=fmt,
            generated_at=PINNED,
        )

    render("png")()  # warm caches (fonts, imports) before timing
    t_png = _best(render("png"), args.repeat)
    t_pdf = _best(render("pdf"), args.repeat)
    t_all = _best(
        lambda: render_brief(
            joined,
            state,
            areas=areas,
            borders=borders,
            admin0=admin0,
            fmt="png",
            generated_at=PINNED,
        ),
        1,
    )

    def symbols_for_all() -> None:
        # The same renderer with aggregation switched off: one symbol per
        # incident, still vectorized (one scatter call per event type).
        # Patched where it is read: the package only re-exports the value.
        saved = brief_symbols.DENSE_THRESHOLD
        brief_symbols.DENSE_THRESHOLD = 10**12
        try:
            render("png")()
        finally:
            brief_symbols.DENSE_THRESHOLD = saved

    t_symbols = _best(symbols_for_all, 1)
    rows = [
        ("generate + load layers (setup)", t_gen),
        ("pipeline.prepare: join + border distance", t_join),
        ("risk.score_areas", t_risk),
        ("gazetteer towns", t_towns),
        (f"render_brief PNG (best of {args.repeat})", t_png),
        (f"render_brief PDF (best of {args.repeat})", t_pdf),
        ("render_brief PNG, risk + towns computed inside", t_all),
        ("PNG with one symbol per incident (6 scatter calls)", t_symbols),
    ]
    per_row = []
    for n in args.naive:
        t = _naive(joined, areas, n)
        per_row.append(t / n)
        rows.append((f"naive: one scatter call per incident, {n:,} rows", t))
    rate = max(per_row)
    rows.append((f"naive extrapolated to {args.n:,} rows", rate * args.n))
    print(f"{'step':52} {'seconds':>8}")
    for label, seconds in rows:
        print(f"{label:52} {seconds:8.2f}")
    print(f"render_brief PNG is {rate * args.n / t_png:,.0f}x faster than the naive renderer")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
