"""The Ingest page shows uploaded names and mapping errors as text, not Markdown (issue 10).

A crafted file name rendered an image pointing anywhere; file names, mapping
keys and column names come from the uploader and must stay inert.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import config

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "views" / "ingest.py")
DATA = Path(__file__).resolve().parents[1] / "data"
CRAFTED = "![x](http://evil.example/x.png)[click](http://evil.example).csv"


@pytest.fixture
def store(tmp_path, monkeypatch, incident_csv) -> Path:
    monkeypatch.setattr(config, "INCIDENTS_CSV", incident_csv)
    return incident_csv


def _rendered(at: AppTest) -> list[str]:
    """Every element whose text Streamlit renders as Markdown."""
    kinds = (at.markdown, at.caption, at.error, at.success, at.info, at.warning)
    return [str(element.value) for kind in kinds for element in kind]


def _check(at: AppTest) -> None:
    next(b for b in at.button if b.key == "ingest_check").click()
    at.run()
    assert not at.exception


def test_a_crafted_file_name_is_shown_not_rendered(store):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    at.file_uploader(key="ingest_data_file").set_value(
        (CRAFTED, (DATA / "ingest_acled.csv").read_bytes(), "text/csv")
    )
    at.selectbox(key="ingest_format").set_value("acled")
    at.run()
    _check(at)
    shown = [t for t in _rendered(at) if "evil" in t]
    assert shown, _rendered(at)  # the name is on the page...
    assert not any("](http" in t for t in shown), shown  # ...as text, with no live link


def test_a_crafted_mapping_key_is_shown_not_rendered(store):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    at.file_uploader(key="ingest_data_file").set_value(
        ("partner.csv", (DATA / "ingest_partner.csv").read_bytes(), "text/csv")
    )
    at.selectbox(key="ingest_format").set_value("csv")
    at.run()
    at.file_uploader(key="ingest_mapping").set_value(
        ("m.toml", b'[columns]\n"![m](http://evil.example/m.png)" = "Date"\n', "text/plain")
    )
    at.run()
    _check(at)
    errors = [str(e.value) for e in at.error]
    assert any("evil" in e for e in errors), errors
    assert not any("](http" in e for e in errors), errors
