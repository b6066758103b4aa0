"""The audit trail on both backends (geo.io.audit over geo.io.postgis_audit).

Every test taking ``backend`` runs on the CSV file (the JSONL log beside it)
and on PostGIS (the ``audit_log`` table, written in the append's own
transaction). The failure tests break a real transaction with a real
constraint or trigger: the database is never mocked.
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from geo.io import audit
from geo.io.backend import FileStore, IncidentStore, open_store
from geo.model.schema import COLUMNS
from tests.conftest import make_rows


def _raw(ids: tuple[str, ...] = ("T1", "T2", "T3")) -> pd.DataFrame:
    return pd.DataFrame(make_rows(len(ids)), columns=list(COLUMNS)).assign(event_id=list(ids))


def _new(**changes: str) -> pd.DataFrame:
    return pd.DataFrame([dict(make_rows(1)[0], **changes)])


def _append(store: IncidentStore, rows: pd.DataFrame, **options: object) -> audit.AppendReport:
    return audit.audited_append(
        rows, store, who="ana@example.org", role="editor", action="append",
        source="report.txt", dedupe_days=None, **options,
    )  # fmt: skip


def _sql(store: IncidentStore, *statements: str) -> None:
    import psycopg

    with psycopg.connect(store.url) as conn:  # type: ignore[attr-defined]
        conn.execute(f'SET search_path TO "{store.schema}", public')  # type: ignore[attr-defined]
        for statement in statements:
            conn.execute(statement)


def test_an_audited_append_stores_rows_and_one_entry_naming_them(backend):
    backend.write_raw(_raw())
    report = _append(backend, _new(event_id="", event_date="2013-05-01"))
    assert (report.added, report.duplicates, report.rejected) == (1, 0, 0)
    assert report.added_ids == ["GEO-000001"]
    stored = backend.read_raw()
    assert stored["added_by"].tolist() == ["", "", "", "ana@example.org"]
    [entry] = audit.read_log(backend).entries
    assert (entry.who, entry.role, entry.action, entry.source) == (
        "ana@example.org", "editor", "append", "report.txt",
    )  # fmt: skip
    assert entry.event_ids == ("GEO-000001",)
    assert entry.detail == {"added": 1, "duplicates": 0, "rejected": 0}
    assert stored["added_at"].iloc[-1] == entry.at


def test_the_log_is_kept_with_the_store(backend):
    _append(backend, _raw())
    if isinstance(backend, FileStore):
        assert audit.audit_path(backend.path).exists()
        assert audit.log_location(backend).endswith("incidents.audit.jsonl")
    else:
        assert audit.log_location(backend).startswith("table audit_log in postgresql://")
        # The same log whether the store is named by object or by URL and schema.
        again = open_store(backend.url, schema=backend.schema)
        assert audit.read_log(again).entries == audit.read_log(backend).entries


def test_an_append_that_adds_nothing_is_recorded_with_its_rejections(backend):
    backend.write_raw(_raw())
    report = _append(backend, _new(event_id="", latitude="sixteen"))
    assert (report.added, report.rejected) == (0, 1)
    [entry] = audit.read_log(backend).entries
    assert entry.event_ids == ()
    assert entry.detail == {"added": 0, "duplicates": 0, "rejected": 1}
    assert len(backend.read_raw()) == 3


def test_record_and_read_give_the_same_entries_on_both_backends(backend):
    first = audit.record(backend, who="a", role="admin", action="sites.add", source="s.kml",
                         detail={"sites": 2, "names": ["Gao", "Kidal"]})  # fmt: skip
    second = audit.record(backend, who="cli:op", role="operator", action="override",
                          event_ids=["X1", "X2"])  # fmt: skip
    log = audit.read_log(backend)
    assert log.entries == [first, second] and log.unreadable == 0
    table = audit.log_table(log.entries)
    assert table["action"].tolist() == ["analyst override changed", "team sites added"]


def test_an_unknown_action_appends_nothing_and_logs_nothing(backend):
    backend.write_raw(_raw())
    before = backend.data_version()
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.audited_append(_new(event_id=""), backend, who="a", role="admin",
                             action="rewrite", source="x")  # fmt: skip
    assert backend.data_version() == before
    assert audit.read_log(backend).entries == []


def test_blank_ids_follow_the_stores_own_scheme(backend):
    backend.write_raw(_raw(("MLI0001", "MLI0007", "DZA0001")))
    new = pd.concat(
        [_new(event_id="", event_date="2013-05-01"), _new(event_id="", event_date="2013-05-09")]
    )
    report = _append(backend, new)
    assert report.added_ids == ["MLI0008", "MLI0009"]
    assert audit.read_log(backend).entries[0].event_ids == ("MLI0008", "MLI0009")


@pytest.mark.parametrize(
    "ids",
    [
        ("MLI0001", "MLI0041", "DZA001", "X1", "NER00009", "MLI0007"),
        ("MLI0001", "GEO-000001", "GEO-000002", "T4", "DZA0003", "MLI12"),  # not the scheme
    ],
)
def test_new_ids_are_those_the_whole_id_column_would_give(backend, ids):
    from geo.io.extract import store_style_ids

    backend.write_raw(_raw(ids))
    new = pd.DataFrame({"event_id": ["", "", "", "", "K9"],
                        "iso3": ["MLI", "DZA", "NER", "BFA", "MLI"]})  # fmt: skip
    expected = store_style_ids(new, pd.Series(ids, dtype="string"))
    got = store_style_ids(new, audit._scheme_ids(backend))
    pd.testing.assert_series_equal(got, expected)


def test_ids_too_long_for_int64_are_numbered_on_all_the_same(backend):
    backend.write_raw(_raw(("MLI" + "9" * 20, "MLI0002", "T3")))
    report = _append(backend, _new(event_id="", event_date="2013-05-01"))
    assert report.added_ids == ["MLI1" + "0" * 20]


def test_the_log_travels_both_ways_once(backend, tmp_path: Path):
    csv = FileStore(tmp_path / "elsewhere" / "incidents.csv")
    csv.path.parent.mkdir()
    audit.record(csv, who="a", role="admin", action="import", source="acled.csv",
                 event_ids=["T1"], detail={"added": 1})  # fmt: skip
    audit.record(csv, who="b", role="editor", action="append", source="r.txt")
    assert audit.copy_log(csv, backend) == 2
    assert audit.read_log(backend).entries == audit.read_log(csv).entries
    # Back again: nothing is written twice; a newer entry of the target goes across.
    audit.record(backend, who="c", role="editor", action="delete", event_ids=["T1"])
    assert audit.copy_log(backend, csv) == 1
    assert audit.copy_log(csv, backend) == 0
    assert audit.read_log(backend).entries == audit.read_log(csv).entries


def _audited_many(target: str, schema: str, who: str, n: int, barrier: Any) -> None:
    store = open_store(target, schema=schema)
    barrier.wait(60)
    for i in range(n):
        # Distinct points in Mali north of Gao, so none is a duplicate of another.
        lat = 15.5 + i * 0.2 if who == "a" else 17.9 + i * 0.2
        row = _new(event_id="", event_date=f"2014-0{1 + i}-10", latitude=f"{lat:.2f}")
        audit.audited_append(row, store, who=who, role="editor", action="append",
                             source=f"{who}.txt", dedupe_days=None)  # fmt: skip


def test_concurrent_audited_appends_keep_rows_and_entries_in_step(backend):
    # The store numbers blank ids under its lock (in its transaction on PostGIS): two
    # writers racing get consecutive ids in the store's scheme, never the same MLI id
    # with one of them renumbered GEO-, and each entry names the ids stored.
    backend.write_raw(_raw(("MLI0001", "MLI0007", "DZA0001")))
    if isinstance(backend, FileStore):
        target = (str(backend.path), "public")
    else:
        target = (backend.url, backend.schema)
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    n = 4
    writers = [ctx.Process(target=_audited_many, args=(*target, who, n, barrier)) for who in "ab"]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=180)
        assert w.exitcode == 0
    stored = backend.read_raw()
    assert len(stored) == 3 + 2 * n and stored["event_id"].is_unique
    entries = audit.read_log(backend).entries
    assert len(entries) == 2 * n
    for who in "ab":
        logged = [i for e in entries if e.who == who for i in e.event_ids]
        assert sorted(logged) == sorted(stored.loc[stored["added_by"] == who, "event_id"])
        assert all(len(e.event_ids) == 1 for e in entries if e.who == who)
    added = stored["event_id"].iloc[3:]
    # No duplicates to skip here, so no gaps: MLI0008 to MLI0015, one scheme.
    assert sorted(added) == [f"MLI{k:04d}" for k in range(8, 8 + 2 * n)]
    assert not stored["event_id"].str.startswith("GEO-").any()
    assert all(not e.detail.get("renumbered") for e in entries)


# --- PostGIS only: one transaction, append-only -----------------------------


@pytest.fixture
def database(postgis_url: str, pg_schema: str) -> IncidentStore:
    store = open_store(postgis_url, schema=pg_schema)
    store.write_raw(_raw())
    _append(store, _new(event_id="", event_date="2013-05-01"))  # creates audit_log
    return store


def _state(store: IncidentStore) -> tuple[str, int, int]:
    return store.data_version(), len(store.read_raw()), len(audit.read_log(store).entries)


def test_an_entry_that_cannot_be_written_takes_its_rows_with_it(database):
    import psycopg

    before = _state(database)
    _sql(database, "ALTER TABLE audit_log ADD CONSTRAINT no_bad CHECK (source <> 'bad.csv')")
    with pytest.raises(psycopg.errors.CheckViolation):
        audit.audited_append(_new(event_id="", event_date="2013-06-01"), database, who="a",
                             role="editor", action="import", source="bad.csv")  # fmt: skip
    assert _state(database) == before  # the rows were inserted, then rolled back


def test_rows_that_cannot_be_stored_leave_no_entry(database):
    import psycopg

    before = _state(database)
    _sql(
        database,
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'disk full' USING ERRCODE = 'disk_full'; END $$",
        "CREATE TRIGGER refuse BEFORE INSERT ON incidents FOR EACH ROW EXECUTE FUNCTION refuse()",
    )
    with pytest.raises(psycopg.errors.DiskFull):
        _append(database, _new(event_id="", event_date="2013-06-01"))
    assert _state(database) == before


def test_the_audit_table_refuses_updates_deletes_and_truncation(database):
    import psycopg

    for statement in (
        "UPDATE audit_log SET who = 'someone else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            _sql(database, statement)
    assert audit.read_log(database).entries[0].who == "ana@example.org"
