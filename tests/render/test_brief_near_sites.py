"""The briefing's "Near our sites" section: rows, wording, caps, and only with sites.

Sites are placed on the shipped gazetteer's towns (Ansongo, Gao, Bourem),
never typed by hand; incidents are put at chosen distances and bearings from
them with pyproj's geodesic forward problem, so the expected words follow
from the set-up rather than from the code under test.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pypdf import PdfReader
from pyproj import Geod

from geo.analysis.filters import FilterState
from geo.analysis.pipeline import prepare
from geo.io.store import read_incidents
from geo.reference.gazetteer import load_gazetteer
from geo.render.brief import MAX_NEAR_ROWS, near_site_incidents, render_brief

GEOD = Geod(ellps="WGS84")
STATE = FilterState(dt.date(2013, 2, 1), dt.date(2013, 2, 28), countries=("MLI",))
WHEN = dt.datetime(2013, 3, 1)


@pytest.fixture(scope="module")
def towns() -> pd.DataFrame:
    places = load_gazetteer().places
    mali = places[places["iso3"] == "MLI"].drop_duplicates("name").set_index("name")
    return mali.loc[["Ansongo", "Gao", "Bourem"], ["latitude", "longitude"]]


def _point(towns: pd.DataFrame, name: str) -> shapely.Point:
    return shapely.Point(towns.at[name, "longitude"], towns.at[name, "latitude"])


def _sites(towns: pd.DataFrame, base: str = "Ansongo base") -> gpd.GeoDataFrame:
    """A point (Ansongo, 30 km radius) and a route (Gao to Bourem, 10 km)."""
    return gpd.GeoDataFrame(
        {
            "name": [base, "Gao–Bourem road"],
            "kind": ["compound", "route"],
            "radius_km": [30.0, 10.0],
        },
        geometry=[
            _point(towns, "Ansongo"),
            shapely.LineString([_point(towns, "Gao"), _point(towns, "Bourem")]),
        ],
        crs="EPSG:4326",
    )


def _from(towns: pd.DataFrame, name: str, azimuth: float, km: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(
        towns.at[name, "longitude"], towns.at[name, "latitude"], azimuth, km * 1000
    )
    return float(lon), float(lat)


def _incidents(points: list[tuple[float, float]], deaths: list[int] | None = None) -> pd.DataFrame:
    n = len(points)
    return pd.DataFrame(
        {
            "event_date": pd.date_range("2013-02-10", periods=n, freq="D"),
            "event_type": ["Battles"] * n,
            "sub_event_type": ["Armed clash"] * n,
            "location": [f"Place {i}" for i in range(n)],
            "area": ["Gao"] * n,
            "longitude": [p[0] for p in points],
            "latitude": [p[1] for p in points],
            "fatalities": deaths or [0] * n,
        }
    )


def test_rows_words_and_order(towns: pd.DataFrame) -> None:
    sites = _sites(towns)
    points = [
        _from(towns, "Ansongo", 45.0, 12.0),  # 12 km NE of Ansongo base: inside 30 km
        _from(towns, "Ansongo", 180.0, 45.0),  # 45 km S: outside the radius
        _from(towns, "Bourem", 270.0, 4.0),  # 4 km W of the road's end
        _from(towns, "Gao", 90.0, 0.2),  # at the road
    ]
    near = near_site_incidents(_incidents(points, deaths=[3, 0, 1, 0]), sites)
    rows = near.table(10)
    assert list(rows["where"]) == [
        "at Gao–Bourem road",
        "4.0 km W of Gao–Bourem road",
        "12 km NE of Ansongo base",
    ]
    assert list(rows["place"]) == ["Place 3, Gao", "Place 2, Gao", "Place 0, Gao"]
    assert list(rows["deaths"]) == [0, 1, 3]
    assert list(rows["date"]) == ["13 Feb 2013", "12 Feb 2013", "10 Feb 2013"]
    assert near.summary(len(rows)) == "3 incidents within a site's radius, nearest first."
    # A distance of our own instead of the radii takes the 45 km one too.
    wide = near_site_incidents(_incidents(points), sites, within_km=50)
    assert len(wide) == 4 and wide.table(4)["where"].iloc[-1] == "45 km S of Ansongo base"
    assert list(wide.table(2)["where"]) == list(rows["where"][:2])  # only the printed are worded
    assert wide.reach == "within 50 km of a site"


def test_distance_and_bearing_agree_with_pyproj(towns: pd.DataFrame) -> None:
    rng = np.random.default_rng(13)
    azimuths = rng.uniform(0, 360, 40)
    kms = rng.uniform(1, 29, 40)
    points = [_from(towns, "Ansongo", a, k) for a, k in zip(azimuths, kms, strict=True)]
    point_only = _sites(towns).iloc[[0]]
    rows = near_site_incidents(_incidents(points), point_only).table(40)
    assert len(rows) == 40
    lon, lat = towns.at["Ansongo", "longitude"], towns.at["Ansongo", "latitude"]
    for (x, y), (_i, row) in zip(
        sorted(points, key=lambda p: GEOD.inv(lon, lat, *p)[2]), rows.iterrows(), strict=True
    ):
        azimuth, _back, metres = GEOD.inv(lon, lat, x, y)
        assert row["distance_km"] == pytest.approx(metres / 1000, abs=1e-6)
        figure, compass = re.match(r"([\d.,]+) km (\w+) of", row["where"]).groups()  # type: ignore[union-attr]
        assert float(figure) == pytest.approx(metres / 1000, abs=0.051 if metres < 9950 else 0.51)
        sector = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")[
            int(((azimuth % 360) + 22.5) // 45) % 8
        ]
        assert compass == sector


def test_nothing_near_is_said(towns: pd.DataFrame) -> None:
    far = near_site_incidents(_incidents([_from(towns, "Ansongo", 0.0, 300.0)]), _sites(towns))
    assert len(far) == 0 and far.table(5).empty
    assert far.summary(0) == "No incident in this briefing lies within a site's radius."


@pytest.fixture(scope="module")
def joined() -> pd.DataFrame:
    return prepare(read_incidents())


def _pdf_text(data: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


def test_pdf_section_only_with_sites_and_dollars_print_literally(
    joined: pd.DataFrame, towns: pd.DataFrame
) -> None:
    # Gao's incidents are at the road's start; the base's name has TeX in it.
    sites = _sites(towns, base="Ansongo $x^2$ base")
    sites.loc[1, "name"] = "Road $\\alpha$ one"
    pdf = render_brief(joined, STATE, fmt="pdf", generated_at=WHEN, sites=sites)
    pages = _pdf_text(pdf)
    assert "Page 2 lists the incidents near our sites" in pages[0]
    assert pages[1].startswith("Near our sites")
    assert "within a site's radius, nearest first" in pages[1]
    assert "at Road $\\alpha$ one" in pages[1]
    assert "Incidents in the period" in pages[1]  # the incident list follows on the same page
    bare = render_brief(joined, STATE, fmt="pdf", generated_at=WHEN)
    empty = render_brief(joined, STATE, fmt="pdf", generated_at=WHEN, sites=sites.iloc[:0])
    assert bare == empty
    text = " ".join(_pdf_text(bare))
    assert "Near our sites" not in text and "Road" not in text


def test_the_pdf_caps_the_list_and_counts_what_it_leaves_off(
    joined: pd.DataFrame, towns: pd.DataFrame
) -> None:
    gao = joined[joined["location"] == "Gao"].iloc[[0]]
    extra = MAX_NEAR_ROWS + 5
    many = pd.concat([gao] * extra, ignore_index=True)
    for i in range(extra):
        lon, lat = _from(towns, "Ansongo", 10.0 * i, 1 + i * 0.5)
        many.loc[i, ["longitude", "latitude", "event_id"]] = [lon, lat, f"X{i:03d}"]
    pdf = render_brief(
        many, STATE, fmt="pdf", generated_at=WHEN, sites=_sites(towns), incident_pages=False
    )
    (first, second) = _pdf_text(pdf)
    assert "Page 2 lists the incidents near our sites." in first
    assert f"{extra} incidents within a site's radius" in second
    assert f"the nearest {MAX_NEAR_ROWS} listed, 5 left off" in second
    assert "1.0 km N of Ansongo base" in second  # the nearest is listed
    assert "Incidents in the period" not in second


def test_the_slide_gets_a_band_and_stays_a_full_hd_slide(
    joined: pd.DataFrame, towns: pd.DataFrame
) -> None:
    from PIL import Image

    sites = _sites(towns)
    png = render_brief(joined, STATE, fmt="png", generated_at=WHEN, sites=sites)
    bare = render_brief(joined, STATE, fmt="png", generated_at=WHEN)
    assert png != bare
    assert Image.open(io.BytesIO(png)).size == Image.open(io.BytesIO(bare)).size == (1920, 1080)
    assert render_brief(joined, STATE, fmt="png", generated_at=WHEN, sites=sites) == png
