"""What belongs to a store travels with it: sites, risk overrides, gazetteers, on both backends.

Every test here runs twice, ``[file]`` and ``[postgis]`` (the ``backend``
fixture of tests/io/conftest.py; a real PostGIS, never a mock). The places
and sites are made up (tests/data/gaz_README.md; coordinates generated here).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import config
from geo.analysis.risk import RiskOverridesError
from geo.io import files, postgis_companions
from geo.io.backend import FileStore, IncidentStore, open_store
from geo.io.gazetteer_files import ColumnMapping, guess_mapping, read_place_file
from geo.io.gazetteers import StoreGazetteerError, add_gazetteer, remove_gazetteer
from geo.io.sites import SITE_COLUMNS, sites_path

DATA = Path(__file__).resolve().parents[1] / "data"
COD = DATA / "gaz_cod_places.csv"

rng = np.random.default_rng(15)
# Full double precision on purpose: the round trip must keep every bit.
BASE = (float(rng.uniform(-0.5, 0.5)), float(rng.uniform(15.5, 16.5)))
ROAD = [(BASE[0] + 0.1 * i + float(rng.uniform(0, 1e-9)), BASE[1] - 0.05 * i) for i in range(4)]


def _sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "name": ["Base é", "Supply road", "Airstrip"],
            "kind": ["office", "route", "airstrip"],
            "radius_km": [10.0, 25.0, 2.5],
        },
        geometry=[
            shapely.Point(BASE),
            shapely.LineString(ROAD),
            shapely.MultiLineString([ROAD[:2], ROAD[2:]]),
        ],
        crs="EPSG:4326",
    )[SITE_COLUMNS]


def _second(backend: IncidentStore) -> IncidentStore:
    """Another store object on the same store (another app replica)."""
    if isinstance(backend, FileStore):
        return open_store(backend.path)
    return open_store(backend.url, schema=backend.schema)  # type: ignore[attr-defined]


OVERRIDES = (
    "area,level,reason,expires,set_by,set_on\n"
    'Gao,High,"A reason, with a comma",2013-04-30,Analyst,2013-02-25\n'
)


# --------------------------------------------------------------------------
# Sites


def test_a_new_store_has_no_sites_and_no_site_version(backend):
    assert backend.sites().empty
    assert list(backend.sites().columns) == SITE_COLUMNS
    assert backend.sites_version() == ""


def test_sites_round_trip_with_identical_geometry(backend):
    backend.save_sites(_sites())
    got = backend.sites()
    assert list(got.columns) == SITE_COLUMNS and got.crs.equals("EPSG:4326")
    assert got["name"].tolist() == ["Base é", "Supply road", "Airstrip"]
    assert got["kind"].tolist() == ["office", "route", "airstrip"]
    assert got["radius_km"].tolist() == [10.0, 25.0, 2.5]
    for a, b in zip(got.geometry, _sites().geometry, strict=True):
        assert a.geom_type == b.geom_type
        np.testing.assert_array_equal(shapely.get_coordinates(a), shapely.get_coordinates(b))


def test_saving_no_sites_keeps_none(backend):
    backend.save_sites(_sites())
    backend.save_sites(_sites().iloc[:0])
    assert backend.sites().empty
    assert backend.sites_version() != ""


def test_a_second_replica_sees_a_site_change(backend):
    other = _second(backend)
    backend.save_sites(_sites())
    seen = other.sites_version()
    assert len(other.sites()) == 3
    backend.save_sites(_sites().iloc[:1])
    assert other.sites_version() != seen
    assert other.sites()["name"].tolist() == ["Base é"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.assign(radius_km=[10.0, 0.0, 1.0]), "radius_km above 0"),
        (lambda f: f.assign(name=["Base é", "BASE E", "x"]), "used twice"),
        (lambda f: f.drop(columns="kind"), "lacks kind"),
    ],
)
def test_sites_that_cannot_be_kept_are_refused_and_the_kept_ones_stay(backend, change, message):
    backend.save_sites(_sites())
    version = backend.sites_version()
    with pytest.raises(ValueError, match=message):
        backend.save_sites(change(_sites()))
    assert backend.sites_version() == version
    assert backend.sites()["name"].tolist() == _sites()["name"].tolist()


def test_a_site_write_that_fails_midway_leaves_the_old_sites(backend, monkeypatch):
    backend.save_sites(_sites())
    version = backend.sites_version()

    def crash(*args, **kwargs):
        raise OSError("killed midway")

    # The last step of each backend's write: the file's rename, the version bump.
    monkeypatch.setattr(files.os, "replace", crash)
    monkeypatch.setattr(postgis_companions, "_bump", crash)
    with pytest.raises(OSError, match="killed midway"):
        backend.save_sites(_sites().iloc[:1])
    monkeypatch.undo()
    assert backend.sites_version() == version
    assert backend.sites()["name"].tolist() == _sites()["name"].tolist()


def test_a_file_store_keeps_its_sites_in_todays_file(tmp_path):
    store = open_store(tmp_path / "incidents.csv")
    store.save_sites(_sites())
    path = sites_path(tmp_path / "incidents.csv")
    assert path == tmp_path / "incidents.sites.geojson" and path.exists()
    assert '"Supply road"' in path.read_text(encoding="utf-8")
    assert store.sites_version().endswith(f":{path.stat().st_size}")


def test_the_postgis_sites_table_is_a_layer_with_a_geometry_column(postgis_url, pg_schema):
    import psycopg

    store = open_store(postgis_url, schema=pg_schema)
    store.save_sites(_sites())
    with psycopg.connect(postgis_url) as conn:
        srid, kind = conn.execute(
            "SELECT srid, type FROM geometry_columns WHERE f_table_schema = %s "
            "AND f_table_name = 'sites'",
            (pg_schema,),
        ).fetchone()
        index = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND indexname = 'sites_geom'",
            (pg_schema,),
        ).fetchone()
        near = f'SELECT name FROM "{pg_schema}".sites WHERE ST_DWithin(geom::geography, '  # noqa: S608
        near += "ST_MakePoint(%s, %s)::geography, 100) ORDER BY position"
        # The road starts at the base; 0.1 degrees west is far from all three.
        at_base = conn.execute(near, BASE).fetchall()
        west = conn.execute(near, (BASE[0] - 0.1, BASE[1])).fetchall()
    assert (srid, kind) == (4326, "GEOMETRY")
    assert index is not None and "gist" in index[0]
    assert at_base == [("Base é",), ("Supply road",), ("Airstrip",)] and west == []


# --------------------------------------------------------------------------
# Risk overrides


def test_a_new_store_has_no_overrides(backend):
    assert backend.overrides() is None
    assert backend.overrides_text() is None
    assert backend.overrides_version() == ""


def test_overrides_round_trip_as_text_and_as_a_checked_frame(backend):
    backend.save_overrides(OVERRIDES)
    assert backend.overrides_text() == OVERRIDES
    frame = backend.overrides()
    assert frame is not None
    assert frame[["area", "level", "reason"]].values.tolist() == [
        ["Gao", "High", "A reason, with a comma"]
    ]
    assert str(frame["expires"].iloc[0].date()) == "2013-04-30"
    assert backend.overrides_version() != ""


def test_bad_overrides_are_refused_by_row_column_and_value_and_the_old_stay(backend):
    backend.save_overrides(OVERRIDES)
    version = backend.overrides_version()
    bad = OVERRIDES + "Kidal,Severe,why,2013-04-30,Analyst,2013-02-25\n"
    with pytest.raises(RiskOverridesError) as caught:
        backend.save_overrides(bad)
    [problem] = caught.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "level", "Severe")
    assert backend.location in str(problem) or "overrides" in str(problem)
    assert backend.overrides_text() == OVERRIDES
    assert backend.overrides_version() == version


def test_a_second_replica_sees_an_overrides_change(backend):
    other = _second(backend)
    backend.save_overrides(OVERRIDES)
    seen = other.overrides_version()
    backend.save_overrides(OVERRIDES.replace("High", "Extreme"))
    assert other.overrides_version() != seen
    frame = other.overrides()
    assert frame is not None and frame["level"].tolist() == ["Extreme"]


def test_a_store_elsewhere_never_gets_the_shipped_overrides(tmp_path):
    store = open_store(tmp_path / "incidents.csv")
    assert store.overrides() is None
    shipped = open_store(config.INCIDENTS_CSV)
    frame = shipped.overrides()
    assert frame is not None and len(frame) > 0


# --------------------------------------------------------------------------
# Gazetteers


def _add(backend: IncidentStore, name: str = "Mali COD") -> None:
    source = read_place_file(COD)
    add_gazetteer(backend, source, ColumnMapping(**guess_mapping(source)), name=name)


def test_gazetteers_round_trip_and_come_before_the_shipped_places(backend):
    assert backend.gazetteers() == [] and backend.gazetteers_version() == ""
    _add(backend)
    [entry] = backend.gazetteers()
    assert (entry.name, entry.file, entry.rows > 0) == ("Mali COD", "mali-cod.csv", True)
    gaz = backend.gazetteer()
    village = gaz.lookup("Kessoubere", country="MLI")
    assert village is not None and village.source == "user:mali-cod.csv"
    assert (village.latitude, village.longitude) == (14.9333, -2.6667)


def test_a_second_replica_sees_a_gazetteer_removed(backend):
    other = _second(backend)
    _add(backend)
    _add(backend, "Second list")
    seen = other.gazetteers_version()
    assert [e.name for e in other.gazetteers()] == ["Mali COD", "Second list"]
    remove_gazetteer(backend, "mali cod")
    assert other.gazetteers_version() != seen
    assert [e.name for e in other.gazetteers()] == ["Second list"]
    assert other.gazetteer().lookup("Kessoubere", country="MLI").source == "user:second-list.csv"


def test_a_refused_gazetteer_changes_nothing(backend):
    _add(backend)
    version = backend.gazetteers_version()
    with pytest.raises(StoreGazetteerError, match="already loaded"):
        _add(backend, "MALI cod")
    with pytest.raises(StoreGazetteerError, match="no gazetteer called"):
        remove_gazetteer(backend, "nothing")
    assert backend.gazetteers_version() == version


def test_a_gazetteer_write_that_fails_midway_leaves_the_old_ones(backend, monkeypatch):
    from geo.io import gazetteers

    _add(backend)
    version = backend.gazetteers_version()

    def crash(*args, **kwargs):
        raise OSError("killed midway")

    monkeypatch.setattr(gazetteers, "_write_manifest", crash)
    monkeypatch.setattr(postgis_companions, "_bump", crash)
    with pytest.raises(OSError, match="killed midway"):
        _add(backend, "Second list")
    monkeypatch.undo()
    assert backend.gazetteers_version() == version
    assert [e.name for e in backend.gazetteers()] == ["Mali COD"]
    assert backend.gazetteer().lookup("Kessoubere", country="MLI") is not None
