"""Time the "what changed" alerts on SYNTHETIC incidents (not real data).

``detect_alerts`` runs every rule over every area and week at once. It is
timed at a few sizes (incidents spread over 400 areas, 5 years, 60 actors),
and its spike rule is compared, on the same data and repeats, with what an
analyst would write in pandas: per area, weekly counts by ``resample``, a
shifted 12-week ``rolling`` mean and ``scipy.stats.poisson.sf``, in a
``groupby(...).apply``. Figures: docs/watch.md.

Run: python scripts/bench_watch.py [--sizes 10000,100000,1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.analysis.watch import WatchConfig, detect_alerts  # noqa: E402
from geo.analysis.watch.events import events  # noqa: E402
from geo.analysis.watch.rules import spike_alerts  # noqa: E402

AREAS = 400
DAYS = 5 * 365


def synthetic(n: int, seed: int = 13) -> pd.DataFrame:
    """``n`` incidents with an area, a day, two actors and fatalities."""
    rng = np.random.default_rng(seed)
    weight = rng.pareto(1.2, AREAS) + 0.05  # a few busy areas, many quiet ones
    area = rng.choice(AREAS, size=n, p=weight / weight.sum())
    return pd.DataFrame(
        {
            "event_id": [f"S{i:07d}" for i in range(n)],
            "event_date": pd.Timestamp("2015-01-01")
            + pd.to_timedelta(rng.integers(0, DAYS, n), unit="D"),
            "area": [f"Area {a}" for a in area],
            "area_iso3": "XXX",
            "iso3": "XXX",
            "country": "Synthetic",
            "actor1": [f"Group {a}" for a in rng.integers(0, 60, n)],
            "actor2": "",
            "fatalities": rng.negative_binomial(1, 0.4, n),
        }
    )


def pandas_spikes(joined: pd.DataFrame, config: WatchConfig) -> pd.DataFrame:
    """The spike rule as a per-area groupby-apply with resample, rolling and scipy."""
    from scipy.stats import poisson

    def one(group: pd.DataFrame) -> pd.DataFrame:
        weekly = group.set_index("event_date").resample("W-MON", label="left").size()
        base = weekly.rolling(config.baseline_weeks, min_periods=config.min_baseline_weeks).mean()
        rate = base.shift().clip(lower=config.baseline_floor)
        p = poisson.sf(weekly - 1, rate)
        fire = (weekly >= config.spike_min_count) & (p < config.spike_alpha)
        return pd.DataFrame({"count": weekly[fire], "p": p[fire.to_numpy()]})

    return joined.groupby("area").apply(one)


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    poisson = WatchConfig(spike_test="poisson")
    print("| incidents | all rules | spike rule (Poisson) | pandas groupby-apply | ratio |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for n in (int(s) for s in args.sizes.split(",")):
        joined = synthetic(n)
        frame = events(joined)
        last = frame["monday"].max()
        t_all = best(partial(detect_alerts, joined), args.repeat)
        t_spike = best(partial(spike_alerts, frame, poisson, last), args.repeat)
        t_pandas = best(partial(pandas_spikes, joined, poisson), args.repeat)
        print(
            f"| {n:,} | {t_all:.2f} s | {t_spike:.3f} s | {t_pandas:.3f} s "
            f"| {t_pandas / t_spike:.1f}x |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
