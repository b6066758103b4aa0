"""The Ingest page refuses an upload or a report over a cap, with the message, storing nothing.

The caps themselves are tested in tests/io/test_caps.py; here they are
lowered so the page meets them with small inputs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import config
from geo.io import dedupe
from geo.io.ingest import limits
from tests.conftest import make_rows

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "views" / "ingest.py")
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def store(monkeypatch, incident_csv) -> Path:
    monkeypatch.setattr(config, "INCIDENTS_CSV", incident_csv)
    return incident_csv


def _page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def _button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def test_a_report_over_the_cap_is_refused_without_extracting(store, monkeypatch):
    monkeypatch.setattr(config, "EXTRACT_MAX_KB", 1)
    at = _page()
    at.text_area(key="ingest_report_text").set_value("Gunmen killed two people in Gao. " * 60)
    _button(at, "ingest_extract").click()
    at.run()
    assert not at.exception
    assert any("GEO_EXTRACT_MAX_KB" in e.value and "2 KB" in e.value for e in at.error)
    assert not at.data_editor  # nothing was extracted


def test_a_file_over_the_row_cap_is_refused_at_check(store, monkeypatch):
    monkeypatch.setattr(config, "IMPORT_MAX_ROWS", 3)
    at = _page()
    at.file_uploader(key="ingest_data_file").set_value(
        ("acled.csv", (DATA / "ingest_acled.csv").read_bytes(), "text/csv")
    )
    at.selectbox(key="ingest_format").set_value("acled")
    at.run()
    _button(at, "ingest_check").click()
    at.run()
    assert not at.exception
    assert any("cannot be imported" in e.value for e in at.error)
    problems = at.dataframe[-1].value
    assert problems["file"].tolist() == ["acled.csv"]
    assert "GEO_IMPORT_MAX_ROWS" in problems["problem"].iloc[0]
    assert not any(b.key == "ingest_append_file" for b in at.button)


def test_too_many_pairs_to_compare_appends_nothing(store, monkeypatch, tmp_path):
    rows = [dict(r, event_id="", event_date="2013-03-01") for r in make_rows(1) * 3]
    rows = [dict(r, latitude=str(16.27 + i / 300), location=f"P{i}") for i, r in enumerate(rows)]
    upload = tmp_path / "near.csv"
    pd.DataFrame(rows).to_csv(upload, index=False)
    before = store.read_bytes()
    at = _page()
    at.file_uploader(key="ingest_data_file").set_value(
        ("near.csv", upload.read_bytes(), "text/csv")
    )
    at.selectbox(key="ingest_format").set_value("csv")
    at.run()
    _button(at, "ingest_check").click()
    at.run()
    monkeypatch.setattr(config, "DEDUPE_MAX_PAIRS", 1)
    _button(at, "ingest_append_file").click()
    at.run()
    assert not at.exception
    # the message is shown escaped for Markdown (GEO\\_DEDUPE...)
    shown = [e.value.replace("\\", "") for e in at.error]
    assert any("Nothing was appended" in m and "GEO_DEDUPE_MAX_PAIRS" in m for m in shown)
    assert store.read_bytes() == before


def test_memory_is_handed_back_after_a_check(store, monkeypatch):
    calls = []
    monkeypatch.setattr(limits, "release_memory", lambda: calls.append(1))
    at = _page()
    at.file_uploader(key="ingest_data_file").set_value(
        ("acled.csv", (DATA / "ingest_acled.csv").read_bytes(), "text/csv")
    )
    at.selectbox(key="ingest_format").set_value("acled")
    at.run()
    _button(at, "ingest_check").click()
    at.run()
    assert not at.exception
    assert calls


def test_the_dedupe_module_is_the_one_the_page_catches():
    # the page imports DedupeLimitError by name: it must stay a ValueError
    assert issubclass(dedupe.DedupeLimitError, ValueError)
