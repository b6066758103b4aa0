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


def test_about_is_for_analysts_with_the_method_in_an_expander(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_about(write_store(tmp_path / "incidents.csv"), monkeypatch)
    headers = [h.value for h in at.header]
    for wanted in ("Sources and coverage", "What the levels mean", "How to read the map", "Limits"):
        assert wanted in headers, wanted
    text = "\n".join(m.value for m in at.markdown)
    assert "The store holds 10 incidents from 1 report in 2 countries" in text
    assert "High (analyst) · computed Elevated 36" in text
    assert "| Extreme | 65 to 100 |" in text
    # The method is one closed expander; its headings sit below the page's own,
    # and the command line, Python API and benchmarks are links, not the page.
    (method,) = at.expander
    body = "\n".join(m.value for m in method.markdown)
    fenced, headings = False, []
    for line in body.splitlines():
        fenced ^= line.startswith("```")
        if not fenced and line.startswith("#"):
            headings.append(line)
    assert headings[0] == "### Region risk index"
    assert all(h.startswith("###") for h in headings), headings
    assert "## Python" not in body and "## Performance" not in body
    # A wrapped line starting with ">" became a quote block in the trend text.
    assert not any(line.startswith(">") for line in body.splitlines())
