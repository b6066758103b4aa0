"""AppTest of the sidebar's place search and of fitting the map to chosen places."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.app_support import app_test, write_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_store(tmp_path_factory.mktemp("search") / "incidents.csv")


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def incidents(at: AppTest) -> int:
    box = next(m for m in at.metric if m.label == "Incidents")
    return int(box.value.replace(",", ""))


def view(at: AppTest) -> tuple[float, float, int]:
    q = at.query_params
    return (
        float(q["lat"][0] if isinstance(q["lat"], list) else q["lat"]),
        float(q["lon"][0] if isinstance(q["lon"], list) else q["lon"]),
        int(q["z"][0] if isinstance(q["z"], list) else q["z"]),
    )


def test_searching_a_town_moves_the_map_and_can_keep_incidents_near_it(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = ok(app_test(store, monkeypatch).run())
    everything = incidents(at)
    ok(at.text_input(key="f_place").input("Gao").run())
    lat, lon, zoom = view(at)
    assert abs(lat - 16.27) < 0.01 and abs(lon + 0.04) < 0.01 and zoom >= 9
    assert at.query_params["place"] in ("Gao", ["Gao"])
    assert incidents(at) == everything  # no distance filter yet
    ok(at.selectbox(key="f_within").set_value(50).run())
    near_gao = incidents(at)
    assert 0 < near_gao < everything  # the three Gao incidents of the test store
    assert near_gao == 3
    assert at.query_params["within"] in ("50", ["50"])
    assert view(at)[2] < zoom  # zoomed out to show the whole circle


def test_a_link_with_a_search_opens_it(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = ok(app_test(store, monkeypatch, place="Gao", within="50").run())
    assert at.text_input(key="f_place").value == "Gao"
    assert incidents(at) == 3
    assert not at.warning
    bad = ok(app_test(store, monkeypatch, place="Nowhereville", within="7").run())
    text = bad.warning[0].value
    assert "Nowhereville" in text and "within" in text


def test_a_region_fits_the_map_and_so_does_choosing_an_admin1_area(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = ok(app_test(store, monkeypatch).run())
    ok(at.text_input(key="f_place").input("Mali").run())
    lat, lon, zoom = view(at)
    assert 14 < lat < 20 and -6 < lon < 2 and 4 <= zoom <= 6  # the whole country
    # Names may come from a user's gazetteer: shown as text, never as Markdown.
    assert any(c.value == "Showing Mali \\(country\\)." for c in at.caption)
    ok(at.multiselect(key="f_admin1").set_value(["Kidal"]).run())
    lat, lon, zoom = view(at)
    assert 18 < lat < 21 and 0 < lon < 3 and zoom >= 6  # Kidal region, closer
