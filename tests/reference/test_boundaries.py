"""Tests for geo.reference.boundaries: shipped layers, user boundary files, area names."""

from __future__ import annotations

import importlib.util
import sys
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from geo import config
from geo.reference.boundaries import (
    AreaNames,
    BoundaryFileError,
    BoundaryFileWarning,
    load_admin0,
    load_admin1,
    load_borders,
    load_boundary_file,
    load_land_borders,
)

ROOT = Path(__file__).resolve().parents[2]
MALI_AREAS = {
    "Kayes",
    "Koulikoro",
    "Sikasso",
    "Ségou",
    "Mopti",
    "Timbuktu",
    "Gao",
    "Kidal",
    "Bamako",
}


@pytest.fixture(scope="module")
def admin1() -> gpd.GeoDataFrame:
    return load_admin1()


@pytest.fixture(scope="module")
def names(admin1: gpd.GeoDataFrame) -> AreaNames:
    return AreaNames(admin1)


def _load_builder():
    spec = importlib.util.spec_from_file_location(
        "bnd_build_boundaries", ROOT / "scripts" / "build_boundaries.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------
# Shipped layers


def test_admin1_standard_columns_and_crs(admin1: gpd.GeoDataFrame) -> None:
    assert admin1.crs.to_epsg() == 4326
    for col in ("area", "area_code", "iso3", "aliases", "country", "adm1_code", "geometry"):
        assert col in admin1.columns
    assert admin1["aliases"].isna().sum() == 0
    assert set(admin1["iso3"]) == set(config.COVERED_ISO3)
    assert admin1["area_code"].is_unique
    assert set(admin1.geom_type) <= {"Polygon", "MultiPolygon"}
    assert admin1.is_valid.all()


def test_mali_has_nine_admin1_areas(admin1: gpd.GeoDataFrame) -> None:
    mali = admin1[admin1["iso3"] == "MLI"]
    assert len(mali) == 9
    assert set(mali["area"]) == MALI_AREAS
    assert (mali["country"] == "Mali").all()


def test_shipped_aliases_drop_foreign_names(admin1: gpd.GeoDataFrame) -> None:
    by_code = admin1.set_index("area_code")["aliases"]
    assert "Tombouctou" in by_code["ML-6"].split("|")
    # Natural Earth's "Wassoulou" names a region astride three countries.
    assert "Wassoulou" not in by_code["ML-3"]
    # Encoding damage in the source ("Timbuct\x9d") is not an alias.
    assert all(ch.isprintable() for ch in by_code["ML-6"])
    # No alias is the name of another unit of the same country.
    for iso, group in admin1.groupby("iso3"):
        own = set(group["area"].str.casefold())
        for area, aliases in zip(group["area"], group["aliases"], strict=True):
            others = own - {area.casefold()}
            assert not {a.casefold() for a in aliases.split("|") if a} & others, (iso, area)


def test_admin0_covers_covered_countries_and_their_neighbours() -> None:
    admin0 = load_admin0()
    assert admin0.crs.to_epsg() == 4326
    codes = set(admin0["iso3"])
    assert set(config.COVERED_ISO3) <= codes
    assert {"MAR", "ESH", "GHA", "SDN", "JOR", "TUR"} <= codes
    assert admin0["iso3"].is_unique
    mali = admin0.set_index("iso3").geometry["MLI"]
    assert mali.contains(Point(-0.04, 16.27))


def test_borders_one_feature_per_neighbour() -> None:
    borders = load_borders()
    assert borders.crs.to_epsg() == 4326
    assert sorted(borders["neighbour_iso3"]) == sorted(config.MALI_NEIGHBOURS)
    assert set(borders.geom_type) <= {"LineString", "MultiLineString"}
    lengths = borders.set_index("neighbour_iso3")["length_km"]
    # Published figures (e.g. CIA World Factbook) are 1,359 km for Algeria and
    # 2,236 km for Mauritania; the generalised 10m lines run a little shorter.
    assert 1100 < lengths["DZA"] < 1400
    assert 2000 < lengths["MRT"] < 2400
    assert lengths.min() > 300


def test_land_borders_one_feature_per_pair() -> None:
    land = load_land_borders()
    assert land.crs.to_epsg() == 4326
    assert set(land.geom_type) <= {"LineString", "MultiLineString"}
    pairs = list(zip(land["iso3_a"], land["iso3_b"], strict=True))
    assert all(a < b for a, b in pairs)
    assert len(set(pairs)) == len(pairs)
    assert pairs == sorted(pairs)
    assert (land["length_km"] > 0).all()
    assert (land["name_a"] != "").all() and (land["name_b"] != "").all()
    by_pair = land.set_index(["iso3_a", "iso3_b"])
    assert ("DZA", "MLI") in by_pair.index
    assert ("EGY", "PSE") in by_pair.index
    assert by_pair.loc[("EGY", "PSE"), "name_b"] == "Palestine"
    # Mali's pairs are exactly Mali's borders, same lines and lengths
    mali = land[(land["iso3_a"] == "MLI") | (land["iso3_b"] == "MLI")]
    neighbours = np.where(mali["iso3_a"] == "MLI", mali["iso3_b"], mali["iso3_a"])
    assert sorted(neighbours) == sorted(config.MALI_NEIGHBOURS)
    own = load_borders().set_index("neighbour_iso3")
    for code, line, km in zip(neighbours, mali.geometry, mali["length_km"], strict=True):
        assert line.equals(own.geometry[code]), code
        assert km == own.loc[code, "length_km"]
    # every covered country but Bahrain (an island) has land borders
    sides = set(land["iso3_a"]) | set(land["iso3_b"])
    assert set(config.COVERED_ISO3) - sides == {"BHR"}
    assert sides <= set(load_admin0()["iso3"])


def test_land_borders_lie_on_both_outlines() -> None:
    outline = load_admin0().set_index("iso3").geometry
    for a, b, line in zip(
        *(load_land_borders()[c] for c in ("iso3_a", "iso3_b", "geometry")), strict=True
    ):
        for code in (a, b):
            assert line.difference(outline[code].boundary.buffer(1e-7)).length < 1e-6, (a, b)


def test_shipped_layers_agree_on_mali_outline() -> None:
    admin0 = load_admin0().set_index("iso3").geometry
    mali_units = load_admin1().query("iso3 == 'MLI'").geometry.union_all()
    assert (
        shapely.equals_exact(
            shapely.normalize(mali_units), shapely.normalize(admin0["MLI"]), tolerance=1e-6
        )
        or mali_units.symmetric_difference(admin0["MLI"]).area < 1e-8
    )
    borders = load_borders().geometry.union_all()
    assert borders.difference(admin0["MLI"].boundary.buffer(1e-7)).length < 1e-6


def test_shipped_files_are_small() -> None:
    for path in (config.ADMIN1_FILE, config.ADMIN0_FILE, config.BORDERS_FILE):
        assert path.stat().st_size < 2_000_000, path
    assert config.LAND_BORDERS_FILE.stat().st_size < 250_000


def test_loader_error_names_file(tmp_path: Path) -> None:
    bad = tmp_path / "bnd_broken.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(BoundaryFileError, match="bnd_broken.geojson"):
        load_admin1(bad)


# ---------------------------------------------------------------------------
# Builder helpers (pure parts; the npm fetch is not exercised offline)


def test_builder_aliases_rules() -> None:
    build = _load_builder()
    props = {
        "name": "Sikasso",
        "iso_3166_2": "ML-3",
        "name_en": "Wassoulou",
        "name_fr": "Wassoulou",
        "gns_name": "Sikasso",
        "gn_name": "Sikasso Region",
        "woe_name": "Kayes",
        "name_alt": "Sikaso|Sikass\x9d|SIK-00 (aggregation)",
    }
    out = build.aliases(props, other_units={"kayes", "gao"})
    assert out == ["Sikaso"]


def test_builder_border_lines_from_touching_squares() -> None:
    build = _load_builder()
    admin0 = {"AAA": box(0, 0, 1, 1), "BBB": box(1, 0, 2, 1), "CCC": box(0, 1, 1, 2)}
    lines = build.border_lines(admin0, "AAA", ["BBB", "CCC"])
    assert lines["BBB"].equals(LineString([(1, 0), (1, 1)])) or lines["BBB"].equals(
        LineString([(1, 1), (1, 0)])
    )
    assert lines["CCC"].length == pytest.approx(1.0)


def test_builder_land_borders_pairs_and_pieces() -> None:
    build = _load_builder()
    # four squares around (1, 1): AAA and DDD meet at a point only
    admin0 = {
        "DDD": box(1, 1, 2, 2),
        "AAA": box(0, 0, 1, 1),
        "CCC": box(0, 1, 1, 2),
        "BBB": box(1, 0, 2, 1),
    }
    out = build.land_borders(admin0)
    assert [(a, b) for a, b, _ in out] == [
        ("AAA", "BBB"),
        ("AAA", "CCC"),
        ("BBB", "DDD"),
        ("CCC", "DDD"),
    ]
    assert all(line.length == pytest.approx(1.0) for _, _, line in out)
    # a border in two pieces stays one feature
    split = {"LOW": box(0, 0, 3, 1), "TWO": box(0, 1, 1, 2).union(box(2, 1, 3, 2))}
    ((a, b, line),) = build.land_borders(split)
    assert (a, b) == ("LOW", "TWO")
    assert line.geom_type == "MultiLineString" and line.length == pytest.approx(2.0)


# ---------------------------------------------------------------------------
# User boundary files


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


# ---------------------------------------------------------------------------
# Area names


@pytest.mark.parametrize(
    ("name", "iso3", "expected"),
    [
        ("Timbuktu", None, "Timbuktu"),
        ("Tombouctou", None, "Timbuktu"),
        ("TOMBOUCTOU ", "MLI", "Timbuktu"),
        ("Ségou", None, "Ségou"),
        ("Segou", None, "Ségou"),
        ("Koulikoro", "MLI", "Koulikoro"),
        ("Koulikouro", "MLI", "Koulikoro"),
        ("Koulikouro", None, "Koulikoro"),
        ("Gao Region", "MLI", "Gao"),
        ("Région de Tombouctou", "MLI", "Timbuktu"),
        ("ML-8", None, "Kidal"),
        ("Kidal", "mli", "Kidal"),
    ],
)
def test_area_names_resolve(names: AreaNames, name: str, iso3: str | None, expected: str) -> None:
    assert names.resolve(name, iso3=iso3) == expected


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Kidal", "DZA"),  # wrong country
        ("Koulikouro", "NER"),  # fuzzy stays inside the country
        ("Wassoulou", None),  # dropped foreign name
        ("Adrar", None),  # Algeria and Mauritania both have one
        ("Kayo", "MLI"),  # too far from anything
        ("", "MLI"),
        (None, None),
        ("Gao", "FRA"),  # not a covered country
    ],
)
def test_area_names_unresolved(names: AreaNames, name: str | None, iso3: str | None) -> None:
    assert names.resolve(name, iso3=iso3) is None


def test_area_names_country_disambiguates(names: AreaNames) -> None:
    assert names.resolve("Adrar", iso3="DZA") == "Adrar"
    match = names.match("Adrar", iso3="MRT")
    assert match is not None and match.area_code.startswith("MR-")


def test_canonical_name_beats_alias() -> None:
    layer = pd.DataFrame(
        {
            "area": ["North", "Upper"],
            "area_code": ["A-1", "A-2"],
            "iso3": ["AAA"] * 2,
            "aliases": ["", "North"],
        }
    )
    assert AreaNames(layer).resolve("north") == "North"


def test_shared_alias_is_ambiguous() -> None:
    layer = pd.DataFrame(
        {
            "area": ["East", "West"],
            "area_code": ["A-1", "A-2"],
            "iso3": ["AAA"] * 2,
            "aliases": ["Centre", "Centre"],
        }
    )
    assert AreaNames(layer).resolve("Centre") is None


def test_resolve_series_matches_scalar_and_keeps_index(names: AreaNames) -> None:
    raw = pd.Series(
        ["Tombouctou", "Segou", None, "Koulikouro", "nowhere", "Tombouctou", "Kidal"],
        index=["e", "d", "c", "b", "a", "z", "y"],
    )
    countries = pd.Series(["MLI"] * 6 + ["DZA"], index=raw.index)
    out = names.resolve_series(raw, countries)
    assert list(out.index) == list(raw.index)
    expected = [names.resolve(n, i) for n, i in zip(raw, countries, strict=True)]
    assert [None if pd.isna(v) else v for v in out] == expected
    assert expected == ["Timbuktu", "Ségou", None, "Koulikoro", None, "Timbuktu", None]
    match = names.match_series(raw, "MLI")
    assert match.loc["e", "area_code"] == "ML-6"
    assert pd.isna(match.loc["a", "area"])
