"""Tests for geo.analysis.pipeline.prepare: the join and border distance everyone shares."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import config
from geo.analysis.pipeline import areas_for, countries_for, prepare
from geo.io.store import read_incidents
from geo.reference.boundaries import load_admin1, load_borders


def _incidents() -> pd.DataFrame:
    # the points of MLI0001, EGY0002 and BHR0001 in data/incidents.csv
    return pd.DataFrame(
        {
            "location": ["Tessalit", "Rafah", "Bahrain"],
            "iso3": ["MLI", "EGY", "BHR"],
            "latitude": [20.20126, 31.28204, 26.00208],
            "longitude": [1.01186, 34.23869, 50.54479],
        }
    )


def test_prepare_measures_to_every_countrys_own_land_border() -> None:
    out = prepare(_incidents())
    assert list(out["area_iso3"]) == ["MLI", "EGY", "BHR"]
    assert list(out["border_neighbour"]) == ["DZA", "PSE", ""]
    assert 20 < out["border_km"].iloc[0] < 120
    assert 0 <= out["border_km"].iloc[1] < 5
    assert np.isnan(out["border_km"].iloc[2])  # an island: no land border


def test_prepare_with_malis_layer_measures_to_mali() -> None:
    out = prepare(_incidents(), borders=load_borders())
    assert out["border_neighbour"].iloc[0] == "DZA"
    # Rafah is thousands of km from any border of Mali
    assert out["border_km"].iloc[1] > 2000


def _issue_rows() -> pd.DataFrame:
    # the issue's cases: an ACLED-style Al-Qa'im point 5.5 km from Syria, an
    # Iranian incident, Tunisia coded only to the country, and a point with
    # no country in Iran
    return pd.DataFrame(
        {
            "event_id": ["IRQ", "IRN", "TUN", "NONE"],
            "iso3": ["IRQ", "IRN", "TUN", ""],
            "admin1": ["", "", "", ""],
            "geo_precision": [1, 1, 3, 1],
            "latitude": [34.38, 35.6892, 33.80231, 32.0],
            "longitude": [41.02, 51.389, 8.85512, 54.0],
        }
    )


def test_countries_for_stated_and_where_points_fall() -> None:
    codes = countries_for(_issue_rows())
    assert {"IRQ", "IRN", "TUN"} <= set(codes)
    assert "SYR" in codes  # the Iraqi point is 5.5 km from Syria
    # a point with no country still loads the country it lies in
    alone = countries_for(_issue_rows().iloc[[3]])
    assert "IRN" in alone
    assert countries_for(_issue_rows().iloc[:0]) == []


def test_prepare_loads_the_countries_its_incidents_need() -> None:
    out = prepare(_issue_rows()).set_index("event_id")
    assert out.loc["IRQ", "area_iso3"] == "IRQ" and out.loc["IRQ", "area"] == "Al-Anbar"
    assert out.loc["IRN", "area_iso3"] == "IRN" and out.loc["IRN", "area"] == "Tehran"
    assert out.loc["NONE", "area_iso3"] == "IRN"
    # Tunisia coded only to the country: in no area, flagged, still Tunisian
    assert out.loc["TUN", "area"] == "" and out.loc["TUN", "country_level"]
    assert not out.loc[["IRQ", "IRN", "NONE"], "country_level"].any()
    assert not out["area_abroad"].any()
    # border distance works outside the old 39 countries
    assert out.loc["IRN", "border_neighbour"] != ""
    assert out.loc["TUN", "border_neighbour"] in {"DZA", "LBY"}
    # the areas prepare joined to are the ones areas_for gives
    areas = areas_for(_issue_rows())
    assert {"IRQ", "IRN", "TUN", "SYR"} <= set(areas["iso3"])
    same = prepare(_issue_rows(), areas=areas)
    pd.testing.assert_frame_equal(prepare(_issue_rows()), same)


def test_prepare_with_the_covered_layer_never_crosses_into_syria() -> None:
    out = prepare(_issue_rows(), areas=load_admin1()).set_index("event_id")
    assert out.loc["IRQ", "area"] == "" and out.loc["IRQ", "area_abroad"]
    assert out.loc["IRN", "area"] == ""


def test_shipped_tunisia_country_level_incidents_are_in_no_area() -> None:
    joined = prepare(read_incidents(config.INCIDENTS_CSV)).set_index("event_id")
    level = joined[joined["country_level"]]
    assert sorted(level.index) == ["BHR0001", "BHR0002", "SYR0001", "TUN0001", "TUN0002", "TUN0003"]
    assert (level["area"] == "").all() and (level["geo_precision"] == 3).all()
    assert "Kebili" not in set(joined["area"])
    # a precision-3 row that names its region is placed in it
    assert joined.loc["MLI0003", "area"] == "Kidal"


def test_distinct_cells_are_the_distinct_coordinate_pairs_of_the_grid() -> None:
    import numpy as np

    from geo.analysis.pipeline import _CELL_DEG, _distinct_cells

    rng = np.random.default_rng(5)
    lon = np.r_[rng.uniform(-180, 180, 5_000), -180.0, 180.0, -0.05, 0.05, -0.0]
    lat = np.r_[rng.uniform(-90, 90, 5_000), -90.0, 90.0, -0.05, 0.05, 0.0]
    lon, lat = np.r_[lon, lon[:100]], np.r_[lat, lat[:100]]  # repeats
    expected = np.unique(np.floor(np.column_stack([lon, lat]) / _CELL_DEG).astype(np.int64), axis=0)
    got = _distinct_cells(lon, lat)
    assert len(got) == len(expected)
    assert set(map(tuple, got.tolist())) == set(map(tuple, expected.tolist()))
