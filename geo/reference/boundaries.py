"""Admin areas, country outlines and border lines; user boundary files; area names.

The shipped layers (``data/boundaries/``, see its README) are Natural Earth
10m admin-1 units of the covered countries, the outlines of those countries
and their neighbours, Mali's land borders, and every land border between two
of the outlined countries. Every area layer, shipped or brought by a user,
comes back as a GeoDataFrame in EPSG:4326 with the standard columns
``area``, ``area_code``, ``iso3``, ``aliases`` and ``geometry``
(docs/architecture.md).

Region names in reports rarely match a layer's spelling ("Tombouctou" for
Timbuktu, "Segou", "Koulikouro"); :class:`AreaNames` reconciles them with
the layer's names and aliases, folded by :func:`geo.reference.names.fold`, and a
conservative fuzzy fallback.
"""

from __future__ import annotations

import difflib
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

from geo import config
from geo.reference.names import fold, fold_series

__all__ = [
    "AREA_COLUMNS",
    "PRESETS",
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

log = logging.getLogger(__name__)

AREA_COLUMNS = ("area", "area_code", "iso3", "aliases")
"""Standard attribute columns of an area layer (plus ``geometry``)."""

CRS = "EPSG:4326"


class BoundaryFileError(ValueError):
    """A boundary file cannot be used; the message names the file and the fix."""


class BoundaryFileWarning(UserWarning):
    """A boundary file was usable only after a repair (the message says which)."""


# ---------------------------------------------------------------------------
# Shipped layers


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


# ---------------------------------------------------------------------------
# User boundary files


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
        return f"/vsizip/{path.resolve()}/{shps[0]}", None
    if suffix == ".gpkg":
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
            return str(path), layer
        polygonal = [str(n) for n, g in layers if g and "POLYGON" in str(g).upper()]
        if len(polygonal) == 1:
            return str(path), polygonal[0]
        if len(names) == 1:
            return str(path), names[0]
        raise BoundaryFileError(
            f"{path}: the GeoPackage has several layers {names}; pass layer= with one of them"
        )
    return str(path), layer


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


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.strip()


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
    source, read_layer = _source(path, layer)
    try:
        gdf = gpd.read_file(source, layer=read_layer, engine="pyogrio")
    except Exception as exc:
        raise BoundaryFileError(f"{path}: cannot read as a boundary file ({exc})") from exc
    if len(gdf) == 0:
        raise BoundaryFileError(f"{path}: the file holds no features")
    if gdf.crs is None:
        raise BoundaryFileError(
            f"{path}: the file has no coordinate reference system (a shapefile needs its .prj); "
            "add one (e.g. in QGIS: Layer > Assign projection) and load it again"
        )
    columns = [c for c in gdf.columns if c != gdf.geometry.name]

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

    warn: list[str] = []
    geometry = _check_geometries(gdf, path, warn)
    if gdf.crs is not None and not gdf.crs.equals(CRS):
        geometry = geometry.to_crs(CRS)

    area = _text(gdf[name_col])
    empty = np.flatnonzero((area == "").to_numpy())
    if empty.size:
        raise BoundaryFileError(
            f"{path}: {_feature_list(empty)} have an empty {name_col!r}; every area needs a name"
        )
    code = _text(gdf[code_col]) if code_col else pd.Series("", index=gdf.index, dtype="string")
    if iso3_col:
        country = _text(gdf[iso3_col]).str.upper()
    else:
        country = pd.Series((iso3 or "").upper(), index=gdf.index, dtype="string")
    aliases = _build_aliases(gdf, alias_cols, area)

    out = gpd.GeoDataFrame(
        {"area": area, "area_code": code, "iso3": country, "aliases": aliases},
        geometry=geometry.rename("geometry"),
        crs=CRS,
    ).reset_index(drop=True)
    out.attrs["warnings"] = warn
    out.attrs["fields"] = {
        "name": name_col,
        "code": code_col,
        "iso3": iso3_col,
        "aliases": alias_cols,
        "preset": key,
    }
    for message in warn:
        log.warning(message)
        warnings.warn(message, BoundaryFileWarning, stacklevel=2)
    return out


def _build_aliases(gdf: pd.DataFrame, columns: list[str], area: pd.Series) -> pd.Series:
    """``|``-joined distinct alias values per row, without the area name itself."""
    if not columns:
        return pd.Series("", index=gdf.index, dtype="string")
    long = pd.concat(
        [_text(gdf[c]).str.split("|") for c in columns], keys=range(len(columns))
    ).explode()
    long = long.astype("string").str.strip()
    frame = pd.DataFrame({"row": long.index.get_level_values(1), "alias": long.to_numpy()})
    frame = frame[(frame["alias"] != "") & frame["alias"].notna()]
    frame = frame[frame["alias"].to_numpy() != area.reindex(frame["row"]).to_numpy()]
    frame = frame.drop_duplicates()
    joined = frame.groupby("row", sort=False)["alias"].agg("|".join)
    return joined.reindex(gdf.index).fillna("").astype("string")


# ---------------------------------------------------------------------------
# Area-name reconciliation

# Generic words reports put around a region's name ("Gao Region",
# "Région de Tombouctou", "Wilaya d'Adrar"), folded.
_GENERIC = frozenset(
    {
        "region",
        "regions",
        "province",
        "prefecture",
        "governorate",
        "gouvernorat",
        "muhafazat",
        "muhafazah",
        "wilaya",
        "willaya",
        "district",
        "state",
        "etat",
    }
)
_LINKS = frozenset({"de", "du", "des", "d", "of", "la", "le", "l", "the"})


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _core(key: str) -> str:
    """A folded name without generic admin words and the links around them."""
    words = [w for w in key.split() if w not in _GENERIC]
    if len(words) == len(key.split()):
        return key
    while words and words[0] in _LINKS:
        words.pop(0)
    return " ".join(words)


@dataclass(frozen=True)
class AreaMatch:
    """One resolved area: its canonical name, code and country."""

    area: str
    area_code: str
    iso3: str


class AreaNames:
    """Reconcile region names from reports with an area layer.

    Names are folded (:func:`geo.reference.names.fold`: case, accents, apostrophes,
    hyphens, spacing) and looked up, in this order, among:

    1. canonical names (``area``), then ``area_code`` values, then aliases;
    2. the same with spaces dropped and generic words ("Region", "Wilaya de",
       "Province") removed on both sides;
    3. a fuzzy match (``difflib`` ratio >= ``min_ratio``) against the names
       and aliases of the given country only. Without ``iso3`` the fuzzy step
       is taken only when one area clearly wins across all countries.

    A name that fits several areas equally well (without ``iso3``, or two
    units of one country sharing an alias) resolves to nothing rather than to
    a guess.

    Parameters
    ----------
    areas : DataFrame or GeoDataFrame
        An area layer with ``area``, ``iso3`` and optionally ``area_code``,
        ``aliases`` and ``geometry``.
    min_ratio : float
        Fuzzy threshold, 0-1.

    Examples
    --------
    >>> names = AreaNames(load_admin1())  # doctest: +SKIP
    >>> names.resolve("Tombouctou"), names.resolve("Koulikouro", iso3="MLI")  # doctest: +SKIP
    ('Timbuktu', 'Koulikoro')
    """

    def __init__(self, areas: pd.DataFrame, min_ratio: float = 0.85) -> None:
        if "area" not in areas.columns or "iso3" not in areas.columns:
            raise ValueError(
                f"AreaNames needs 'area' and 'iso3' columns; got {list(areas.columns)}"
            )
        self.min_ratio = float(min_ratio)
        if isinstance(areas, gpd.GeoDataFrame) and areas.crs is not None:
            areas = areas.to_crs(CRS)
        frame = pd.DataFrame(
            {
                "area": _text(areas["area"]),
                "area_code": _text(areas["area_code"])
                if "area_code" in areas.columns
                else pd.Series("", index=areas.index, dtype="string"),
                "iso3": _text(areas["iso3"]).str.upper(),
            }
        )
        # One entry per distinct area: user layers may split an area into rows.
        keys = list(frame[["iso3", "area_code", "area"]].itertuples(index=False, name=None))
        entry_index: dict[tuple[str, str, str], int] = {}
        for key in keys:
            entry_index.setdefault(key, len(entry_index))
        self._entries: list[AreaMatch] = [AreaMatch(a, c, i) for i, c, a in entry_index]
        entry_of_row = np.array([entry_index[k] for k in keys], dtype=int)
        self._geoms: np.ndarray | None = None
        if "geometry" in areas.columns:
            geoms = np.asarray(areas.geometry.to_numpy(), dtype=object)
            merged = np.empty(len(self._entries), dtype=object)
            for e in range(len(self._entries)):
                parts = geoms[entry_of_row == e]
                merged[e] = parts[0] if len(parts) == 1 else shapely.union_all(parts)
            self._geoms = merged

        alias_text = (
            _text(areas["aliases"]).to_numpy()
            if "aliases" in areas.columns
            else np.full(len(frame), "", dtype=object)
        )
        # tier 0: canonical names, 1: codes, 2: aliases
        names: list[tuple[str, int, int]] = []
        for row, e in enumerate(entry_of_row):
            ent = self._entries[e]
            names.append((ent.area, int(e), 0))
            if ent.area_code:
                names.append((ent.area_code, int(e), 1))
            for alias in str(alias_text[row]).split("|"):
                if alias.strip():
                    names.append((alias.strip(), int(e), 2))
        self._exact: dict[tuple[str, str], dict[int, int]] = {}
        self._loose: dict[tuple[str, str], dict[int, int]] = {}
        self._by_country: dict[str, list[tuple[str, int]]] = {}
        for name, e, tier in names:
            iso = self._entries[e].iso3
            key = fold(name)
            if not key:
                continue
            loose = _core(key).replace(" ", "")
            for table, k in ((self._exact, key), (self._loose, loose)):
                for scope in (iso, ""):
                    slot = table.setdefault((scope, k), {})
                    slot[e] = min(slot.get(e, tier), tier)
            if tier != 1:
                self._by_country.setdefault(iso, []).append((loose, e))
        self.countries = frozenset(ent.iso3 for ent in self._entries)
        self._country_names: dict[str, str] = {}
        if "country" in areas.columns:
            named = pd.DataFrame({"iso3": frame["iso3"], "name": _text(areas["country"])})
            named = named[(named["iso3"] != "") & (named["name"] != "")]
            self._country_names = dict(
                named.drop_duplicates("iso3").itertuples(index=False, name=None)
            )
        self._country_geoms: dict[str, shapely.Geometry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def _best(slot: dict[int, int] | None) -> int | None:
        """The single best entry of a lookup slot, or None when tied/empty."""
        if not slot:
            return None
        top = min(slot.values())
        winners = [e for e, t in slot.items() if t == top]
        return winners[0] if len(winners) == 1 else None

    def _fuzzy(self, loose: str, iso3: str) -> int | None:
        if not loose:
            return None
        if iso3:
            pool = self._by_country.get(iso3, [])
        else:
            pool = [item for items in self._by_country.values() for item in items]
        scores: dict[int, float] = {}
        matcher = difflib.SequenceMatcher(b=loose, autojunk=False)
        for cand, e in pool:
            matcher.set_seq1(cand)
            if (
                matcher.real_quick_ratio() < self.min_ratio
                or matcher.quick_ratio() < self.min_ratio
            ):
                continue
            r = matcher.ratio()
            if r >= self.min_ratio and r > scores.get(e, 0.0):
                scores[e] = r
        if not scores:
            return None
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        if len(ranked) > 1 and ranked[1][1] >= ranked[0][1] - 0.02:
            return None
        return ranked[0][0]

    def _resolve_entry(self, name: object, iso3: object = None) -> int | None:
        key = "" if _missing(name) else fold(name)
        if not key:
            return None
        iso = "" if _missing(iso3) else str(iso3).strip().upper()
        if iso and iso not in self.countries:
            return None
        found = self._best(self._exact.get((iso, key)))
        if found is not None or (iso, key) in self._exact:
            return found
        loose = _core(key).replace(" ", "")
        found = self._best(self._loose.get((iso, loose)))
        if found is not None or (iso, loose) in self._loose:
            return found
        return self._fuzzy(loose, iso)

    def match(self, name: object, iso3: object = None) -> AreaMatch | None:
        """The area ``name`` refers to (within ``iso3`` when given), or None."""
        e = self._resolve_entry(name, iso3)
        return None if e is None else self._entries[e]

    def resolve(self, name: object, iso3: object = None) -> str | None:
        """Canonical area name for ``name`` (within country ``iso3`` when given), or None.

        Examples
        --------
        >>> names.resolve("Tombouctou")  # doctest: +SKIP
        'Timbuktu'
        """
        m = self.match(name, iso3)
        return None if m is None else m.area

    def _entry_series(self, names: pd.Series, iso3: pd.Series | str | None) -> pd.Series:
        if isinstance(iso3, pd.Series):
            iso = _text(iso3.reindex(names.index)).str.upper()
        else:
            iso = pd.Series((iso3 or "").upper(), index=names.index, dtype="string")
        pairs = pd.DataFrame({"name": _text(names), "iso": iso})
        # Resolve each distinct (name, country) once: reports repeat the same
        # few region names thousands of times.
        uniq = pairs.drop_duplicates().reset_index(drop=True)
        uniq["folded"] = fold_series(uniq["name"])
        uniq["entry"] = [
            self._resolve_entry(n, i or None) if f else None
            for n, i, f in uniq[["name", "iso", "folded"]].itertuples(index=False)
        ]
        merged = pairs.merge(uniq[["name", "iso", "entry"]], on=["name", "iso"], how="left")
        return pd.Series(merged["entry"].to_numpy(), index=names.index, dtype="Int64")

    def match_series(self, names: pd.Series, iso3: pd.Series | str | None = None) -> pd.DataFrame:
        """Vectorized :meth:`match`: columns ``area``, ``area_code``, ``iso3``.

        Unresolved names give ``<NA>`` in all three columns; the index is
        ``names``'s index.
        """
        entries = self._entry_series(names, iso3)
        # The last row of the table is all-missing, for names that did not resolve.
        table = pd.DataFrame(
            [(m.area, m.area_code, m.iso3) for m in self._entries] + [(pd.NA, pd.NA, pd.NA)],
            columns=["area", "area_code", "iso3"],
            dtype="string",
        )
        pos = entries.fillna(len(self._entries)).to_numpy(dtype=int)
        out = table.iloc[pos].reset_index(drop=True)
        out.index = names.index
        return out

    def resolve_series(self, names: pd.Series, iso3: pd.Series | str | None = None) -> pd.Series:
        """Vectorized :meth:`resolve`: canonical names, ``<NA>`` where unresolved.

        Parameters
        ----------
        names : Series
            Region names as reported.
        iso3 : Series or str, optional
            Country per name (aligned on the index) or one country for all.
        """
        return self.match_series(names, iso3)["area"]

    def country_label(self, iso3: str) -> str:
        """``"Egypt (EGY)"`` when the layer names the country, else the code."""
        name = self._country_names.get(iso3, "")
        return f"{name} ({iso3})" if name else iso3

    def country_geometry_of(self, codes: Iterable[str]) -> np.ndarray:
        """Union of each country's areas, one per code (the layer must have had geometry).

        Each country's union is computed once and kept.
        """
        if self._geoms is None:
            raise ValueError("this AreaNames was built without geometry")
        codes = list(codes)
        for code in set(codes) - set(self._country_geoms):
            own = [e for e, ent in enumerate(self._entries) if ent.iso3 == code]
            if not own:
                raise KeyError(f"no area of country {code!r} in this layer")
            self._country_geoms[code] = shapely.union_all(self._geoms[own])
        return np.array([self._country_geoms[c] for c in codes], dtype=object)

    def geometry_of(self, entries: Iterable[AreaMatch]) -> np.ndarray:
        """Polygons of the given matches (the layer must have had geometry)."""
        if self._geoms is None:
            raise ValueError("this AreaNames was built without geometry")
        index = {m: i for i, m in enumerate(self._entries)}
        return np.array([self._geoms[index[m]] for m in entries], dtype=object)
