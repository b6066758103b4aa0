"""AppTest of the map page (the landing page) and of the URL state every page shares."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.app_support import FIRST_DAY, LAST_DAY, app_test, expected_high_areas, write_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_store(tmp_path_factory.mktemp("app") / "incidents.csv")


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_landing_page_shows_everything_and_pins_the_url(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = ok(app_test(store, monkeypatch).run())
    assert at.title[0].value == "Conflict map"
    high = expected_high_areas(store, LAST_DAY)
    assert high >= 1  # Kidal is pinned at Extreme
    assert metrics(at) == {
        "Incidents": "10",
        "Fatalities": "28",
        "Areas at High or Extreme": str(high),
    }
    assert not at.warning
    assert at.query_params == {
        "from": FIRST_DAY.isoformat(),
        "to": LAST_DAY.isoformat(),
        "asof": LAST_DAY.isoformat(),
        "layers": "risk,incidents,borders,towns",
        "tiles": "none",
    }
    assert at.slider(key="f_period").value == (FIRST_DAY, LAST_DAY)
    assert at.dataframe, "the risk summary table is shown"


def test_a_fresh_visit_assesses_risk_with_overrides_set_after_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As shipped: the analysts pinned levels three days after the last incident.
    store = write_store(tmp_path / "incidents.csv")
    set_on = LAST_DAY + dt.timedelta(days=3)

    def visit(**params: str) -> AppTest:
        at = app_test(store, monkeypatch, **params)  # writes the tests' overrides
        (tmp_path / "risk_overrides.csv").write_text(
            "area,level,reason,expires,set_by,set_on\n"
            f"Kidal,Extreme,Pinned after the data,2013-12-31,Tests,{set_on.isoformat()}\n",
            encoding="utf-8",
        )
        return ok(at.run())

    at = visit()
    assert at.date_input(key="f_asof").value == set_on
    assert metrics(at)["Areas at High or Extreme"] == str(expected_high_areas(store, set_on))
    assert int(metrics(at)["Areas at High or Extreme"]) >= 1  # the override is in force
    assert at.query_params["asof"] == set_on.isoformat()
    assert at.query_params["to"] == LAST_DAY.isoformat()
    assert not at.warning
    # One rule for a fresh visit and a link without asof: a period reaching
    # the end of the data is assessed on the store's last day, so two views of
    # February agree on how many areas are High ...
    linked = visit(**{"from": "2013-02-01", "to": LAST_DAY.isoformat()})
    assert linked.date_input(key="f_asof").value == set_on
    assert linked.query_params["asof"] == set_on.isoformat()
    assert metrics(linked)["Areas at High or Extreme"] == metrics(at)["Areas at High or Extreme"]
    # ... and an earlier period at its own end, shown and kept in the link.
    earlier = visit(**{"from": "2013-02-01", "to": "2013-02-20"})
    assert earlier.date_input(key="f_asof").value == dt.date(2013, 2, 20)
    assert earlier.query_params["asof"] == "2013-02-20"


def test_filters_change_the_counts_and_the_url(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = ok(app_test(store, monkeypatch).run())
    ok(at.multiselect(key="f_type").set_value(["Battles"]).run())
    assert metrics(at)["Incidents"] == "4"
    assert metrics(at)["Fatalities"] == "20"
    assert at.query_params["type"] == "Battles"

    ok(at.number_input(key="f_minfat").set_value(5).run())
    assert metrics(at)["Incidents"] == "2"  # 12 and 5 dead
    assert at.query_params["minfat"] == "5"

    ok(at.multiselect(key="f_type").set_value([]).run())
    ok(at.select_slider(key="f_prec").set_value(1).run())
    assert metrics(at)["Incidents"] == "2"  # fatalities >= 5 at the town itself: Gao, Tessalit
    assert at.query_params["prec"] == "1"
    assert "type" not in at.query_params

    ok(at.multiselect(key="f_country").set_value(["Niger"]).run())
    assert metrics(at)["Incidents"] == "0"
    assert at.query_params["country"] == "Niger"


def test_presets_and_week_steps(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = ok(app_test(store, monkeypatch).run())
    ok(at.button(key="preset Last 7 days").click().run())
    assert at.slider(key="f_period").value == (dt.date(2013, 2, 22), LAST_DAY)
    assert metrics(at)["Incidents"] == "3"
    assert (at.query_params["from"], at.query_params["to"]) == ("2013-02-22", "2013-02-28")

    ok(at.button[[b.label for b in at.button].index("◀ Week")].click().run())
    assert at.slider(key="f_period").value == (dt.date(2013, 2, 15), dt.date(2013, 2, 21))
    assert metrics(at)["Incidents"] == "2"

    # Presets count back from the as-of date when one is set.
    ok(at.date_input(key="f_asof").set_value(dt.date(2013, 1, 31)).run())
    ok(at.button(key="preset Last 30 days").click().run())
    assert at.slider(key="f_period").value == (dt.date(2013, 1, 14), dt.date(2013, 1, 31))
    assert at.query_params["asof"] == "2013-01-31"

    ok(at.button(key="preset Whole period").click().run())
    assert at.slider(key="f_period").value == (FIRST_DAY, LAST_DAY)


def test_a_bad_link_gives_a_notice_not_a_traceback(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app_test(
        store,
        monkeypatch,
        **{
            "from": "2013-02-01",
            "to": "2013-13-01",
            "type": "Battles,Sorcery",
            "minfat": "lots",
            "lat": "123",
            "lon": "0",
            "z": "6",
            "layers": "risk,satellite",
            "tiles": "custom",
            "utm_source": "mail",
        },
    )
    ok(at.run())
    assert len(at.warning) == 1
    notice = at.warning[0].value
    for fragment in (
        "2013\\-13\\-01",
        "Sorcery",
        "lots",
        "lat",
        "satellite",
        "custom",
        "utm\\_source",
    ):
        assert fragment in notice, fragment
    # The usable part of the link is used; the URL now shows what is on screen.
    assert metrics(at)["Incidents"] == "1"  # Battles from 1 February: Gao on the 10th
    assert at.query_params == {
        "from": "2013-02-01",
        "to": LAST_DAY.isoformat(),
        "asof": LAST_DAY.isoformat(),
        "type": "Battles",
        "layers": "risk",
        "tiles": "none",
    }
    # The notice stays until the user changes something.
    ok(at.run())
    assert len(at.warning) == 1
    ok(at.multiselect(key="f_type").set_value([]).run())
    assert not at.warning


def test_the_url_round_trips_the_state(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    link = {
        "from": "2013-01-20",
        "to": "2013-02-24",
        "asof": "2013-03-01",
        "country": "Mali",
        "admin1": "Gao",
        "type": "Battles,Explosions/Remote violence",
        "actor": "MUJAO",
        "minfat": "1",
        "prec": "2",
        "window": "30",
        "layers": "risk,heatmap,borders",
        "tiles": "osm",
        "lat": "16.27",
        "lon": "-0.04",
        "z": "8",
    }
    at = ok(app_test(store, monkeypatch, **link).run())
    assert not at.warning
    assert at.query_params == link
    assert at.slider(key="f_period").value == (dt.date(2013, 1, 20), dt.date(2013, 2, 24))
    assert at.date_input(key="f_asof").value == dt.date(2013, 3, 1)
    assert at.multiselect(key="f_admin1").value == ["Gao"]
    assert at.selectbox(key="f_window").value == 30
    assert sorted(at.pills(key="m_layers").value) == ["borders", "heatmap", "risk"]
    assert at.segmented_control(key="m_tiles").value == "osm"
    # Gao, MUJAO, at least one death, town or near it, Battles or explosions: T02, T04, T05.
    assert metrics(at)["Incidents"] == "3"
    assert metrics(at)["Fatalities"] == "9"

    # A second session opened with the URL the first one ended with is the same state.
    again = ok(app_test(store, monkeypatch, **at.query_params).run())
    assert again.query_params == link
    assert metrics(again) == metrics(at)


def test_codes_and_comma_lists_are_read_and_written_back_normalised(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = ok(app_test(store, monkeypatch, country="NER").run())
    assert at.multiselect(key="f_country").value == ["Niger"]
    assert at.query_params["country"] == "Niger"
    assert metrics(at)["Incidents"] == "1"


def test_layer_and_basemap_choices_go_to_the_url(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = ok(app_test(store, monkeypatch).run())
    ok(at.pills(key="m_layers").set_value(["incidents", "heatmap"]).run())
    assert at.query_params["layers"] == "incidents,heatmap"
    ok(at.segmented_control(key="m_tiles").set_value("osm").run())
    assert at.query_params["tiles"] == "osm"
    # Other pages keep them, and the map page shows them again on return.
    ok(at.switch_page("views/trends.py").run())
    assert at.query_params["layers"] == "incidents,heatmap"
    ok(at.switch_page("views/map.py").run())
    assert at.pills(key="m_layers").value == ["incidents", "heatmap"]
    assert at.segmented_control(key="m_tiles").value == "osm"


def test_the_map_view_in_the_link_is_kept(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = ok(app_test(store, monkeypatch, lat="18.44", lon="1.41", z="9").run())
    assert (at.query_params["lat"], at.query_params["lon"], at.query_params["z"]) == (
        "18.44",
        "1.41",
        "9",
    )
    ok(at.multiselect(key="f_type").set_value(["Battles"]).run())
    assert (at.query_params["lat"], at.query_params["lon"], at.query_params["z"]) == (
        "18.44",
        "1.41",
        "9",
    )
    # A page switch drops parameters Streamlit does not own; the view comes back.
    ok(at.switch_page("views/incidents.py").run())
    assert at.query_params["z"] == "9"


def test_custom_tiles_come_from_settings_not_from_the_link(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEO_TILE_URL", "http://tiles.invalid/{z}/{x}/{y}.png")
    monkeypatch.setenv("GEO_TILE_ATTRIBUTION", "Test tiles")
    at = ok(app_test(store, monkeypatch, tiles="custom").run())
    assert not at.warning
    assert at.segmented_control(key="m_tiles").options == ["None", "OpenStreetMap", "Custom"]
    assert at.query_params["tiles"] == "custom"


def test_briefing_buttons_give_the_current_filters(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = ok(app_test(store, monkeypatch, type="Battles").run())
    assert not at.download_button
    ok(at.button[[b.label for b in at.button].index("Prepare briefing")].click().run())
    labels = [b.label for b in at.download_button]
    assert labels == ["Download briefing (PNG)", "Download briefing (PDF)"]
    key, files = at.session_state["_briefing"]
    assert key[1].event_types == ("Battles",)
    assert files["png"].startswith(b"\x89PNG")
    assert files["pdf"].startswith(b"%PDF")
    # Changing the filters retires the prepared files.
    ok(at.multiselect(key="f_type").set_value([]).run())
    assert not at.download_button
    assert any("prepare it again" in c.value for c in at.caption)


def test_unreadable_store_is_an_error_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "incidents.csv"
    bad.write_text("event_id,event_date\nX1,not a date\n", encoding="utf-8")
    at = app_test(bad, monkeypatch).run()
    assert not at.exception
    assert at.error and "cannot be used" in at.error[0].value
    assert at.code, "the problems are listed as plain text"
    missing = app_test(tmp_path / "nowhere.csv", monkeypatch).run()
    assert not missing.exception
    assert "No incident file" in missing.error[0].value


def test_broken_overrides_fall_back_to_computed_levels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = write_store(tmp_path / "incidents.csv")
    at = app_test(store, monkeypatch)
    (tmp_path / "risk_overrides.csv").write_text(
        "area,level,reason,expires,set_by,set_on\nKidal,Dire,x,2013-12-31,me,2013-02-01\n",
        encoding="utf-8",
    )
    ok(at.run())
    assert "overrides cannot be used" in at.error[0].value
    assert "Dire" in at.code[0].value
    assert metrics(at)["Incidents"] == "10"  # the page still works
