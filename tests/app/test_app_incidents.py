"""AppTest of the Incidents page: the table is the filtered set, the downloads are the table."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.app_support import XSS_NOTES, app_test, write_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_store(tmp_path_factory.mktemp("incidents") / "incidents.csv")


def open_incidents(store: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    at = app_test(store, monkeypatch, **params).run()
    at.switch_page("views/incidents.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Incidents"
    return at


def test_table_shows_the_filtered_incidents(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_incidents(store, monkeypatch)
    table = at.dataframe[0].value
    assert len(table) == 10
    assert table["event_date"].is_monotonic_decreasing
    # Untrusted notes are data in a grid, shown as they are.
    assert XSS_NOTES in set(table["notes"])
    assert [b.label for b in at.download_button] == ["Download CSV", "Download GeoJSON"]

    at.multiselect(key="f_actor").set_value(["MUJAO"]).run()
    table = at.dataframe[0].value
    assert sorted(table["event_id"]) == ["T02", "T04", "T05", "T07"]
    assert at.query_params["actor"] == "MUJAO"


def test_shared_link_opens_the_same_table(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_incidents(
        store, monkeypatch, **{"from": "2013-02-01", "to": "2013-02-20", "prec": "1"}
    )
    assert sorted(at.dataframe[0].value["event_id"]) == ["T04", "T05"]


def test_empty_selection_disables_downloads(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_incidents(store, monkeypatch, type="Riots")
    assert at.dataframe[0].value.empty
    assert all(b.disabled for b in at.download_button)
