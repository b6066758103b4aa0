"""Tests for geo.analysis.consistency: stated admin1 and country against the coordinates."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.analysis.consistency import check_admin1_consistency
from geo.analysis.spatial import join_areas
from geo.reference.area_names import AreaNames
from geo.reference.boundaries import load_admin1
from tests.analysis.spatial_support import two_countries


@pytest.fixture(scope="module")
def admin1() -> gpd.GeoDataFrame:
    return load_admin1()


@pytest.fixture(scope="module")
def names(admin1: gpd.GeoDataFrame) -> AreaNames:
    return AreaNames(admin1)


def reported(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=["admin1", "iso3", "latitude", "longitude"],
        index=[100 + i for i in range(len(rows))],
    )


def test_consistency_flags_sign_and_swap(admin1: gpd.GeoDataFrame, names: AreaNames) -> None:
    df = reported(
        [
            ("Gao", "MLI", 16.27, -0.04),  # fine
            ("Kidal", "MLI", 18.44, -1.41),  # longitude sign lost: lands in Timbuktu
            ("Gao", "MLI", -0.04, 16.27),  # swapped: lands in Congo, no area
            ("Tombouctou", "MLI", 16.77, -3.01),  # alias, fine
            ("", "MLI", 18.44, -1.41),  # no admin1: not checked
            ("Kidal", "FRA", 18.44, -1.41),  # country not covered
            ("Somewhere", "MLI", 18.44, -1.41),  # unresolved admin1
            ("Gao", "MLI", 12.65, -8.0),  # really in Bamako, no fix explains it
            ("Kidal", "MLI", np.nan, np.nan),  # no coordinates
        ]
    )
    joined = join_areas(df, admin1)
    problems = check_admin1_consistency(joined, names, file="report.csv")
    assert [p.row for p in problems] == [3, 4, 9]
    assert all(p.file == "report.csv" and p.column == "admin1" for p in problems)
    assert [p.value for p in problems] == ["Kidal", "Gao", "Gao"]
    assert "longitude sign looks wrong" in problems[0].expected
    assert "Timbuktu (ML-6)" in problems[0].expected
    assert "latitude/longitude look swapped" in problems[1].expected
    assert "looks wrong" not in problems[2].expected and "swapped" not in problems[2].expected
    assert "Bamako" in problems[2].expected
    assert "row 3" in str(problems[0]) and "report.csv" in str(problems[0])


def test_consistency_tolerates_points_just_across_an_edge(
    admin1: gpd.GeoDataFrame, names: AreaNames
) -> None:
    mali = admin1[admin1["iso3"] == "MLI"].set_index("area")
    edge = mali.geometry["Gao"].intersection(mali.geometry["Kidal"])
    on_edge = edge.interpolate(0.5, normalized=True)
    # ~1 km inside Kidal from a point on the Gao/Kidal edge
    kidal_side = [
        p
        for p in (
            shapely.Point(on_edge.x + dx, on_edge.y + dy)
            for dx, dy in [(0.01, 0), (-0.01, 0), (0, 0.01), (0, -0.01)]
        )
        if mali.geometry["Kidal"].contains(p)
    ][0]
    df = reported([("Gao", "MLI", kidal_side.y, kidal_side.x)])
    joined = join_areas(df, admin1)
    assert joined["area"].iloc[0] == "Kidal"
    assert check_admin1_consistency(joined, names) == []
    assert len(check_admin1_consistency(joined, names, tolerance_km=0.1)) == 1


def test_consistency_needs_joined_frame(names: AreaNames) -> None:
    with pytest.raises(KeyError, match="join_areas"):
        check_admin1_consistency(reported([("Gao", "MLI", 16.27, -0.04)]), names)


def test_consistency_flags_a_point_in_another_country() -> None:
    layer = two_countries()
    names = AreaNames(layer)
    df = pd.DataFrame(
        {
            "admin1": ["", "", "", "Alpha", "", ""],
            "iso3": ["AAA", "AAA", "AAA", "AAA", "BBB", "CCC"],
            "latitude": [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
            "longitude": [1.5, 1.02, -0.5, 1.5, 1.5, 1.5],
        }
    )
    # without the country-aware join, so the 2 km case reaches the check
    joined = join_areas(df, layer, country_col=None)
    problems = check_admin1_consistency(joined, names, file="x.csv")
    assert [(p.row, p.column) for p in problems] == [
        (2, "iso3"),
        (4, "iso3"),
        (5, "iso3"),
        (5, "admin1"),
    ]
    assert [p.value for p in problems[:3]] == ["AAA", "AAA", "AAA"]
    first = problems[0].expected
    assert "Beta (X-1) of Bravo (BBB)" in first and "Alphaland (AAA)" in first
    assert "looks wrong" not in first
    # lon -0.5 is in Wadi; +0.5 is in Alphaland
    assert (
        "longitude sign looks wrong: (0.5000, 0.5000) is in Alphaland (AAA)" in problems[1].expected
    )
    # 2.2 km across the line is within the tolerance, unless it is tightened
    tight = check_admin1_consistency(joined, names, tolerance_km=1)
    assert [(p.row, p.column) for p in tight][:2] == [(2, "iso3"), (3, "iso3")]


def test_consistency_names_codes_when_the_layer_has_no_country_names() -> None:
    layer = two_countries().drop(columns="country")
    df = pd.DataFrame({"admin1": [""], "iso3": ["AAA"], "latitude": [0.5], "longitude": [1.5]})
    problems = check_admin1_consistency(join_areas(df, layer), AreaNames(layer))
    assert len(problems) == 1
    assert "of BBB, more than 5 km from any area of AAA" in problems[0].expected


def test_consistency_rafah_across_the_line(admin1: gpd.GeoDataFrame, names: AreaNames) -> None:
    df = reported([("", "EGY", 31.28204, 34.23869)])
    geometric = join_areas(df, admin1, country_col=None)
    assert check_admin1_consistency(geometric, names) == []  # 1.5 km: within tolerance
    (problem,) = check_admin1_consistency(geometric, names, tolerance_km=1)
    assert problem.column == "iso3"
    assert "Palestine (PSE)" in problem.expected and "Egypt (EGY)" in problem.expected
    assert check_admin1_consistency(join_areas(df, admin1), names, tolerance_km=1) == []


def test_consistency_sees_rows_the_join_left_abroad_or_at_country_level() -> None:
    layer = two_countries()
    names = AreaNames(layer)
    df = pd.DataFrame(
        {
            "admin1": ["", "", ""],
            "iso3": ["AAA", "AAA", "BBB"],
            "latitude": [0.5, 0.5, 0.5],
            "longitude": [1.5, 0.5, 0.5],
            "geo_precision": [1, 3, 3],
        }
    )
    joined = join_areas(df, layer)
    # row 2: 55 km into Beta, left without an area; row 4: a country-level
    # BBB row whose point is in Alphaland
    assert list(joined["area"]) == ["", "", ""]
    problems = check_admin1_consistency(joined, names)
    assert [(p.row, p.column) for p in problems] == [(2, "iso3"), (4, "iso3")]
    assert "Beta (X-1) of Bravo (BBB)" in problems[0].expected
    assert "Alpha (X-3) of Alphaland (AAA)" in problems[1].expected


def test_consistency_accepts_a_territory_of_the_stated_country() -> None:
    from geo.reference.boundaries import load_admin1

    areas = load_admin1(iso3=["CHN", "HKG"])
    # Hong Kong island, coded to China as some sources do
    df = reported([("", "CHN", 22.28, 114.16)])
    joined = join_areas(df, areas, country_col=None)
    assert joined["area_iso3"].iloc[0] == "HKG"
    assert check_admin1_consistency(joined, AreaNames(areas)) == []
    assert join_areas(df, areas)["area_iso3"].iloc[0] == "HKG"
