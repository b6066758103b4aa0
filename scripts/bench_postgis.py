"""What the PostGIS store costs at scale, against what a user would do instead.

Two measurements, each in this one run with the same inputs and repeats:

* **grid**: the grid mode's fine pass (incidents per 0.05-degree cell and
  event type, with coordinate and fatality sums) over 5,000,000 rows, done
  by the server (:meth:`geo.io.postgis.PostgisStore.grid_cells`, one SQL
  GROUP BY) against the strongest client-side path: pull only the four
  columns the grid needs with ``COPY`` into pandas and run
  :func:`geo.render.maps.grid.grid_aggregate`. Both answers are checked to
  agree cell by cell. The rows are SYNTHETIC points clustered around 40
  random centres over the Sahel, inserted by SQL (``generate_series``).
* **append**: 10,000 new rows (validate, dedupe, join, write) into a
  1,000,000-row store, on PostGIS and on the file store with its columnar
  copy (:mod:`geo.io.columnar`), three batches each. Building each store
  (validating, joining and measuring 1,000,000 rows once) and reading its
  prepared frame back (a cold start's read) are timed too.
  Rows come from :func:`geo.io.synthetic.synthetic_incidents` (SYNTHETIC).

* **cold**: cold start to first map at 1,000,000 rows on PostGIS, the
  measure ``python -m geo bench --cold-start`` takes for the file store
  (frame, areas, filter choices, risk, the map's HTML; each run in a fresh
  spawned process, imports done before the clock starts): the first read
  (:func:`geo.io.postgis_read.prepared_by_text`, pandas) against the block
  read through a replica's cache (:mod:`geo.io.postgis_cache`) with no
  cache, with the cache present, and after an append of 10,000 rows (the
  top-up). The same repeats for each; the frames are checked equal.

Needs a PostGIS: ``--url``, else ``GEO_TEST_DATABASE_URL``, else a
throw-away server from ``scripts/postgis_local.sh`` (stopped at the end).
It works in schemas ``bench_grid`` and ``bench_append``, dropped afterwards,
and a temporary folder; nothing is written to ``data/``. Figures go to
docs/performance.md ("The PostGIS store").

Run: python scripts/bench_postgis.py [--url URL] [--grid-rows 5000000]
         [--store-rows 1000000] [--append 10000] [--repeat 3] [--only grid|append|cold]
         [--reuse]  (cold: keep and reuse the bench_cold schema between runs)
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.io.backend import open_store  # noqa: E402
from geo.io.postgis import PostgisStore  # noqa: E402

# Synthetic rows straight into the incidents table: clustered points (Box-Muller
# around 40 centres, 20 % uniform), random types, days and tolls.
_FILL = """
SELECT setseed(0.42);
CREATE TEMPORARY TABLE centre AS
    SELECT k, 11 + 12 * random() AS clat, -11 + 15 * random() AS clon
    FROM generate_series(0, 39) k;
INSERT INTO incidents (row_no, event_id, event_type, fatalities, event_day, lat, lon,
                       loc_key, country_key, origin, src, geom)
SELECT g, 'SYN' || g, t, f, d, lat, lon, '', 'MLI', '', '',
       ST_SetSRID(ST_MakePoint(lon, lat), 4326)
FROM (
    SELECT g,
           (ARRAY['Battles', 'Explosions/Remote violence', 'Violence against civilians',
                  'Protests', 'Riots', 'Strategic developments']
           )[1 + floor(random() * 6)::int] AS t,
           floor(random() * 4)::int::text AS f,
           date '2012-01-01' + floor(random() * 730)::int AS d,
           CASE WHEN u < 0.2 THEN 10 + 14 * random()
                ELSE c.clat + 0.4 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())
           END AS lat,
           CASE WHEN u < 0.2 THEN -12 + 16 * random()
                ELSE c.clon + 0.4 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())
           END AS lon
    FROM (SELECT g, random() AS u, floor(random() * 40)::int AS k
          FROM generate_series(1, %(n)s) g) s
    JOIN centre c USING (k)
) rows;
ANALYZE incidents;
"""


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


def _fmt(times: list[float]) -> str:
    return f"best {min(times):.2f} s, median {statistics.median(times):.2f} s"


@contextmanager
def _database(url: str | None) -> Iterator[str]:
    given = url or os.environ.get("GEO_TEST_DATABASE_URL", "").strip()
    if given:
        yield given
        return
    env = dict(os.environ, GEO_PG_DIR=tempfile.mkdtemp(prefix="geo-bench-pg-", dir="/tmp"))
    script = str(ROOT / "scripts" / "postgis_local.sh")
    out = subprocess.run(["bash", script, "start"], env=env, check=True, capture_output=True)
    try:
        yield out.stdout.decode().strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", script, "stop"], env=env, check=False)


def _drop(db: PostgisStore) -> None:
    import psycopg

    with psycopg.connect(db.url) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{db.schema}" CASCADE')


def bench_grid(url: str, n: int, repeat: int, *, keep: bool = False) -> None:
    """Server-side grid cells against pulling four columns and aggregating in the app."""
    from geo.render.maps.grid import GRID_BASE_DEG, grid_aggregate

    db = PostgisStore(url, schema="bench_grid")
    _drop(db)
    t0 = time.perf_counter()
    with db.connect() as conn:
        db.ensure(conn)
        conn.execute(_FILL.replace("%(n)s", str(int(n))), prepare=False)
    print(f"grid: {n:,} synthetic rows loaded in {time.perf_counter() - t0:.0f} s")
    try:
        server_times, cells = _timed(db.grid_cells, repeat)
        one_year = _timed(
            lambda: db.grid_cells(start="2012-01-01", end="2012-12-31", event_types=["Battles"]),
            repeat,
        )[0]
        client_times, (agg, n_rows) = _timed(lambda: _client_grid(db, grid_aggregate), repeat)
        print(f"  server GROUP BY, all rows: {_fmt(server_times)}; {len(cells):,} cell rows sent")
        print(f"  server GROUP BY, Battles in 2012: {_fmt(one_year)}")
        print(
            f"  client: COPY 4 columns + grid_aggregate: {_fmt(client_times)}; {n_rows:,} rows sent"
        )
        print(f"  ratio (client / server, best): {min(client_times) / min(server_times):.1f}x")
        _check_grid(cells, agg, GRID_BASE_DEG)
    finally:
        if not keep:
            _drop(db)


def _client_grid(db: PostgisStore, grid_aggregate: Callable[..., Any]) -> tuple[Any, int]:
    buffer = io.BytesIO()
    with (
        db.connect() as conn,
        conn.cursor().copy(
            "COPY (SELECT lat, lon, event_type, fatalities FROM incidents) "
            "TO STDOUT WITH (FORMAT csv)"
        ) as stream,
    ):
        for block in stream:
            buffer.write(block)
    buffer.seek(0)
    frame = pd.read_csv(buffer, names=["lat", "lon", "type", "fatalities"])
    codes, uniques = pd.factorize(frame["type"])
    agg = grid_aggregate(
        frame["lat"].to_numpy(), frame["lon"].to_numpy(), codes, len(uniques),
        frame["fatalities"].to_numpy(), max_cells=10**9,
    )  # fmt: skip
    return agg, len(frame)


def _check_grid(cells: pd.DataFrame, agg: Any, base: float) -> None:
    """The server's fine cells and the client's finest grid hold the same counts."""
    if round(agg.cell_deg, 6) != round(base, 6):
        raise SystemExit(f"client grid is {agg.cell_deg} degrees, not {base}: cannot compare")
    per_cell = np.sort(cells["n"].to_numpy())
    if not np.array_equal(per_cell, np.sort(agg.total)):
        raise SystemExit("server and client grids disagree")
    print(f"  checked: {len(per_cell):,} occupied cells, the same counts on both sides")


def bench_append(url: str, n_store: int, n_new: int, repeat: int) -> None:
    """10,000 rows into 1,000,000 on PostGIS and on the file store with its columnar copy."""
    from geo.io.columnar import prepared_incidents
    from geo.io.store import to_csv_frame
    from geo.io.synthetic import synthetic_incidents

    base = to_csv_frame(synthetic_incidents(n_store, seed=1))
    batches = [
        # Dated after the store (2012-2013): the SQL duplicate check probes the
        # indexes for every row and finds only the batch's own duplicates.
        synthetic_incidents(n_new, seed=10 + k, start=f"{2014 + k}-01-01", days=365).assign(
            event_id=""
        )
        for k in range(repeat)
    ]
    db = open_store(url, schema="bench_append")
    _drop(db)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "incidents.csv"
        try:
            t_db = _timed(lambda: db.write_raw(base), 1)[0][0]
            t_file = _timed(lambda: _build_file(csv, base, prepared_incidents), 1)[0][0]
            print(f"append: building a {n_store:,}-row store (validate, join, border km, write): "
                  f"PostGIS {t_db:.1f} s, file + columnar copy {t_file:.1f} s")  # fmt: skip
            _bench_read(db, csv, repeat)
            for name, store in (("PostGIS", db), ("file + columnar copy", open_store(csv))):
                times, reports = [], []
                for batch in batches:
                    t0 = time.perf_counter()
                    reports.append(store.append(batch))
                    times.append(time.perf_counter() - t0)
                counts = ", ".join(f"{r.added} added / {r.duplicates} dup" for r in reports)
                print(f"  {name}: {n_new:,} rows into {n_store:,}: {_fmt(times)} ({counts})")
        finally:
            _drop(db)  # type: ignore[arg-type]


def _bench_read(db: Any, csv: Path, repeat: int) -> None:
    """Cold read of the prepared frame (typed rows with their stored join) on both backends."""
    from geo.io.columnar import prepared_incidents

    t_db, frame = _timed(db.read_prepared, repeat)
    t_file, _ = _timed(lambda: prepared_incidents(csv), repeat)
    print(f"  prepared frame of {len(frame):,} rows: PostGIS read_prepared {_fmt(t_db)}; "
          f"file columnar copy {_fmt(t_file)}")  # fmt: skip


def _build_file(csv: Path, text: pd.DataFrame, prepared_incidents: Callable[..., Any]) -> None:
    csv.write_text(text.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    prepared_incidents(csv)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--url", help="postgresql:// URL (default: GEO_TEST_DATABASE_URL or a local server)"
    )
    parser.add_argument("--grid-rows", type=int, default=5_000_000)
    parser.add_argument("--store-rows", type=int, default=1_000_000)
    parser.add_argument("--append", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["grid", "append", "cold"])
    parser.add_argument(
        "--reuse", action="store_true", help="cold: reuse (and keep) the bench_cold schema"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench_grid schema")
    args = parser.parse_args(argv)
    with _database(args.url) as url:
        if args.only in (None, "grid"):
            bench_grid(url, args.grid_rows, args.repeat, keep=args.keep)
        if args.only in (None, "append"):
            bench_append(url, args.store_rows, args.append, args.repeat)
        if args.only in (None, "cold"):
            from bench_postgis_cold import bench_cold

            bench_cold(url, args.store_rows, args.append, args.repeat, reuse=args.reuse)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
