"""The Ingest page (views/ingest.py) driven with Streamlit's AppTest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import config
from geo.io.store import read_incidents

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "views" / "ingest.py")
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def store(tmp_path, monkeypatch, incident_csv) -> Path:
    monkeypatch.setattr(config, "INCIDENTS_CSV", incident_csv)
    return incident_csv


def _page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def _button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def test_report_to_reviewed_candidates_to_store(store):
    before = store.read_bytes()
    at = _page()
    at.text_area(key="ingest_report_text").set_value(
        (DATA / "ingest_report.txt").read_text(encoding="utf-8")
    )
    at.date_input(key="ingest_post_date").set_value(dt.date(2013, 3, 6))
    _button(at, "ingest_extract").click()
    at.run()
    assert not at.exception
    [editor] = at.data_editor
    table = editor.value
    assert table["location"].tolist() == ["Ménaka", "Gao", "Adrar des Ifoghas"]
    assert not table["accept"].any()
    assert store.read_bytes() == before  # nothing is stored before the analyst acts

    # The analyst accepts candidate 1 and corrects its fatalities.
    at.session_state[editor.key] = {
        "edited_rows": {0: {"accept": True, "fatalities": 6}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    append = _button(at, "ingest_append_candidates")
    assert append.label == "Append 1 accepted incident(s)"
    append.click()
    at.run()
    assert not at.exception
    stored = read_incidents(store)
    assert len(stored) == 4
    new = stored.iloc[-1]
    assert (new["location"], new["fatalities"]) == ("Ménaka", 6)
    assert new["event_date"] == pd.Timestamp("2013-03-05")
    assert new["event_id"] == "GEO-000001"
    assert any("1 added" in s.value for s in at.success)
    assert any("Stored as event_id GEO-000001." in c.value for c in at.caption)
    # The accepted row left the review table; the other two remain.
    assert at.data_editor[0].value["location"].tolist() == ["Gao", "Adrar des Ifoghas"]


def test_invalid_accepted_rows_block_the_append(store):
    before = store.read_bytes()
    at = _page()
    at.text_area(key="ingest_report_text").set_value(
        "Fierce fighting broke out on Saturday, killing six soldiers."
    )
    at.date_input(key="ingest_post_date").set_value(dt.date(2013, 3, 6))
    _button(at, "ingest_extract").click()
    at.run()
    editor = at.data_editor[0]
    at.session_state[editor.key] = {
        "edited_rows": {0: {"accept": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    _button(at, "ingest_append_candidates").click()
    at.run()
    assert any("Nothing was appended" in e.value for e in at.error)
    assert store.read_bytes() == before


def test_file_import_checks_then_appends_on_request(store):
    at = _page()
    at.file_uploader(key="ingest_data_file").set_value(
        ("acled.csv", (DATA / "ingest_acled.csv").read_bytes(), "text/csv")
    )
    at.selectbox(key="ingest_format").set_value("acled")
    at.run()
    _button(at, "ingest_check").click()
    at.run()
    assert not at.exception
    assert any("5 row(s) read, 3 ready to append, 2 rejected" in m.value for m in at.markdown)
    assert len(read_incidents(store)) == 3  # checked, not stored
    _button(at, "ingest_append_file").click()
    at.run()
    assert not at.exception
    # The store already holds the Gao battle and the Kidal blast: only Tessalit is new.
    stored = read_incidents(store)
    assert stored["origin_id"].tolist()[-1] == "acled:MLI9001"
    assert len(stored) == 4
    rejected = pd.read_csv(f"{store}.rejected.csv", dtype=str)
    assert rejected["reject_file"].tolist() == ["acled.csv", "acled.csv"]
    assert any("1 added, 2 skipped as duplicates, 2 rejected" in s.value for s in at.success)
    assert at.dataframe[0].value["duplicate_of"].tolist() == ["T2", "T1"]


def test_changing_the_format_after_a_check_asks_for_a_new_check(store):
    at = _page()
    at.file_uploader(key="ingest_data_file").set_value(
        ("acled.csv", (DATA / "ingest_acled.csv").read_bytes(), "text/csv")
    )
    at.selectbox(key="ingest_format").set_value("acled")
    at.run()
    _button(at, "ingest_check").click()
    at.run()
    assert any(b.key == "ingest_append_file" for b in at.button)
    at.selectbox(key="ingest_format").set_value("csv")
    at.run()
    assert not at.exception
    # The rows checked as ACLED are no longer offered for appending.
    assert not any(b.key == "ingest_append_file" for b in at.button)
    assert any("Check file" in i.value for i in at.info)


def test_review_table_shows_place_and_figures_before_the_actors(store):
    at = _page()
    at.text_area(key="ingest_report_text").set_value(
        (DATA / "ingest_report.txt").read_text(encoding="utf-8")
    )
    _button(at, "ingest_extract").click()
    at.run()
    order = list(at.data_editor[0].proto.column_order)
    assert order.index("location") < order.index("actor1")
    assert order.index("fatalities") < order.index("actor1")
    assert order.index("unresolved") < order.index("sentence")


def test_problems_name_the_uploaded_file_not_a_temporary_copy(store):
    at = _page()
    at.file_uploader(key="ingest_data_file").set_value(
        ("acled.csv", (DATA / "ingest_acled.csv").read_bytes(), "text/csv")
    )
    at.selectbox(key="ingest_format").set_value("acled")
    at.run()
    _button(at, "ingest_check").click()
    at.run()
    problems = at.dataframe[-1].value
    assert problems["file"].tolist() == ["acled.csv", "acled.csv"]
    assert problems["row"].tolist() == [5, 6]

    at.selectbox(key="ingest_format").set_value("ucdp")  # the wrong format: a whole-file error
    at.run()
    _button(at, "ingest_check").click()
    at.run()
    assert any("cannot be imported" in e.value for e in at.error)
    files = set(at.dataframe[-1].value["file"])
    assert files == {"acled.csv"}


def test_new_ids_follow_the_stores_scheme(tmp_path, monkeypatch, raw_rows):
    rows = raw_rows.assign(event_id=["MLI0001", "MLI0007", "DZA0001"][: len(raw_rows)])
    path = tmp_path / "incidents.csv"
    rows.to_csv(path, index=False)
    monkeypatch.setattr(config, "INCIDENTS_CSV", path)
    at = _page()
    at.text_area(key="ingest_report_text").set_value(
        (DATA / "ingest_report.txt").read_text(encoding="utf-8")
    )
    at.date_input(key="ingest_post_date").set_value(dt.date(2013, 3, 6))
    _button(at, "ingest_extract").click()
    at.run()
    [editor] = at.data_editor
    at.session_state[editor.key] = {
        "edited_rows": {0: {"accept": True}, 1: {"accept": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    _button(at, "ingest_append_candidates").click()
    at.run()
    assert not at.exception
    stored = read_incidents(path)
    assert stored["event_id"].tolist()[-2:] == ["MLI0008", "MLI0009"]


def test_the_reports_words_are_shown_in_full_with_the_place_in_bold(store):
    at = _page()
    at.text_area(key="ingest_report_text").set_value(
        (DATA / "ingest_report.txt").read_text(encoding="utf-8")
    )
    _button(at, "ingest_extract").click()
    at.run()
    words = [m.value for m in at.markdown if m.value.startswith("**\\#1")]
    assert words, [m.value for m in at.markdown][:5]
    sentence = at.data_editor[0].value["sentence"].iloc[0]
    assert sentence.split()[-1].rstrip(".") in words[0]  # the last word: nothing cut off
    assert "**Menaka**" in words[0] or "**Ménaka**" in words[0]
