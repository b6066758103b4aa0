"""A user's populated-places file, read for the store's gazetteers.

An analyst brings the places their partners use: an OCHA COD
populated-places export (CSV, or a zipped shapefile), a GeoPackage or a
GeoJSON point layer. This module reads such a file into a table of text
cells (:func:`read_place_file`), guesses which columns hold the name, the
coordinates, the admin-1 area, the country, alternate names and the P-code
(:func:`guess_mapping`, which the user then corrects), and checks every row
before anything is kept (:func:`place_rows`).

Every problem names the file, the row (``line N`` of a CSV, counting the
header as line 1; ``feature N`` of a layer), the column and the value, and
all of them are raised together in one :class:`PlaceFileError`, so a file
can be fixed in one pass.

The rows come out in the project's place columns (:data:`PLACE_FILE_COLUMNS`),
which :mod:`geo.io.gazetteers` keeps beside the incident store.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo.reference.countries import resolve_country
from geo.reference.names import squash

__all__ = [
    "GEOMETRY",
    "LAYER_SUFFIXES",
    "PLACE_FILE_COLUMNS",
    "PLACE_FILE_SUFFIXES",
    "ROLES",
    "ColumnMapping",
    "PlaceFileError",
    "PlaceProblem",
    "PlaceSource",
    "guess_mapping",
    "place_rows",
    "read_place_file",
]

# The columns of a kept gazetteer: what the gazetteer reads, plus the P-code
# so a place can be traced back to the partner's list.
PLACE_FILE_COLUMNS = ["name", "alternates", "iso3", "admin1", "latitude", "longitude", "pcode"]

# Stands for "the coordinates of the layer's point geometry" in a mapping.
GEOMETRY = "(point geometry)"

ROLES = ("name", "latitude", "longitude", "admin1", "country", "alternates", "pcode")

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
LAYER_SUFFIXES = (".zip", ".shp", ".gpkg", ".geojson", ".json")
PLACE_FILE_SUFFIXES = CSV_SUFFIXES + LAYER_SUFFIXES

# Column names COD/HDX exports and partner lists use for each role, compared
# on their squashed form (case, accents, spaces and "_" ignored), best first.
# Shapefiles cut field names at 10 characters, hence "featurenam".
_GUESSES: dict[str, tuple[str, ...]] = {
    "name": (
        "featurename", "featurenam", "name", "nom", "namefr", "nomfr", "nameen", "placename",
        "pplname", "nomppl", "village", "nomvillage", "localite", "localitename", "locality",
        "toponym", "toponyme", "adm4fr", "adm4en", "adm4name", "admin4name", "adm3fr",
        "adm3en", "adm3name", "admin3name", "admin3namefr", "admin3nameen",
    ),
    "latitude": (
        "latitude", "lat", "y", "pointy", "laty", "latdd", "latitudedd", "latdec", "ycoord",
        "coordy", "gpslatitude",
    ),
    "longitude": (
        "longitude", "lon", "long", "lng", "x", "pointx", "longx", "londd", "longitudedd",
        "londec", "xcoord", "coordx", "gpslongitude",
    ),
    "admin1": (
        "admin1name", "admin1namefr", "admin1nameen", "admin1nam", "adm1fr", "adm1en",
        "adm1name", "admin1", "adm1", "region", "regionname", "nomregion", "province", "state",
    ),
    "country": (
        "iso3", "countryiso3", "iso", "iso2", "admin0pcode", "admin0pcod", "adm0pcode",
        "adm0pcod", "admin0name", "admin0namefr", "admin0nameen", "adm0fr", "adm0en",
        "adm0name", "country", "countryname", "pays", "countrycode",
    ),
    "alternates": (
        "alternatenames", "alternatename", "alternates", "altnames", "altname", "othernames",
        "namealt", "nomalt", "nomsalt",
    ),
    "pcode": (
        "featurepcode", "featurepco", "pcode", "pcodeppl", "pplpcode", "ppcode", "adm4pcode",
        "admin4pcode", "admin4pcod", "adm3pcode", "admin3pcode", "admin3pcod",
    ),
}  # fmt: skip

_MAX_SHOWN = 20


@dataclass(frozen=True)
class PlaceProblem:
    """One problem of a place file: where it is and what was expected."""

    file: str
    row: str
    column: str
    value: str
    problem: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.row:
            parts.append(self.row)
        if self.column:
            parts.append(f"column {self.column!r}")
        if self.value:
            parts.append(f"value {self.value!r}")
        return ", ".join(parts) + f": {self.problem}"


class PlaceFileError(ValueError):
    """A place file cannot be read or has bad rows; ``problems`` lists every one."""

    def __init__(self, problems: Sequence[PlaceProblem]) -> None:
        self.problems = list(problems)
        shown = "\n".join(str(p) for p in self.problems[:_MAX_SHOWN])
        more = len(self.problems) - _MAX_SHOWN
        tail = f"\n... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} problem(s):\n{shown}{tail}")


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of the file holds what.

    ``name``, ``latitude`` and ``longitude`` are required; ``latitude`` and
    ``longitude`` may be :data:`GEOMETRY` for a point layer. The others are
    optional (None when the file has no such column).
    """

    name: str
    latitude: str
    longitude: str
    admin1: str | None = None
    country: str | None = None
    alternates: str | None = None
    pcode: str | None = None

    def to_dict(self) -> dict[str, str]:
        """The columns that are set, role -> column."""
        return {role: col for role, col in asdict(self).items() if col}

    @classmethod
    def from_dict(cls, columns: dict[str, str]) -> ColumnMapping:
        """The mapping :meth:`to_dict` wrote (unknown roles raise ``TypeError``)."""
        return cls(**{role: col for role, col in columns.items() if col})


@dataclass
class PlaceSource:
    """A place file read as text cells.

    Attributes
    ----------
    file : str
        The name problems cite (the uploaded file's name, not a temporary copy).
    kind : {"csv", "layer"}
        A delimited text file, or a vector layer whose points give
        :data:`GEOMETRY` coordinates.
    table : pandas.DataFrame
        The file's columns as text (``""`` for missing cells).
    rows : pandas.Series
        Where each row is in the file (``line 3``, ``feature 1``).
    geometry : pandas.DataFrame, optional
        Layers only: ``type``, ``latitude`` and ``longitude`` of each feature
        in EPSG:4326 (coordinates missing unless the feature is a point).
    """

    file: str
    kind: str
    table: pd.DataFrame
    rows: pd.Series
    geometry: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def columns(self) -> list[str]:
        """The columns a mapping can name (with :data:`GEOMETRY` for a layer)."""
        return list(self.table.columns) + ([GEOMETRY] if self.geometry is not None else [])

    def preview(self, n: int = 20) -> pd.DataFrame:
        """The first ``n`` rows as the file has them: where each is, its cells, its point."""
        head = self.table.head(n).copy()
        head.insert(0, "(row)", self.rows.head(n).to_numpy())
        if self.geometry is None:
            return head
        coords = self.geometry.head(n)
        return head.assign(
            **{"(point latitude)": coords["latitude"], "(point longitude)": coords["longitude"]}
        )


# --------------------------------------------------------------------------
# Reading


def read_place_file(path: Path | str, file: str | None = None) -> PlaceSource:
    """Read a CSV, zipped shapefile, shapefile, GeoPackage or GeoJSON of places.

    Parameters
    ----------
    path : path-like
        The file (for a shapefile, its ``.shp`` beside its ``.dbf``/``.shx``;
        or a ``.zip`` holding one shapefile, GeoPackage or GeoJSON).
    file : str, optional
        The name problems cite; defaults to the file's own name.

    Raises
    ------
    PlaceFileError
        The file type is not supported, or the file cannot be read.
    """
    path = Path(path)
    name = file or path.name
    suffix = Path(name).suffix.lower() or path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, name)
    if suffix in LAYER_SUFFIXES:
        return _read_layer(path, name, suffix)
    raise _file_error(
        name,
        f"unsupported file type {suffix or '(none)'!r}; expected a CSV, a zipped shapefile, "
        "a GeoPackage or a GeoJSON file",
    )


def _file_error(file: str, problem: str, value: str = "") -> PlaceFileError:
    return PlaceFileError([PlaceProblem(file, "", "", value, problem)])


def _read_csv(path: Path, file: str) -> PlaceSource:
    """A delimited text file: the delimiter sniffed, a BOM and an HXL row skipped."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(
            file, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV"
        ) from None
    try:
        delimiter = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        table = pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, na_filter=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise _file_error(file, f"not a readable CSV file ({exc})") from None
    table.columns = [str(c).strip() for c in table.columns]
    skipped = _hxl_rows(table)
    table = table.iloc[skipped:].reset_index(drop=True)
    # The header is line 1; an HXL hashtag row under it is line 2.
    rows = pd.Series([f"line {i + 2 + skipped}" for i in range(len(table))], dtype=object)
    return PlaceSource(file, "csv", table, rows)


def _hxl_rows(table: pd.DataFrame) -> int:
    """1 when the first row is an HXL hashtag row ('#loc+name', ...), as OCHA exports have."""
    if table.empty:
        return 0
    cells = [str(v).strip() for v in table.iloc[0] if str(v).strip()]
    return int(bool(cells) and all(c.startswith("#") for c in cells))


def _read_layer(path: Path, file: str, suffix: str) -> PlaceSource:
    """A vector layer: attributes as text, point coordinates in EPSG:4326."""
    import geopandas as gpd
    import shapely

    target = _layer_in_zip(path, file) if suffix == ".zip" else str(path)
    try:
        frame = gpd.read_file(target)
    except Exception as exc:  # pyogrio raises its own DataSourceError, OSError, ...
        raise _file_error(file, f"cannot be read as a point layer ({exc})") from None
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    types = frame.geometry.geom_type.fillna("(none)").to_numpy(dtype=object)
    geoms = frame.geometry.to_numpy()
    # Some tools write every point as a one-part MultiPoint: that is still one place.
    single = (types == "MultiPoint") & (shapely.get_num_geometries(geoms) == 1)
    geoms[single] = shapely.get_geometry(geoms[single], 0)
    # Coordinates of points only: NaN for lines, areas, multi-points, empty or none.
    empty = shapely.is_empty(geoms) & (types != "(none)")
    points = ((types == "Point") | single) & ~empty
    types = np.where(empty, "empty " + types.astype(str), types).astype(object)
    lat, lon = np.full(len(frame), np.nan), np.full(len(frame), np.nan)
    lat[points] = shapely.get_y(geoms[points])
    lon[points] = shapely.get_x(geoms[points])
    geometry = pd.DataFrame({"type": types, "latitude": lat, "longitude": lon})
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    table = attributes.astype(object).where(attributes.notna(), "").astype(str)
    table.columns = [str(c) for c in table.columns]
    rows = pd.Series([f"feature {i + 1}" for i in range(len(table))], dtype=object)
    return PlaceSource(file, "layer", table.reset_index(drop=True), rows, geometry)


def _layer_in_zip(path: Path, file: str) -> str:
    """The GDAL path of the one layer file in a zip archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if not n.startswith("__MACOSX/")]
    except zipfile.BadZipFile:
        raise _file_error(file, "not a readable zip archive") from None
    layers = [n for n in members if Path(n).suffix.lower() in (".shp", ".gpkg", ".geojson")]
    if len(layers) != 1:
        found = ", ".join(layers) or "none"
        raise _file_error(
            file,
            "expected a zip holding one shapefile (.shp with its .dbf and .shx), GeoPackage "
            f"or GeoJSON; layer files found: {found}",
        )
    return f"/vsizip/{path}/{layers[0]}"


# --------------------------------------------------------------------------
# Guessing the columns


def guess_mapping(source: PlaceSource) -> dict[str, str | None]:
    """The column each role most likely is in, by the names COD/HDX exports use.

    A layer's coordinates come from its points. Roles with no likely column
    are None; the user corrects the guess before the places are kept.
    """
    keys = {squash(col): col for col in reversed(source.table.columns)}
    guess: dict[str, str | None] = {}
    for role in ROLES:
        guess[role] = next((keys[k] for k in _GUESSES[role] if k in keys), None)
    if source.geometry is not None:
        guess["latitude"] = guess["longitude"] = GEOMETRY
    if guess["name"] is None and len(source.table.columns):
        guess["name"] = source.table.columns[0]
    return guess


# --------------------------------------------------------------------------
# Checking and normalising the rows


def place_rows(
    source: PlaceSource, mapping: ColumnMapping, country: str | None = None
) -> pd.DataFrame:
    """Every row of ``source`` in :data:`PLACE_FILE_COLUMNS`, or every problem raised.

    Parameters
    ----------
    source : PlaceSource
        From :func:`read_place_file`.
    mapping : ColumnMapping
        The columns to read.
    country : str, optional
        Country of the rows whose country cell is empty, or of every row when
        the mapping names no country column (ISO3, ISO2 or English name).

    Raises
    ------
    PlaceFileError
        Columns the file lacks, no country at all, an empty file; and per
        row: empty names, coordinates that are not numbers or out of range,
        features that are not points, unknown countries.
    """
    file = source.file
    _check_mapping(source, mapping, country)
    problems: list[PlaceProblem] = []
    names = _text(source, mapping.name)
    for i in np.flatnonzero((names == "").to_numpy()):
        problems.append(PlaceProblem(file, source.rows[i], mapping.name, "", "empty name"))
    lat = _coordinate(source, mapping.latitude, "latitude", 90.0, problems)
    lon = _coordinate(source, mapping.longitude, "longitude", 180.0, problems)
    iso3 = _countries(source, mapping.country, country, problems)
    if problems:
        order = {row: i for i, row in enumerate(source.rows)}
        raise PlaceFileError(sorted(problems, key=lambda p: (order.get(p.row, -1), p.column)))
    out = pd.DataFrame(
        {
            "name": names,
            "alternates": _text(source, mapping.alternates),
            "iso3": iso3,
            "admin1": _text(source, mapping.admin1),
            "latitude": lat,
            "longitude": lon,
            "pcode": _text(source, mapping.pcode),
        }
    )
    return out[PLACE_FILE_COLUMNS]


def _check_mapping(source: PlaceSource, mapping: ColumnMapping, country: str | None) -> None:
    """File-level problems: named columns the file lacks, no country, no rows."""
    file = source.file
    problems = [
        PlaceProblem(
            file, "header", col, "", f"the {role} column is not in the file; it has "
            + ", ".join(source.columns)
        )
        for role, col in mapping.to_dict().items()
        if col not in source.columns
    ]  # fmt: skip
    if mapping.country is None and not country:
        problems.append(
            PlaceProblem(
                file, "", "", "", "no country: choose the column holding each place's "
                "country, or the country of every place",
            )
        )  # fmt: skip
    if country and resolve_country(country) is None:
        problems.append(
            PlaceProblem(file, "", "", country, "not a known country (ISO3, ISO2 or English name)")
        )
    if source.table.empty:
        problems.append(PlaceProblem(file, "", "", "", "the file holds no places"))
    if problems:
        raise PlaceFileError(problems)


def _text(source: PlaceSource, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series("", index=source.table.index, dtype=object)
    return source.table[column].astype(str).str.strip()


def _coordinate(
    source: PlaceSource, column: str, what: str, limit: float, problems: list[PlaceProblem]
) -> pd.Series:
    """Decimal degrees of one coordinate column (a decimal comma accepted)."""
    if column == GEOMETRY:
        return _point_coordinate(source, what, problems)
    raw = _text(source, column)
    values = pd.to_numeric(raw.str.replace(",", ".", regex=False), errors="coerce").astype(float)
    unit = f"expected the {what} in decimal degrees"
    checks = (
        (raw == "", f"empty; {unit}"),
        (values.isna() & (raw != ""), f"not a number; {unit}"),
        (values.abs() > limit, f"outside [-{limit:g}, {limit:g}]; {unit} (EPSG:4326)"),
    )
    for mask, problem in checks:
        for i in np.flatnonzero(mask.to_numpy()):
            problems.append(PlaceProblem(source.file, source.rows[i], column, raw[i], problem))
    return values


def _point_coordinate(source: PlaceSource, what: str, problems: list[PlaceProblem]) -> pd.Series:
    """A layer's point coordinate; a feature that is not a point is a problem (once)."""
    assert source.geometry is not None
    values = source.geometry[what].astype(float)
    if what == "latitude":
        for i in np.flatnonzero(values.isna().to_numpy()):
            problems.append(
                PlaceProblem(
                    source.file, source.rows[i], "geometry", str(source.geometry["type"][i]),
                    "expected a point (a line, an area or several points have no single place)",
                )
            )  # fmt: skip
    return values


def _countries(
    source: PlaceSource, column: str | None, country: str | None, problems: list[PlaceProblem]
) -> pd.Series:
    """ISO3 of every row: its country cell, else the file's country."""
    fallback = resolve_country(country) if country else None
    raw = _text(source, column)
    codes = {value: resolve_country(value) for value in _unique(raw) if value}
    iso3 = raw.map(codes).astype(object)
    iso3 = iso3.where(iso3.notna() | (raw != ""), fallback)
    for i in np.flatnonzero(iso3.isna().to_numpy()):
        problem = (
            "not a known country (ISO3, ISO2 or English name)"
            if raw[i]
            else "empty; expected the country, or choose the country of such places"
        )
        problems.append(PlaceProblem(source.file, source.rows[i], column or "", raw[i], problem))
    return iso3


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
