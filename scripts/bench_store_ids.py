"""What numbering new rows in the store's scheme costs an append, on both backends.

An audited append (:func:`geo.io.audit.audited_append`: the Ingest page,
``python -m geo import``, ``store append``) gives rows without an id their
country's next one (MLI0042 after MLI0041, :func:`geo.io.extract.store_style_ids`).
Measured here, same inputs and repeats, best of ``--repeat``:

* **all ids**: what the Ingest page did before: read every stored id (the
  CSV's column; on PostGIS every ``event_id`` fetched) and pass the column to
  ``store_style_ids``;
* **counted**: the counting the store now does inside its lock or
  transaction when an audited append passes ``number_in_scheme=True``
  (:mod:`geo.io.numbering`; here through ``geo.io.audit._scheme_ids``):
  count the scheme, digits and highest number per country (by the server on
  PostGIS, with Arrow string kernels on a file) and pass one id per country.

Both give the same ids (checked). The stored ids are SYNTHETIC: ``--rows``
ids of four countries, ``MLI0000001`` onwards; the new rows are 10,000 rows
without an id. PostGIS: ``--url``, else ``GEO_TEST_DATABASE_URL``; without
either only the file store is measured. The database part works in a schema
``bench_ids`` (a one-column ``incidents`` table), dropped afterwards.

Run: python scripts/bench_store_ids.py [--url URL] [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.io import audit  # noqa: E402
from geo.io.backend import open_store  # noqa: E402
from geo.io.extract.records import store_style_ids  # noqa: E402

CODES = ("MLI", "NER", "BFA", "DZA")


def _best(step: Callable[[], pd.Series], repeat: int) -> tuple[float, pd.Series]:
    times, out = [], pd.Series([], dtype="string")
    for _ in range(repeat):
        start = time.perf_counter()
        out = step()
        times.append(time.perf_counter() - start)
    return min(times), out


def _report(name: str, runs: dict[str, tuple[float, pd.Series]]) -> None:
    (before, old), (after, new) = runs["all ids"], runs["counted"]
    assert old.equals(new), f"{name}: the two ways number differently"
    print(f"{name:8} all ids {before:6.2f} s   counted {after:6.2f} s   {before / after:4.1f}x")


def _file(ids: list[str], new: pd.DataFrame, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "incidents.csv"
        pd.DataFrame({"event_id": ids, "note": "x"}).to_csv(path, index=False)
        store = open_store(path)

        def all_ids() -> pd.Series:
            column = pd.read_csv(path, usecols=["event_id"], dtype="string")["event_id"]
            return store_style_ids(new, column)

        _report("file", {
            "all ids": _best(all_ids, repeat),
            "counted": _best(lambda: store_style_ids(new, audit._scheme_ids(store)), repeat),
        })  # fmt: skip


def _postgis(url: str, rows: int, new: pd.DataFrame, repeat: int) -> None:
    import psycopg

    store = open_store(url, schema="bench_ids")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS bench_ids CASCADE")
        conn.execute("CREATE SCHEMA bench_ids")
        conn.execute(
            "CREATE TABLE bench_ids.incidents AS SELECT g AS row_no, "
            "(ARRAY['MLI','NER','BFA','DZA'])[1 + g %% 4] || lpad(g::text, 7, '0') AS event_id "
            "FROM generate_series(1, %s) g",
            (rows,),
        )
    try:
        with psycopg.connect(url) as conn:
            conn.execute("SET search_path TO bench_ids, public")

            def all_ids() -> pd.Series:
                fetched = conn.execute("SELECT event_id FROM incidents ORDER BY row_no").fetchall()
                return store_style_ids(new, pd.Series([r[0] for r in fetched], dtype="string"))

            first = _best(all_ids, repeat)
        counted = _best(lambda: store_style_ids(new, audit._scheme_ids(store)), repeat)
        _report("PostGIS", {"all ids": first, "counted": counted})
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS bench_ids CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("GEO_TEST_DATABASE_URL", ""))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ids = [f"{CODES[k % 4]}{k:07d}" for k in range(1, args.rows + 1)]
    new = pd.DataFrame({"event_id": [""] * 10_000, "iso3": list(CODES) * 2_500})
    print(f"{args.rows:,} stored ids, 10,000 new rows, best of {args.repeat}")
    _file(ids, new, args.repeat)
    if args.url:
        _postgis(args.url, args.rows, new, args.repeat)
    else:
        print("PostGIS: no --url or GEO_TEST_DATABASE_URL; not measured")


if __name__ == "__main__":
    main()
