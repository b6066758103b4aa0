"""Benchmark geo.analysis.risk.score_areas on synthetic incidents (NOT REAL DATA).

For 10,000, 100,000 and 1,000,000 synthetic incidents (geo.io.synthetic, spread
over Mali's extent and joined to the shipped admin-1 layer with
geo.analysis.spatial.join_areas; border distances are not needed for risk) it reports:

- the seconds score_areas takes (best of several runs, join excluded);
- the seconds a straightforward per-area loop takes for the same scores
  (one boolean mask and a few pandas operations per area), and the ratio;
- that both give the same scores.

Run: python scripts/bench_risk.py [--sizes 10000,100000,1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.analysis.risk import COMPONENTS, RiskConfig, load_risk_config, score_areas  # noqa: E402
from geo.analysis.spatial import join_areas  # noqa: E402
from geo.io.synthetic import synthetic_incidents  # noqa: E402
from geo.reference.boundaries import load_admin1  # noqa: E402

AS_OF = pd.Timestamp("2013-06-30")
WINDOW = 90


def naive_scores(joined: pd.DataFrame, areas: pd.DataFrame, cfg: RiskConfig) -> pd.Series:
    """Scores computed area by area: the baseline the vectorized version replaces."""
    scores = {}
    for _, area in areas.iterrows():
        mask = (joined["area"] == area["area"]) & (joined["area_code"] == area["area_code"])
        sub = joined[mask]
        age = (AS_OF - sub["event_date"]).dt.days
        sub = sub[(age >= 0) & (age < WINDOW)]
        age = age[(age >= 0) & (age < WINDOW)]
        decay = 0.5 ** (age / cfg.half_life_days)
        severity = sub["sub_event_type"].map(cfg.sub_event_severity)
        severity = severity.fillna(sub["event_type"].map(cfg.event_type_severity))
        severity = severity.fillna(cfg.default_severity).astype(float)
        civ = (sub["event_type"] == "Violence against civilians") | (
            sub.get("civilian_targeting", pd.Series("", index=sub.index)) == "Civilian targeting"
        )
        places = set(zip(sub["latitude"].round(2), sub["longitude"].round(2), strict=True))
        x = {
            "activity": float(decay.sum()),
            "severity": float((decay * severity).sum()),
            "fatalities": float((decay * sub["fatalities"].astype(float)).sum()),
            "civilians": float(decay[civ.to_numpy(dtype=bool)].sum()),
            "diffusion": float(len(places)),
        }
        comp = {}
        for name in COMPONENTS:
            value, half = x[name], cfg.half_at[name]
            if name == "fatalities":
                value, half = math.log1p(value), math.log1p(half)
            comp[name] = 100 * (1 - 2 ** (-value / half))
        total = sum(cfg.weights.values())
        score = sum(cfg.weights[n] * comp[n] for n in COMPONENTS) / total
        scores[(area["area"], area["area_code"])] = round(score, 1)
    return pd.Series(scores)


def best_of(repeat: int, func: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    areas = load_admin1()
    cfg = load_risk_config()
    mali = areas[areas["iso3"] == "MLI"]
    print(f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPU(s), load average {load} (other work slows the timings)")
    print(f"{len(areas)} areas, as of {AS_OF.date()}, window {WINDOW} days; SYNTHETIC incidents")
    heads = ("incidents", "in window", "join s", "score s", "naive s", "ratio")
    print(" ".join(f"{h:>{w}}" for h, w in zip(heads, (10, 10, 8, 8, 8, 7), strict=True)))
    for n in sizes:
        incidents = synthetic_incidents(
            n, bounds=tuple(mali.total_bounds), start="2012-07-01", days=365
        )
        start = time.perf_counter()
        joined = join_areas(incidents, areas)
        join_s = time.perf_counter() - start
        fast_s, fast = best_of(args.repeat, score_areas, joined, areas, AS_OF, WINDOW, cfg)
        naive_s, naive = best_of(1, naive_scores, joined, areas, cfg)
        mine = fast.set_index(["area", "area_code"])["score"]
        diff = (mine - naive.reindex(mine.index)).abs().max()
        if diff > 0.1 + 1e-9:
            print(f"MISMATCH: vectorized and naive scores differ by up to {diff}", file=sys.stderr)
            return 1
        ages = (AS_OF - joined["event_date"]).dt.days
        in_window = int(((ages >= 0) & (ages < WINDOW) & (joined["area"] != "")).sum())
        print(
            f"{n:>10,} {in_window:>10,} {join_s:>8.2f} {fast_s:>8.3f} {naive_s:>8.2f} "
            f"{naive_s / fast_s:>6.0f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
