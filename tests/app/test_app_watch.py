"""AppTest of the Watch page: the week's alerts with reasons, sites for the team only, the link.

Runs on a copy of the shipped February 2013 store, whose week of 18
February (2013-W08) holds the Ifoghas fighting and the Tessalit and Kidal
car bombs. The site is placed beside the Tessalit incident, its coordinates
read from the store.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from geo import config
from geo.io.sites import save_sites
from tests.app.app_support import app_test
from tests.app.test_auth_pages import _signed_in

SITE = "Tessalit compound"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "incidents.csv"
    shutil.copy(config.INCIDENTS_CSV, path)
    tessalit = pd.read_csv(path).set_index("event_id").loc["MLI0001"]
    save_sites(
        path,
        gpd.GeoDataFrame(
            {"name": [SITE], "kind": ["compound"], "radius_km": [20.0]},
            geometry=[shapely.Point(tessalit["longitude"] - 0.05, tessalit["latitude"])],
            crs="EPSG:4326",
        ),
    )
    return path


def open_watch(at: AppTest) -> AppTest:
    at.run()
    at.switch_page("views/watch.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Watch"
    return at


def table(at: AppTest, column: str) -> pd.DataFrame | None:
    """The page's table with ``column`` (None when there is none)."""
    return next((d.value for d in at.dataframe if column in d.value.columns), None)


def test_latest_week_alerts_with_reasons_and_sites(store: Path, monkeypatch) -> None:
    at = open_watch(app_test(store, monkeypatch))  # local mode: the one user is the team
    assert at.selectbox(key="w_week").value == "2013-W08"
    assert at.query_params["week"] == "2013-W08"
    alerts = table(at, "Why")
    spike = alerts[alerts["Alert"] == "Spike"].iloc[0]
    assert spike["Area"] == "Kidal" and spike["Incidents"] == "MLI0001, MLI0002, MLI0003"
    assert spike["Why"].startswith("3 incidents this week against a baseline of 0.20")
    assert set(alerts["About"]) >= {SITE}
    near = table(at, "Where")
    assert near.iloc[0]["Incident"] == "MLI0001" and f"km E of {SITE}" in near.iloc[0]["Where"]
    assert list(table(at, "Actors")["Place"]) == ["Adrar des Ifoghas", "Tessalit", "Kidal"]


def test_the_link_keeps_the_week(store: Path, monkeypatch) -> None:
    at = open_watch(app_test(store, monkeypatch, week="2013-W07"))
    assert at.selectbox(key="w_week").value == "2013-W07"
    assert "Tessalit" not in " ".join(table(at, "Actors")["Place"])
    at.selectbox(key="w_week").set_value("2013-W08").run()
    assert at.query_params["week"] == "2013-W08"


def test_a_bad_week_in_the_link_is_said(store: Path, monkeypatch) -> None:
    at = open_watch(app_test(store, monkeypatch, week="2013-W99"))
    assert at.selectbox(key="w_week").value == "2013-W08"
    assert any("Ignored week=" in w.value and "W99" in w.value for w in at.warning)


def test_a_viewer_never_sees_a_site(store: Path, monkeypatch) -> None:
    at = open_watch(_signed_in(app_test(store, monkeypatch), "vera"))
    assert table(at, "Where") is None  # no "Near our sites" table
    assert SITE not in table(at, "Why")["About"].tolist()
    assert not any(s.value == "Near our sites" for s in at.subheader)
    at.button(key="prepare_digest").click().run()
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button")] == [
        "Download digest (HTML)",
        "Download digest (Markdown)",
        "Download digest (PDF)",
    ]


def test_a_team_member_signed_in_sees_the_sites(store: Path, monkeypatch) -> None:
    at = open_watch(_signed_in(app_test(store, monkeypatch), "eddie"))
    assert any(s.value == "Near our sites" for s in at.subheader)
