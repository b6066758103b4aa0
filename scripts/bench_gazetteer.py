"""Benchmark: bulk geocoding with ``lookup_many`` against a per-row loop.

Builds a column of ``--rows`` names (default 100,000) drawn from a few
hundred distinct spellings (GeoNames names of the covered countries, some
respelled, plus names that match nothing), with a country hint column, then
times:

* ``Gazetteer.lookup_many`` on the whole column;
* a naive ``[gaz.lookup(n, country=c) for n, c in ...]`` loop on a subset of
  ``--naive-rows`` rows, extrapolated linearly to the full column.

Also times ``load_gazetteer()``. Usage::

    python scripts/bench_gazetteer.py [--rows 100000] [--naive-rows 10000] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.reference.gazetteer import load_gazetteer  # noqa: E402


def make_names(rows: int, seed: int, gaz_places: pd.DataFrame) -> pd.DataFrame:
    """Names and country hints: ~400 distinct spellings, repeated to ``rows``."""
    rng = np.random.default_rng(seed)
    towns = gaz_places[gaz_places["source"] == "geonames"]
    picked = towns.sample(300, random_state=seed)
    names = picked["name"].tolist()
    countries = picked["iso3"].tolist()
    # Respellings the folding must absorb, and names nothing knows.
    names += [n.upper() + " " for n in names[:60]]
    countries += countries[:60]
    names += [f"Nowhere {i}" for i in range(40)]
    countries += ["MLI"] * 40
    pool = pd.DataFrame({"name": names, "country": countries})
    idx = rng.integers(0, len(pool), size=rows)
    return pool.iloc[idx].reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--naive-rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    gaz = load_gazetteer()
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    load_gazetteer()
    reload_s = time.perf_counter() - t0

    frame = make_names(args.rows, args.seed, gaz.places)
    distinct = frame.drop_duplicates().shape[0]

    t0 = time.perf_counter()
    bulk = gaz.lookup_many(frame["name"], country=frame["country"])
    bulk_s = time.perf_counter() - t0

    subset = frame.iloc[: args.naive_rows]
    t0 = time.perf_counter()
    pairs = zip(subset["name"], subset["country"], strict=True)
    naive = [gaz.lookup(n, country=c) for n, c in pairs]
    naive_subset_s = time.perf_counter() - t0
    naive_s = naive_subset_s * args.rows / len(subset)

    # The two must agree on the subset.
    agree = all(
        (r is None and not m) or (r is not None and m and r.latitude == lat)
        for r, m, lat in zip(
            naive,
            bulk["matched"].iloc[: len(subset)],
            bulk["latitude"].iloc[: len(subset)],
            strict=True,
        )
    )

    print(f"load_gazetteer: {load_s:.3f} s first call (incl. imports), {reload_s:.3f} s again")
    print(f"rows: {args.rows:,}; distinct (name, country): {distinct}")
    print(f"matched: {int(bulk['matched'].sum()):,} rows")
    print(f"lookup_many:  {bulk_s:.3f} s for {args.rows:,} rows")
    print(
        f"naive loop:   {naive_subset_s:.3f} s for {len(subset):,} rows "
        f"-> {naive_s:.2f} s extrapolated to {args.rows:,}"
    )
    print(f"ratio naive / lookup_many: {naive_s / bulk_s:.1f}x; results agree: {agree}")
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
