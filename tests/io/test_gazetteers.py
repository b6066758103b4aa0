"""The store's gazetteers: add, list, remove, and use them (geo.io.gazetteers).

Every place here is fictional (see tests/data/gaz_README.md).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.io import gazetteers
from geo.io.gazetteer_files import (
    ColumnMapping,
    PlaceFileError,
    PlaceSource,
    guess_mapping,
    read_place_file,
)
from geo.io.gazetteers import (
    StoreGazetteerError,
    add_gazetteer,
    gazetteer_dir,
    list_gazetteers,
    load_store_gazetteer,
    manifest_version,
    remove_gazetteer,
)

DATA = Path(__file__).resolve().parents[1] / "data"
COD = DATA / "gaz_cod_places.csv"


@pytest.fixture
def store(tmp_path) -> Path:
    return tmp_path / "incidents.csv"


def _cod() -> tuple[PlaceSource, ColumnMapping]:
    source = read_place_file(COD)
    return source, ColumnMapping(**guess_mapping(source))


def _snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix != ".lock"}


def test_a_gazetteer_is_kept_beside_the_store_with_its_manifest(store):
    source, mapping = _cod()
    entry = add_gazetteer(store, source, mapping, name=" Mali  COD ", loaded_by="analyst")
    folder = gazetteer_dir(store)
    assert folder == store.parent / "incidents.gazetteers"
    assert (entry.name, entry.file, entry.rows) == ("Mali COD", "mali-cod.csv", 5)
    assert entry.columns["name"] == "featureName" and entry.loaded_by == "analyst"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == 1
    [recorded] = manifest["gazetteers"]
    assert recorded["source_file"] == "gaz_cod_places.csv"
    assert recorded["columns"]["pcode"] == "featurePcode"
    assert recorded["loaded_at"].endswith("+00:00")
    assert list_gazetteers(store) == [entry]
    kept = (folder / "mali-cod.csv").read_text(encoding="utf-8").splitlines()
    assert kept[0] == '"name","alternates","iso3","admin1","latitude","longitude","pcode"'
    assert kept[2] == '"Kessoubéré","","MLI","Mopti","14.933300","-2.666700","ML0501F002"'


def test_the_stores_places_come_before_the_shipped_ones(store):
    source, mapping = _cod()
    add_gazetteer(store, source, mapping, name="Mali COD")
    gaz = load_store_gazetteer(store)
    village = gaz.lookup("Kessoubere", country="MLI")
    assert village is not None
    assert (village.latitude, village.longitude, village.admin1) == (14.9333, -2.6667, "Mopti")
    assert village.source == "user:mali-cod.csv" and village.geo_precision == 1
    # The fixture's "Douentza" is deliberately misplaced: the store's list wins.
    town = gaz.lookup("Douentza", country="MLI")
    assert town is not None and (town.latitude, town.source) == (15.3, "user:mali-cod.csv")
    assert "precedence" in town.note
    # Places the store's list lacks still come from the shipped list.
    gao = gaz.lookup("Gao", country="MLI")
    assert gao is not None and gao.source == "geonames"


def test_without_gazetteers_the_store_uses_the_shipped_list(store):
    assert list_gazetteers(store) == [] and manifest_version(store) == ""
    assert load_store_gazetteer(store).lookup("Kessoubéré") is None


def test_earlier_gazetteers_and_extra_files_win(store, tmp_path):
    source, mapping = _cod()
    add_gazetteer(store, source, mapping, name="First")
    later = tmp_path / "later.csv"
    later.write_text("name,latitude,longitude\nKessoubéré,10,-5\n", encoding="utf-8")
    add_gazetteer(
        store,
        read_place_file(later),
        ColumnMapping("name", "latitude", "longitude"),
        name="Second",
        country="MLI",
        precision=2,
    )
    assert [e.name for e in list_gazetteers(store)] == ["First", "Second"]
    assert list_gazetteers(store)[1].country == "MLI"
    found = load_store_gazetteer(store).lookup("Kessoubéré")
    assert found is not None and found.latitude == 14.9333
    extra = tmp_path / "extra.csv"
    extra.write_text("name,latitude,longitude\nKessoubéré,11,-4\n", encoding="utf-8")
    found = load_store_gazetteer(store, extra_files=[extra]).lookup("Kessoubéré")
    assert found is not None and found.latitude == 11.0


def test_a_shapefile_round_trip(store, tmp_path):
    frame = gpd.GeoDataFrame(
        {"featureNam": ["Tinagarou"], "admin1Name": ["Tombouctou"], "iso3": ["MLI"]},
        geometry=[Point(-1.3456, 16.1234)],
        crs="EPSG:4326",
    )
    (tmp_path / "shp").mkdir()
    frame.to_file(tmp_path / "shp" / "ppl.shp")
    archive = tmp_path / "mli_ppl.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in (tmp_path / "shp").iterdir():
            z.write(part, part.name)
    source = read_place_file(archive)
    entry = add_gazetteer(store, source, ColumnMapping(**guess_mapping(source)), name="Shp")
    assert entry.columns["latitude"] == "(point geometry)"
    found = load_store_gazetteer(store).lookup("Tinagarou", country="MLI")
    assert found is not None
    assert (round(found.latitude, 6), round(found.longitude, 6)) == (16.1234, -1.3456)


def test_a_bad_file_changes_nothing(store):
    source, mapping = _cod()
    add_gazetteer(store, source, mapping, name="Mali COD")
    before = _snapshot(gazetteer_dir(store))
    bad = read_place_file(DATA / "gaz_cod_bad.csv")
    with pytest.raises(PlaceFileError):
        add_gazetteer(store, bad, ColumnMapping(**guess_mapping(bad)), name="Bad")
    assert _snapshot(gazetteer_dir(store)) == before


def test_a_name_in_use_a_blank_name_and_a_bad_precision_are_refused(store):
    source, mapping = _cod()
    add_gazetteer(store, source, mapping, name="Mali COD")
    before = _snapshot(gazetteer_dir(store))
    with pytest.raises(StoreGazetteerError, match="already loaded"):
        add_gazetteer(store, source, mapping, name="mali cod")
    with pytest.raises(StoreGazetteerError, match="give the gazetteer a name"):
        add_gazetteer(store, source, mapping, name=" - ")
    with pytest.raises(StoreGazetteerError, match="expected 1, 2 or 3"):
        add_gazetteer(store, source, mapping, name="Other", precision=4)
    assert _snapshot(gazetteer_dir(store)) == before


def test_a_failed_manifest_write_leaves_no_place_file(store, monkeypatch):
    source, mapping = _cod()
    add_gazetteer(store, source, mapping, name="Mali COD")
    before = _snapshot(gazetteer_dir(store))

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(gazetteers, "_write_manifest", fail)
    with pytest.raises(OSError, match="disk full"):
        add_gazetteer(store, source, mapping, name="Second")
    assert _snapshot(gazetteer_dir(store)) == before


def test_remove_drops_the_entry_and_its_file(store):
    source, mapping = _cod()
    add_gazetteer(store, source, mapping, name="Mali COD")
    first = manifest_version(store)
    gone = remove_gazetteer(store, "MALI cod")
    assert gone.name == "Mali COD"
    assert list_gazetteers(store) == []
    assert not (gazetteer_dir(store) / "mali-cod.csv").exists()
    assert manifest_version(store) not in ("", first)  # a cache keyed on it reloads
    with pytest.raises(StoreGazetteerError, match="no gazetteer called 'Mali COD'; loaded: none"):
        remove_gazetteer(store, "Mali COD")


def test_a_file_already_in_the_folder_is_never_overwritten(store):
    source, mapping = _cod()
    gazetteer_dir(store).mkdir()
    stray = gazetteer_dir(store) / "mali-cod.csv"
    stray.write_text("someone's own file\n", encoding="utf-8")
    entry = add_gazetteer(store, source, mapping, name="Mali: COD")
    assert entry.file == "mali-cod-2.csv"
    assert add_gazetteer(store, source, mapping, name="mli_pplp").file == "mli-pplp.csv"
    assert stray.read_text(encoding="utf-8") == "someone's own file\n"


def test_a_broken_manifest_or_a_missing_file_is_reported(store):
    source, mapping = _cod()
    entry = add_gazetteer(store, source, mapping, name="Mali COD")
    (gazetteer_dir(store) / entry.file).unlink()
    with pytest.raises(StoreGazetteerError, match="mali-cod.csv: listed in .* but missing"):
        load_store_gazetteer(store)
    (gazetteer_dir(store) / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreGazetteerError, match="not a gazetteer manifest"):
        list_gazetteers(store)
    with pytest.raises(StoreGazetteerError):
        add_gazetteer(store, source, mapping, name="Other")
