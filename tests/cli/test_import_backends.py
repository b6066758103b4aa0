"""``geo import``, ``geo store append`` and ``geo store migrate`` on both backends, audited.

Each test taking ``target`` runs on a CSV store and on a PostGIS store (a
schema of its own in the test database, tests/postgis_support.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import config
from geo.cli import main
from geo.io import audit
from geo.io.backend import IncidentStore, open_store
from geo.io.store import read_incidents

DATA = Path(__file__).resolve().parents[1] / "data"
ACLED = str(DATA / "ingest_acled.csv")


@pytest.fixture(params=["file", "postgis"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """A store as the command line names it: ``--into`` / ``--to`` and ``--schema``."""
    if request.param == "file":
        return str(tmp_path / "incidents.csv"), "public"
    return request.getfixturevalue("postgis_url"), request.getfixturevalue("pg_schema")


def _store(target: tuple[str, str]) -> IncidentStore:
    return open_store(target[0], schema=target[1])


def _import(target: tuple[str, str], tmp_path: Path, *more: str) -> int:
    rejected = str(tmp_path / "rejected.csv")
    return main(["import", "--format", "acled", ACLED, "--into", target[0],
                 "--schema", target[1], "--rejected", rejected, *more])  # fmt: skip


def test_import_adds_rows_and_one_audit_entry(target, tmp_path, capsys):
    assert _import(target, tmp_path) == 0
    out = capsys.readouterr().out
    assert "added: 3" in out and "rejected: 2" in out
    store = _store(target)
    assert store.read()["origin_id"].tolist() == [
        "acled:MLI9001", "acled:MLI9002", "acled:MLI9003",
    ]  # fmt: skip
    [entry] = audit.read_log(store).entries
    assert (entry.action, entry.source, entry.role) == ("import", "ingest_acled.csv", "operator")
    assert entry.who.startswith("cli:")
    assert entry.event_ids == ("MLI9001", "MLI9002", "MLI9003")
    assert entry.detail == {"added": 3, "duplicates": 0, "rejected": 2}
    assert len((tmp_path / "rejected.csv").read_text().splitlines()) == 3  # header + 2 rows


def test_a_refused_import_changes_nothing_and_logs_nothing(target, tmp_path, capsys):
    assert _import(target, tmp_path) == 0
    store = _store(target)
    before = (store.data_version(), store.read_raw(), audit.read_log(store).entries)
    broken = tmp_path / "broken.csv"
    broken.write_text("event_id_cnty,event_date\nMLI1,2013-02-01\n", encoding="utf-8")
    rejected = tmp_path / "refused.csv"
    code = main(["import", "--format", "acled", str(broken), "--into", target[0],
                 "--schema", target[1], "--rejected", str(rejected)])  # fmt: skip
    assert code == 1
    assert "ACLED column is missing from the header" in capsys.readouterr().err
    assert store.data_version() == before[0]
    assert store.read_raw().equals(before[1])
    assert audit.read_log(store).entries == before[2]
    assert not rejected.exists()


def test_the_configured_database_is_where_import_writes(
    postgis_url, pg_schema, tmp_path, monkeypatch, capsys
):
    csv = tmp_path / "incidents.csv"
    monkeypatch.setattr(config, "INCIDENTS_CSV", csv)
    monkeypatch.setattr(config, "DATABASE_URL", postgis_url)
    assert main(["import", "--format", "acled", ACLED, "--schema", pg_schema]) == 0
    store = open_store(postgis_url, schema=pg_schema)
    assert len(store.read()) == 3
    assert len(audit.read_log(store).entries) == 1
    assert not csv.exists()  # nothing went to the CSV
    # A database has no folder: its rejects go beside GEO_INCIDENTS.
    assert (tmp_path / "rejected.csv").exists()
    assert f"rejected rows written to {tmp_path / 'rejected.csv'}" in capsys.readouterr().out


def test_import_numbers_new_rows_in_the_stores_scheme(target, tmp_path, capsys):
    assert _import(target, tmp_path) == 0
    ucdp = str(DATA / "ingest_ucdp.csv")
    code = main(["import", "--format", "ucdp", ucdp, "--into", target[0], "--schema", target[1],
                 "--rejected", str(tmp_path / "r.csv")])  # fmt: skip
    assert code == 0
    # MLI9004 went to the UCDP row found to duplicate MLI9003 (ids come first).
    assert _store(target).read()["event_id"].tolist()[-2:] == ["MLI9005", "MLI9006"]


def test_store_append_is_in_the_audit_trail(target, tmp_path, raw_rows, capsys):
    rows = tmp_path / "new_rows.csv"
    raw_rows.to_csv(rows, index=False)
    code = main(["store", "append", str(rows), "--to", target[0], "--schema", target[1]])
    assert code == 0
    [entry] = audit.read_log(_store(target)).entries
    assert (entry.action, entry.source, entry.event_ids) == (
        "import", "new_rows.csv", ("T1", "T2", "T3"),
    )  # fmt: skip


def test_migrate_carries_the_audit_log_there_and_back(postgis_url, pg_schema, tmp_path, capsys):
    csv = tmp_path / "incidents.csv"
    assert _import((str(csv), "public"), tmp_path) == 0
    audit.record(csv, who="ana", role="editor", action="override", detail={"area": "Kidal"})
    entries = audit.read_log(csv).entries
    assert len(entries) == 2
    assert main(["store", "migrate", "--from", str(csv), "--to", postgis_url,
                 "--schema", pg_schema]) == 0  # fmt: skip
    assert "2 audit log entries copied" in capsys.readouterr().out
    assert audit.read_log(open_store(postgis_url, schema=pg_schema)).entries == entries
    back = tmp_path / "back" / "incidents.csv"
    back.parent.mkdir()
    assert main(["store", "migrate", "--from", postgis_url, "--schema", pg_schema,
                 "--to", str(back)]) == 0  # fmt: skip
    assert audit.read_log(back).entries == entries
    assert audit.audit_path(back).read_bytes() == audit.audit_path(csv).read_bytes()
    assert read_incidents(back).equals(read_incidents(csv))


def test_an_unreachable_database_appends_nothing_and_masks_the_password(tmp_path, capsys):
    # Port 1 on this machine refuses connections: a database that is down.
    url = "postgresql://geo:hunter2@127.0.0.1:1/geo"
    code = main(["import", "--format", "acled", ACLED, "--into", url,
                 "--rejected", str(tmp_path / "r.csv")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "nothing was appended" in err and "127.0.0.1:1" in err
    assert "hunter2" not in err
    assert not (tmp_path / "r.csv").exists()
