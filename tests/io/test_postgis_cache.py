"""A replica's cache of a PostGIS store's prepared frame: never stale, never damaged.

Against a real PostGIS (tests/postgis_support.py); skipped with the reason
when there is none. Each replica is a PostgisStore with a cache folder of
its own.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.io import postgis_cache, postgis_read, store
from geo.io.postgis import PostgisStore
from tests.conftest import make_rows


def _rows(n: int, day: str = "2013-03-0", note: str = "row") -> pd.DataFrame:
    rows = pd.DataFrame(make_rows(n))
    return rows.assign(event_id="", event_date=[f"{day}{1 + i % 9}" for i in range(n)],
                       notes=[f"{note} {i}" for i in range(n)])  # fmt: skip


@pytest.fixture
def db(postgis_url: str, pg_schema: str) -> PostgisStore:
    made = PostgisStore(postgis_url, schema=pg_schema)
    made.write_raw(store.read_raw(store.config.INCIDENTS_CSV))
    return made


def _parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("part-*.parquet"))


def _cached(db: PostgisStore, tmp: Path) -> pd.DataFrame:
    frame = postgis_cache.prepared_incidents(db, cache_dir=tmp)
    postgis_cache.wait_for_writes()  # a whole-store read writes its cache in a thread
    return frame


def test_a_cold_read_fills_the_cache_and_a_warm_one_reads_it(db, tmp_path):
    folder = postgis_cache.cache_folder(db, tmp_path)
    cold = _cached(db, tmp_path)
    pd.testing.assert_frame_equal(cold, db.read_prepared(), check_exact=True)
    assert _parts(folder) == [f"part-{0:012d}-{len(cold):012d}.parquet"]
    assert folder.stat().st_mode & 0o077 == 0  # incident rows: the user's alone
    written = (folder / _parts(folder)[0]).stat().st_mtime_ns
    warm = _cached(db, tmp_path)
    pd.testing.assert_frame_equal(warm, cold, check_exact=True)
    assert (folder / _parts(folder)[0]).stat().st_mtime_ns == written


def test_after_an_append_only_the_new_rows_are_fetched_and_equal_a_fresh_read(
    db, tmp_path, monkeypatch
):
    # Both reads in two halves on one snapshot (postgis_read.PARALLEL_ROWS), as at scale.
    monkeypatch.setattr(postgis_read, "PARALLEL_ROWS", 2)
    folder = postgis_cache.cache_folder(db, tmp_path)
    before = _cached(db, tmp_path)
    assert db.append_incidents(_rows(4), dedupe_days=None, added_by="ana").added == 4
    topped = _cached(db, tmp_path)
    # The append brought a column (added_by): empty text on the rows before it.
    pd.testing.assert_frame_equal(topped, db.read_prepared(), check_exact=True)
    assert len(topped) == len(before) + 4 and "added_by" in topped.columns
    n = len(before)
    assert _parts(folder) == [f"part-{0:012d}-{n:012d}.parquet",
                              f"part-{n:012d}-{n + 4:012d}.parquet"]  # fmt: skip
    # Read again from the two parts alone: the same frame.
    pd.testing.assert_frame_equal(_cached(db, tmp_path), topped, check_exact=True)


def test_many_top_ups_are_written_again_as_one_part(db, tmp_path, monkeypatch):
    monkeypatch.setattr(postgis_cache, "_MAX_PARTS", 2)
    folder = postgis_cache.cache_folder(db, tmp_path)
    _cached(db, tmp_path)
    for k in range(2):
        db.append_incidents(_rows(2, note=f"batch {k}"), dedupe_days=None)
        _cached(db, tmp_path)
    # Three parts after the second top-up: more than two, so written again as one.
    assert len(_parts(folder)) == 1
    pd.testing.assert_frame_equal(_cached(db, tmp_path), db.read_prepared(), check_exact=True)


def test_two_replicas_with_their_own_caches_see_each_others_appends(db, tmp_path):
    a, b = PostgisStore(db.url, schema=db.schema), PostgisStore(db.url, schema=db.schema)
    cache_a, cache_b = tmp_path / "a", tmp_path / "b"
    _cached(a, cache_a), _cached(b, cache_b)
    a.append_incidents(_rows(2, note="from a"), dedupe_days=None)
    assert {"from a 0", "from a 1"} <= set(_cached(b, cache_b)["notes"])
    b.append_incidents(_rows(3, day="2013-04-0", note="from b"), dedupe_days=None)
    seen_by_a = _cached(a, cache_a)
    pd.testing.assert_frame_equal(seen_by_a, _cached(b, cache_b), check_exact=True)
    pd.testing.assert_frame_equal(seen_by_a, db.read_prepared(), check_exact=True)


def test_a_rewrite_drops_the_cache_and_the_store_is_read_whole(db, tmp_path):
    folder = postgis_cache.cache_folder(db, tmp_path)
    _cached(db, tmp_path)
    db.append_incidents(_rows(2), dedupe_days=None)
    _cached(db, tmp_path)
    # As many rows as before: the row numbers alone cannot tell the cache it is stale.
    fresh = _rows(18, note="rewritten").assign(event_id=[f"R{i}" for i in range(18)])
    db.write_raw(pd.concat([pd.DataFrame(make_rows(3)), fresh]))
    after = _cached(db, tmp_path)
    pd.testing.assert_frame_equal(after, db.read_prepared(), check_exact=True)
    assert "rewritten 0" in set(after["notes"])
    assert _parts(folder) == [f"part-{0:012d}-{len(after):012d}.parquet"]


def test_rows_changed_in_the_database_by_hand_are_never_served_stale(db, tmp_path):
    _cached(db, tmp_path)
    version = db.data_version()
    with db.connect() as conn:
        conn.execute("UPDATE incidents SET notes = 'edited in psql' WHERE row_no = 1")
    # A hand edit does not bump the version; the trigger's generation still tells.
    assert db.data_version() == version
    assert _cached(db, tmp_path)["notes"].iloc[0] == "edited in psql"


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty"])
def test_a_damaged_cache_file_is_ignored_and_rebuilt(db, tmp_path, damage):
    folder = postgis_cache.cache_folder(db, tmp_path)
    good = _cached(db, tmp_path)
    path = folder / _parts(folder)[0]
    data = bytearray(path.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "flipped":
        # Inside the first column's data page (after the 4-byte magic and page header).
        for i in range(64, 96):
            data[i] ^= 0xFF
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    pd.testing.assert_frame_equal(_cached(db, tmp_path), good, check_exact=True)
    rebuilt = folder / _parts(folder)[0]
    assert rebuilt.stat().st_size > 0 and rebuilt.read_bytes()[-4:] == b"PAR1"
    pd.testing.assert_frame_equal(_cached(db, tmp_path), good, check_exact=True)


def test_a_store_made_before_the_generation_marker_is_read_whole_after_a_change(db, tmp_path):
    with db.connect() as conn:
        conn.execute("DROP TRIGGER incidents_rewritten ON incidents")
        conn.execute("ALTER TABLE store_meta DROP COLUMN generation")
    folder = postgis_cache.cache_folder(db, tmp_path)
    first = _cached(db, tmp_path)
    pd.testing.assert_frame_equal(_cached(db, tmp_path), first, check_exact=True)
    db.append_incidents(_rows(2), dedupe_days=None)
    after = _cached(db, tmp_path)
    pd.testing.assert_frame_equal(after, db.read_prepared(), check_exact=True)
    # No top-up part: the store was read whole.
    assert _parts(folder) == [f"part-{0:012d}-{len(after):012d}.parquet"]


def test_a_cache_folder_that_cannot_be_written_still_gives_the_frame(db, tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    frame = postgis_cache.prepared_incidents(db, cache_dir=blocked)
    postgis_cache.wait_for_writes()
    pd.testing.assert_frame_equal(frame, db.read_prepared(), check_exact=True)


def test_a_store_with_no_tables_reads_as_empty(postgis_url, pg_schema, tmp_path):
    frame = _cached(PostgisStore(postgis_url, schema=pg_schema), tmp_path)
    assert len(frame) == 0 and "border_km" in frame.columns


def test_a_store_emptied_by_hand_reads_as_empty_and_keeps_no_cache(db, tmp_path):
    folder = postgis_cache.cache_folder(db, tmp_path)
    _cached(db, tmp_path)
    with db.connect() as conn:
        conn.execute("DELETE FROM incidents")
    frame = _cached(db, tmp_path)
    assert len(frame) == 0 and list(frame.columns) == list(db.read_prepared().columns)
    assert _parts(folder) == [f"part-{0:012d}-{19:012d}.parquet"]  # the old one, never served
    assert len(_cached(db, tmp_path)) == 0


def test_an_old_store_is_upgraded_when_opened_so_a_hand_edit_is_read_whole(
    db, tmp_path, monkeypatch
):
    import psycopg

    from geo.io import postgis

    # A store made before the generation marker: no column, no trigger, no function.
    with db.connect() as conn:
        conn.execute("DROP TRIGGER incidents_rewritten ON incidents")
        conn.execute("DROP FUNCTION geo_rows_rewritten()")
        conn.execute("ALTER TABLE store_meta DROP COLUMN generation")
    # A process that has not opened it yet (an app started after the upgrade of the code).
    monkeypatch.setattr(postgis, "_UPGRADED", set())
    opened = PostgisStore(db.url, schema=db.schema)
    folder = postgis_cache.cache_folder(opened, tmp_path)
    _cached(opened, tmp_path)
    assert (db.url, db.schema) in postgis._UPGRADED
    version = opened.data_version()
    with psycopg.connect(db.url) as conn:  # by hand, as in psql: no store code involved
        conn.execute(
            f'UPDATE "{db.schema}".incidents SET notes = %s WHERE row_no = 1', ("edited in psql",)
        )
    assert opened.data_version() == version
    after = _cached(opened, tmp_path)
    assert after["notes"].iloc[0] == "edited in psql"
    pd.testing.assert_frame_equal(after, opened.read_prepared(), check_exact=True)
    # Read whole, not topped up.
    assert _parts(folder) == [f"part-{0:012d}-{len(after):012d}.parquet"]


def test_opening_an_up_to_date_store_again_changes_nothing(db, monkeypatch):
    from geo.io import postgis

    monkeypatch.setattr(postgis, "_UPGRADED", set())
    with db.connect() as conn:
        before = conn.execute("SELECT generation, version FROM store_meta").fetchone()
    monkeypatch.setattr(postgis, "_UPGRADED", set())
    with db.connect() as conn:
        after = conn.execute("SELECT generation, version FROM store_meta").fetchone()
        triggers = conn.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'incidents'::regclass "
            "AND tgname = 'incidents_rewritten'"
        ).fetchone()
    assert after == before and triggers == (1,)


def test_a_schema_with_no_store_is_not_marked_up_to_date(postgis_url, pg_schema, monkeypatch):
    from geo.io import postgis

    monkeypatch.setattr(postgis, "_UPGRADED", set())
    assert PostgisStore(postgis_url, schema=pg_schema).data_version() == "0"
    assert not postgis._UPGRADED
