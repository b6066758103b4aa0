"""Small hand-drawn layers and point frames shared by the spatial tests."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box


def points(lat: list[float], lon: list[float], index: list[object] | None = None) -> pd.DataFrame:
    return pd.DataFrame({"latitude": lat, "longitude": lon}, index=index)


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
