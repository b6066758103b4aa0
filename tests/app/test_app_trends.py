"""AppTest of the Trends page: weekly charts and the risk table follow the filters."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.app_support import app_test, write_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_store(tmp_path_factory.mktemp("trends") / "incidents.csv")


def open_trends(store: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    at = app_test(store, monkeypatch, **params).run()
    at.switch_page("views/trends.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Trends"
    return at


def charts(at: AppTest) -> list[object]:
    return list(at.get("vega_lite_chart"))


def test_weekly_charts_by_area_and_by_type(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_trends(store, monkeypatch)
    assert len(charts(at)) == 4  # incidents and fatalities, by area and by event type
    assert "10 incidents" in at.caption[0].value
    risk = at.dataframe[0].value
    assert {"Area", "Level", "Computed level", "Override", "Trend"} <= set(risk.columns)
    # The analyst's override is shown beside the computed level.
    kidal = risk[risk["Area"] == "Kidal"].iloc[0]
    assert kidal["Level"].startswith("Extreme (analyst) · computed ")
    assert kidal["Override"] == "Extreme"
    assert kidal["Override reason"].startswith("Test override")


def test_filters_change_the_trends(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_trends(store, monkeypatch, country="Niger")
    assert "of the 1 incident matching" in at.caption[0].value
    risk = at.dataframe[0].value
    assert set(risk["Country"]) <= {"NER"}
    at.multiselect(key="f_country").set_value([]).run()
    at.multiselect(key="f_type").set_value(["Protests"]).run()
    assert "of the 1 incident matching" in at.caption[0].value
    at.multiselect(key="f_type").set_value(["Riots"]).run()
    assert not at.exception
    assert not charts(at)
    assert any("No incidents match" in i.value for i in at.info)


def test_quiet_areas_on_request(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_trends(store, monkeypatch)
    active = len(at.dataframe[0].value)
    at.toggle[0].set_value(True).run()
    assert len(at.dataframe[0].value) > active


def test_risk_table_shows_a_dash_for_a_missing_score_and_colours_an_override() -> None:
    import pandas as pd

    from appkit.controls import level_style
    from geo.render.style import LEVEL_COLOURS

    table = pd.DataFrame(
        {
            "Area": ["A", "B"],
            "Level": ["High (analyst) · computed Elevated 36", "Low"],
            "Score": [36.4, None],
        }
    )
    html = level_style(table, ["Level"]).to_html()
    # st.dataframe shows an empty na_rep as "None"; a dash says "no figure".
    assert "36.4" in html and "–" in html and "None" not in html and "nan" not in html
    assert LEVEL_COLOURS["High"].lower() in html.lower()


def test_a_one_week_period_is_drawn_day_by_day(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_trends(store, monkeypatch, **{"from": "2013-02-18", "to": "2013-02-24"})
    assert at.caption[0].value.startswith("Daily counts of the ")
    specs = [str(c.spec) for c in charts(at)]  # type: ignore[attr-defined]
    assert len(specs) == 4
    assert all("Incidents per day" in s or "Fatalities per day" in s for s in specs)
    assert all('"day"' in s and '"week"' not in s for s in specs)
