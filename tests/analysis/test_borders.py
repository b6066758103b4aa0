"""Tests for geo.analysis.borders: distance to the nearest land border."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString

from geo.analysis.borders import border_distance
from geo.analysis.spatial import join_areas
from geo.io.store import read_incidents
from geo.reference.boundaries import load_admin1, load_borders, load_land_borders
from tests.analysis.spatial_support import points
from tests.conftest import ROOT

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def admin1() -> gpd.GeoDataFrame:
    return load_admin1()


@pytest.fixture(scope="module")
def borders() -> gpd.GeoDataFrame:
    return load_borders()


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


@pytest.mark.parametrize(
    ("iso3", "lat", "lon", "neighbour", "high"),
    [
        ("IRN", 33.12, 46.164, "IRQ", 10),  # Mehran, on the Iraqi border
        ("ESP", 43.338, -1.789, "FRA", 5),  # Irun, on the French border
        ("IRQ", 34.3686, 41.0943, "SYR", 15),  # Al-Qa'im
        ("COL", 7.894, -72.506, "VEN", 10),  # Cucuta
    ],
)
def test_border_distance_for_countries_outside_the_old_layer(
    iso3: str, lat: float, lon: float, neighbour: str, high: float
) -> None:
    # the land-border layer used to hold only the 39 outlined countries, so
    # these were NaN; now every pair of countries sharing a land border is in it
    frame = pd.DataFrame({"latitude": [lat], "longitude": [lon], "iso3": [iso3]})
    row = border_distance(frame, load_land_borders()).iloc[0]
    assert row["border_neighbour"] == neighbour
    assert 0 <= row["border_km"] < high
