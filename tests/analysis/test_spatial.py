"""Tests for geo.analysis.spatial: area joins and snapping."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import box

from geo.analysis.spatial import join_areas
from geo.io.store import read_incidents
from geo.reference.boundaries import load_admin1
from tests.analysis.spatial_support import points, two_countries
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


@pytest.fixture(scope="module")
def admin1() -> gpd.GeoDataFrame:
    return load_admin1()


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
    # "unknown" (CCC, a country the layer does not have) and "far" (55 km
    # inside Beta) lie only in another country's area: they get none, flagged
    assert list(out["area"]) == ["Alpha", "Beta", "Beta", "", "", "Alpha"]
    assert list(out["area_iso3"]) == ["AAA", "BBB", "BBB", "", "", "AAA"]
    assert list(out["area_snapped"]) == [True, False, False, False, False, True]
    assert list(out["area_abroad"]) == [False, False, False, True, True, False]
    _, _, metres = GEOD.inv(1.02, 0.5, 1.0, 0.5)
    assert out.loc["own", "area_snap_km"] == pytest.approx(metres / 1000, rel=0.01)
    assert np.isnan(out.loc["far", "area_snap_km"])
    # the geometric answer without a country column, or with the check off
    assert set(join_areas(df[["latitude", "longitude"]], two_countries())["area"]) == {"Beta"}
    assert set(join_areas(df, two_countries(), country_col=None)["area"]) == {"Beta"}
    assert not join_areas(df, two_countries(), country_col=None)["area_abroad"].any()
    # beyond snap_km the point is not moved home, nor left abroad: no area, flagged
    tight = join_areas(df, two_countries(), snap_km=1)
    assert tight["area"].iloc[0] == "" and tight["area_abroad"].iloc[0]


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
    # off Alpha's north coast, with Bravo 55 km away: never snapped across
    # into Alpha; no area, flagged as abroad
    north = join_areas(
        pd.DataFrame({"latitude": [1.02], "longitude": [0.5], "iso3": ["BBB"]}), two_countries()
    )
    assert north["area"].iloc[0] == "" and not north["area_snapped"].iloc[0]
    assert north["area_abroad"].iloc[0]
    assert np.isnan(north["area_snap_km"].iloc[0])


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
        # never another country's area
        assert iso3 == "" or area_iso3 in ("", iso3)
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
# Never another country's area


def test_a_point_never_snaps_into_another_countrys_area() -> None:
    # 2.2 km south of Beta, 55 km from Alpha; and far out at sea
    df = pd.DataFrame(
        {"latitude": [-0.02, -0.02, -0.02, -1.0], "longitude": [1.5, 1.5, 1.5, 1.5]},
        index=["alpha", "beta", "unstated", "sea"],
    )
    df["iso3"] = ["AAA", "BBB", "", "AAA"]
    out = join_areas(df, two_countries(), snap_km=10)
    assert list(out["area"]) == ["", "Beta", "Beta", ""]
    assert list(out["area_snapped"]) == [False, True, True, False]
    # "alpha" is near only Bravo's area; "sea" is near none: not abroad
    assert list(out["area_abroad"]) == [True, False, False, False]
    assert out["area_snap_km"].isna().tolist() == [True, False, False, True]
    # with a reach that finds Alpha, it goes home, snapped
    far = join_areas(df, two_countries(), snap_km=60)
    assert far.loc["alpha", "area"] == "Alpha" and far.loc["alpha", "area_snapped"]
    assert not far.loc["alpha", "area_abroad"]


def test_a_territory_takes_its_sovereigns_incidents_not_the_reverse() -> None:
    layer = gpd.GeoDataFrame(
        {
            "area": ["Mainland", "Harbour"],
            "area_code": ["S-1", "T-1"],
            "iso3": ["SSS", "TTT"],
            "sov_iso3": ["SSS", "SSS"],
        },
        geometry=[box(0, 0, 1, 1), box(1, 0, 1.2, 1)],
        crs="EPSG:4326",
    )
    df = pd.DataFrame(
        {
            "latitude": [0.5, 0.5, 0.5, 0.5],
            "longitude": [1.1, 1.1, 0.98, 0.5],
            "iso3": ["SSS", "TTT", "TTT", "TTT"],
        }
    )
    out = join_areas(df, layer)
    # SSS is sovereign over Harbour; TTT is not over Mainland: 2 km in, it
    # is snapped home, 55 km in it gets nothing
    assert list(out["area"]) == ["Harbour", "Harbour", "Harbour", ""]
    assert list(out["area_snapped"]) == [False, False, True, False]
    assert list(out["area_abroad"]) == [False, False, False, True]
    # without sov_iso3, only the area's own country counts: SSS's point in
    # Harbour is 11 km from Mainland, beyond reach
    plain = join_areas(df, layer.drop(columns="sov_iso3"))
    assert list(plain["area"]) == ["", "Harbour", "Harbour", ""]
    assert list(plain["area_abroad"]) == [True, False, False, True]


def test_an_area_without_a_country_takes_any_incident() -> None:
    layer = squares().assign(iso3=["", ""])
    df = points([0.5, 0.5], [0.5, 1.5]).assign(iso3=["AAA", "ZZZ"])
    out = join_areas(df, layer)
    assert list(out["area"]) == ["West", "East"]
    assert not out["area_abroad"].any()


# ---------------------------------------------------------------------------
# Country-level incidents


def test_country_level_rows_get_no_area_whatever_their_point() -> None:
    df = pd.DataFrame(
        {
            "latitude": [0.5] * 6,
            "longitude": [0.5] * 6,
            "iso3": ["AAA"] * 6,
            "geo_precision": [3, 3, 2, "3", None, 1],
            "admin1": ["", "Alpha", "", " ", "", np.nan],
        },
        index=["country", "region", "near", "spaces", "unknown", "exact"],
    )
    out = join_areas(df, two_countries())
    assert list(out["country_level"]) == [True, False, False, True, False, False]
    assert list(out["area"]) == ["", "Alpha", "Alpha", "", "Alpha", "Alpha"]
    assert list(out["area_iso3"]) == ["", "AAA", "AAA", "", "AAA", "AAA"]
    assert not out["area_snapped"].any() and not out["area_abroad"].any()
    assert out["area_snap_km"].isna().tolist() == [True, False, False, True, False, False]
    # the stated country stays: a country-level incident counts for AAA
    assert (out["iso3"] == "AAA").all()
    # the rule can be turned off, e.g. to fill in the admin-1 a point lies in
    off = join_areas(df, two_countries(), country_level=False)
    assert set(off["area"]) == {"Alpha"} and not off["country_level"].any()
    # a frame without geo_precision has none
    assert not join_areas(df.drop(columns="geo_precision"), two_countries())["country_level"].any()


def test_country_level_rows_keep_row_order_and_index() -> None:
    df = pd.DataFrame(
        {
            "latitude": [0.5, 0.5, 0.5],
            "longitude": [0.5, 1.5, -0.5],
            "iso3": ["AAA", "BBB", "BBB"],
            "geo_precision": [3, 1, 3],
            "admin1": ["", "", ""],
        },
        index=[30, 10, 20],
    )
    out = join_areas(df, two_countries())
    assert list(out.index) == [30, 10, 20]
    assert list(out["area"]) == ["", "Beta", ""]
    shuffled = join_areas(df.loc[[20, 30, 10]], two_countries())
    pd.testing.assert_frame_equal(out.loc[[20, 30, 10]], shuffled)


# ---------------------------------------------------------------------------
# Shipped data: the cases


def test_shipped_iraqi_point_near_syria_stays_in_iraq_or_gets_none(
    admin1: gpd.GeoDataFrame,
) -> None:
    # Al-Qa'im (ACLED-style point 5.5 km from the Syrian line) and the town itself
    df = pd.DataFrame(
        {"latitude": [34.38, 34.3686], "longitude": [41.02, 41.0943], "iso3": ["IRQ", "IRQ"]}
    )
    # the covered layer has Syria but no Iraqi areas: never Dayr Az Zawr
    covered = join_areas(df, admin1)
    assert list(covered["area"]) == ["", ""]
    assert covered["area_abroad"].iloc[0]  # 5.5 km from a Syrian area
    # before the rule it was snapped across the border
    assert join_areas(df, admin1, country_col=None)["area_iso3"].iloc[0] == "SYR"
    # with Iraq's areas loaded it is in Iraq
    world = join_areas(df, load_admin1(iso3=["IRQ", "SYR"]))
    assert list(world["area_iso3"]) == ["IRQ", "IRQ"]
    assert list(world["area"]) == ["Al-Anbar", "Al-Anbar"]


def test_shipped_iranian_incident_gets_an_iranian_area() -> None:
    df = pd.DataFrame(
        {"latitude": [35.6892, 33.12], "longitude": [51.389, 46.164], "iso3": ["IRN", "IRN"]}
    )
    out = join_areas(df, load_admin1(iso3=["IRN", "IRQ"]))
    assert list(out["area_iso3"]) == ["IRN", "IRN"]
    assert list(out["area"]) == ["Tehran", "Ilam"]  # Tehran; Mehran, on the Iraqi border


@pytest.mark.parametrize("snap_km", [10.0, 60.0])
def test_the_own_country_prefilter_never_changes_a_placement(
    admin1: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch, snap_km: float
) -> None:
    """Points over Mali's bounding box (over half in its neighbours), with and without it."""
    from geo.analysis import spatial
    from geo.io.synthetic import synthetic_incidents

    mali = admin1[admin1["iso3"] == "MLI"]
    bounds = tuple(float(v) for v in mali.total_bounds)
    frame = synthetic_incidents(20_000, seed=8, bounds=bounds)  # type: ignore[arg-type]
    shipped = read_incidents(ROOT / "data" / "incidents.csv")
    for incidents in (frame, shipped):
        got = join_areas(incidents, admin1, snap_km=snap_km)
        assert got["area_snapped"].any() or incidents is shipped
        with monkeypatch.context() as m:
            m.setattr(spatial, "_near_own", lambda rows, *args: rows)
            expected = join_areas(incidents, admin1, snap_km=snap_km)
        pd.testing.assert_frame_equal(got, expected)
