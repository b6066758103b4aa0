"""Cold start and append timings of the file store, for ``python -m geo bench``.

For each size a SYNTHETIC store is written as CSV in a temporary folder
(never in ``data/``). Every measurement then runs in a fresh process (a
spawned child, its imports done before the clock starts), so each has the
memory of a cold app server and its peak RSS is its own:

- **CSV path**: what the app did before the columnar copy: read, validate
  and type the CSV, join to admin-1 areas, measure border distances;
- **first start with no copy**: the same, plus writing the copy;
- **columnar copy**: :func:`geo.io.columnar.prepared_incidents` from the copy;
- each path also to the **first map**: the app's areas and outlines, the
  filter choices, risk of every area and the dashboard map's HTML;
- **append** 10,000 new rows (validate, dedupe, join, write) with a copy
  (the stored rows are not read or checked again; only new rows are
  joined, and written as a part file of the copy), with the copy written
  whole as before part files, and without one (the store read and
  checked, the whole file rewritten);
- the **full join + border distance** of a store whose incidents are
  coded to one place in 50 (as reports are coded to towns): every row,
  and each distinct place once (:func:`geo.io.prepared_copy.prepare_rows`),
  checked equal.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["APPEND_ROWS", "bench_cold_start"]

APPEND_ROWS = 10_000
"""Rows appended in the append timing."""

ROWS_PER_PLACE = 50
"""In the full-join timing, incidents per distinct place (coordinates)."""


def _peak_mb() -> float:
    """This process's peak resident set so far, in MB."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent
    # into a spawned interpreter, so every child would report the bench's peak.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _first_map(prepared: Any) -> None:
    """What the app computes after the frame for its first map (without Streamlit)."""
    from geo import config
    from geo.analysis import filters, periods, pipeline
    from geo.analysis.risk import score_areas
    from geo.reference.boundaries import load_borders
    from geo.reference.gazetteer import load_gazetteer
    from geo.render.maps import build_map

    areas, outlines = pipeline.covered_areas_for(prepared)
    filters.filter_choices(prepared)
    filters.areas_by_country(prepared)
    _, last = periods.data_period(prepared)
    risk = score_areas(prepared, areas, last)
    towns = load_gazetteer().towns(iso3s=config.COVERED_ISO3)
    page = build_map(
        prepared, areas=areas, admin0=outlines, borders=load_borders(), towns=towns, risk=risk
    )
    page.get_root().render()


def _csv_path(path: str) -> dict[str, float]:
    from geo.analysis import pipeline
    from geo.io.store import read_incidents

    start = time.perf_counter()
    typed = read_incidents(path)
    read = time.perf_counter()
    areas, _ = pipeline.covered_areas_for(typed)
    prepared = pipeline.prepare(typed, areas=areas)
    joined = time.perf_counter()
    _first_map(prepared)
    return {
        "read": read - start,
        "join": joined - read,
        "frame": joined - start,
        "map": time.perf_counter() - start,
    }


def _copy_path(path: str) -> dict[str, float]:
    from geo.io.columnar import prepared_incidents

    start = time.perf_counter()
    prepared = prepared_incidents(path)
    frame = time.perf_counter()
    _first_map(prepared)
    return {"frame": frame - start, "map": time.perf_counter() - start}


def _build_copy(path: str) -> dict[str, float]:
    from geo.io.columnar import rebuild_copy

    start = time.perf_counter()
    rebuild_copy(path, progress=lambda _: None)
    return {"frame": time.perf_counter() - start}


def _append(path: str, seed: int, whole: bool = False) -> dict[str, float]:
    from geo.io import prepared_copy
    from geo.io.store import append_incidents
    from geo.io.synthetic import synthetic_incidents

    new = synthetic_incidents(APPEND_ROWS, seed=seed, start="2015-01-01").assign(event_id="")
    share = prepared_copy.COMPACT_SHARE
    if whole:  # the copy rewritten with every row, as before part files
        prepared_copy.COMPACT_SHARE = -1.0
    try:
        start = time.perf_counter()
        report = append_incidents(new, path)
        took = time.perf_counter() - start
    finally:
        prepared_copy.COMPACT_SHARE = share
    return {"append": took, "added": float(report.added)}


def _full_join(path: str) -> dict[str, float]:
    """Join + border distance of every row, against each distinct key once; checked equal."""
    import pandas as pd

    from geo.analysis import pipeline
    from geo.io.prepared_copy import KEY_COLUMNS, prepare_rows
    from geo.io.store import read_incidents

    typed = read_incidents(path)
    start = time.perf_counter()
    every = pipeline.prepare(typed, areas=pipeline.covered_areas_for(typed)[0])
    middle = time.perf_counter()
    distinct = prepare_rows(typed)
    end = time.perf_counter()
    pd.testing.assert_frame_equal(distinct, every)
    keys = len(typed[list(KEY_COLUMNS)].drop_duplicates())
    return {"every": middle - start, "distinct": end - middle, "keys": float(keys)}


def _child(step: Callable[..., dict[str, float]], *args: Any) -> dict[str, float]:
    """Run ``step`` in this (fresh) process after the heavy imports; its figures and RSS."""
    import geo.analysis.pipeline
    import geo.io.columnar
    import geo.render.maps  # noqa: F401  imported before the clock starts

    before = _peak_mb()
    out = step(*args)
    out.update(rss_start=before, rss_peak=_peak_mb())
    return out


def _in_fresh_process(step: Callable[..., dict[str, float]], *args: Any) -> dict[str, float]:
    with mp.get_context("spawn").Pool(1) as pool:
        result: dict[str, float] = pool.apply(_child, (step, *args))
    return result


def bench_cold_start(sizes: Sequence[int], seed: int = 0) -> list[dict[str, Any]]:
    """Time the cold start and an append at each size, print a table, return the rows."""
    from geo.io.prepared_copy import copy_path

    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="geo_bench_store_") as folder:
            store = Path(folder) / "incidents.csv"
            made = _write_store(store, n, seed)
            print(f"  cold start {n:>9,}: store written in {made:.1f} s", flush=True)
            row: dict[str, Any] = {"n": n, "size_mb": store.stat().st_size / 1e6}
            row["csv"] = _in_fresh_process(_csv_path, str(store))
            row["build"] = _in_fresh_process(_build_copy, str(store))
            row["copy"] = _in_fresh_process(_copy_path, str(store))
            row["append_copy"] = _in_fresh_process(_append, str(store), seed + 1)
            row["append_whole"] = _in_fresh_process(_append, str(store), seed + 11, True)
            copy_path(store).unlink()
            row["append_csv"] = _in_fresh_process(_append, str(store), seed + 2)
            _write_store(store, n, seed, places=max(1, n // ROWS_PER_PLACE))
            row["places"] = _in_fresh_process(_full_join, str(store))
            rows.append(row)
    _print(rows)
    return rows


def _write_store(store: Path, n: int, seed: int, places: int | None = None) -> float:
    import numpy as np

    from geo.io.store import to_csv_frame
    from geo.io.synthetic import synthetic_incidents

    start = time.perf_counter()
    frame = synthetic_incidents(n, seed=seed)
    if places is not None:  # every incident at one of the first rows' places
        pick = np.random.default_rng(seed).integers(0, places, n)
        frame = frame.assign(
            latitude=frame["latitude"].to_numpy()[pick],
            longitude=frame["longitude"].to_numpy()[pick],
        )
    text = to_csv_frame(frame).to_csv(index=False, lineterminator="\n")
    store.write_text(text, encoding="utf-8")
    return time.perf_counter() - start


def _print(rows: Sequence[dict[str, Any]]) -> None:
    print()
    print("Cold start of the file store, each step in a fresh process (one run each):")
    print("CSV path = read + validate + type + join + border distance, as before the copy;")
    print("first map = + areas, filter choices, risk of every area, the map's HTML.")
    print()
    print(
        "| incidents | CSV (MB) | CSV path: read+check (s) | CSV path: join+border (s) "
        "| CSV path: frame (s) | copy: frame (s) | frame ratio | CSV path: first map (s) "
        "| copy: first map (s) | peak RSS CSV path / copy (MB) "
        "| first start, building the copy (s) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        csv, copy = r["csv"], r["copy"]
        print(
            f"| {r['n']:,} | {r['size_mb']:.0f} | {csv['read']:.2f} | {csv['join']:.2f} "
            f"| {csv['frame']:.2f} | {copy['frame']:.2f} | {csv['frame'] / copy['frame']:.1f}x "
            f"| {csv['map']:.2f} | {copy['map']:.2f} "
            f"| {csv['rss_peak']:.0f} / {copy['rss_peak']:.0f} | {r['build']['frame']:.2f} |"
        )
    print()
    print(
        f"Appending {APPEND_ROWS:,} new rows: with the copy = validate the new rows, dedupe, "
        "join and measure the new rows, write; CSV only = read and validate the store, dedupe, "
        "write the whole file, and no join (the next start joins every row):"
    )
    print()
    print(
        "| store rows | with the copy, part file (s) | copy written whole (s) | CSV only (s) "
        "| ratio part / whole | peak RSS part / whole / CSV only (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        a, w, b = r["append_copy"], r["append_whole"], r["append_csv"]
        print(
            f"| {r['n']:,} | {a['append']:.2f} | {w['append']:.2f} | {b['append']:.2f} "
            f"| {w['append'] / a['append']:.1f}x "
            f"| {a['rss_peak']:.0f} / {w['rss_peak']:.0f} / {b['rss_peak']:.0f} |"
        )
    print()
    print(
        f"Full join + border distance of a store coded to one place per {ROWS_PER_PLACE} "
        "incidents: every row, and each distinct key once (results checked equal):"
    )
    print()
    print("| store rows | distinct keys | every row (s) | distinct keys once (s) | ratio |")
    print("|---:|---:|---:|---:|---:|")
    for r in rows:
        pl = r["places"]
        print(
            f"| {r['n']:,} | {pl['keys']:,.0f} | {pl['every']:.2f} | {pl['distinct']:.2f} "
            f"| {pl['every'] / pl['distinct']:.1f}x |"
        )
