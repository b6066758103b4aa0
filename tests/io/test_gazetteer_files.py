"""Reading, guessing and checking a user's place file (geo.io.gazetteer_files).

Every place here is fictional (see tests/data/gaz_README.md).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, MultiPoint, Point

from geo.io.gazetteer_files import (
    GEOMETRY,
    PLACE_FILE_COLUMNS,
    ColumnMapping,
    PlaceFileError,
    guess_mapping,
    place_rows,
    read_place_file,
)

DATA = Path(__file__).resolve().parents[1] / "data"
COD = DATA / "gaz_cod_places.csv"


def _points(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """Two fictional villages with shapefile-style (10-character) field names."""
    frame = gpd.GeoDataFrame(
        {
            "featureNam": ["Djouraboni", "Tinagarou"],
            "admin1Name": ["Mopti", "Tombouctou"],
            "admin0Pcod": ["ML", "ML"],
            "Latitude": [0.0, 0.0],  # stale attributes: the points are what counts
        },
        geometry=[Point(-2.2222, 15.1111), Point(-1.3456, 16.1234)],
        crs="EPSG:4326",
    )
    return frame.to_crs(crs)


def _zipped_shapefile(tmp_path: Path, frame: gpd.GeoDataFrame, name: str = "ppl") -> Path:
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    frame.to_file(folder / f"{name}.shp")
    archive = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(archive, "a") as z:
        for part in folder.glob(f"{name}.*"):
            z.write(part, f"mli_pplp/{part.name}")
    return archive


def test_a_cod_csv_is_read_with_its_hxl_row_skipped_and_its_columns_guessed():
    source = read_place_file(COD)
    assert source.kind == "csv" and source.file == "gaz_cod_places.csv"
    assert source.rows.tolist()[:2] == ["line 3", "line 4"]  # header 1, HXL row 2
    assert guess_mapping(source) == {
        "name": "featureName",
        "latitude": "Latitude",
        "longitude": "Longitude",
        "admin1": "admin1Name_fr",
        "country": "admin0Pcode",
        "alternates": None,
        "pcode": "featurePcode",
    }
    rows = place_rows(source, ColumnMapping(**guess_mapping(source)))
    assert list(rows.columns) == PLACE_FILE_COLUMNS
    first = rows.iloc[1]
    assert (first["name"], first["iso3"], first["admin1"]) == ("Kessoubéré", "MLI", "Mopti")
    assert (first["latitude"], first["longitude"], first["pcode"]) == (
        14.9333,
        -2.6667,
        "ML0501F002",
    )


def test_semicolons_decimal_commas_a_bom_and_alternate_names_are_read():
    source = read_place_file(DATA / "gaz_ocha_places.csv")
    guess = guess_mapping(source)
    assert (guess["country"], guess["alternates"]) == ("iso3", "alternateNames")
    rows = place_rows(source, ColumnMapping(**guess))
    assert rows["latitude"].tolist() == [18.45, 16.0, 18.05]
    assert rows["iso3"].tolist() == ["MLI", "MLI", "MLI"]  # "ML" in the last row
    assert rows["alternates"].iloc[2] == "Camp Fixture|Fixture Bivouac"


def test_every_bad_row_is_named_by_file_line_column_and_value():
    source = read_place_file(DATA / "gaz_cod_bad.csv", file="partner.csv")
    with pytest.raises(PlaceFileError) as caught:
        place_rows(source, ColumnMapping(**guess_mapping(source)))
    problems = caught.value.problems
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("partner.csv", "line 3", "featureName", ""),
        ("partner.csv", "line 4", "Latitude", "14.5N"),
        ("partner.csv", "line 5", "Longitude", "-200"),
        ("partner.csv", "line 6", "admin0Pcode", "XX"),
    ]
    message = str(caught.value)
    assert "4 problem(s)" in message
    assert "partner.csv, line 4, column 'Latitude', value '14.5N': not a number" in message


def test_a_mapping_naming_a_missing_column_is_refused():
    source = read_place_file(COD)
    mapping = ColumnMapping(name="Village", latitude="Latitude", longitude="Longitude")
    with pytest.raises(PlaceFileError) as caught:
        place_rows(source, mapping, country="MLI")
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == ("header", "Village")
    assert "featureName" in problem.problem  # the columns the file has are listed


def test_a_country_is_needed_from_a_column_or_for_the_whole_file(tmp_path):
    path = tmp_path / "villages.csv"
    path.write_text("Nom,Lat,Lon\nDjouraboni,15.1111,-2.2222\n", encoding="utf-8")
    source = read_place_file(path)
    mapping = ColumnMapping(**guess_mapping(source))
    assert (mapping.name, mapping.latitude, mapping.country) == ("Nom", "Lat", None)
    with pytest.raises(PlaceFileError, match="no country"):
        place_rows(source, mapping)
    with pytest.raises(PlaceFileError, match="not a known country"):
        place_rows(source, mapping, country="Atlantis")
    assert place_rows(source, mapping, country="Mali")["iso3"].tolist() == ["MLI"]


def test_an_empty_country_cell_takes_the_files_country(tmp_path):
    path = tmp_path / "villages.csv"
    path.write_text(
        "name,latitude,longitude,iso3\nDjouraboni,15.1,-2.2,\nTinagarou,16.1,-1.3,NER\n",
        encoding="utf-8",
    )
    source = read_place_file(path)
    mapping = ColumnMapping(**guess_mapping(source))
    with pytest.raises(PlaceFileError, match="line 2, column 'iso3'"):
        place_rows(source, mapping)
    assert place_rows(source, mapping, country="MLI")["iso3"].tolist() == ["MLI", "NER"]


def test_a_zipped_shapefile_gives_its_points_and_truncated_field_names(tmp_path):
    source = read_place_file(_zipped_shapefile(tmp_path, _points()))
    assert source.kind == "layer" and source.file == "ppl.zip"
    assert source.rows.tolist() == ["feature 1", "feature 2"]
    guess = guess_mapping(source)
    assert guess["name"] == "featureNam" and guess["admin1"] == "admin1Name"
    assert guess["latitude"] == guess["longitude"] == GEOMETRY
    assert GEOMETRY in source.columns
    rows = place_rows(source, ColumnMapping(**guess))
    assert rows["name"].tolist() == ["Djouraboni", "Tinagarou"]
    assert rows["latitude"].round(6).tolist() == [15.1111, 16.1234]
    assert rows["longitude"].round(6).tolist() == [-2.2222, -1.3456]
    assert rows["iso3"].tolist() == ["MLI", "MLI"]
    preview = source.preview()
    assert list(preview.columns[[0, -2, -1]]) == ["(row)", "(point latitude)", "(point longitude)"]
    assert preview["(row)"].tolist() == ["feature 1", "feature 2"]


@pytest.mark.parametrize(("suffix", "crs"), [(".gpkg", "EPSG:3857"), (".geojson", "EPSG:4326")])
def test_geopackage_and_geojson_layers_come_back_in_degrees(tmp_path, suffix, crs):
    path = tmp_path / f"villages{suffix}"
    _points(crs).to_file(path)
    source = read_place_file(path)
    rows = place_rows(source, ColumnMapping(**guess_mapping(source)))
    assert rows["latitude"].round(6).tolist() == [15.1111, 16.1234]
    assert rows["longitude"].round(6).tolist() == [-2.2222, -1.3456]


def test_one_part_multipoints_are_points_and_other_features_are_named(tmp_path):
    frame = _points()
    frame["geometry"] = [MultiPoint([(-2.2222, 15.1111)]), MultiPoint([(0, 15), (1, 16)])]
    path = tmp_path / "multi.gpkg"
    frame.to_file(path)
    source = read_place_file(path)
    with pytest.raises(PlaceFileError) as caught:
        place_rows(source, ColumnMapping(**guess_mapping(source)))
    [problem] = caught.value.problems
    assert (problem.row, problem.value) == ("feature 2", "MultiPoint")
    assert source.geometry is not None
    assert source.geometry["latitude"].iloc[0] == pytest.approx(15.1111)


def test_a_feature_that_is_not_a_point_is_named(tmp_path):
    frame = _points()
    frame.loc[1, "geometry"] = LineString([(0, 15), (1, 16)])
    path = tmp_path / "mixed.geojson"
    frame.to_file(path)
    source = read_place_file(path)
    with pytest.raises(PlaceFileError) as caught:
        place_rows(source, ColumnMapping(**guess_mapping(source)))
    [problem] = caught.value.problems
    assert (problem.row, problem.column, problem.value) == ("feature 2", "geometry", "LineString")


def test_files_that_cannot_be_read_say_why(tmp_path):
    with pytest.raises(PlaceFileError, match="unsupported file type '.xlsx'"):
        read_place_file(tmp_path / "places.xlsx")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name,latitude,longitude\nKessoubéré,1,2\n".encode("latin-1"))
    with pytest.raises(PlaceFileError, match="latin.csv: not UTF-8 text"):
        read_place_file(latin)
    two = _zipped_shapefile(tmp_path, _points(), "a")
    with zipfile.ZipFile(two, "a") as z:
        z.writestr("other/b.shp", b"")
    with pytest.raises(PlaceFileError, match="one shapefile.*a.shp, other/b.shp"):
        read_place_file(two)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    with pytest.raises(PlaceFileError, match="not a readable zip"):
        read_place_file(broken)
    empty = tmp_path / "empty.csv"
    empty.write_text("name,latitude,longitude\n", encoding="utf-8")
    with pytest.raises(PlaceFileError, match="holds no places"):
        place_rows(read_place_file(empty), ColumnMapping("name", "latitude", "longitude"), "MLI")
