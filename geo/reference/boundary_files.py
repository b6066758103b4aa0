"""User boundary files read as standard area layers.

An analyst may bring their own admin areas: an OCHA COD-AB shapefile, a
geoBoundaries GeoJSON, a Natural Earth extract, a GeoPackage. Whatever the
format, CRS and field names, :func:`load_boundary_file` returns the standard
area layer of :mod:`geo.reference.area_layer` (``area``, ``area_code``,
``iso3``, ``aliases``, ``geometry`` in EPSG:4326), repairing what it safely
can and refusing, with a message naming the fix, what it cannot.

Reading goes in named steps: find the GDAL source (:func:`_source`), read it
(:func:`_read_user_file`), pick the fields (:func:`_resolve_fields`), check
the geometries (:func:`_check_geometries`), clean the attributes
(:func:`_attributes`).
"""

from __future__ import annotations

import logging
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.reference.area_layer import CRS, BoundaryFileError, BoundaryFileWarning, clean_text

__all__ = ["PRESETS", "BoundaryPreset", "load_boundary_file"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BoundaryPreset:
    """Field names of a common boundary-file scheme.

    Each entry lists candidates in order of preference; the first one present
    in the file is used (shapefiles truncate names to 10 characters, so both
    forms appear).
    """

    name: tuple[str, ...]
    code: tuple[str, ...] = ()
    iso3: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


PRESETS: Mapping[str, BoundaryPreset] = {
    # OCHA common operational datasets, administrative boundaries.
    "cod-ab": BoundaryPreset(
        name=("admin1Name", "ADM1_EN", "ADM1_FR"),
        code=("admin1Pcode", "admin1Pcod", "ADM1_PCODE"),
        aliases=("ADM1_FR", "ADM1_EN", "admin1Na_1", "admin1RefN", "admin1AltN"),
    ),
    "geoboundaries": BoundaryPreset(
        name=("shapeName",), code=("shapeISO", "shapeID"), iso3=("shapeGroup",)
    ),
    "natural-earth": BoundaryPreset(
        name=("name",),
        code=("iso_3166_2", "adm1_code"),
        iso3=("adm0_a3",),
        aliases=("name_en", "name_fr", "gns_name", "woe_name", "name_alt"),
    ),
}
"""Presets for ``load_boundary_file(preset=...)``; tried in this order when detecting."""


def _list_zip_shapefiles(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile as exc:
        raise BoundaryFileError(f"{path}: not a readable .zip archive ({exc})") from exc
    return sorted(n for n in names if n.lower().endswith(".shp") and not n.startswith("__MACOSX"))


def _source(path: Path, layer: str | None) -> tuple[str, str | None]:
    """The GDAL source string and layer to read for ``path``."""
    if not path.exists():
        raise BoundaryFileError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _zip_source(path, layer), None
    if suffix == ".gpkg":
        return str(path), _gpkg_layer(path, layer)
    return str(path), layer


def _zip_source(path: Path, layer: str | None) -> str:
    """GDAL's path to the one shapefile of a ``.zip`` (``layer`` names it among several)."""
    shps = _list_zip_shapefiles(path)
    if not shps:
        raise BoundaryFileError(f"{path}: the .zip holds no shapefile (.shp)")
    if layer is not None:
        chosen = [s for s in shps if Path(s).stem == layer or s == layer]
        if not chosen:
            raise BoundaryFileError(
                f"{path}: no shapefile named {layer!r} in the .zip; it holds {shps}"
            )
        shps = chosen
    if len(shps) > 1:
        raise BoundaryFileError(
            f"{path}: the .zip holds several shapefiles {shps}; pass layer= with one of them"
        )
    return f"/vsizip/{path.resolve()}/{shps[0]}"


def _gpkg_layer(path: Path, layer: str | None) -> str:
    """The GeoPackage layer to read: ``layer``, else the only polygon layer, else the only one."""
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:
        raise BoundaryFileError(f"{path}: cannot read as a GeoPackage ({exc})") from exc
    names = [str(n) for n in layers[:, 0]]
    if layer is not None:
        if layer not in names:
            raise BoundaryFileError(
                f"{path}: no layer {layer!r}; layers in this GeoPackage: {names}"
            )
        return layer
    polygonal = [str(n) for n, g in layers if g and "POLYGON" in str(g).upper()]
    if len(polygonal) == 1:
        return polygonal[0]
    if len(names) == 1:
        return names[0]
    raise BoundaryFileError(
        f"{path}: the GeoPackage has several layers {names}; pass layer= with one of them"
    )


def _pick_field(
    columns: list[str], wanted: str | None, candidates: Iterable[str], path: Path, role: str
) -> str | None:
    """Resolve a field name: exact match, then case-insensitive, then preset candidates."""
    lower = {c.lower(): c for c in columns}
    if wanted is not None:
        if wanted in columns:
            return wanted
        if wanted.lower() in lower:
            return lower[wanted.lower()]
        raise BoundaryFileError(
            f"{path}: no field {wanted!r} for the {role}; fields in this file: {columns}"
        )
    for cand in candidates:
        if cand in columns:
            return cand
        if cand.lower() in lower:
            return lower[cand.lower()]
    return None


def _detect_preset(columns: list[str]) -> str | None:
    lower = {c.lower() for c in columns}
    for key, preset in PRESETS.items():
        if any(n.lower() in lower for n in preset.name):
            return key
    return None


def _feature_list(positions: np.ndarray, limit: int = 10) -> str:
    shown = ", ".join(str(int(p) + 1) for p in positions[:limit])
    more = f" and {len(positions) - limit} more" if len(positions) > limit else ""
    return f"feature(s) {shown}{more}"


def _check_geometries(gdf: gpd.GeoDataFrame, path: Path, warn: list[str]) -> gpd.GeoSeries:
    geoms = gdf.geometry.to_numpy()
    missing = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if missing.size:
        raise BoundaryFileError(f"{path}: {_feature_list(missing)} have no geometry")
    types = shapely.get_type_id(geoms)
    # 3 Polygon, 6 MultiPolygon
    bad = np.flatnonzero(~np.isin(types, (3, 6)))
    if bad.size:
        found = sorted(set(gpd.GeoSeries(geoms[bad]).geom_type))
        raise BoundaryFileError(
            f"{path}: {_feature_list(bad)} are {', '.join(found)}, not polygons; "
            "an area layer needs Polygon or MultiPolygon features"
        )
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    if invalid.size:
        reasons = shapely.is_valid_reason(geoms[invalid[:3]])
        fixed = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        broken = invalid[~np.isin(shapely.get_type_id(fixed), (3, 6)) | shapely.is_empty(fixed)]
        if broken.size:
            raise BoundaryFileError(
                f"{path}: {_feature_list(broken)} are invalid polygons that make_valid "
                "cannot turn into an area (they collapse to lines or points)"
            )
        geoms = geoms.copy()
        geoms[invalid] = fixed
        warn.append(
            f"{path}: repaired {invalid.size} invalid polygon(s) with make_valid "
            f"({_feature_list(invalid)}; e.g. {'; '.join(map(str, reasons))})"
        )
    return gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)


@dataclass(frozen=True)
class _Fields:
    """The fields of a user file that give each standard column."""

    name: str
    code: str | None
    iso3: str | None
    aliases: list[str]
    preset: str | None


def load_boundary_file(
    path: str | Path,
    name_field: str | None = None,
    code_field: str | None = None,
    layer: str | None = None,
    iso3_field: str | None = None,
    *,
    preset: str | None = None,
    iso3: str | None = None,
    alias_fields: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """Read a user's boundary file as a standard area layer.

    Parameters
    ----------
    path : str or Path
        GeoJSON, Shapefile (``.shp``, or a ``.zip`` containing one),
        GeoPackage, or anything else GDAL reads. Any CRS; reprojected to
        EPSG:4326. A file without a CRS is refused.
    name_field : str, optional
        Field holding the area name. When omitted the ``preset`` gives it,
        or the preset is detected from the fields (COD-AB ``admin1Name``,
        geoBoundaries ``shapeName``, Natural Earth ``name``).
    code_field : str, optional
        Field holding the area code (P-code, ISO 3166-2, ...).
    layer : str, optional
        GeoPackage layer, or shapefile name inside a ``.zip``; needed only
        when there are several.
    iso3_field : str, optional
        Field holding the ISO3 country code.
    preset : {"cod-ab", "geoboundaries", "natural-earth"}, optional
        Field scheme to use for fields not given explicitly.
    iso3 : str, optional
        Country of every area, when the file has no country field.
    alias_fields : iterable of str, optional
        Fields whose values (``|``-separated allowed) become aliases; by
        default the preset's alias fields that exist.

    Returns
    -------
    GeoDataFrame
        Columns ``area``, ``area_code``, ``iso3``, ``aliases``, ``geometry``
        in EPSG:4326, in file order. ``attrs["warnings"]`` lists repairs
        made (also issued as :class:`BoundaryFileWarning`),
        ``attrs["fields"]`` the fields used.

    Raises
    ------
    BoundaryFileError
        Unreadable file, missing CRS, a field that does not exist (the
        message lists the fields that do), empty names, or non-polygon
        geometries.
    """
    path = Path(path)
    if preset is not None and preset not in PRESETS:
        raise BoundaryFileError(f"unknown preset {preset!r}; choose one of {sorted(PRESETS)}")
    gdf = _read_user_file(path, layer)
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    fields = _resolve_fields(
        columns, path, preset, name_field, code_field, iso3_field, alias_fields
    )
    warn: list[str] = []
    geometry = _check_geometries(gdf, path, warn)
    if gdf.crs is not None and not gdf.crs.equals(CRS):
        geometry = geometry.to_crs(CRS)
    out = gpd.GeoDataFrame(
        _attributes(gdf, fields, iso3, path), geometry=geometry.rename("geometry"), crs=CRS
    ).reset_index(drop=True)
    out.attrs["warnings"] = warn
    out.attrs["fields"] = {
        "name": fields.name,
        "code": fields.code,
        "iso3": fields.iso3,
        "aliases": fields.aliases,
        "preset": fields.preset,
    }
    # Warned here, not in a helper, so stacklevel=2 points at the caller.
    for message in warn:
        log.warning(message)
        warnings.warn(message, BoundaryFileWarning, stacklevel=2)
    return out


def _read_user_file(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    """Read the file's features; refuse an unreadable or empty file, or one without a CRS."""
    source, read_layer = _source(path, layer)
    try:
        gdf = gpd.read_file(source, layer=read_layer, engine="pyogrio")
    except Exception as exc:
        raise BoundaryFileError(f"{path}: cannot read as a boundary file ({exc})") from exc
    if len(gdf) == 0:
        raise BoundaryFileError(f"{path}: the file holds no features")
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.isna().all():
        raise BoundaryFileError(f"{path}: the file holds no geometries (a table, not boundaries)")
    if gdf.crs is None:
        raise BoundaryFileError(
            f"{path}: the file has no coordinate reference system (a shapefile needs its .prj); "
            "add one (e.g. in QGIS: Layer > Assign projection) and load it again"
        )
    _check_degrees(gdf, path)
    return gdf


def _check_degrees(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Refuse a file whose CRS says degrees while its coordinates are metres.

    A GeoJSON with no ``crs`` member is read as WGS84 (RFC 7946), so one
    saved in Web Mercator or UTM would otherwise put every incident "in no
    area" without a word.
    """
    if not gdf.crs.is_geographic:
        return
    min_x, min_y, max_x, max_y = gdf.total_bounds
    if max(abs(min_x), abs(max_x)) <= 180 and max(abs(min_y), abs(max_y)) <= 90:
        return
    raise BoundaryFileError(
        f"{path}: coordinates reach x {min_x:.0f}..{max_x:.0f}, y {min_y:.0f}..{max_y:.0f}, "
        f"outside longitude/latitude, although the file says {gdf.crs.to_string()}: it looks "
        "projected (metres, e.g. EPSG:3857 or a UTM zone). Reproject it to EPSG:4326, or "
        "give it its real CRS (a GeoJSON without a 'crs' member is read as WGS84)"
    )


def _resolve_fields(
    columns: list[str],
    path: Path,
    preset: str | None,
    name_field: str | None,
    code_field: str | None,
    iso3_field: str | None,
    alias_fields: Iterable[str] | None,
) -> _Fields:
    """The fields to read: those given, else the preset's (detected when not given)."""
    key = preset
    if key is None and name_field is None:
        key = _detect_preset(columns)
        if key is None:
            raise BoundaryFileError(
                f"{path}: name_field not given and no known field scheme "
                f"({', '.join(PRESETS)}) recognised; fields in this file: {columns}"
            )
    scheme = PRESETS[key] if key else BoundaryPreset(name=())
    name_col = _pick_field(columns, name_field, scheme.name, path, "area name")
    if name_col is None:
        raise BoundaryFileError(
            f"{path}: none of the {key} name fields {list(scheme.name)} is in this file; "
            f"fields in this file: {columns}"
        )
    code_col = _pick_field(columns, code_field, scheme.code, path, "area code")
    iso3_col = _pick_field(columns, iso3_field, scheme.iso3, path, "country code")
    if alias_fields is None:
        alias_cols = [
            c
            for c in (_pick_field(columns, None, (a,), path, "alias") for a in scheme.aliases)
            if c is not None and c != name_col
        ]
    else:
        alias_cols = [_pick_field(columns, a, (), path, "alias") or a for a in alias_fields]
    return _Fields(name_col, code_col, iso3_col, alias_cols, key)


def _attributes(
    gdf: gpd.GeoDataFrame, fields: _Fields, iso3: str | None, path: Path
) -> dict[str, pd.Series]:
    """The standard text columns, cleaned; every area must have a name."""
    area = clean_text(gdf[fields.name])
    empty = np.flatnonzero((area == "").to_numpy())
    if empty.size:
        raise BoundaryFileError(
            f"{path}: {_feature_list(empty)} have an empty {fields.name!r}; every area needs a name"
        )
    if fields.code:
        code = clean_text(gdf[fields.code])
    else:
        code = pd.Series("", index=gdf.index, dtype="string")
    if fields.iso3:
        country = clean_text(gdf[fields.iso3]).str.upper()
    else:
        country = pd.Series((iso3 or "").upper(), index=gdf.index, dtype="string")
    aliases = _build_aliases(gdf, fields.aliases, area)
    return {"area": area, "area_code": code, "iso3": country, "aliases": aliases}


def _build_aliases(gdf: pd.DataFrame, columns: list[str], area: pd.Series) -> pd.Series:
    """``|``-joined distinct alias values per row, without the area name itself."""
    if not columns:
        return pd.Series("", index=gdf.index, dtype="string")
    long = pd.concat(
        [clean_text(gdf[c]).str.split("|") for c in columns], keys=range(len(columns))
    ).explode()
    long = long.astype("string").str.strip()
    frame = pd.DataFrame({"row": long.index.get_level_values(1), "alias": long.to_numpy()})
    frame = frame[(frame["alias"] != "") & frame["alias"].notna()]
    frame = frame[frame["alias"].to_numpy() != area.reindex(frame["row"]).to_numpy()]
    frame = frame.drop_duplicates()
    joined = frame.groupby("row", sort=False)["alias"].agg("|".join)
    return joined.reindex(gdf.index).fillna("").astype("string")
