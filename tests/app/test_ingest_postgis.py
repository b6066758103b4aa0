"""The Ingest and Audit pages on a PostGIS store (GEO_DATABASE_URL), driven with AppTest.

Appends land in the database with their audit entry (never in the CSV), the
Audit page reads the database's log, and the page numbers new rows exactly
as ``python -m geo import`` does on the same store.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import config
from geo.cli import main
from geo.io import audit
from geo.io.backend import open_store
from tests.app.test_app_postgis import database  # noqa: F401 - the fixture
from tests.app.test_auth_pages import _signed_in

ROOT = Path(__file__).resolve().parents[2]
INGEST = str(ROOT / "views" / "ingest.py")
AUDIT = str(ROOT / "views" / "audit.py")
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def configured(database, tmp_path, monkeypatch, raw_rows):  # noqa: F811 - the fixture
    """The app pointed at a database holding the test rows; the CSV setting names no file."""
    open_store(database).write_raw(raw_rows.assign(event_id=["MLI0001", "MLI0007", "DZA0001"]))
    monkeypatch.setattr(config, "DATABASE_URL", database)
    monkeypatch.setattr(config, "INCIDENTS_CSV", tmp_path / "incidents.csv")
    return database


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def _append_first_candidate(at: AppTest) -> AppTest:
    at.text_area(key="ingest_report_text").set_value(
        (DATA / "ingest_report.txt").read_text(encoding="utf-8")
    )
    at.date_input(key="ingest_post_date").set_value(dt.date(2013, 3, 6))
    _button(_run(at), "ingest_extract").click()
    [editor] = _run(at).data_editor
    assert editor.key is not None
    at.session_state[editor.key] = {
        "edited_rows": {0: {"accept": True, "fatalities": 6}},
        "added_rows": [],
        "deleted_rows": [],
    }
    _button(_run(at), "ingest_append_candidates").click()
    return _run(at)


def test_reviewed_candidates_land_in_the_database_with_their_entry(configured, tmp_path):
    at = _run(AppTest.from_file(INGEST, default_timeout=90))
    assert "postgresql://" in " ".join(c.value for c in at.caption)  # an admin sees where
    _append_first_candidate(at)
    stored = open_store(configured).read()
    assert len(stored) == 4
    new = stored.iloc[-1]
    assert (new["event_id"], new["location"], new["fatalities"]) == ("MLI0008", "Ménaka", 6)
    assert any("1 added" in s.value for s in at.success)
    [entry] = audit.read_log(configured).entries
    assert (entry.action, entry.event_ids, entry.source) == (
        "append", ("MLI0008",), "pasted report",
    )  # fmt: skip
    assert new["added_at"] == entry.at
    assert list(tmp_path.iterdir()) == []  # no CSV, no JSONL log, no lock file

    shown = _run(AppTest.from_file(AUDIT, default_timeout=60))
    table = shown.dataframe[0].value
    assert table["event_ids"].tolist() == ["MLI0008"]
    settings = shown.dataframe[1].value.set_index("setting")["value"]
    assert settings["Audit log"].startswith("table audit_log in postgresql://")


def test_the_page_and_the_command_line_number_new_rows_alike(
    configured, pg_schema, tmp_path, capsys
):
    # A twin of the app's store, in another schema of the same database.
    twin = open_store(configured, schema=pg_schema)
    twin.write_raw(open_store(configured).read_raw())
    ucdp = DATA / "ingest_ucdp.csv"
    code = main(["import", "--format", "ucdp", str(ucdp), "--into", configured,
                 "--schema", pg_schema, "--rejected", str(tmp_path / "r.csv")])  # fmt: skip
    assert code == 0

    at = _run(AppTest.from_file(INGEST, default_timeout=90))
    at.file_uploader(key="ingest_data_file").set_value(
        ("ingest_ucdp.csv", ucdp.read_bytes(), "text/csv")
    )
    at.selectbox(key="ingest_format").set_value("ucdp")
    _button(_run(at), "ingest_check").click()
    _button(_run(at), "ingest_append_file").click()
    _run(at)

    by_app, by_cli = open_store(configured).read(), twin.read()
    assert len(by_app) > 3
    pd.testing.assert_series_equal(by_app["event_id"], by_cli["event_id"])
    assert by_app["event_id"].iloc[3:].str.match(r"^MLI\d{4}$").all()
    assert audit.read_log(configured).entries[0].event_ids == tuple(by_app["event_id"].iloc[3:])
    # The page's rejects go where the command line's default puts them for a database.
    assert (tmp_path / "rejected.csv").exists()


def test_an_editor_is_told_the_team_database_not_its_address(configured):
    at = _run(_signed_in(AppTest.from_file(INGEST, default_timeout=90), "eddie"))
    _append_first_candidate(at)
    shown = " ".join(str(e.value) for e in [*at.caption, *at.success, *at.markdown])
    assert "the team database" in shown
    assert "postgresql://" not in shown and "127.0.0.1" not in shown
    # Markdown-escaped, as all text about the store is.
    assert [s.value for s in at.success] == [
        "the team database\\: 1 added, 0 skipped as duplicates, 0 rejected"
    ]
    [entry] = audit.read_log(configured).entries
    assert (entry.who, entry.role) == ("eddie@example.org", "editor")
