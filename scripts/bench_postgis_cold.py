"""Cold start to first map on a PostGIS store, against the first read path, in one run.

Called by ``scripts/bench_postgis.py --only cold`` (see its docstring). Each
timing runs in a fresh spawned process with its imports done before the
clock starts, as ``python -m geo bench --cold-start`` times the file store,
and ends with the same first map (:func:`geo.cli.bench_store._first_map`:
areas and outlines, filter choices, risk of every area, the map's HTML).

Paths, each repeated the same number of times:

* **first read**: every row by ``COPY``, parsed by pandas and typed by
  ``coerce_frame`` (:func:`geo.io.postgis_read.prepared_by_text`), what
  ``read_prepared`` did before;
* **no cache**: the block read typed by pyarrow, through a replica's cache
  folder that is empty (so it also writes the cache);
* **warm replica**: the cache present and the store unchanged;
* **after an append**: another writer appended 10,000 rows since the cache
  was written; only those are fetched (the top-up).

The rows are SYNTHETIC (:func:`geo.io.synthetic.synthetic_incidents`, seed
1; appended batches dated 2014 on, seeds 20+).
"""

from __future__ import annotations

import multiprocessing as mp
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from geo.io.postgis import PostgisStore


def _first_read(url: str, schema: str, _cache: str) -> dict[str, float]:
    from geo.io import postgis_read
    from geo.io.postgis import PostgisStore

    db = PostgisStore(url, schema=schema)
    start = time.perf_counter()
    with db.connect() as conn:
        frame = postgis_read.prepared_by_text(conn, db.columns())
    return _then_map(frame, start)


def _through_cache(url: str, schema: str, cache: str) -> dict[str, float]:
    from geo.io import postgis_cache
    from geo.io.postgis import PostgisStore

    start = time.perf_counter()
    frame = postgis_cache.prepared_incidents(PostgisStore(url, schema=schema), cache_dir=cache)
    return _then_map(frame, start)


def _then_map(frame: pd.DataFrame, start: float) -> dict[str, float]:
    from geo.cli.bench_store import _first_map

    read = time.perf_counter()
    _first_map(frame)
    return {"frame": read - start, "map": time.perf_counter() - start, "rows": float(len(frame))}


def _child(step: Callable[..., dict[str, float]], *args: Any) -> dict[str, float]:
    # Imported before the clock starts, as the app has them loaded.
    import psycopg  # noqa: F401
    import pyarrow.csv  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    import geo.analysis.pipeline  # noqa: F401
    import geo.io.postgis_cache
    import geo.render.maps  # noqa: F401
    from geo.cli.bench_store import _peak_mb

    out = step(*args)
    out["rss_peak"] = _peak_mb()
    # The pool ends this process when the step returns: let a cache write finish first.
    geo.io.postgis_cache.wait_for_writes()
    return out


def _fresh(step: Callable[..., dict[str, float]], *args: Any) -> dict[str, float]:
    with mp.get_context("spawn").Pool(1) as pool:
        result: dict[str, float] = pool.apply(_child, (step, *args))
    return result


def _same_frames(url: str, schema: str, cache: str) -> None:
    """The cached (topped-up) frame equals a first read of the whole store, exactly."""
    from geo.io import postgis_cache, postgis_read
    from geo.io.postgis import PostgisStore

    db = PostgisStore(url, schema=schema)
    with db.connect() as conn:
        reference = postgis_read.prepared_by_text(conn, db.columns())
    cached = postgis_cache.prepared_incidents(db, cache_dir=cache)
    pd.testing.assert_frame_equal(cached, reference, check_exact=True)
    print(f"  checked: the cached frame equals the first read ({len(reference):,} rows)")


def _build(url: str, schema: str, n: int, reuse: bool) -> PostgisStore:
    from geo.io.postgis import PostgisStore
    from geo.io.store import to_csv_frame
    from geo.io.synthetic import synthetic_incidents

    db = PostgisStore(url, schema=schema)
    if reuse and db.data_version() != "0":
        print(f"cold: reusing schema {schema} ({db.data_version()=})")
        return db
    started = time.perf_counter()
    db.write_raw(to_csv_frame(synthetic_incidents(n, seed=1)))
    print(f"cold: {n:,}-row store written in {time.perf_counter() - started:.0f} s")
    return db


def _line(name: str, runs: list[dict[str, float]], base: list[dict[str, float]] | None) -> str:
    frame = [r["frame"] for r in runs]
    first = [r["map"] for r in runs]
    text = (
        f"  {name:<22} frame best {min(frame):5.2f} s median {statistics.median(frame):5.2f} s; "
        f"first map best {min(first):5.2f} s median {statistics.median(first):5.2f} s; "
        f"peak RSS {max(r['rss_peak'] for r in runs):,.0f} MB; {int(runs[0]['rows']):,} rows"
    )
    if base is not None:
        ratio = min(r["map"] for r in base) / min(first)
        text += f"; first map {ratio:.1f}x faster than the first read"
    return text


def bench_cold(url: str, n: int, n_new: int, repeat: int, *, reuse: bool = False) -> None:
    """Print cold start to first map on PostGIS: first read, no cache, warm, after an append."""
    from geo.io.synthetic import synthetic_incidents

    schema = "bench_cold"
    db = _build(url, schema, n, reuse)
    folder = Path(tempfile.mkdtemp(prefix="geo-bench-cache-"))
    with db.connect() as conn:
        row = conn.execute("SELECT max(row_no) FROM incidents").fetchone()
    stored = int(row[0]) if row and row[0] is not None else 0
    try:
        old, cold, warm = [], [], []
        for _ in range(repeat):
            shutil.rmtree(folder, ignore_errors=True)
            old.append(_fresh(_first_read, url, schema, str(folder)))
            cold.append(_fresh(_through_cache, url, schema, str(folder)))
            warm.append(_fresh(_through_cache, url, schema, str(folder)))
        topped = []
        for k in range(repeat):
            batch = synthetic_incidents(n_new, seed=20 + k, start=f"{2014 + k}-01-01", days=365)
            report = db.append_incidents(batch.assign(event_id=""), dedupe_days=None)
            topped.append(_fresh(_through_cache, url, schema, str(folder)))
            topped[-1]["added"] = float(report.added)
        print(f"cold start to first map on PostGIS, {n:,} rows, {repeat} runs each:")
        print(_line("first read (pandas)", old, None))
        print(_line("no cache (blocks)", cold, old))
        print(_line("warm replica (cache)", warm, old))
        print(_line(f"after +{n_new:,} (top-up)", topped, old))
        _same_frames(url, schema, str(folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if not reuse:
            _drop(db)
        else:  # the next run starts from the same rows
            with db.connect() as conn:
                conn.execute("DELETE FROM incidents WHERE row_no > %s", (stored,))


def _drop(db: Any) -> None:
    import psycopg

    with psycopg.connect(db.url) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{db.schema}" CASCADE')
