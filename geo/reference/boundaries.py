"""Admin areas, country outlines and border lines; user boundary files; area names.

The shipped layers (``data/boundaries/``, see its README) are Natural Earth
10m admin-1 units and the outlines and land borders made from them. By
default :func:`load_admin1` and :func:`load_admin0` give the covered
countries (:data:`geo.config.COVERED_ISO3`, and for outlines their
neighbours), read from small GeoJSON files; given ``iso3`` they read those
countries from the world's GeoParquet file, which holds every country's
admin-1 units twice simplified: ``detail="fine"`` (0.01 degree) for joins
and drawing close up, ``detail="coarse"`` (0.05 degree) for drawing at low
zoom. Reading a few countries skips the rest of the file, so start-up stays
light whatever the data covers. :func:`admin1_extents` tells which
countries lie near given points without reading any geometry.
:func:`load_land_borders` gives every land border of the world.

Every area layer, shipped or brought by a user, comes back as a
GeoDataFrame in EPSG:4326 with the standard columns ``area``,
``area_code``, ``iso3``, ``aliases`` and ``geometry``
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

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely

from geo import config
from geo.reference.area_layer import AREA_COLUMNS, CRS, BoundaryFileError, BoundaryFileWarning
from geo.reference.area_names import AreaMatch, AreaNames
from geo.reference.boundary_files import PRESETS, BoundaryPreset, load_boundary_file

__all__ = [
    "AREA_COLUMNS",
    "DETAILS",
    "PRESETS",
    "AreaMatch",
    "AreaNames",
    "BoundaryFileError",
    "BoundaryFileWarning",
    "BoundaryPreset",
    "admin1_extents",
    "load_admin0",
    "load_admin1",
    "load_borders",
    "load_boundary_file",
    "load_land_borders",
    "world_countries",
]

Detail = Literal["fine", "coarse"]
DETAILS: tuple[Detail, ...] = ("fine", "coarse")
"""Simplifications of the world's admin-1 units: 0.01 degree (joins, close up), 0.05 (low zoom)."""


def _rebuild_hint(path: Path, exc: Exception) -> BoundaryFileError:
    return BoundaryFileError(
        f"{path}: cannot read the boundary layer ({exc}); "
        "rebuild it with `python scripts/build_boundaries.py`"
    )


def _text_columns(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every text column as ``string`` with ``""`` for gaps, whatever the reader chose."""
    for col in gdf.columns:
        if col != "geometry" and (
            pd.api.types.is_string_dtype(gdf[col]) or gdf[col].dtype == object
        ):
            gdf[col] = gdf[col].astype("string").fillna("")
    return gdf


def _require(gdf: gpd.GeoDataFrame, path: Path, required: Iterable[str]) -> None:
    missing = [c for c in required if c not in gdf.columns]
    if missing:
        raise BoundaryFileError(
            f"{path}: missing field(s) {missing}; fields present: {list(gdf.columns)}"
        )


def _read_shipped(path: Path, required: Iterable[str]) -> gpd.GeoDataFrame:
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types; all mean "unreadable"
        raise _rebuild_hint(path, exc) from exc
    _require(gdf, path, required)
    gdf = gdf.set_crs(CRS) if gdf.crs is None else gdf.to_crs(CRS)
    return _text_columns(gdf)


def _codes(iso3: Iterable[str] | str) -> list[str]:
    """Upper-case ISO3 codes, each once, in order (a single code may be given as a string)."""
    items = [iso3] if isinstance(iso3, str) else list(iso3)
    return list(dict.fromkeys(str(c).strip().upper() for c in items if str(c).strip()))


def _read_countries(path: Path, codes: list[str], required: Iterable[str]) -> gpd.GeoDataFrame:
    """The rows of ``codes`` from a GeoParquet area file (reads only the row groups it needs).

    The shipped files are read with pyarrow directly: geopandas would parse
    the file's CRS from its PROJJSON on every read, which costs more than
    the read itself; a file in another CRS or encoding goes through geopandas.
    """
    # An "in" filter needs at least one value; "" matches no row.
    filters = [("iso3", "in", codes or [""])]
    try:
        if not _is_lonlat_wkb(path):
            gdf = gpd.read_parquet(path, filters=filters)
            gdf = gdf.set_crs(CRS) if gdf.crs is None else gdf.to_crs(CRS)
        else:
            table = pq.read_table(path, filters=filters, use_threads=False)
            columns = [c for c in table.column_names if c not in ("geometry", "bbox")]
            geometry = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
            gdf = gpd.GeoDataFrame(table.select(columns).to_pandas(), geometry=geometry, crs=CRS)
    except Exception as exc:  # pyarrow raises several types; all mean "unreadable"
        raise _rebuild_hint(path, exc) from exc
    _require(gdf, path, required)
    return _text_columns(gdf.reset_index(drop=True))


def _is_lonlat_wkb(path: Path) -> bool:
    """Whether a GeoParquet file's geometry is WKB in lon/lat (EPSG:4326 or the CRS84 default)."""
    meta = pq.read_schema(path).metadata or {}
    geo = json.loads(meta.get(b"geo", b"{}"))
    column = geo.get("columns", {}).get(geo.get("primary_column", "geometry"), {})
    crs = column.get("crs")
    ident = crs.get("id", {}) if isinstance(crs, dict) else {}
    lonlat = crs is None or (ident.get("authority"), ident.get("code")) in (
        ("EPSG", 4326),
        ("OGC", "CRS84"),
    )
    return column.get("encoding") == "WKB" and lonlat


def _world_file(detail: str) -> Path:
    if detail not in DETAILS:
        raise ValueError(f"detail: got {detail!r}; expected one of {DETAILS}")
    return Path(config.ADMIN1_WORLD_FILE if detail == "fine" else config.ADMIN1_WORLD_COARSE_FILE)


def _with_sovereign(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``sov_iso3`` (the area's own country) to a layer that has none."""
    if "sov_iso3" not in gdf.columns and "iso3" in gdf.columns:
        gdf.insert(list(gdf.columns).index("iso3") + 1, "sov_iso3", gdf["iso3"])
    return gdf


def world_countries() -> list[str]:
    """ISO3 of every country with admin-1 units in the world file, sorted."""
    path = Path(config.ADMIN1_WORLD_FILE)
    try:
        column = pq.read_table(path, columns=["iso3"]).column("iso3")
    except Exception as exc:  # pyarrow raises several types; all mean "unreadable"
        raise _rebuild_hint(path, exc) from exc
    return sorted(set(column.to_pylist()))


def admin1_extents() -> pd.DataFrame:
    """Bounding box of every admin-1 unit of the world, without reading its geometry.

    Returns
    -------
    DataFrame
        ``iso3``, ``sov_iso3``, ``xmin``, ``ymin``, ``xmax``, ``ymax`` (degrees),
        one row per unit of the world file (the fine one; the coarse units lie
        within 0.05 degree of it). Reads in a few milliseconds: for finding
        which countries to load for given points.
    """
    path = Path(config.ADMIN1_WORLD_FILE)
    try:
        table = pq.read_table(path, columns=["iso3", "sov_iso3", "bbox"])
    except Exception as exc:  # pyarrow raises several types; all mean "unreadable"
        raise _rebuild_hint(path, exc) from exc
    bbox = table.column("bbox").combine_chunks()
    out = pd.DataFrame(
        {
            "iso3": table.column("iso3").to_numpy(zero_copy_only=False).astype(object),
            "sov_iso3": table.column("sov_iso3").to_numpy(zero_copy_only=False).astype(object),
        }
    )
    for key in ("xmin", "ymin", "xmax", "ymax"):
        out[key] = bbox.field(key).to_numpy(zero_copy_only=False).astype("float64")
    return out


def load_admin1(
    path: str | Path | None = None,
    iso3: Iterable[str] | str | None = None,
    *,
    detail: Detail = "fine",
) -> gpd.GeoDataFrame:
    """Load admin-1 areas: the covered countries', or those of given countries.

    Parameters
    ----------
    path : str or Path, optional
        A GeoJSON or GeoParquet file written by ``scripts/build_boundaries.py``.
        By default the shipped files: the covered countries' GeoJSON when
        ``iso3`` is not given and ``detail`` is ``"fine"``, else the world's
        GeoParquet of that detail.
    iso3 : iterable of str or str, optional
        Countries to load (ISO3); by default the covered ones
        (:data:`geo.config.COVERED_ISO3`). :func:`world_countries` lists
        them all. A code with no units gives no rows.
    detail : {"fine", "coarse"}
        The world file's simplification: ``"fine"`` (0.01 degree, ~1 km) for
        joins and drawing close up, ``"coarse"`` (0.05 degree, ~5 km) for
        drawing at low zoom (zoom 5 and below).

    Returns
    -------
    GeoDataFrame
        EPSG:4326; columns ``area``, ``area_code``, ``iso3``, ``sov_iso3``
        (the sovereign: Hong Kong's is CHN; else the area's own country),
        ``country``, ``aliases``, ``adm1_code``, ``geometry``; text cells
        are ``""`` when empty. The covered countries read in well under a
        second, a few countries of the world file in a few hundredths;
        callers cache them.
    """
    codes = None if iso3 is None else _codes(iso3)
    if path is None and codes is None and detail == "fine":
        path = config.ADMIN1_FILE
    if path is None:
        path = _world_file(detail)
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        wanted = list(config.COVERED_ISO3) if codes is None else codes
        return _with_sovereign(_read_countries(path, wanted, AREA_COLUMNS))
    gdf = _read_shipped(path, AREA_COLUMNS)
    if codes is not None:
        gdf = gdf[gdf["iso3"].isin(codes)].reset_index(drop=True)
    return _with_sovereign(gdf)


def load_admin0(
    path: str | Path | None = None,
    iso3: Iterable[str] | str | None = None,
    *,
    detail: Detail = "fine",
) -> gpd.GeoDataFrame:
    """Load country outlines (columns ``iso3``, ``name``, ``geometry``; EPSG:4326).

    By default the covered countries and every country touching one, from
    the shipped GeoJSON (or ``path``). Given ``iso3``, or ``detail="coarse"``,
    each outline is the union of the country's admin-1 units of the world
    file (see :func:`load_admin1`), so outlines, areas and land borders lie
    exactly on top of each other; sorted by ``iso3``.
    """
    if path is not None or (iso3 is None and detail == "fine"):
        gdf = _read_shipped(Path(path or config.ADMIN0_FILE), ("iso3", "name"))
        if iso3 is not None:
            gdf = gdf[gdf["iso3"].isin(_codes(iso3))].reset_index(drop=True)
        return gdf
    if iso3 is None:
        iso3 = _read_shipped(Path(config.ADMIN0_FILE), ("iso3", "name"))["iso3"].tolist()
    units = load_admin1(iso3=iso3, detail=detail)
    codes, first = np.unique(units["iso3"].to_numpy(dtype=object), return_index=True)
    country = units["iso3"].to_numpy(dtype=object)
    geoms = units.geometry.to_numpy()
    outlines = [shapely.coverage_union_all(geoms[country == code]) for code in codes]
    names = units["country"].to_numpy(dtype=object)[first]
    frame = gpd.GeoDataFrame(
        {"iso3": pd.array(codes, dtype="string"), "name": pd.array(names, dtype="string")},
        geometry=outlines,
        crs=CRS,
    )
    return frame


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
    """Load every land border between two countries of the world.

    Returns
    -------
    GeoDataFrame
        One (Multi)LineString per pair of countries sharing a land border,
        with ``iso3_a`` < ``iso3_b``, ``name_a``, ``name_b``, ``length_km``
        and ``geometry``; EPSG:4326, sorted by the pair. The lines lie on
        the outlines :func:`load_admin0` gives; islands (Bahrain) have none.
    """
    return _read_shipped(
        Path(path or config.LAND_BORDERS_FILE), ("iso3_a", "iso3_b", "name_a", "name_b")
    )
