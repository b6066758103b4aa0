"""Tests for the world boundary layers: every country's admin-1, a few countries at a time."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from geo import config
from geo.reference.boundaries import (
    DETAILS,
    admin1_extents,
    load_admin0,
    load_admin1,
    load_land_borders,
    world_countries,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def world() -> gpd.GeoDataFrame:
    return load_admin1(iso3=world_countries())


def _load_builder():
    spec = importlib.util.spec_from_file_location(
        "bnd_build_boundaries_world", ROOT / "scripts" / "build_boundaries.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------
# The world file


def test_world_file_holds_every_country(world: gpd.GeoDataFrame) -> None:
    assert world.crs.to_epsg() == 4326
    for col in ("area", "area_code", "iso3", "sov_iso3", "country", "aliases", "adm1_code"):
        assert col in world.columns
        assert (world[col] != "").all() or col == "aliases", col
    # every unit of Natural Earth's 10m admin-1 layer, keyed uniquely
    assert len(world) == 4596
    assert world["area_code"].is_unique and world["adm1_code"].is_unique
    assert world["iso3"].str.fullmatch(r"[A-Z]{3}").all()
    assert len(set(world["iso3"])) == len(world_countries()) >= 240
    assert set(world.geom_type) <= {"Polygon", "MultiPolygon"}
    assert world.is_valid.all()
    # the countries of the ACLED export, and the covered ones
    assert {"IRN", "IRQ", "SYR", *config.COVERED_ISO3} <= set(world["iso3"])


def test_world_file_is_a_coverage(world: gpd.GeoDataFrame) -> None:
    # no overlaps between units, shared edges identical: a point is in one unit
    assert shapely.coverage_is_valid(world.geometry.to_numpy())


def test_covered_countries_are_the_same_features_in_both_files(world: gpd.GeoDataFrame) -> None:
    covered = load_admin1().set_index("area_code")
    same = world[world["iso3"].isin(config.COVERED_ISO3)].set_index("area_code")
    assert sorted(covered.index) == sorted(same.index)
    same = same.loc[covered.index]
    for col in ("area", "iso3", "country", "aliases", "adm1_code"):
        assert (covered[col] == same[col]).all(), col
    assert shapely.equals_identical(covered.geometry.to_numpy(), same.geometry.to_numpy()).all()
    assert (covered["sov_iso3"] == covered["iso3"]).all()


def test_load_admin1_reads_given_countries_only() -> None:
    iran = load_admin1(iso3=["irn", "IRQ", "IRN"])
    assert set(iran["iso3"]) == {"IRN", "IRQ"}
    assert len(iran[iran["iso3"] == "IRN"]) == 31
    assert len(iran[iran["iso3"] == "IRQ"]) == 18
    assert "Tehran" in set(iran["area"])
    assert len(load_admin1(iso3="TUN")) == len(load_admin1().query("iso3 == 'TUN'")) == 23
    # a code with no units gives no rows, with the same columns
    none = load_admin1(iso3=["XXX"])
    assert len(none) == 0 and list(none.columns) == list(iran.columns)
    assert len(load_admin1(iso3=[])) == 0


def test_coarse_layer_same_units_fewer_vertices() -> None:
    fine = load_admin1(iso3=["MLI", "IRN"])
    coarse = load_admin1(iso3=["MLI", "IRN"], detail="coarse")
    assert list(coarse["area_code"]) == list(fine["area_code"])
    assert list(coarse["area"]) == list(fine["area"])
    count = shapely.get_num_coordinates
    assert count(coarse.geometry.to_numpy()).sum() < 0.5 * count(fine.geometry.to_numpy()).sum()
    assert coarse.is_valid.all()
    # within the coarse tolerance of the fine units everywhere
    assert (shapely.hausdorff_distance(coarse.geometry.values, fine.geometry.values) < 0.5).all()
    # the covered countries by default
    assert set(load_admin1(detail="coarse")["iso3"]) == set(config.COVERED_ISO3)
    with pytest.raises(ValueError, match="detail"):
        load_admin1(iso3=["MLI"], detail="medium")  # type: ignore[arg-type]
    assert DETAILS == ("fine", "coarse")


def test_territories_and_sovereigns(world: gpd.GeoDataFrame) -> None:
    by_code = world.drop_duplicates("iso3").set_index("iso3")
    # a territory keeps its ISO code, its sovereign beside it
    assert by_code.loc["HKG", "sov_iso3"] == "CHN"
    assert by_code.loc["GLP", "sov_iso3"] == "FRA"
    assert by_code.loc["GUF", "country"] == "French Guiana"
    # Natural Earth's own codes become the ISO codes sources use
    assert {"PSX", "SAH", "SDS", "KOS", "SOL", "CYN"}.isdisjoint(set(world["iso3"]))
    assert "Somaliland" in set(world.loc[world["iso3"] == "SOM", "area"])
    # no source codes Palestinian events to Israel
    assert set(world.loc[world["iso3"] == "PSE", "sov_iso3"]) == {"PSE"}
    assert by_code.loc["SSD", "country"] == "South Sudan"


def test_load_admin0_dissolves_world_units() -> None:
    outlines = load_admin0(iso3=["MLI", "IRN", "FRA"]).set_index("iso3")
    assert list(outlines.index) == ["FRA", "IRN", "MLI"]
    assert outlines.loc["IRN", "name"] == "Iran"
    assert outlines.geometry["IRN"].contains(Point(51.39, 35.69))  # Tehran
    # France's overseas regions are countries of their own in ISO 3166
    assert not outlines.geometry["FRA"].contains(Point(-52.3, 4.9))  # Cayenne
    # the same outline as the covered file's
    shipped = load_admin0().set_index("iso3").geometry
    assert shapely.equals_exact(
        shapely.normalize(outlines.geometry["MLI"]), shapely.normalize(shipped["MLI"]), 1e-9
    ) or (outlines.geometry["MLI"].symmetric_difference(shipped["MLI"]).area < 1e-8)
    coarse = load_admin0(detail="coarse")
    assert set(coarse["iso3"]) == set(load_admin0()["iso3"])


def test_admin1_extents_bound_every_unit(world: gpd.GeoDataFrame) -> None:
    extents = admin1_extents()
    assert len(extents) == len(world)
    assert list(extents.columns) == ["iso3", "sov_iso3", "xmin", "ymin", "xmax", "ymax"]
    ordered = world.sort_values(["iso3", "area_code", "adm1_code"]).reset_index(drop=True)
    assert list(extents["iso3"]) == list(ordered["iso3"])
    bounds = ordered.bounds
    for col in ("xmin", "ymin", "xmax", "ymax"):
        side = {"xmin": "minx", "ymin": "miny", "xmax": "maxx", "ymax": "maxy"}[col]
        assert np.allclose(extents[col], bounds[side], atol=1e-6), col


def test_land_borders_reach_every_country_with_a_neighbour() -> None:
    land = load_land_borders().set_index(["iso3_a", "iso3_b"])
    assert len(land) == 321
    for pair in [("IRN", "IRQ"), ("ESP", "FRA"), ("BRA", "GUF"), ("CAN", "USA"), ("CHN", "HKG")]:
        assert pair in land.index, pair
    # Iraq-Iran, missing from the earlier layer, at about its published 1,599 km
    assert 1300 < land.loc[("IRN", "IRQ"), "length_km"] < 1700
    assert ("AUS", "NZL") not in land.index  # islands share no land border


# ---------------------------------------------------------------------------
# Builder helpers for the world (pure parts; the npm fetch is not exercised)


def test_builder_codes_territories_and_sovereigns() -> None:
    build = _load_builder()
    assert build.unit_iso3({"adm0_a3": "SOL", "gu_a3": "SOL"}) == "SOM"
    assert build.unit_iso3({"adm0_a3": "FRA", "gu_a3": "MTQ"}) == "MTQ"
    assert build.unit_iso3({"adm0_a3": "FRA", "gu_a3": "FXX"}) == "FRA"
    assert build.unit_sov_iso3({"adm0_a3": "HKG", "sov_a3": "CH1"}) == "CHN"
    assert build.unit_sov_iso3({"adm0_a3": "PSX", "sov_a3": "ISR"}) == "PSE"
    assert build.unit_sov_iso3({"adm0_a3": "MLI", "sov_a3": "MLI"}) == "MLI"
    units = [
        {"properties": {"iso_3166_2": "PH-MNL", "adm1_code": "PHL-1"}},
        {"properties": {"iso_3166_2": "PH-MNL", "adm1_code": "PHL-2"}},
        {"properties": {"iso_3166_2": "ML-6", "adm1_code": "MLI-6"}},
        {"properties": {"iso_3166_2": None, "adm1_code": "XXX-1"}},
    ]
    assert build.unique_codes(units) == ["PHL-1", "PHL-2", "ML-6", "XXX-1"]


def test_builder_cleans_only_the_broken_units() -> None:
    build = _load_builder()
    # B overlaps A by 0.1; C touches B exactly and must keep its vertices
    geoms = np.array([box(0, 0, 1, 1), box(0.9, 0, 2, 1), box(2, 0, 3, 1)], dtype=object)
    assert not shapely.coverage_is_valid(geoms)
    cleaned, repaired = build.clean_coverage(geoms)
    assert shapely.coverage_is_valid(cleaned)
    assert 2 not in repaired and cleaned[2].equals(geoms[2])
    assert shapely.union_all(cleaned).equals(shapely.union_all(geoms))
