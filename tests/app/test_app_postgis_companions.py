"""The app on a PostGIS store uses what belongs to that store: its overrides, sites, gazetteers.

The CSV the app would otherwise read is moved away, and no companion file
sits beside it, so everything shown must come from the database (a real
PostGIS, tests/postgis_support.py).
"""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from appkit import sites as team_sites
from geo import config
from geo.io import store
from geo.io.backend import open_store
from geo.io.gazetteer_files import ColumnMapping, guess_mapping, read_place_file
from geo.io.gazetteers import add_gazetteer
from tests.app.app_support import OVERRIDES, app_test, write_store
from tests.app.test_app_postgis import database  # noqa: F401 - the fixture
from tests.app.test_auth_pages import _signed_in

COD = Path(__file__).resolve().parents[1] / "data" / "gaz_cod_places.csv"
SITE = "Database base"


def _kidal_level(at) -> str:
    table = at.dataframe[0].value
    return str(table[table["Area"] == "Kidal"].iloc[0]["Level"])


def test_risk_uses_the_databases_overrides_and_sees_another_writers_change(
    tmp_path: Path,
    database: str,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    csv = write_store(tmp_path / "incidents.csv")
    db = open_store(database)
    db.write_raw(store.read_raw(csv))
    monkeypatch.setattr(config, "DATABASE_URL", database)
    at = app_test(tmp_path / "elsewhere.csv", monkeypatch).run()
    at.switch_page("views/trends.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "(analyst)" not in _kidal_level(at)  # the database has no overrides yet
    # Another replica (or the command line) saves the store's overrides.
    open_store(database).save_overrides(OVERRIDES)
    at.run()
    assert _kidal_level(at).startswith("Extreme (analyst) · computed ")


def test_a_team_member_sees_the_databases_sites_and_gazetteers(
    tmp_path: Path,
    database: str,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    csv = write_store(tmp_path / "incidents.csv")
    db = open_store(database)
    db.write_raw(store.read_raw(csv))
    first = store.read_incidents(csv).iloc[0]
    db.save_sites(
        gpd.GeoDataFrame(
            {"name": [SITE], "kind": ["office"], "radius_km": [5.0]},
            geometry=[shapely.Point(first.longitude, first.latitude)],
            crs="EPSG:4326",
        )
    )
    places = read_place_file(COD)
    add_gazetteer(db, places, ColumnMapping(**guess_mapping(places)), name="Mali COD")
    monkeypatch.setattr(config, "DATABASE_URL", database)
    at = _signed_in(app_test(tmp_path / "elsewhere.csv", monkeypatch), "eddie").run()
    assert not at.exception, [e.value for e in at.exception]
    (component,) = at.get("component_instance")
    assert SITE in str(component.proto.json_args)
    assert not list((tmp_path).glob("elsewhere.*"))  # nothing was written beside the CSV
    # Another replica renames the site: this one shows it once its version check is due.
    open_store(database).save_sites(db.sites().assign(name=["Renamed base"]))
    time.sleep(team_sites._VERSION_SECONDS + 0.2)
    at.run()
    (component,) = at.get("component_instance")
    assert "Renamed base" in str(component.proto.json_args)
    at.switch_page("views/ingest.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(str(d.value.to_dict()) for d in at.dataframe)
    assert "Mali COD" in shown
