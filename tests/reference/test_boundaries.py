"""Tests for geo.reference.boundaries: the shipped layers and the script that builds them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from geo import config
from geo.reference.boundaries import (
    BoundaryFileError,
    load_admin0,
    load_admin1,
    load_borders,
    load_land_borders,
    world_countries,
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
    # the layer spans the world now: every side is a country of the world file
    assert sides <= set(world_countries())


def test_land_borders_lie_on_both_outlines() -> None:
    outline = load_admin0(iso3=world_countries()).set_index("iso3").geometry.boundary
    for a, b, line in zip(
        *(load_land_borders()[c] for c in ("iso3_a", "iso3_b", "geometry")), strict=True
    ):
        # only the outline near the line matters: clip before buffering, as
        # buffering Russia's whole coastline for every pair takes seconds
        x0, y0, x1, y1 = line.bounds
        for code in (a, b):
            near = shapely.clip_by_rect(outline[code], x0 - 1, y0 - 1, x1 + 1, y1 + 1)
            assert line.difference(near.buffer(1e-7)).length < 1e-6, (a, b)


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
    # every land border of the world (321 pairs) since the layer went worldwide
    assert config.LAND_BORDERS_FILE.stat().st_size < 1_000_000
    assert config.ADMIN1_WORLD_FILE.stat().st_size < 5_500_000
    assert config.ADMIN1_WORLD_COARSE_FILE.stat().st_size < 2_000_000


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
