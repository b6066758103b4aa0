"""The team's sites and routes: four file formats, errors by row, kept beside the store."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.io.sites import (
    DEFAULT_RADIUS_KM,
    SITE_COLUMNS,
    SiteFileError,
    empty_sites,
    load_sites,
    merge_sites,
    save_sites,
    sites_path,
    sites_version,
    store_sites,
)

# Made-up sites; coordinates generated here (a point and a short road near
# 16 N 0 E), not taken from any real team.
rng = np.random.default_rng(13)
BASE = (round(float(rng.uniform(-0.5, 0.5)), 4), round(float(rng.uniform(15.5, 16.5)), 4))
ROAD = [(BASE[0] + 0.1 * i, BASE[1] - 0.05 * i) for i in range(4)]


def _expected() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Example base", "Example road"], "kind": ["office", "route"]},
        geometry=[shapely.Point(BASE), shapely.LineString(ROAD)],
        crs="EPSG:4326",
    ).assign(radius_km=[10.0, DEFAULT_RADIUS_KM])[SITE_COLUMNS]


def _same(got: gpd.GeoDataFrame, want: gpd.GeoDataFrame) -> None:
    assert list(got.columns) == SITE_COLUMNS
    assert got.crs.equals("EPSG:4326")
    assert got["name"].tolist() == want["name"].tolist()
    assert got["kind"].tolist() == want["kind"].tolist()
    np.testing.assert_allclose(got["radius_km"], want["radius_km"])
    for a, b in zip(got.geometry, want.geometry, strict=True):
        assert a.equals_exact(b, tolerance=1e-6), (a.wkt, b.wkt)


def _csv(tmp_path: Path) -> Path:
    line = ", ".join(f"{x} {y}" for x, y in ROAD)
    path = tmp_path / "sites.csv"
    path.write_text(
        "Name,Kind,Latitude,Longitude,radius_km,WKT\n"
        f"Example base,Office,{BASE[1]},{BASE[0]},10,\n"
        f'Example road,,,,,"LINESTRING ({line})"\n',
        encoding="utf-8",
    )
    return path


def _kml(tmp_path: Path, encoding: str = "utf-8", head: str = "") -> Path:
    coords = " ".join(f"{x},{y},0" for x, y in ROAD)
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>{head}\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder>\n'
        "<Placemark><name>Example base</name><ExtendedData>"
        '<Data name="kind"><value>office</value></Data>'
        '<Data name="radius_km"><value>10</value></Data></ExtendedData>'
        f"<Point><coordinates>{BASE[0]},{BASE[1]}</coordinates></Point></Placemark>\n"
        "<Placemark><name> Example   road </name>"
        f"<LineString><tessellate>1</tessellate><coordinates>\n  {coords}\n"
        "</coordinates></LineString></Placemark>\n"
        "</Folder></Document></kml>\n"
    )
    path = tmp_path / "sites.kml"
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_with_points_and_a_wkt_line(tmp_path):
    _same(load_sites(_csv(tmp_path)), _expected())


def test_kml_points_and_lines(tmp_path):
    _same(load_sites(_kml(tmp_path)), _expected())


@pytest.mark.parametrize(("suffix", "driver"), [(".geojson", "GeoJSON"), (".gpkg", "GPKG")])
def test_layers(tmp_path, suffix, driver):
    path = tmp_path / f"sites{suffix}"
    _expected().assign(radius_km=[10.0, None]).to_file(path, driver=driver)
    _same(load_sites(path), _expected())


def test_a_projected_layer_that_says_so_is_reprojected(tmp_path):
    path = tmp_path / "utm.gpkg"
    _expected().to_crs("EPSG:32631").to_file(path, driver="GPKG")
    _same(load_sites(path), _expected())


def test_projected_coordinates_in_a_geojson_without_crs_are_refused(tmp_path):
    path = tmp_path / "metres.geojson"
    feature = {
        "type": "Feature",
        "properties": {"name": "Example base"},
        "geometry": {"type": "Point", "coordinates": [612345.0, 1768000.0]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(SiteFileError) as err:
        load_sites(path)
    text = str(err.value)
    assert "metres.geojson: feature 1" in text and "612345" in text and "projected" in text


def test_every_problem_names_file_row_column_and_value(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "name,kind,lat,lon,radius,wkt\n"
        ",office,16,0,,\n"
        "Example one,office,95,0,,\n"
        "Example two,office,16,east,,\n"
        'Example three,compound,,,,"POLYGON ((0 16, 1 16, 1 17, 0 16))"\n'
        'Example four,route,,,,"LINESTRIN (0 16, 1 17)"\n'
        "Example FOUR,office,16,0,-2,\n",
        encoding="utf-8",
    )
    with pytest.raises(SiteFileError) as err:
        load_sites(path)
    lines = str(err.value).splitlines()[1:]
    assert lines == [
        line.format(path)
        for line in [
            "{0}: line 2, column 'name': got ''; every site needs a name",
            "{0}: line 3, column 'lat/lon': got 'lon 0, lat 95'; coordinates out of range: "
            "longitude -180..180, latitude -90..90",
            "{0}: line 4, column 'lon': got 'east'; expected a number",
            "{0}: line 5, column 'wkt': got 'Polygon'; "
            "expected a Point, LineString or MultiLineString",
            "{0}: line 6, column 'wkt': got 'LINESTRIN (0 16, 1 17)'; expected WKT such as "
            "LINESTRING (lon lat, lon lat)",
            "{0}: line 7, column 'radius': got '-2'; "
            "expected a number of km above 0 and at most 1000",
            "{0}: line 7, column 'name': got 'Example FOUR'; the name is already used at line 6; "
            "names must be unique",
        ]
    ]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.csv", "name,latitude,longitude\n", "has no rows"),
        ("blank.csv", "", "not a readable UTF-8 CSV file"),
        ("nocoords.csv", "name,kind\nExample base,office\n", "no coordinates"),
        ("noname.csv", "site_id,latitude,longitude\n1,16,0\n", "no name column"),
        ("empty.geojson", '{"type": "FeatureCollection", "features": []}', "has no features"),
        ("empty.kml", '<kml xmlns="http://www.opengis.net/kml/2.2"></kml>', "no Placemark"),
        ("broken.kml", "<kml><Placemark>", "not well-formed XML"),
        ("sites.shp.txt", "x", "unknown file type"),
    ],
)
def test_whole_file_problems(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SiteFileError) as err:
        load_sites(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(SiteFileError, match="nowhere.csv: file not found"):
        load_sites(tmp_path / "nowhere.csv")


def test_kml_problems_per_placemark(tmp_path):
    path = tmp_path / "bad.kml"
    path.write_text(
        '<kml xmlns="http://earth.google.com/kml/2.1">'
        "<Placemark><name>Example area</name><Polygon><outerBoundaryIs><LinearRing>"
        "<coordinates>0,16 1,16 1,17 0,16</coordinates></LinearRing></outerBoundaryIs>"
        "</Polygon></Placemark>"
        "<Placemark><name>Example base</name><Point><coordinates>zero,16</coordinates>"
        "</Point></Placemark>"
        "<Placemark><name>Example pin</name></Placemark></kml>",
        encoding="utf-8",
    )
    with pytest.raises(SiteFileError) as err:
        load_sites(path)
    assert str(err.value).splitlines()[1:] == [
        f"{path}: placemark 1, column 'geometry': got 'LinearRing, Polygon'; "
        "expected one Point or LineString",
        f"{path}: placemark 2, column 'coordinates': got 'zero,16'; "
        "expected lon,lat[,alt] positions separated by spaces",
        f"{path}: placemark 3, column 'geometry': got 'no geometry'; "
        "expected one Point or LineString",
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_kml_with_entities_is_refused_whatever_its_encoding(tmp_path, encoding):
    head = '\n<!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    path = _kml(tmp_path, encoding=encoding, head=head)
    with pytest.raises(SiteFileError, match="DOCTYPE or entities"):
        load_sites(path)


def test_kept_beside_the_store_and_read_back(tmp_path):
    store = tmp_path / "incidents.csv"
    assert sites_path(store) == tmp_path / "incidents.sites.geojson"
    assert store_sites(store).empty and sites_version(store) == ""
    sites = load_sites(_csv(tmp_path))
    save_sites(store, sites)
    _same(store_sites(store), _expected())
    first = sites_version(store)
    save_sites(store, sites.iloc[:1])
    assert store_sites(store)["name"].tolist() == ["Example base"]
    assert sites_version(store) != first
    # The previous version is kept, as for every other atomic write.
    assert (tmp_path / "incidents.sites.geojson.bak").exists()
    save_sites(store, empty_sites())
    assert store_sites(store).empty


def test_a_damaged_kept_file_is_named(tmp_path):
    store = tmp_path / "incidents.csv"
    sites_path(store).write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", '
        '"properties": {"name": ""}, "geometry": {"type": "Point", "coordinates": [0, 16]}}]}'
    )
    with pytest.raises(SiteFileError, match="incidents.sites.geojson: feature 1"):
        store_sites(store)


def test_a_kept_file_that_is_not_json_is_named(tmp_path):
    store = tmp_path / "incidents.csv"
    sites_path(store).write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(SiteFileError, match=r"incidents.sites.geojson: is not the GeoJSON .*\.bak"):
        store_sites(store)


def test_multilines_and_heights_are_kept_as_2d_routes(tmp_path):
    path = tmp_path / "routes.geojson"
    feature = {
        "type": "Feature",
        "properties": {"Name": "Example road", "radius": "2,5"},
        "geometry": {
            "type": "MultiLineString",
            "coordinates": [[[0.0, 16.0, 300.0], [0.5, 16.2, 310.0]], [[0.5, 16.2], [1.0, 16.4]]],
        },
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    got = load_sites(path)
    assert got["kind"].tolist() == ["route"] and got["radius_km"].tolist() == [2.5]
    assert got.geometry.iloc[0].geom_type == "MultiLineString"
    assert not got.geometry.iloc[0].has_z


def test_merge_refuses_a_name_already_kept_unless_replacing(tmp_path):
    kept = load_sites(_csv(tmp_path))
    new = kept.iloc[:1].assign(name=["EXAMPLE BASE"])
    with pytest.raises(SiteFileError, match="'EXAMPLE BASE'.*already kept"):
        merge_sites(kept, new, file="new.csv")
    assert merge_sites(kept, new, replace=True)["name"].tolist() == ["EXAMPLE BASE"]
    other = kept.iloc[:1].assign(name=["Example airstrip"])
    assert merge_sites(kept, other)["name"].tolist() == [
        "Example base",
        "Example road",
        "Example airstrip",
    ]
