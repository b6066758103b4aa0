"""The audit trail (geo.io.audit): append-only, concurrent writers, audited appends."""

from __future__ import annotations

import json
import multiprocessing as mp
from pathlib import Path

import pandas as pd
import pytest

from geo.io import audit, export, store
from geo.model.schema import COLUMNS
from tests.conftest import make_rows


def _new(**changes: str) -> pd.DataFrame:
    return pd.DataFrame([dict(make_rows(1)[0], **changes)], columns=list(COLUMNS))


def test_the_log_sits_beside_the_store():
    assert audit.audit_path(Path("/srv/data/incidents.csv")) == Path(
        "/srv/data/incidents.audit.jsonl"
    )


def test_record_appends_one_json_line_and_never_rewrites(tmp_path):
    store_path = tmp_path / "incidents.csv"
    first = audit.record(
        store_path, who="ana@example.org", role="editor", action="import",
        source="acled.csv", event_ids=["GEO-000001"], detail={"added": 1},
    )  # fmt: skip
    log = audit.audit_path(store_path)
    before = log.read_bytes()
    audit.record(store_path, who="ben@example.org", role="admin", action="gazetteer.remove",
                 source="villages")  # fmt: skip
    after = log.read_bytes()
    assert after.startswith(before)  # the first entry is untouched, byte for byte
    lines = after.decode("utf-8").splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0]) == {
        "at": first.at,
        "who": "ana@example.org",
        "role": "editor",
        "action": "import",
        "source": "acled.csv",
        "event_ids": ["GEO-000001"],
        "detail": {"added": 1},
    }
    entries = audit.read_log(store_path).entries
    assert [e.who for e in entries] == ["ana@example.org", "ben@example.org"]
    assert entries[0] == first


def test_an_unknown_action_is_refused_and_nothing_written(tmp_path):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(tmp_path / "s.csv", who="a", role="admin", action="rewrite")
    assert not audit.audit_path(tmp_path / "s.csv").exists()


def test_reading_skips_a_torn_line_and_counts_it(tmp_path):
    store_path = tmp_path / "s.csv"
    audit.record(store_path, who="a", role="editor", action="append")
    with audit.audit_path(store_path).open("a", encoding="utf-8") as handle:
        handle.write('{"at": "2026-01-01T00:00:00+00:00", "who": "b"')  # a crash mid-write
    log = audit.read_log(store_path)
    assert [e.who for e in log.entries] == ["a"]
    assert log.unreadable == 1
    assert audit.read_log(tmp_path / "none.csv") == audit.AuditLog([])


def _write_many(args: tuple[str, int, int]) -> None:
    store_path, writer, count = args
    for k in range(count):
        audit.record(
            store_path, who=f"writer{writer}", role="editor", action="append",
            source=f"w{writer}-{k}", event_ids=[f"E{writer}-{k}"] * 50,  # long lines
        )  # fmt: skip


def test_concurrent_writers_all_land_whole(tmp_path):
    store_path = str(tmp_path / "incidents.csv")
    writers, each = 4, 25
    with mp.get_context("fork").Pool(writers) as pool:
        pool.map(_write_many, [(store_path, w, each) for w in range(writers)])
    log = audit.read_log(store_path)
    assert log.unreadable == 0
    assert len(log.entries) == writers * each
    assert {e.source for e in log.entries} == {
        f"w{w}-{k}" for w in range(writers) for k in range(each)
    }


def test_audited_append_stamps_rows_and_records_the_ids(tmp_path, incident_csv):
    report = audit.audited_append(
        _new(event_id="", event_date="2013-05-01", added_by="someone@else.org"),
        incident_csv,
        who="ed@example.org",
        role="editor",
        action="import",
        source="may.csv",
        file="may.csv",
    )
    assert report.added_ids == ["GEO-000001"]
    stored = store.read_incidents(incident_csv)
    new_row = stored[stored["event_id"] == "GEO-000001"].iloc[0]
    assert new_row["added_by"] == "ed@example.org"  # the file's own value is not kept
    [entry] = audit.read_log(incident_csv).entries
    assert new_row["added_at"] == entry.at
    assert (entry.who, entry.role, entry.action, entry.source) == (
        "ed@example.org", "editor", "import", "may.csv",
    )  # fmt: skip
    assert entry.event_ids == ("GEO-000001",)
    assert entry.detail == {"added": 1, "duplicates": 0, "rejected": 0}
    # Rows stored before keep empty audit cells.
    assert stored.loc[stored["event_id"] == "T1", "added_by"].tolist() == [""]


def test_an_append_that_adds_nothing_is_recorded_too(tmp_path, incident_csv):
    duplicate = _new(event_id="")  # the same incident as T1
    audit.audited_append(
        duplicate, incident_csv, who="ed", role="editor", action="append", source="report"
    )
    [entry] = audit.read_log(incident_csv).entries
    assert entry.event_ids == ()
    assert entry.detail["duplicates"] == 1


def test_exports_leave_the_audit_columns_out_unless_asked(tmp_path, incident_csv):
    audit.audited_append(
        _new(event_id="", event_date="2013-05-01"), incident_csv,
        who="ed@example.org", role="editor", action="import", source="may.csv",
    )  # fmt: skip
    stored = store.read_incidents(incident_csv)
    plain = export.incidents_table(stored)
    assert not set(audit.AUDIT_COLUMNS) & set(plain.columns)
    assert "added_by" not in export.to_csv_bytes(plain).decode("utf-8")
    assert "added_by" not in export.to_geojson(plain)
    asked = export.incidents_table(stored, audit=True)
    assert list(asked.columns[-2:]) == list(audit.AUDIT_COLUMNS)
    assert "ed@example.org" in asked["added_by"].tolist()


def test_log_table_is_newest_first_with_readable_actions(tmp_path):
    store_path = tmp_path / "s.csv"
    audit.record(store_path, who="a", role="editor", action="import", event_ids=["X1", "X2"])
    audit.record(store_path, who="b", role="admin", action="gazetteer.add", source="villages")
    table = audit.log_table(audit.read_log(store_path).entries)
    assert table["who"].tolist() == ["b", "a"]
    assert table["action"].tolist() == ["gazetteer loaded", "file imported"]
    assert table["event_ids"].tolist() == ["", "X1, X2"]
    assert table["events"].tolist() == [0, 2]
