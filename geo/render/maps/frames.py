"""Reading the frames handed to :func:`geo.render.maps.build_map`.

Checks for the columns each layer needs, and geometries in lon/lat turned
into compact GeoJSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo.render.maps.escaping import script_json

__all__ = ["GEOMETRY_DECIMALS", "POINT_DECIMALS", "geojson", "lonlat_geometries", "require"]

GEOMETRY_DECIMALS = 3  # ~100 m: finer than any line width at the zooms used
POINT_DECIMALS = 5  # ~1 m


def require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Refuse a frame that lacks a column a layer needs, naming what it has."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"build_map: {what} lacks column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, frame.columns))})"
        )


def lonlat_geometries(frame: pd.DataFrame) -> np.ndarray:
    """The frame's geometries in EPSG:4326 (a frame without a CRS is taken as lon/lat)."""
    crs = getattr(frame, "crs", None)
    if crs is not None and not crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    return np.asarray(
        frame.geometry.to_numpy() if hasattr(frame, "geometry") else frame["geometry"]
    )


def geojson(
    frame: pd.DataFrame, properties: list[dict[str, Any]], decimals: int = GEOMETRY_DECIMALS
) -> str:
    """A FeatureCollection string from geometries (rounded) and per-feature properties."""
    geoms = lonlat_geometries(frame)
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    texts = shapely.to_geojson(rounded)
    features = [
        '{"type":"Feature","properties":' + script_json(p) + ',"geometry":' + g + "}"
        for p, g in zip(properties, texts, strict=True)
        if g is not None
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
