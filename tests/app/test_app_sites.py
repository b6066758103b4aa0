"""Only the team sees its sites: the map's HTML, the "near our sites" filter and table, loading.

Viewers are signed in as the test provider's accounts (AppTest secrets and
``AppTest.user``, as in test_auth_pages.py). The map's HTML is what the page
sends to streamlit-folium's component, so a site name absent from it never
reached the viewer's browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from appkit import auth
from geo.io.sites import save_sites, sites_path, store_sites
from geo.io.store import read_incidents
from tests.app.app_support import app_test, write_store
from tests.app.test_auth_pages import _signed_in

SITE = "Example base"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """The test store with one site on its first incident (coordinates read from the store)."""
    path = write_store(tmp_path / "incidents.csv")
    first = read_incidents(path).iloc[0]
    sites_path(path).write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        f'{{"name": "{SITE}", "kind": "office", "radius_km": 5}}, "geometry": {{"type": '
        f'"Point", "coordinates": [{first.longitude}, {first.latitude}]}}}}]}}',
        encoding="utf-8",
    )
    return path


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _map_html(at: AppTest) -> str:
    (component,) = at.get("component_instance")
    return str(component.proto.json_args)


def _near_box(at: AppTest) -> list[str]:
    return [s.label for s in at.sidebar.selectbox if s.label == "Near our sites"]


def _layer_options(at: AppTest) -> list[str]:
    return (
        [str(o) for o in at.get("button_group")[0].proto.options] if at.get("button_group") else []
    )


@pytest.mark.parametrize("username", ["eddie", "ada"])
def test_a_team_member_gets_the_sites_the_filter_and_the_table(store, monkeypatch, username):
    at = _signed_in(app_test(store, monkeypatch, layers="risk,incidents,sites"), username)
    _run(at)
    assert SITE in _map_html(at)
    assert _near_box(at) == ["Near our sites"]
    assert any(f"at {SITE}" in str(d.value.get("Where", "")) for d in at.dataframe)
    assert "Our sites" in " ".join(_layer_options(at))


@pytest.mark.parametrize("username", ["vera"])
def test_a_viewer_never_gets_a_site(store, monkeypatch, username):
    at = _signed_in(app_test(store, monkeypatch, layers="risk,incidents,sites", near="5"), username)
    _run(at)
    html = _map_html(at)
    assert "geo-incident" in html or "GeoMap.incidents" in html  # the map itself is there
    assert SITE not in html and "site_layer" not in html
    assert _near_box(at) == []
    assert "Our sites" not in " ".join(_layer_options(at))
    assert "near" not in at.query_params  # the link's filter is dropped, not applied
    assert int(at.metric[0].value.replace(",", "")) == len(read_incidents(store))
    assert not any("Where" in d.value.columns for d in at.dataframe)


def test_a_member_sees_the_sites_on_a_fresh_visit_unless_the_link_names_layers(store, monkeypatch):
    at = _run(_signed_in(app_test(store, monkeypatch), "eddie"))
    assert SITE in _map_html(at) and "sites" in at.query_params["layers"]
    at = _run(_signed_in(app_test(store, monkeypatch, layers="risk,incidents"), "eddie"))
    assert SITE not in _map_html(at) and at.query_params["layers"] == "risk,incidents"
    at = _run(_signed_in(app_test(store, monkeypatch), "vera"))
    assert "sites" not in at.query_params["layers"]


def test_open_access_shows_no_site_even_as_admin(store, monkeypatch):
    monkeypatch.setattr(auth, "listen_address", lambda: "0.0.0.0")
    monkeypatch.setenv(auth.OPEN_ENV, "1")
    at = _run(app_test(store, monkeypatch, layers="risk,incidents,sites"))
    assert SITE not in _map_html(at) and _near_box(at) == []


def test_near_filter_keeps_incidents_within_reach_and_stays_in_the_link(store, monkeypatch):
    at = _signed_in(app_test(store, monkeypatch, near="5"), "eddie")
    _run(at)
    shown = int(at.metric[0].value.replace(",", ""))
    assert 1 <= shown < len(read_incidents(store))
    assert at.sidebar.selectbox(key="f_near").value == 5
    assert at.query_params["near"] == "5"
    at.sidebar.selectbox(key="f_near").set_value(0)
    _run(at)
    assert int(at.metric[0].value.replace(",", "")) == len(read_incidents(store))
    assert "near" not in at.query_params


def _ingest(store: Path, monkeypatch, username: str) -> AppTest:
    at = _signed_in(app_test(store, monkeypatch), username)
    _run(at)
    at.switch_page("views/ingest.py")
    return _run(at)


def test_an_editor_loads_a_site_file_and_a_bad_one_changes_nothing(store, monkeypatch):
    at = _ingest(store, monkeypatch, "eddie")
    first = read_incidents(store).iloc[0]
    bad = "name,latitude,longitude\nExample airstrip,95,0\n"
    at.file_uploader(key="sites_upload").set_value(("bad.csv", bad.encode(), "text/csv"))
    _run(at)
    at.button(key="sites_keep").click()
    _run(at)
    assert any("Nothing was kept" in e.value for e in at.error)
    assert "bad.csv: line 2, column 'latitude/longitude'" in at.code[0].value
    assert store_sites(store)["name"].tolist() == [SITE]
    good = f"name,kind,latitude,longitude\nExample airstrip,airstrip,{first.latitude},0\n"
    at.file_uploader(key="sites_upload").set_value(("good.csv", good.encode(), "text/csv"))
    _run(at)
    at.button(key="sites_keep").click()
    _run(at)
    assert store_sites(store)["name"].tolist() == [SITE, "Example airstrip"]
    assert any("Kept 2 site(s)" in s.value for s in at.success)


def test_a_viewer_has_no_sites_tab_to_use(store, monkeypatch):
    at = _signed_in(app_test(store, monkeypatch), "vera")
    _run(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/ingest.py")
    save_sites(store, store_sites(store).iloc[:0])  # nothing kept: nothing for anyone
    at = _signed_in(app_test(store, monkeypatch, layers="risk,incidents,sites"), "eddie")
    _run(at)
    assert _near_box(at) == [] and SITE not in _map_html(at)
