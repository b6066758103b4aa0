"""Tests for geo.analysis.spatial: area joins, snapping, border distance, admin-1 checks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import LineString, box

from geo.analysis.spatial import border_distance, check_admin1_consistency, join_areas
from geo.io.store import read_incidents
from geo.reference.boundaries import AreaNames, load_admin1, load_borders, load_land_borders
from tests.conftest import ROOT

GEOD = Geod(ellps="WGS84")


def squares() -> gpd.GeoDataFrame:
    """Two unit squares sharing the edge lon = 1; the right one has the lower code."""
    return gpd.GeoDataFrame(
        {
            "area": ["West", "East"],
            "area_code": ["SQ-2", "SQ-1"],
            "iso3": ["AAA", "AAA"],
            "aliases": ["", ""],
        },
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )


def points(lat: list[float], lon: list[float], index: list[object] | None = None) -> pd.DataFrame:
    return pd.DataFrame({"latitude": lat, "longitude": lon}, index=index)


@pytest.fixture(scope="module")
def admin1() -> gpd.GeoDataFrame:
    return load_admin1()


@pytest.fixture(scope="module")
def borders() -> gpd.GeoDataFrame:
    return load_borders()


# ---------------------------------------------------------------------------
# join_areas on hand-drawn squares


def test_join_inside_edge_outside_far_and_missing() -> None:
    df = points(
        [0.5, 0.5, 0.5, 0.5, 0.5, np.nan, 0.5],
        [0.5, 1.5, 1.0, 2.05, 5.0, 1.0, np.nan],
        index=["in_w", "in_e", "edge", "near", "far", "nolat", "nolon"],
    )
    out = join_areas(df, squares(), snap_km=10)
    assert list(out.index) == list(df.index)
    assert list(out["area"]) == ["West", "East", "East", "East", "", "", ""]
    assert list(out["area_code"]) == ["SQ-2", "SQ-1", "SQ-1", "SQ-1", "", "", ""]
    assert list(out["area_iso3"]) == ["AAA"] * 4 + [""] * 3
    assert list(out["area_snapped"]) == [False, False, False, True, False, False, False]
    km = out["area_snap_km"]
    assert km.iloc[:3].tolist() == [0.0, 0.0, 0.0]
    _, _, metres = GEOD.inv(2.05, 0.5, 2.0, 0.5)
    assert km["near"] == pytest.approx(metres / 1000, rel=0.01)
    assert km["near"] == pytest.approx(5.57, rel=0.01)
    assert km.iloc[4:].isna().all()
    # the input frame is not modified
    assert list(df.columns) == ["latitude", "longitude"]


def test_snap_distance_limits_and_zero_disables() -> None:
    df = points([0.5, 0.5], [2.05, 2.2])  # ~5.6 km and ~22 km east of East
    assert list(join_areas(df, squares(), snap_km=10)["area"]) == ["East", ""]
    assert list(join_areas(df, squares(), snap_km=30)["area"]) == ["East", "East"]
    assert list(join_areas(df, squares(), snap_km=0)["area"]) == ["", ""]


def test_snap_picks_nearest_area() -> None:
    # below both squares, nearer to West
    df = points([-0.03], [0.9])
    out = join_areas(df, squares(), snap_km=10)
    assert out["area"].iloc[0] == "West"
    assert out["area_snap_km"].iloc[0] == pytest.approx(3.3, rel=0.02)


def test_edge_point_tie_break_independent_of_layer_order() -> None:
    df = points([0.5, 1.0, 0.0], [1.0, 1.0, 1.0])  # edge middle and both corners
    layer = squares()
    a = join_areas(df, layer)
    b = join_areas(df, layer.iloc[::-1])
    assert list(a["area"]) == list(b["area"]) == ["East", "East", "East"]


def test_join_reprojects_layer_and_handles_string_coordinates() -> None:
    layer = squares().to_crs("EPSG:3857")
    df = pd.DataFrame({"latitude": ["0.5", "bad"], "longitude": ["0.5", "0.5"]})
    out = join_areas(df, layer)
    assert list(out["area"]) == ["West", ""]


def test_join_empty_frame() -> None:
    out = join_areas(points([], []), squares())
    assert len(out) == 0
    assert {"area", "area_code", "area_iso3", "area_snapped", "area_snap_km"} <= set(out.columns)


def naive_join(df: pd.DataFrame, layer: gpd.GeoDataFrame) -> list[str]:
    """Reference: test every polygon for every point; lowest code wins."""
    result = []
    ordered = layer.sort_values("area_code")
    for lat, lon in zip(df["latitude"], df["longitude"], strict=True):
        hit = ""
        for area, geom in zip(ordered["area"], ordered.geometry, strict=True):
            if geom.intersects(shapely.Point(lon, lat)):
                hit = area
                break
        result.append(hit)
    return result


# Coordinates on a quarter-degree grid hit edges and corners often.
coord = st.integers(min_value=-4, max_value=12).map(lambda k: k / 4)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(coord, coord), min_size=0, max_size=40),
    st.randoms(use_true_random=False),
)
def test_row_order_never_changes_the_join(pairs: list[tuple[float, float]], rnd) -> None:
    df = points([p[0] for p in pairs], [p[1] for p in pairs])
    df.index = [f"ev{i}" for i in range(len(df))]
    layer = squares()
    out = join_areas(df, layer, snap_km=0)
    perm = list(df.index)
    rnd.shuffle(perm)
    shuffled = join_areas(
        df.loc[perm], layer.sample(frac=1, random_state=rnd.randint(0, 99)), snap_km=0
    )
    cols = ["area", "area_code", "area_iso3", "area_snapped"]
    pd.testing.assert_frame_equal(out.loc[perm, cols], shuffled[cols])
    # one area at most per incident, counts conserved, same as the naive loop
    assert len(out) == len(df)
    assert set(out["area"]) <= {"West", "East", ""}
    assert out["area"].value_counts().sum() == len(df)
    assert list(out["area"]) == naive_join(df, layer)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(coord, coord), min_size=1, max_size=30))
def test_snapping_conserves_rows_and_flags_only_outside_points(
    pairs: list[tuple[float, float]],
) -> None:
    df = points([p[0] for p in pairs], [p[1] for p in pairs])
    out = join_areas(df, squares(), snap_km=50)
    inside = np.array([box(0, 0, 2, 1).intersects(shapely.Point(lon, lat)) for lat, lon in pairs])
    assert len(out) == len(df)
    assert not out["area_snapped"][inside].any()
    assert (out["area_snap_km"][inside] == 0).all()
    snapped = out["area_snapped"].to_numpy()
    assert (out["area_snap_km"][snapped] > 0).all()
    assert (out["area_snap_km"][snapped] <= 50).all()
    assert (out["area"][~inside & ~snapped] == "").all()


# ---------------------------------------------------------------------------
# join_areas with the stated country


def two_countries() -> gpd.GeoDataFrame:
    """Alpha (country AAA) between Wadi and Beta (both BBB); Beta has the lowest code."""
    return gpd.GeoDataFrame(
        {
            "area": ["Alpha", "Beta", "Wadi"],
            "area_code": ["X-3", "X-1", "X-2"],
            "iso3": ["AAA", "BBB", "BBB"],
            "country": ["Alphaland", "Bravo", "Bravo"],
            "aliases": ["", "", ""],
        },
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(-1, 0, 0, 1)],
        crs="EPSG:4326",
    )


def test_point_just_across_the_line_goes_to_its_own_country() -> None:
    # 0.02 degree (2.2 km) inside Beta, next to Alpha
    df = pd.DataFrame(
        {
            "latitude": [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
            "longitude": [1.02, 1.02, 1.02, 1.02, 1.5, 1.02],
            "iso3": ["AAA", "BBB", "", "CCC", "AAA", " aaa "],
        },
        index=["own", "there", "none", "unknown", "far", "spelt"],
    )
    out = join_areas(df, two_countries(), snap_km=10)
    assert list(out["area"]) == ["Alpha", "Beta", "Beta", "Beta", "Beta", "Alpha"]
    assert list(out["area_iso3"]) == ["AAA", "BBB", "BBB", "BBB", "BBB", "AAA"]
    assert list(out["area_snapped"]) == [True, False, False, False, False, True]
    _, _, metres = GEOD.inv(1.02, 0.5, 1.0, 0.5)
    assert out.loc["own", "area_snap_km"] == pytest.approx(metres / 1000, rel=0.01)
    assert out.loc["far", "area_snap_km"] == 0.0
    # the geometric answer without a country column, or with the check off
    assert set(join_areas(df[["latitude", "longitude"]], two_countries())["area"]) == {"Beta"}
    assert set(join_areas(df, two_countries(), country_col=None)["area"]) == {"Beta"}
    # beyond snap_km the geometric answer stands
    assert join_areas(df, two_countries(), snap_km=1)["area"].iloc[0] == "Beta"


def test_shared_edge_goes_to_the_stated_country_unsnapped() -> None:
    df = pd.DataFrame({"latitude": [0.5, 0.5, 0.5], "longitude": [1.0, 1.0, 1.0]})
    df["iso3"] = ["AAA", "BBB", ""]
    out = join_areas(df, two_countries())
    assert list(out["area"]) == ["Alpha", "Beta", "Beta"]
    assert not out["area_snapped"].any()
    assert (out["area_snap_km"] == 0).all()


def test_snapped_point_also_prefers_its_own_country() -> None:
    # below the Alpha/Beta corner, nearer to Beta (2.2 km) than to Alpha (2.5 km)
    df = pd.DataFrame({"latitude": [-0.02, -0.02], "longitude": [1.01, 1.01]})
    df["iso3"] = ["AAA", "BBB"]
    out = join_areas(df, two_countries())
    assert list(out["area"]) == ["Alpha", "Beta"]
    assert list(out["area_snapped"]) == [True, True]
    assert out["area_snap_km"].iloc[0] > out["area_snap_km"].iloc[1]
    # off Alpha's north coast, with Bravo 55 km away: the snap to Alpha stands
    north = join_areas(
        pd.DataFrame({"latitude": [1.02], "longitude": [0.5], "iso3": ["BBB"]}), two_countries()
    )
    assert north["area"].iloc[0] == "Alpha" and north["area_snapped"].iloc[0]


def km_to_country(lat: float, lon: float, layer: gpd.GeoDataFrame, iso3: str) -> float:
    """Reference: geodesic km to the densified outline of a country's areas (0 inside)."""
    own = layer[layer["iso3"] == iso3].geometry.union_all()
    if own.intersects(shapely.Point(lon, lat)):
        return 0.0
    xy = shapely.get_coordinates(shapely.segmentize(own.boundary, 0.001))
    _, _, d = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])
    return float(d.min() / 1000)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            coord,
            st.integers(-8, 16).map(lambda k: k / 8),
            st.sampled_from(["AAA", "BBB", "", "CCC"]),
        ),
        min_size=0,
        max_size=30,
    ),
    st.randoms(use_true_random=False),
)
def test_country_aware_join_is_row_order_independent(
    rows: list[tuple[float, float, str]], rnd
) -> None:
    df = pd.DataFrame(rows, columns=["latitude", "longitude", "iso3"])
    df.index = [f"ev{i}" for i in range(len(df))]
    layer = two_countries()
    out = join_areas(df, layer, snap_km=20)
    perm = list(df.index)
    rnd.shuffle(perm)
    shuffled = join_areas(
        df.loc[perm], layer.sample(frac=1, random_state=rnd.randint(0, 99)), snap_km=20
    )
    pd.testing.assert_frame_equal(out.loc[perm], shuffled)
    for lat, lon, iso3, area_iso3, snapped, km in zip(
        df["latitude"],
        df["longitude"],
        df["iso3"],
        out["area_iso3"],
        out["area_snapped"],
        out["area_snap_km"],
        strict=True,
    ):
        if iso3 not in ("AAA", "BBB") or area_iso3 == "":
            continue
        own_km = km_to_country(lat, lon, layer, iso3)
        if area_iso3 == iso3:
            # in its own country, or moved there from within reach
            assert km == pytest.approx(own_km, abs=0.05)
            assert snapped == (own_km > 0)
        else:
            # kept abroad only when its own country is out of reach
            assert own_km > 20 - 0.05


# ---------------------------------------------------------------------------
# border_distance


def test_border_distance_to_a_straight_line() -> None:
    line = gpd.GeoDataFrame(
        {"neighbour_iso3": ["BBB"], "neighbour_name": ["B"]},
        geometry=[LineString([(0, -1), (0, 1)])],
        crs="EPSG:4326",
    )
    df = points([0.0, 0.5, 2.0, np.nan], [0.5, -0.25, 0.0, 0.0])
    out = border_distance(df, line)
    # 0.5 degree of the equator on WGS84 is 55.66 km; 0.25 degree at 0.5 N is 27.83 km;
    # (2, 0) is 1 degree of latitude from the line's end (110.6 km near the equator).
    expected = [55.66, 27.83, 110.6]
    np.testing.assert_allclose(out["border_km"].iloc[:3], expected, rtol=0.01)
    _, _, exact = GEOD.inv(0.0, 2.0, 0.0, 1.0)
    assert out["border_km"].iloc[2] == pytest.approx(exact / 1000, rel=1e-3)
    assert list(out["border_neighbour"]) == ["BBB", "BBB", "BBB", ""]
    assert np.isnan(out["border_km"].iloc[3])


def test_border_distance_picks_nearest_neighbour() -> None:
    lines = gpd.GeoDataFrame(
        {"neighbour_iso3": ["WWW", "EEE"], "neighbour_name": ["W", "E"]},
        geometry=[LineString([(0, 10), (0, 20)]), LineString([(3, 10), (3, 20)])],
        crs="EPSG:4326",
    )
    out = border_distance(points([15, 15, 15], [0.5, 2.9, 1.6]), lines)
    assert list(out["border_neighbour"]) == ["WWW", "EEE", "EEE"]


def test_border_distance_matches_brute_force_on_shipped_borders(
    borders: gpd.GeoDataFrame,
) -> None:
    rng = np.random.default_rng(7)
    lat = rng.uniform(5, 35, 60)
    lon = rng.uniform(-18, 40, 60)
    out = border_distance(points(list(lat), list(lon)), borders)
    dense = shapely.segmentize(borders.geometry.to_numpy(), 0.005)
    xy, owner = shapely.get_coordinates(dense, return_index=True)
    for i in range(len(lat)):
        _, _, d = GEOD.inv(np.full(len(xy), lon[i]), np.full(len(xy), lat[i]), xy[:, 0], xy[:, 1])
        best = d.min() / 1000
        # densified brute force overestimates by at most ~0.3 km; the
        # function finds its nearest point in a projection, within 0.1 %
        assert out["border_km"].iloc[i] <= best * 1.001
        assert out["border_km"].iloc[i] >= best * 0.99 - 0.3
        # the label is a border at that distance (at a tripoint, either one)
        label = out["border_neighbour"].iloc[i]
        own = borders["neighbour_iso3"].to_numpy()[owner] == label
        assert d[own].min() / 1000 <= best * 1.001 + 1e-3


def three_in_a_row() -> gpd.GeoDataFrame:
    """Pair layer: AAA | BBB along lon 1 and BBB | CCC along lon 2 (lat 0..1)."""
    return gpd.GeoDataFrame(
        {
            "iso3_a": ["BBB", "AAA"],
            "iso3_b": ["CCC", "BBB"],
            "name_a": ["B", "A"],
            "name_b": ["C", "B"],
        },
        geometry=[LineString([(2, 0), (2, 1)]), LineString([(1, 0), (1, 1)])],
        crs="EPSG:4326",
    )


def test_pair_layer_neighbour_is_the_other_side() -> None:
    df = pd.DataFrame(
        {
            "latitude": [0.5] * 8,
            "longitude": [0.5, 1.2, 1.8, 2.9, 1.9, 2.9, 0.5, np.nan],
            "iso3": ["AAA", "BBB", "BBB", "CCC", "AAA", "", "DDD", "AAA"],
        },
        index=["a", "b_west", "b_east", "c", "a_stated", "nobody", "island", "nocoords"],
    )
    out = border_distance(df, three_in_a_row())
    assert list(out["border_neighbour"]) == ["BBB", "AAA", "CCC", "BBB", "BBB", "BBB/CCC", "", ""]
    deg = GEOD.inv(0.0, 0.5, 1.0, 0.5)[2] / 1000  # one degree of longitude at 0.5 N
    expected = [0.5, 0.2, 0.2, 0.9, 0.9, 0.9]
    np.testing.assert_allclose(out["border_km"].iloc[:6], np.array(expected) * deg, rtol=1e-3)
    # measured to its own country's border, not to the nearer BBB | CCC line
    assert out.loc["a_stated", "border_km"] > 90
    # a country with no land border in the layer (an island) gets no figure
    assert np.isnan(out.loc["island", "border_km"]) and np.isnan(out.loc["nocoords", "border_km"])


def test_pair_layer_uses_the_joined_country_first() -> None:
    df = pd.DataFrame({"latitude": [0.5, 0.5], "longitude": [1.9, 1.9], "iso3": ["AAA", "AAA"]})
    df["area_iso3"] = ["BBB", ""]  # the second row's point is in no area: its iso3 counts
    out = border_distance(df, three_in_a_row())
    assert list(out["border_neighbour"]) == ["CCC", "BBB"]
    assert out["border_km"].iloc[0] < 15 < out["border_km"].iloc[1]


def test_pair_layer_row_order_and_empty_frames() -> None:
    df = pd.DataFrame({"latitude": [0.5, 0.2, 0.8, 0.4], "longitude": [1.2, 2.5, 0.1, 1.6]}).assign(
        iso3=["BBB", "", "AAA", "BBB"]
    )
    out = border_distance(df, three_in_a_row())
    rev = border_distance(df.iloc[::-1], three_in_a_row().iloc[::-1])
    pd.testing.assert_frame_equal(out, rev.iloc[::-1])
    empty = border_distance(df.iloc[:0], three_in_a_row())
    assert len(empty) == 0 and {"border_km", "border_neighbour"} <= set(empty.columns)


def test_border_layer_needs_known_columns() -> None:
    layer = three_in_a_row().rename(columns={"iso3_a": "left"})
    with pytest.raises(KeyError, match="iso3_a"):
        border_distance(points([0.5], [0.5]), layer)


def test_pair_layer_matches_brute_force_on_shipped_borders() -> None:
    land = load_land_borders()
    rng = np.random.default_rng(11)
    codes = rng.choice(["MLI", "EGY", "SAU", "SYR", "TUN", "NGA"], 40)
    lat, lon = rng.uniform(5, 38, 40), rng.uniform(-15, 55, 40)
    out = border_distance(pd.DataFrame({"latitude": lat, "longitude": lon, "iso3": codes}), land)
    dense = shapely.segmentize(land.geometry.to_numpy(), 0.005)
    xy, owner = shapely.get_coordinates(dense, return_index=True)
    side_a, side_b = land["iso3_a"].to_numpy()[owner], land["iso3_b"].to_numpy()[owner]
    for i in range(len(lat)):
        own = (side_a == codes[i]) | (side_b == codes[i])
        _, _, d = GEOD.inv(np.full(own.sum(), lon[i]), np.full(own.sum(), lat[i]), *xy[own].T)
        best = d.min() / 1000
        assert best * 0.99 - 0.3 <= out["border_km"].iloc[i] <= best * 1.001
        near = own & (
            (side_a == out["border_neighbour"].iloc[i])
            | (side_b == out["border_neighbour"].iloc[i])
        )
        assert d[near[own]].min() / 1000 <= best * 1.001 + 1e-3


# ---------------------------------------------------------------------------
# Shipped data


@pytest.mark.parametrize(
    ("place", "lat", "lon", "area"),
    [
        ("Gao", 16.27, -0.04, "Gao"),
        ("Kidal", 18.44, 1.41, "Kidal"),
        ("Tessalit", 20.20, 1.01, "Kidal"),
        ("Bamako", 12.65, -8.0, "Bamako"),
        ("Timbuktu", 16.77, -3.01, "Timbuktu"),
    ],
)
def test_known_towns_join_to_their_region(
    admin1: gpd.GeoDataFrame, place: str, lat: float, lon: float, area: str
) -> None:
    out = join_areas(points([lat], [lon]), admin1)
    assert out["area"].iloc[0] == area, place
    assert out["area_iso3"].iloc[0] == "MLI"
    assert not out["area_snapped"].iloc[0]


def test_tessalit_near_algerian_border(admin1: gpd.GeoDataFrame, borders: gpd.GeoDataFrame) -> None:
    out = border_distance(join_areas(points([20.20], [1.01]), admin1), borders)
    assert out["border_neighbour"].iloc[0] == "DZA"
    assert 20 < out["border_km"].iloc[0] < 100


@pytest.mark.parametrize(
    ("event_id", "neighbour", "low", "high"),
    [
        ("MLI0001", "DZA", 20, 120),  # Tessalit
        ("EGY0002", "PSE", 0, 5),  # Rafah, on the Gaza line
        ("DZA0001", "LBY", 20, 150),  # In Amenas
        ("SYR0001", None, 1, 400),
        ("TUN0001", None, 1, 400),
    ],
)
def test_shipped_incidents_measured_to_their_own_border(
    admin1: gpd.GeoDataFrame, event_id: str, neighbour: str | None, low: float, high: float
) -> None:
    incidents = read_incidents(ROOT / "data" / "incidents.csv").set_index("event_id")
    row = border_distance(join_areas(incidents.loc[[event_id]], admin1), load_land_borders()).iloc[
        0
    ]
    assert low < row["border_km"] < high
    assert row["border_neighbour"] == (neighbour or row["border_neighbour"])
    assert row["border_neighbour"] not in ("", row["iso3"])


def test_shipped_bahrain_has_no_land_border(admin1: gpd.GeoDataFrame) -> None:
    incidents = read_incidents(ROOT / "data" / "incidents.csv")
    bahrain = incidents[incidents["iso3"] == "BHR"]
    out = border_distance(join_areas(bahrain, admin1), load_land_borders())
    assert len(out) == 3
    assert out["border_km"].isna().all() and (out["border_neighbour"] == "").all()


def test_coastal_point_offshore_is_snapped(admin1: gpd.GeoDataFrame) -> None:
    # 0.05 degree west of Dakar's coastline in the shipped layer
    out = join_areas(points([14.69], [-17.58]), admin1)
    assert out["area"].iloc[0] == "Dakar"
    assert out["area_snapped"].iloc[0]
    assert 0 < out["area_snap_km"].iloc[0] < 10


def test_shipped_rafah_joins_to_egypt(admin1: gpd.GeoDataFrame) -> None:
    # The shipped Rafah point is ~1.5 km inside the Gaza Strip of the simplified layer.
    incidents = read_incidents(ROOT / "data" / "incidents.csv").set_index("event_id")
    rafah = incidents.loc[["EGY0002"]]
    out = join_areas(rafah, admin1)
    assert out["area_iso3"].iloc[0] == "EGY"
    assert out["area"].iloc[0] == "Shamal Sina'"  # Natural Earth's name for North Sinai
    assert out["area_snapped"].iloc[0]
    assert 0 < out["area_snap_km"].iloc[0] < 5
    assert join_areas(rafah, admin1, country_col=None)["area_iso3"].iloc[0] == "PSE"


# ---------------------------------------------------------------------------
# check_admin1_consistency


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
