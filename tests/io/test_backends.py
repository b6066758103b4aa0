"""Store behaviour, on both backends: the CSV file and PostGIS (fixture in conftest.py).

Every test here runs twice, ``[file]`` and ``[postgis]``, and states what a
store must do whichever it is: read, append, skip duplicates, reject,
survive concurrent and killed writers, serve risk, and tell a second
reader (an app replica) that it changed.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from geo.analysis.pipeline import covered_areas_for
from geo.analysis.risk import score_areas
from geo.io import store
from geo.io.backend import FileStore, IncidentStore, open_store
from geo.io.prepared_copy import prepare_rows
from geo.model.schema import COLUMNS, IncidentFileError
from tests.conftest import make_rows

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "incidents.csv"


def _raw(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame(make_rows(n), columns=list(COLUMNS))


def _row(**changes: str) -> dict[str, str]:
    return dict(make_rows(1)[0], **changes)


def _new(*rows: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def _target(backend: IncidentStore) -> tuple[str, str]:
    """What a second process needs to open the same store: target and schema."""
    if isinstance(backend, FileStore):
        return str(backend.path), "public"
    return backend.url, backend.schema  # type: ignore[attr-defined]


def test_a_store_of_no_rows_reads_as_no_incidents(backend):
    assert backend.data_version() == "0"  # nothing written yet
    backend.write_raw(_raw().iloc[:0])
    assert len(backend.read()) == 0
    assert list(backend.read().columns) == list(COLUMNS)
    assert backend.data_version() != "0"


def test_reading_gives_what_the_file_reader_gives(backend):
    raw = store.read_raw(SHIPPED)
    backend.write_raw(raw)
    pd.testing.assert_frame_equal(backend.read_raw(), raw)
    pd.testing.assert_frame_equal(backend.read(), store.read_incidents(SHIPPED))


def test_prepared_read_holds_the_join_and_border_distance(backend):
    backend.write_raw(store.read_raw(SHIPPED))
    expected = prepare_rows(store.read_incidents(SHIPPED))
    pd.testing.assert_frame_equal(backend.read_prepared(), expected)


def test_append_numbers_new_rows_after_the_stored_ones(backend):
    backend.write_raw(_raw())
    before = backend.data_version()
    new = _new(
        _row(event_id="", event_date="2013-05-01"),
        _row(event_id="T1", event_date="2013-06-01", location="Tessalit",
             latitude="20.2", longitude="1.01", admin1="Kidal"),
    )  # fmt: skip
    report = backend.append(new)
    assert (report.added, report.duplicates, report.rejected) == (2, 0, 0)
    assert report.added_ids == ["GEO-000001", "GEO-000002"]
    assert report.renumbered == {"T1": "GEO-000002"}
    stored = backend.read()
    assert stored["event_id"].tolist() == ["T1", "T2", "T3", "GEO-000001", "GEO-000002"]
    assert stored.loc[0, "event_date"] == pd.Timestamp("2013-02-10")  # the old T1 is untouched
    assert backend.data_version() != before


def test_append_skips_duplicates_of_the_store_and_of_the_batch(backend):
    backend.write_raw(_raw())
    # T1: Battles in Gao on 2013-02-10. One day later and about 2 km away: a duplicate.
    near = _row(event_id="", event_date="2013-02-11", latitude="16.29", longitude="-0.03")
    far = _row(event_id="", location="Timbuktu", latitude="16.77", longitude="-3.0",
               admin1="Timbuktu")  # fmt: skip
    other_type = _row(event_id="", event_type="Protests", sub_event_type="Peaceful protest")
    again = dict(far, notes="the same clash, another report")
    report = backend.append(_new(near, far, other_type, again))
    assert (report.added, report.duplicates) == (2, 2)
    dups = report.duplicate_rows
    assert dups["row"].tolist() == [2, 5]
    assert dups["duplicate_of"].tolist() == ["T1", "incoming row 2"]
    assert dups["reason"].iloc[0].startswith("same event type, date within 1 day(s), within 2.")
    assert len(backend.read()) == 5


def test_append_skips_a_source_record_seen_before(backend):
    first = _row(event_id="", origin_id="acled:77", event_date="2014-03-03")
    assert backend.append(_new(first)).added == 1
    moved = dict(first, latitude="17.9", longitude="-0.5", location="Bourem", admin1="Gao")
    report = backend.append(_new(moved))
    assert report.added == 0
    assert report.duplicate_rows["reason"].tolist() == ["same source record (acled:77)"]
    assert report.duplicate_rows["duplicate_of"].tolist() == ["GEO-000001"]


def test_append_rejects_invalid_rows_and_writes_them_aside(backend, tmp_path):
    backend.write_raw(_raw())
    side = tmp_path / "rejected.csv"
    good = _row(event_id="", event_date="2013-08-01")
    bad = _row(event_id="", event_date="2013-08-02", latitude="95")
    report = backend.append(_new(good, bad), rejected_path=str(side))
    assert (report.added, report.rejected) == (1, 1)
    assert [(p.row, p.column) for p in report.problems] == [(3, "latitude")]
    assert store.read_raw(side)["latitude"].tolist() == ["95"]
    assert len(backend.read()) == 4


def test_writing_invalid_rows_changes_nothing(backend):
    backend.write_raw(_raw())
    version, before = backend.data_version(), backend.read_raw()
    broken = _raw().assign(fatalities=["3", "many", "0"])
    with pytest.raises(IncidentFileError) as err:
        backend.write_raw(broken)
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [(3, "fatalities", "many")]
    pd.testing.assert_frame_equal(backend.read_raw(), before)
    assert backend.data_version() == version


def _append_many(target: str, schema: str, tag: str, n: int, barrier: Any) -> None:
    writer = open_store(target, schema=schema)
    barrier.wait(60)
    for i in range(n):
        row = _row(
            event_id="",
            event_date=f"2014-0{1 + i % 9}-1{i % 9}",
            # Distinct points in Mali north of Gao (a point must lie in its country).
            latitude=f"{15.5 + i * 0.2:.2f}" if tag == "a" else f"{17.9 + i * 0.2:.2f}",
            notes=f"writer {tag} row {i}",
        )
        writer.append(_new(row), dedupe_days=None)


def test_concurrent_appends_from_two_processes_all_land(backend):
    backend.write_raw(_raw())
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    n = 6
    writers = [
        ctx.Process(target=_append_many, args=(*_target(backend), tag, n, barrier))
        for tag in ("a", "b")
    ]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=180)
        assert w.exitcode == 0
    stored = backend.read()
    assert len(stored) == 3 + 2 * n
    assert stored["event_id"].is_unique
    assert sorted(stored["event_id"])[:2] == ["GEO-000001", "GEO-000002"]
    assert {f"writer {t} row {i}" for t in "ab" for i in range(n)} <= set(stored["notes"])


def _append_and_hang_before_rename(target: str, ready: Any) -> None:
    """An append of the file store that stops with its new file written, before the rename."""
    import os

    def hang(src: str, dst: str) -> None:
        ready.set()
        time.sleep(600)

    os.replace = hang  # only in this child, which the test kills
    open_store(target).append(_new(*[_row(event_id="", event_date="2015-01-01")]))


def _append_rows(target: str, schema: str) -> None:
    rows = [_row(event_id="", event_date=f"2015-01-{d:02d}", notes=f"n{d}") for d in range(1, 29)]
    open_store(target, schema=schema).append(_new(*rows))


def _kill_file_writer(backend: IncidentStore) -> None:
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_append_and_hang_before_rename, args=(_target(backend)[0], ready))
    proc.start()
    assert ready.wait(120)
    proc.kill()
    proc.join(30)


def _kill_database_writer(backend: IncidentStore) -> None:
    """Hold the version row, so the writer stops at its last statement; kill it there."""
    import psycopg

    url, schema = _target(backend)
    with psycopg.connect(url) as blocker:
        blocker.execute(f'SELECT 1 FROM "{schema}".store_meta FOR UPDATE')
        proc = mp.get_context("spawn").Process(target=_append_rows, args=(url, schema))
        proc.start()
        deadline = time.monotonic() + 120
        with psycopg.connect(url, autocommit=True) as watcher:
            while time.monotonic() < deadline:
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE 'UPDATE store_meta%%'"
                ).fetchone()
                if waiting and waiting[0]:
                    break
                time.sleep(0.05)
            else:
                proc.kill()
                pytest.fail("the writer never reached its version update")
            # Its rows are inserted and uncommitted: nobody else sees them.
            assert len(open_store(url, schema=schema).read_raw()) == 3
        proc.kill()
        proc.join(30)
        blocker.rollback()


def test_a_writer_killed_mid_write_leaves_nothing_partial(backend):
    backend.write_raw(_raw())
    before, version = backend.read_raw(), backend.data_version()
    if isinstance(backend, FileStore):
        _kill_file_writer(backend)
    else:
        _kill_database_writer(backend)
    pd.testing.assert_frame_equal(backend.read_raw(), before)
    assert backend.data_version() == version
    # Nothing is left locked: the next append goes through.
    assert backend.append(_new(_row(event_id="", event_date="2016-01-01"))).added == 1


def test_risk_over_the_store_is_risk_over_its_rows(backend):
    backend.write_raw(store.read_raw(SHIPPED))
    expected_rows = prepare_rows(store.read_incidents(SHIPPED))
    areas, _ = covered_areas_for(expected_rows)
    got = score_areas(backend.read_prepared(), areas, as_of="2013-02-25")
    expected = score_areas(expected_rows, areas, as_of="2013-02-25")
    pd.testing.assert_frame_equal(got, expected)
    assert (got["score"] > 0).sum() >= 3


def test_a_second_replica_sees_the_first_ones_append(backend):
    backend.write_raw(_raw())
    target, schema = _target(backend)
    replica_a, replica_b = open_store(target, schema=schema), open_store(target, schema=schema)
    seen = replica_b.data_version()
    replica_a.append(_new(_row(event_id="", event_date="2013-09-09", notes="from replica a")))
    assert replica_b.data_version() != seen
    assert "from replica a" in set(replica_b.read()["notes"])
    seen = replica_b.data_version()
    replica_b.append(_new(_row(event_id="", event_date="2013-10-10", notes="from replica b")))
    assert replica_a.data_version() != seen
    assert replica_a.read()["notes"].tolist()[-2:] == ["from replica a", "from replica b"]


def test_a_duplicate_across_the_antimeridian_is_found(backend):
    # Two reports of one incident at sea 4 km apart, on either side of 180 degrees.
    at_sea = dict(country="Fiji", iso3="FJI", admin1="", at_sea="yes", latitude="-17.0")
    east = _row(event_id="", location="At sea A", longitude="179.98", **at_sea)
    west = _row(event_id="", location="At sea B", longitude="-179.98", **at_sea)
    assert backend.append(_new(east)).added == 1
    report = backend.append(_new(west))
    assert report.added == 0
    assert report.duplicate_rows["reason"].tolist() == [
        "same event type, date within 1 day(s), within 4.3 km"
    ]
