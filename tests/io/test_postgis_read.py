"""The fast read of a PostGIS store's prepared frame equals the first (reference) read exactly.

Against a real PostGIS (tests/postgis_support.py); skipped with the reason
when there is none.
"""

from __future__ import annotations

import pandas as pd

from geo.io import postgis_read, store
from geo.io.postgis import PostgisStore
from geo.io.store import to_csv_frame
from geo.io.synthetic import synthetic_incidents
from tests.conftest import make_rows


def _both(db: PostgisStore) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    with db.connect() as conn:
        columns = db.columns()
        old = postgis_read.prepared_by_text(conn, columns)
        new, last = postgis_read.prepared_by_blocks(conn, columns)
    return old, new, last


def _hostile() -> pd.DataFrame:
    """Valid rows whose text is awkward for CSV: quotes, commas, newlines, the NULL marker."""
    rows = make_rows(6)
    notes = ['said "no", then left', "line one\nline two", "\\N", "  padded  ", "", "é ü 中文 ,;"]
    for row, note in zip(rows, notes, strict=True):
        row["notes"] = note
    rows[0]["actor2"] = "\\N"
    rows[1]["fatalities"] = " 3 "
    out = pd.DataFrame(rows)
    out["fatalities_low"] = ["0", "", "", "", "", ""]
    out["analyst_tag"] = ["a,b", "", "\\N", " x ", '"q"', "z"]
    return out


def test_the_shipped_store_reads_the_same_both_ways(postgis_url, pg_schema):
    db = PostgisStore(postgis_url, schema=pg_schema)
    db.write_raw(store.read_raw(store.config.INCIDENTS_CSV))
    old, new, last = _both(db)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    assert last == len(old) > 0
    pd.testing.assert_frame_equal(db.read_prepared(), old, check_exact=True)


def test_synthetic_rows_read_the_same_both_ways(postgis_url, pg_schema):
    db = PostgisStore(postgis_url, schema=pg_schema)
    db.write_raw(to_csv_frame(synthetic_incidents(20_000, seed=3)))
    old, new, _ = _both(db)
    assert len(old) == 20_000
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    # Country-level rows have no area: no snap distance (NULL read back as NaN).
    assert new["area_snap_km"].isna().any() and new["area"].eq("").any()


def test_a_read_in_two_halves_on_one_snapshot_equals_one_read(postgis_url, pg_schema, monkeypatch):
    monkeypatch.setattr(postgis_read, "PARALLEL_ROWS", 2)
    db = PostgisStore(postgis_url, schema=pg_schema)
    db.write_raw(store.read_raw(store.config.INCIDENTS_CSV))
    with db.connect() as conn:
        columns = db.columns()
        old = postgis_read.prepared_by_text(conn, columns)
        halves, last = postgis_read.prepared_by_blocks(conn, columns, connect=db.connect)
        tail, _ = postgis_read.prepared_by_blocks(conn, columns, after=5, connect=db.connect)
    pd.testing.assert_frame_equal(halves, old, check_exact=True)
    pd.testing.assert_frame_equal(tail, old.iloc[5:].reset_index(drop=True), check_exact=True)
    assert last == len(old)
    pd.testing.assert_frame_equal(db.read_prepared(), old, check_exact=True)


def test_awkward_text_and_an_extra_column_read_the_same_both_ways(postgis_url, pg_schema):
    db = PostgisStore(postgis_url, schema=pg_schema)
    db.write_raw(_hostile())
    old, new, _ = _both(db)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    assert list(new["notes"])[:3] == ['said "no", then left', "line one\nline two", "\\N"]
    assert new["actor2"].iloc[0] == "\\N" and new["analyst_tag"].iloc[3] == " x "
    assert new["fatalities"].iloc[1] == 3 and pd.isna(new["fatalities_low"].iloc[2])


def test_a_cell_the_fast_casts_refuse_is_typed_the_reference_way(postgis_url, pg_schema):
    db = PostgisStore(postgis_url, schema=pg_schema)
    db.write_raw(pd.DataFrame(make_rows(3)))
    # Edited in the database by hand: not zero-padded, which pandas reads and Arrow's cast does not.
    with db.connect() as conn:
        conn.execute("UPDATE incidents SET event_date = '2013-2-5', fatalities = '1e1', "
                     "time_precision = 'Infinity' WHERE row_no = 2")  # fmt: skip
    old, new, _ = _both(db)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    assert new["event_date"].iloc[1] == pd.Timestamp("2013-02-05")
    assert new["fatalities"].iloc[1] == 10 and pd.isna(new["time_precision"].iloc[1])


def test_rows_after_a_row_number_and_an_empty_store(postgis_url, pg_schema):
    db = PostgisStore(postgis_url, schema=pg_schema)
    db.write_raw(pd.DataFrame(make_rows(3)))
    with db.connect() as conn:
        whole = postgis_read.prepared_by_text(conn, db.columns())
        tail, last = postgis_read.prepared_by_blocks(conn, db.columns(), after=1)
        none, same = postgis_read.prepared_by_blocks(conn, db.columns(), after=3)
    pd.testing.assert_frame_equal(tail, whole.iloc[1:].reset_index(drop=True), check_exact=True)
    assert last == 3 and same == 3 and len(none) == 0
    pd.testing.assert_frame_equal(none, whole.iloc[:0], check_exact=True, check_index_type=False)


def test_a_store_with_no_tables_reads_as_empty(postgis_url, pg_schema):
    frame = PostgisStore(postgis_url, schema=pg_schema).read_prepared()
    assert len(frame) == 0 and "border_km" in frame.columns
