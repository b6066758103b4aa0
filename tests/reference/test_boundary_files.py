"""Tests for geo.reference.boundary_files: user boundary files read as standard area layers."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from geo.reference.area_layer import BoundaryFileError, BoundaryFileWarning
from geo.reference.boundary_files import load_boundary_file


def _user_layer(crs: str = "EPSG:3857") -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "admin1Name": ["Alpha", "Beta"],
            "admin1Pcod": ["XX01", "XX02"],
            "ADM1_FR": ["Alpha-Nord", "Beta"],
            "count": [1, 2],
        },
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )
    return frame.to_crs(crs)


def test_load_geojson_any_crs_reprojected(tmp_path: Path) -> None:
    path = tmp_path / "bnd_user.geojson"
    _user_layer("EPSG:3857").to_file(path, driver="GeoJSON")
    out = load_boundary_file(path, name_field="admin1Name", code_field="admin1Pcod")
    assert out.crs.to_epsg() == 4326
    assert list(out.columns) == ["area", "area_code", "iso3", "aliases", "geometry"]
    assert list(out["area"]) == ["Alpha", "Beta"]
    assert list(out["area_code"]) == ["XX01", "XX02"]
    np.testing.assert_allclose(out.total_bounds, [0, 0, 2, 1], atol=1e-6)


def test_load_zipped_shapefile_with_preset_detection(tmp_path: Path) -> None:
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    _user_layer("EPSG:32630").to_file(shp_dir / "bnd_admin1.shp")
    archive = tmp_path / "bnd_admin1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp_dir.iterdir():
            zf.write(part, f"inner/{part.name}")
    out = load_boundary_file(archive, iso3="xx")
    assert out.attrs["fields"]["preset"] == "cod-ab"
    assert list(out["area"]) == ["Alpha", "Beta"]
    assert list(out["area_code"]) == ["XX01", "XX02"]
    assert list(out["iso3"]) == ["XX", "XX"]
    # ADM1_FR is a COD-AB alias field; a value equal to the name is left out.
    assert list(out["aliases"]) == ["Alpha-Nord", ""]
    np.testing.assert_allclose(out.total_bounds, [0, 0, 2, 1], atol=1e-6)


def test_load_plain_shapefile(tmp_path: Path) -> None:
    path = tmp_path / "bnd_plain.shp"
    _user_layer("EPSG:3857").to_file(path)
    out = load_boundary_file(path, name_field="admin1name")  # case-insensitive
    assert list(out["area"]) == ["Alpha", "Beta"]
    assert list(out["area_code"]) == ["", ""]


def test_load_geopackage_layer_choice(tmp_path: Path) -> None:
    path = tmp_path / "bnd_layers.gpkg"
    _user_layer("EPSG:3857").to_file(path, layer="regions", driver="GPKG")
    other = _user_layer("EPSG:4326")
    other["admin1Name"] = ["Gamma", "Delta"]
    other.to_file(path, layer="other", driver="GPKG")
    with pytest.raises(BoundaryFileError) as err:
        load_boundary_file(path, name_field="admin1Name")
    assert "regions" in str(err.value) and "other" in str(err.value)
    out = load_boundary_file(path, name_field="admin1Name", layer="other")
    assert list(out["area"]) == ["Gamma", "Delta"]
    with pytest.raises(BoundaryFileError, match="no layer 'nope'"):
        load_boundary_file(path, name_field="admin1Name", layer="nope")


def test_missing_field_error_lists_fields(tmp_path: Path) -> None:
    path = tmp_path / "bnd_user.geojson"
    _user_layer().to_file(path, driver="GeoJSON")
    with pytest.raises(BoundaryFileError) as err:
        load_boundary_file(path, name_field="ADM1_NAME")
    message = str(err.value)
    assert "bnd_user.geojson" in message
    assert "'ADM1_NAME'" in message
    for field in ("admin1Name", "admin1Pcod", "ADM1_FR", "count"):
        assert field in message


def test_unknown_scheme_without_name_field(tmp_path: Path) -> None:
    path = tmp_path / "bnd_plain.geojson"
    gpd.GeoDataFrame({"label": ["A"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326").to_file(
        path, driver="GeoJSON"
    )
    with pytest.raises(BoundaryFileError, match="label"):
        load_boundary_file(path)


def test_presets_detected(tmp_path: Path) -> None:
    geo_b = tmp_path / "bnd_geob.geojson"
    gpd.GeoDataFrame(
        {"shapeName": ["Gao"], "shapeISO": ["ML-7"], "shapeGroup": ["MLI"]},
        geometry=[box(0, 0, 1, 1)],
        crs="EPSG:4326",
    ).to_file(geo_b, driver="GeoJSON")
    out = load_boundary_file(geo_b)
    assert out.attrs["fields"]["preset"] == "geoboundaries"
    assert out.iloc[0][["area", "area_code", "iso3"]].tolist() == ["Gao", "ML-7", "MLI"]

    ne = tmp_path / "bnd_ne.geojson"
    gpd.GeoDataFrame(
        {
            "name": ["Timbuktu"],
            "iso_3166_2": ["ML-6"],
            "adm0_a3": ["MLI"],
            "name_fr": ["Tombouctou"],
        },
        geometry=[box(0, 0, 1, 1)],
        crs="EPSG:4326",
    ).to_file(ne, driver="GeoJSON")
    out = load_boundary_file(ne, preset="natural-earth")
    assert out.iloc[0][["area", "area_code", "iso3", "aliases"]].tolist() == [
        "Timbuktu",
        "ML-6",
        "MLI",
        "Tombouctou",
    ]
    with pytest.raises(BoundaryFileError, match="unknown preset"):
        load_boundary_file(ne, preset="gadm")


def test_file_without_crs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bnd_nocrs.shp"
    frame = _user_layer("EPSG:4326")
    frame.to_file(path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(BoundaryFileError, match="no coordinate reference system"):
        load_boundary_file(path, name_field="admin1Name")


def test_projected_coordinates_labelled_as_degrees_are_refused(tmp_path: Path) -> None:
    # Web Mercator metres written as a GeoJSON with no 'crs' member, so the
    # reader takes them for WGS84 degrees: refused with a CRS hint.
    path = tmp_path / "bnd_mercator_unlabelled.geojson"
    metres = _user_layer("EPSG:3857").set_crs("EPSG:4326", allow_override=True)
    metres.to_file(path, driver="GeoJSON")
    with pytest.raises(BoundaryFileError, match="looks projected") as err:
        load_boundary_file(path, name_field="admin1Name")
    assert "EPSG:4326" in str(err.value)


def test_a_table_without_geometry_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bnd_table.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "geometry": null, "properties": {"admin1Name": "Alpha"}}]}',
        encoding="utf-8",
    )
    with pytest.raises(BoundaryFileError, match="no geometries"):
        load_boundary_file(path, name_field="admin1Name")


def test_non_polygon_geometries_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bnd_points.geojson"
    gpd.GeoDataFrame(
        {"name": ["A", "B"]}, geometry=[box(0, 0, 1, 1), Point(0, 0)], crs="EPSG:4326"
    ).to_file(path, driver="GeoJSON")
    with pytest.raises(BoundaryFileError) as err:
        load_boundary_file(path, name_field="name")
    assert "feature(s) 2" in str(err.value) and "Point" in str(err.value)


def test_invalid_polygon_repaired_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "bnd_bowtie.geojson"
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    assert not bowtie.is_valid
    gpd.GeoDataFrame({"name": ["Bow"]}, geometry=[bowtie], crs="EPSG:4326").to_file(
        path, driver="GeoJSON"
    )
    with pytest.warns(BoundaryFileWarning, match="repaired 1 invalid polygon"):
        out = load_boundary_file(path, name_field="name")
    assert out.is_valid.all()
    assert shapely.area(out.geometry.iloc[0]) == pytest.approx(0.5)
    assert out.attrs["warnings"] and "bnd_bowtie.geojson" in out.attrs["warnings"][0]


def test_empty_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bnd_noname.geojson"
    gpd.GeoDataFrame(
        {"name": ["A", ""]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:4326"
    ).to_file(path, driver="GeoJSON")
    with pytest.raises(BoundaryFileError, match="feature\\(s\\) 2 have an empty 'name'"):
        load_boundary_file(path, name_field="name")


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "bnd_garbage.geojson"
    path.write_bytes(b"\x00\x01 not a boundary file")
    with pytest.raises(BoundaryFileError, match="bnd_garbage.geojson: cannot read"):
        load_boundary_file(path, name_field="name")


def test_zip_with_two_shapefiles_needs_layer(tmp_path: Path) -> None:
    for stem in ("bnd_a", "bnd_b"):
        _user_layer().to_file(tmp_path / f"{stem}.shp")
    archive = tmp_path / "bnd_two.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("bnd_[ab].*"):
            zf.write(part, part.name)
    with pytest.raises(BoundaryFileError, match="several shapefiles"):
        load_boundary_file(archive)
    assert len(load_boundary_file(archive, layer="bnd_b")) == 2


def test_missing_file() -> None:
    with pytest.raises(BoundaryFileError, match="file not found"):
        load_boundary_file("bnd_does_not_exist.geojson", name_field="name")


def test_valid_file_gives_no_warning(tmp_path: Path) -> None:
    path = tmp_path / "bnd_user.geojson"
    _user_layer().to_file(path, driver="GeoJSON")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = load_boundary_file(path, name_field="admin1Name")
    assert out.attrs["warnings"] == []
