"""The team's own sites and routes: reading a user's file, and keeping them with the store.

A security manager's sites (offices, compounds, project sites, airstrips)
are points and their routes (the supply road from one town to the next) are
lines. :func:`load_sites` reads them from a CSV (``latitude``/``longitude``
columns, or a ``wkt`` column for lines), a GeoJSON, a GeoPackage or a KML
file (Point and LineString placemarks, parsed here with no network and no
XML entities, :mod:`geo.io.kml`) into one frame:

==========  ==================================================================
name        the site's name, unique in the file (ignoring case and accents)
kind        ``office``, ``compound``, ``project``, ``airstrip``, ``route``, ...
            (free text, lower case; ``site`` for a point and ``route`` for a
            line when the file gives none)
radius_km   the distance within which an incident counts as at the site
            (:data:`DEFAULT_RADIUS_KM`, 25 km, when the file gives none)
geometry    Point, LineString or MultiLineString, EPSG:4326
==========  ==================================================================

Every problem names the file, the row (``line N`` of a CSV, counting the
header as line 1; ``feature N`` of a layer; ``placemark N`` of a KML), the
column and the value, and all of them are raised together in one
:class:`SiteFileError`. A layer in a projected CRS that says so is
reprojected; coordinates outside longitude/latitude are refused.

The store's sites travel with it (:func:`store_sites`, :func:`save_sites`):
a file store keeps them beside the CSV as ``<store stem>.sites.geojson``
(written atomically under a lock), a PostGIS store in its ``sites`` table
(one transaction, :mod:`geo.io.postgis_companions`).
Sites are sensitive: the app shows them to team members only (docs/watch.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.io.csvfile import read_text_csv
from geo.io.files import atomic_write_text, locked
from geo.io.kml import KmlError, read_placemarks
from geo.model.schema import IncidentFileError
from geo.reference.names import fold

__all__ = [
    "DEFAULT_RADIUS_KM",
    "KNOWN_KINDS",
    "MAX_SITES",
    "SITE_COLUMNS",
    "SITE_SUFFIXES",
    "SiteFileError",
    "SiteProblem",
    "empty_sites",
    "load_sites",
    "merge_sites",
    "save_sites",
    "sites_path",
    "sites_version",
    "store_sites",
]

SITE_COLUMNS = ["name", "kind", "radius_km", "geometry"]
SITE_SUFFIXES = (".csv", ".geojson", ".json", ".gpkg", ".kml")
# Suggestions shown to users; any other kind is kept as written.
KNOWN_KINDS = ("office", "compound", "project", "airstrip", "route")
MAX_SITES = 5_000
# Radius of a site whose file gives none: an incident this close is "at" it.
DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 1_000.0
_LINES = ("LineString", "MultiLineString")

# Column names for each role, compared case-insensitively, best first.
_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "name": ("name", "site", "site_name", "sitename", "nom", "title"),
    "kind": ("kind", "type", "site_type", "category"),
    "radius_km": ("radius_km", "radius", "radius (km)"),
    "latitude": ("latitude", "lat", "y"),
    "longitude": ("longitude", "lon", "lng", "long", "x"),
    "wkt": ("wkt", "geometry", "geom", "the_geom"),
}


@dataclass(frozen=True)
class SiteProblem:
    """One thing wrong with a site file: where, which column, what value, what was expected."""

    file: str
    where: str
    column: str
    value: object
    expected: str

    def __str__(self) -> str:
        if not self.where and not self.column:
            return f"{self.file}: {self.expected}"
        place = ", ".join(
            part for part in (self.where, self.column and f"column {self.column!r}") if part
        )
        return f"{self.file}: {place}: got {self.value!r}; {self.expected}"


class SiteFileError(ValueError):
    """A site file (or the store's site file) cannot be used; carries every problem."""

    def __init__(self, problems: Sequence[SiteProblem]):
        self.problems = list(problems)
        head = "\n".join(str(p) for p in self.problems[:20])
        more = f"\n... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{len(self.problems)} problem(s):\n{head}{more}")


def _whole(file: str, expected: str) -> SiteFileError:
    return SiteFileError([SiteProblem(file, "", "", None, expected)])


@dataclass
class _Raw:
    """A file's rows before checking: text cells, a geometry per row and each row's label."""

    cells: pd.DataFrame
    geoms: np.ndarray
    where: list[str]
    columns: dict[str, str]  # role -> the file's column
    problems: list[SiteProblem]
    geom_columns: list[str] | None = None  # the column(s) each row's geometry came from


def empty_sites() -> gpd.GeoDataFrame:
    """A site frame with no rows."""
    frame = pd.DataFrame(
        {"name": pd.Series(dtype=str), "kind": pd.Series(dtype=str), "radius_km": []}
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")


# --------------------------------------------------------------------------
# Reading a user's file


def load_sites(
    path: Path | str, *, file: str | None = None, default_radius_km: float | None = None
) -> gpd.GeoDataFrame:
    """Read and check a site file: CSV, GeoJSON, GeoPackage or KML.

    Parameters
    ----------
    path : path-like
        The file; its suffix decides how it is read (:data:`SITE_SUFFIXES`).
    file : str, optional
        The name messages use (an upload's own name); default ``path``.
    default_radius_km : float, optional
        Radius of rows that give none; default :data:`DEFAULT_RADIUS_KM` (25 km).

    Returns
    -------
    GeoDataFrame
        :data:`SITE_COLUMNS`, EPSG:4326, in file order, index 0..n-1.

    Raises
    ------
    SiteFileError
        Every problem of the file, each naming file, row, column and value.
    """
    p = Path(path)
    label = file or str(p)
    suffix = Path(label).suffix.lower() if file else p.suffix.lower()
    if suffix not in SITE_SUFFIXES:
        raise _whole(
            label,
            f"unknown file type {suffix or '(none)'!r}; expected one of {', '.join(SITE_SUFFIXES)}",
        )
    if not p.is_file():
        raise _whole(label, "file not found" if not p.exists() else "is not a file")
    if suffix == ".csv":
        raw = _read_csv(p, label)
    elif suffix == ".kml":
        raw = _read_kml(p, label)
    else:
        raw = _read_layer(p, label)
    radius = DEFAULT_RADIUS_KM if default_radius_km is None else default_radius_km
    return _checked(raw, label, float(radius))


def _match_columns(names: Sequence[str]) -> dict[str, str]:
    """Role -> the first column whose name is one of that role's names (case ignored)."""
    lowered = {str(n).strip().lower(): str(n) for n in reversed(list(names))}
    found = {}
    for role, options in _COLUMN_NAMES.items():
        for option in options:
            if option in lowered:
                found[role] = lowered[option]
                break
    return found


def _read_csv(p: Path, label: str) -> _Raw:
    try:
        table = read_text_csv(p)
    except IncidentFileError as exc:
        raise SiteFileError(
            [SiteProblem(label, "", "", None, str(q).split(": ", 1)[-1]) for q in exc.problems]
        ) from None
    if table.empty:
        raise _whole(label, "has no rows; expected one site or route per row")
    columns = _match_columns(list(table.columns))
    where = [f"line {i + 2}" for i in range(len(table))]
    problems: list[SiteProblem] = []
    geoms, sources = _csv_geometries(table, columns, label, where, problems)
    return _Raw(table.reset_index(drop=True), geoms, where, columns, problems, sources)


def _csv_geometries(
    table: pd.DataFrame,
    columns: dict[str, str],
    label: str,
    where: list[str],
    problems: list[SiteProblem],
) -> tuple[np.ndarray, list[str]]:
    """Each row's geometry (its WKT cell, else its latitude and longitude) and its columns."""
    has_points = "latitude" in columns and "longitude" in columns
    if "wkt" not in columns and not has_points:
        raise _whole(
            label,
            "no coordinates: expected latitude and longitude columns, or a wkt column for "
            f"lines; the columns are {', '.join(map(str, table.columns))}",
        )
    geoms = np.full(len(table), None, dtype=object)
    filled = np.zeros(len(table), dtype=bool)
    if "wkt" in columns:
        text = table[columns["wkt"]].str.strip()
        filled = (text != "").to_numpy()
        parsed = shapely.from_wkt(np.where(filled, text, None), on_invalid="ignore")
        for i in np.flatnonzero(filled & shapely.is_missing(parsed)):
            problems.append(
                SiteProblem(
                    label,
                    where[i],
                    columns["wkt"],
                    text.iloc[i],
                    "expected WKT such as LINESTRING (lon lat, lon lat)",
                )
            )
        geoms[filled] = parsed[filled]
    if has_points:
        lat = _numbers(table, columns["latitude"], label, where, problems, ~filled)
        lon = _numbers(table, columns["longitude"], label, where, problems, ~filled)
        ok = ~filled & np.isfinite(lat) & np.isfinite(lon)
        geoms[ok] = shapely.points(lon[ok], lat[ok])
    point_columns = f"{columns.get('latitude')}/{columns.get('longitude')}"
    sources = [columns["wkt"] if f else point_columns for f in filled]
    return geoms, sources


def _numbers(
    table: pd.DataFrame,
    column: str,
    label: str,
    where: list[str],
    problems: list[SiteProblem],
    wanted: np.ndarray,
) -> np.ndarray:
    """A numeric column; a wanted cell that is not a number is a problem (NaN)."""
    text = table[column].str.strip()
    values = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    bad = wanted & ~np.isfinite(values)
    for i in np.flatnonzero(bad):
        expected = "a number is required" if text.iloc[i] == "" else "expected a number"
        problems.append(SiteProblem(label, where[i], column, text.iloc[i], expected))
    return values


def _read_layer(p: Path, label: str) -> _Raw:
    try:
        frame = gpd.read_file(p)
    except Exception as exc:  # pyogrio raises its own DataSourceError, OSError, ...
        raise _whole(label, f"cannot be read as a GeoJSON or GeoPackage layer ({exc})") from None
    if len(frame) == 0:
        raise _whole(label, "has no features; expected one site or route per feature")
    # A layer that states its CRS (a projected one included) is reprojected;
    # one that states none is read as WGS84, as RFC 7946 says for GeoJSON.
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    cells = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    cells = cells.astype("string").fillna("").astype(str).reset_index(drop=True)
    where = [f"feature {i + 1}" for i in range(len(frame))]
    geoms = np.asarray(frame.geometry.array, dtype=object)
    return _Raw(cells, geoms, where, _match_columns(list(cells.columns)), [])


def _read_kml(p: Path, label: str) -> _Raw:
    try:
        marks = read_placemarks(p.read_bytes())
    except KmlError as exc:
        raise _whole(label, str(exc)) from None
    where = [f"placemark {i}" for i in range(1, len(marks) + 1)]
    problems = [
        SiteProblem(label, here, *m.problem)
        for here, m in zip(where, marks, strict=True)
        if m.problem
    ]
    cells = pd.DataFrame([m.fields for m in marks]).fillna("").astype(str)
    geoms = np.array([m.geometry for m in marks], dtype=object)
    return _Raw(cells, geoms, where, _match_columns(list(cells.columns)), problems)


# --------------------------------------------------------------------------
# Checking rows


def _checked(raw: _Raw, label: str, default_radius: float) -> gpd.GeoDataFrame:
    """The site frame of ``raw``, or every problem of it at once."""
    if len(raw.cells) > MAX_SITES:
        raise _whole(label, f"has {len(raw.cells):,} rows; at most {MAX_SITES:,} sites are kept")
    if "name" not in raw.columns:
        raise _whole(
            label,
            "no name column; expected one of "
            f"{', '.join(_COLUMN_NAMES['name'])} (columns: "
            f"{', '.join(map(str, raw.cells.columns)) or 'none'})",
        )
    problems = list(raw.problems)
    names = raw.cells[raw.columns["name"]].str.split().str.join(" ")
    geoms = _checked_geometries(raw, label, problems)
    radius = _radius(raw, label, default_radius, problems)
    for i in np.flatnonzero((names == "").to_numpy()):
        problems.append(
            SiteProblem(label, raw.where[i], raw.columns["name"], "", "every site needs a name")
        )
    problems += _duplicates(names, raw, label)
    if problems:
        order = {w: i for i, w in enumerate(raw.where)}
        problems.sort(key=lambda q: order.get(q.where, -1))
        raise SiteFileError(problems)
    is_line = np.isin(shapely.get_type_id(geoms), [1, 5])
    kind = (
        raw.cells[raw.columns["kind"]].str.strip().str.lower()
        if "kind" in raw.columns
        else pd.Series("", index=raw.cells.index)
    )
    kind = kind.where(kind != "", pd.Series(np.where(is_line, "route", "site"), index=kind.index))
    frame = pd.DataFrame({"name": names.astype(str), "kind": kind.astype(str), "radius_km": radius})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326")


def _checked_geometries(raw: _Raw, label: str, problems: list[SiteProblem]) -> np.ndarray:
    """2-D geometries; a missing, empty, unknown or out-of-range one is a problem."""
    geoms = np.asarray(raw.geoms, dtype=object)
    columns = raw.geom_columns or ["geometry"] * len(geoms)
    reported = {q.where for q in raw.problems}
    for i, geom in enumerate(geoms):
        if raw.where[i] in reported:
            continue
        problem = _geometry_problem(geom)
        if problem:
            problems.append(SiteProblem(label, raw.where[i], columns[i], problem[0], problem[1]))
    good = [g is not None and not _geometry_problem(g) for g in geoms]
    out = np.full(len(geoms), None, dtype=object)
    out[good] = shapely.force_2d(geoms[good].astype(object)) if any(good) else out[good]
    return out


def _geometry_problem(geom: Any) -> tuple[object, str] | None:
    """(value, expected) when ``geom`` cannot be a site or route, else ``None``."""
    if geom is None or not isinstance(geom, shapely.Geometry):
        return "", "no geometry: expected a point (latitude and longitude) or a line"
    if geom.geom_type not in ("Point", *_LINES):
        return geom.geom_type, "expected a Point, LineString or MultiLineString"
    if geom.is_empty:
        return geom.wkt, "the geometry is empty"
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all():
        return geom.wkt[:80], "coordinates must be finite numbers"
    out = (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)
    if out.any():
        lon, lat = (float(v) for v in xy[np.argmax(out)])
        hint = (
            (
                " (this looks projected, in metres: reproject it to EPSG:4326, or give the "
                "file its CRS)"
            )
            if max(abs(lon), abs(lat)) > 1_000
            else ""
        )
        return f"lon {lon:g}, lat {lat:g}", (
            "coordinates out of range: longitude -180..180, latitude -90..90" + hint
        )
    return None


def _radius(raw: _Raw, label: str, default: float, problems: list[SiteProblem]) -> np.ndarray:
    n = len(raw.cells)
    if "radius_km" not in raw.columns:
        return np.full(n, default)
    column = raw.columns["radius_km"]
    text = raw.cells[column].str.strip()
    values = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    blank = (text == "").to_numpy()
    bad = ~blank & ~((values > 0) & (values <= MAX_RADIUS_KM))
    for i in np.flatnonzero(bad):
        problems.append(
            SiteProblem(
                label,
                raw.where[i],
                column,
                text.iloc[i],
                f"expected a number of km above 0 and at most {MAX_RADIUS_KM:g}",
            )
        )
    return np.where(blank, default, values)


def _duplicates(names: pd.Series, raw: _Raw, label: str) -> list[SiteProblem]:
    folded = names.map(fold)
    repeated = folded.duplicated(keep="first") & (folded != "")
    first = {f: i for i, f in reversed(list(enumerate(folded)))}
    return [
        SiteProblem(
            label,
            raw.where[i],
            raw.columns["name"],
            names.iloc[i],
            f"the name is already used at {raw.where[first[folded.iloc[i]]]}; names must be unique",
        )
        for i in np.flatnonzero(repeated.to_numpy())
    ]


def merge_sites(
    kept: gpd.GeoDataFrame, new: gpd.GeoDataFrame, *, replace: bool = False, file: str = ""
) -> gpd.GeoDataFrame:
    """``kept`` followed by ``new`` (or ``new`` alone with ``replace``).

    Raises
    ------
    SiteFileError
        A name of ``new`` is already kept (ignoring case and accents).
    """
    if replace or kept.empty:
        return new.reset_index(drop=True)
    taken = set(kept["name"].map(fold))
    clashes = [n for n in new["name"] if fold(n) in taken]
    if clashes:
        raise SiteFileError(
            [
                SiteProblem(
                    file or "sites",
                    "",
                    "name",
                    n,
                    "a site of this name is already kept; rename it, or replace all sites",
                )
                for n in clashes
            ]
        )
    merged = pd.concat([kept[SITE_COLUMNS], new[SITE_COLUMNS]], ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs="EPSG:4326")


# --------------------------------------------------------------------------
# Kept with the store

# A store as the functions below take it: an incident CSV's path, a
# postgresql:// URL, or a store object (geo.io.backend.open_store).
Store = Any


def _database(store: Store) -> Any:
    from geo.io.postgis_companions import as_database

    return as_database(store)


def _csv_path(store: Store) -> Path:
    path = getattr(store, "path", None)  # a FileStore's CSV
    return Path(store if path is None else path)


def sites_path(store_path: Path | str) -> Path:
    """The site file of a file store: ``<store stem>.sites.geojson`` beside it."""
    path = _csv_path(store_path)
    return path.with_name(f"{path.stem}.sites.geojson")


def sites_version(store: Store) -> str:
    """A key that changes whenever the store's sites do (``""`` when none were ever saved)."""
    database = _database(store)
    if database is not None:
        from geo.io.postgis_companions import companion_version

        return companion_version(database, "sites")
    try:
        stat = sites_path(_csv_path(store)).stat()
    except FileNotFoundError:
        return ""
    return f"{stat.st_mtime_ns}:{stat.st_size}"


def store_sites(store: Store) -> gpd.GeoDataFrame:
    """The sites kept with the store (none when none were saved).

    Parameters
    ----------
    store : path-like, str or store object
        An incident CSV (its ``.sites.geojson``), a ``postgresql://`` URL or
        a store from :func:`geo.io.backend.open_store` (its ``sites`` table).

    Raises
    ------
    SiteFileError
        The kept file was damaged (edited by hand); it names the file.
    """
    database = _database(store)
    if database is not None:
        from geo.io.postgis_companions import read_sites

        kept = read_sites(database)
        return empty_sites() if kept is None else kept
    path = sites_path(_csv_path(store))
    if not path.exists():
        return empty_sites()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _whole(
            str(path), f"is not the GeoJSON this program writes ({exc}); restore it from its .bak"
        ) from None
    if not isinstance(data, dict) or not data.get("features"):
        return empty_sites()
    return load_sites(path)


def save_sites(store: Store, frame: gpd.GeoDataFrame) -> None:
    """Keep ``frame`` as the store's sites (replacing the kept ones), all or nothing.

    ``frame`` is what :func:`load_sites` or :func:`merge_sites` returned;
    an empty frame keeps no sites. A file store's file is written
    atomically under its lock; a database store's rows in one transaction.

    Raises
    ------
    ValueError
        A column is missing, a radius is not a number above 0, a geometry is
        missing, or two names are the same (ignoring case and accents).
    """
    radius = _checked_for_saving(frame)
    database = _database(store)
    if database is not None:
        from geo.io.postgis_companions import write_sites

        write_sites(database, frame["name"], frame["kind"], radius, frame.geometry)
        return
    features = [
        {
            "type": "Feature",
            "properties": {"name": str(n), "kind": str(k), "radius_km": float(r)},
            "geometry": json.loads(shapely.to_geojson(g)),
        }
        for n, k, r, g in zip(frame["name"], frame["kind"], radius, frame.geometry, strict=True)
    ]
    collection = {"type": "FeatureCollection", "features": features}
    text = json.dumps(collection, ensure_ascii=False, indent=1) + "\n"
    path = sites_path(_csv_path(store))
    with locked(path):
        atomic_write_text(path, text, backup=True)


def _checked_for_saving(frame: gpd.GeoDataFrame) -> np.ndarray:
    """The radii of ``frame``, once every site can be kept; else a ValueError saying why."""
    missing = [c for c in SITE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"save_sites: the frame lacks {', '.join(missing)}")
    radius = pd.to_numeric(frame["radius_km"], errors="coerce").to_numpy(float, na_value=np.nan)
    if not (np.isfinite(radius) & (radius > 0)).all():
        raise ValueError("save_sites: every site needs a radius_km above 0")
    if shapely.is_missing(np.asarray(frame.geometry.array, dtype=object)).any():
        raise ValueError("save_sites: every site needs a geometry")
    folded = frame["name"].astype(str).map(fold)
    if folded.duplicated().any():
        twice = frame["name"][folded.duplicated()].iloc[0]
        raise ValueError(f"save_sites: the name {twice!r} is used twice; names must be unique")
    return radius
