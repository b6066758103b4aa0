"""AppTest of the About page: sources, licences, precision codes and the risk method."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.model.schema import GEO_PRECISIONS, TIME_PRECISIONS
from tests.app.app_support import app_test, write_store


def open_about(store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = app_test(store, monkeypatch).run()
    at.switch_page("views/about.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_sources_licences_and_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_about(write_store(tmp_path / "incidents.csv"), monkeypatch)
    assert at.title[0].value == "About this dashboard"
    text = "\n".join(m.value for m in at.markdown)
    for needle in ("Natural Earth", "Public domain", "GeoNames", "CC BY 4.0", "MS Risk"):
        assert needle in text, needle
    time_codes, geo_codes = (t.value for t in at.dataframe[:2])
    assert dict(zip(time_codes["code"], time_codes["meaning"], strict=True)) == TIME_PRECISIONS
    assert dict(zip(geo_codes["code"], geo_codes["meaning"], strict=True)) == GEO_PRECISIONS
    assert [h.value for h in at.header][-1] == "Risk method"


def test_about_works_without_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_about(tmp_path / "missing.csv", monkeypatch)
    assert at.error, "the missing store is reported"
    assert at.title[0].value == "About this dashboard"
