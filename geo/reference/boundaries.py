"""Admin areas, country outlines and border lines; user boundary files; area names.

The shipped layers (``data/boundaries/``, see its README) are Natural Earth
10m admin-1 units of the covered countries, the outlines of those countries
and their neighbours, Mali's land borders, and every land border between two
of the outlined countries. Every area layer, shipped or brought by a user,
comes back as a GeoDataFrame in EPSG:4326 with the standard columns
``area``, ``area_code``, ``iso3``, ``aliases`` and ``geometry``
(docs/architecture.md).

This module reads the shipped layers and is the front door for the rest:
user boundary files are read by :mod:`geo.reference.boundary_files`
(:func:`load_boundary_file`), region names from reports are reconciled with
a layer by :mod:`geo.reference.area_names` (:class:`AreaNames`), and what
every layer shares (CRS, columns, errors) is in
:mod:`geo.reference.area_layer`; their public names are importable from
here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import config
from geo.reference.area_layer import AREA_COLUMNS, CRS, BoundaryFileError, BoundaryFileWarning
from geo.reference.area_names import AreaMatch, AreaNames
from geo.reference.boundary_files import PRESETS, BoundaryPreset, load_boundary_file

__all__ = [
    "AREA_COLUMNS",
    "PRESETS",
    "AreaMatch",
    "AreaNames",
    "BoundaryFileError",
    "BoundaryFileWarning",
    "BoundaryPreset",
    "load_admin0",
    "load_admin1",
    "load_borders",
    "load_boundary_file",
    "load_land_borders",
]


def _read_shipped(path: Path, required: Iterable[str]) -> gpd.GeoDataFrame:
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types; all mean "unreadable"
        raise BoundaryFileError(
            f"{path}: cannot read the boundary layer ({exc}); "
            "rebuild it with `python scripts/build_boundaries.py`"
        ) from exc
    missing = [c for c in required if c not in gdf.columns]
    if missing:
        raise BoundaryFileError(
            f"{path}: missing field(s) {missing}; fields present: {list(gdf.columns)}"
        )
    gdf = gdf.set_crs(CRS) if gdf.crs is None else gdf.to_crs(CRS)
    for col in gdf.columns:
        if col != "geometry" and (
            pd.api.types.is_string_dtype(gdf[col]) or gdf[col].dtype == object
        ):
            gdf[col] = gdf[col].astype("string").fillna("")
    return gdf


def load_admin1(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Load the admin-1 area layer.

    Parameters
    ----------
    path : str or Path, optional
        A GeoJSON written by ``scripts/build_boundaries.py``; the shipped
        ``data/boundaries/admin1.geojson`` by default.

    Returns
    -------
    GeoDataFrame
        EPSG:4326; columns ``area``, ``area_code``, ``iso3``, ``country``,
        ``aliases``, ``adm1_code``, ``geometry``; text cells are ``""`` when
        empty. Reads in well under a second; callers cache it.
    """
    return _read_shipped(Path(path or config.ADMIN1_FILE), AREA_COLUMNS)


def load_admin0(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Load country outlines (columns ``iso3``, ``name``, ``geometry``; EPSG:4326)."""
    return _read_shipped(Path(path or config.ADMIN0_FILE), ("iso3", "name"))


def load_borders(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Load Mali's international land borders.

    Returns
    -------
    GeoDataFrame
        One (Multi)LineString per neighbour with ``neighbour_iso3``,
        ``neighbour_name``, ``length_km`` and ``geometry``; EPSG:4326.
    """
    return _read_shipped(Path(path or config.BORDERS_FILE), ("neighbour_iso3", "neighbour_name"))


def load_land_borders(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Load every land border between two countries of the admin-0 layer.

    Returns
    -------
    GeoDataFrame
        One (Multi)LineString per pair of countries sharing a land border,
        with ``iso3_a`` < ``iso3_b``, ``name_a``, ``name_b``, ``length_km``
        and ``geometry``; EPSG:4326, sorted by the pair. Every covered
        country's land borders are complete (the admin-0 layer holds all
        its neighbours); Bahrain, an island, has none.
    """
    return _read_shipped(
        Path(path or config.LAND_BORDERS_FILE), ("iso3_a", "iso3_b", "name_a", "name_b")
    )
