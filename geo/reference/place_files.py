"""Reading and validating the gazetteer's files.

Three kinds of file feed :func:`geo.reference.gazetteer.load_gazetteer`:

- the analyst overrides (``data/places.csv``, :func:`load_overrides`), where
  every row must cite the published source of its coordinates;
- user gazetteers an analyst brings (:func:`load_user_gazetteer`): any CSV
  with configurable columns, e.g. an OCHA populated-places export;
- the shipped GeoNames index and admin-1 aliases built by
  ``scripts/build_gazetteer.py`` (:func:`read_index`,
  :func:`read_admin1_names`).

Each comes back as the internal place table of :mod:`geo.reference.places`.
A malformed file raises :class:`GazetteerError` listing every problem by
file, line, column and value, so an analyst can fix them in one pass.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo import config
from geo.reference.countries import resolve_country
from geo.reference.places import TIER_GEONAMES, TIER_OVERRIDE, normalise_places, place_table

__all__ = [
    "INDEX_COLUMNS",
    "OVERRIDE_COLUMNS",
    "GazetteerError",
    "load_overrides",
    "load_user_gazetteer",
    "read_admin1_names",
    "read_index",
]

OVERRIDE_COLUMNS = [
    "name",
    "alternates",
    "iso3",
    "admin1",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "note",
]


class GazetteerError(ValueError):
    """A gazetteer file is malformed; the message names file, line, column, value."""


def _read_csv_text(path: Path) -> tuple[pd.DataFrame, str]:
    """Read a CSV of strings, sniffing the delimiter; return (frame, delimiter)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GazetteerError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV"
        ) from exc
    sample = text[:65536]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    frame = pd.read_csv(
        io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, na_filter=False
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, delimiter


def _drop_hxl_row(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Drop an HXL hashtag row (OCHA exports: '#loc+name', ...) under the header."""
    if len(frame) == 0:
        return frame, 0
    cells = [str(v).strip() for v in frame.iloc[0] if str(v).strip()]
    if cells and all(c.startswith("#") for c in cells):
        return frame.iloc[1:], 1
    return frame, 0


def _require_columns(path: Path, frame: pd.DataFrame, columns: Iterable[str | None]) -> None:
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        raise GazetteerError(
            f"{path}: missing column(s) {missing}; the file has {list(frame.columns)}"
        )


def _problems_error(path: Path, problems: list[str]) -> GazetteerError:
    shown = problems[:20]
    more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
    return GazetteerError(f"{path}: {len(problems)} problem(s):\n" + "\n".join(shown) + more)


def _check_coordinates(
    frame: pd.DataFrame, lat_col: str, lon_col: str, lines: pd.Series, problems: list[str]
) -> tuple[pd.Series, pd.Series]:
    """Parse coordinates, appending a message per bad cell (vectorized checks)."""
    parsed = {}
    for col, limit in ((lat_col, 90.0), (lon_col, 180.0)):
        raw = frame[col].astype("string").str.strip()
        values = pd.to_numeric(raw.str.replace(",", ".", regex=False), errors="coerce")
        values = values.astype("float64")
        empty = raw.fillna("") == ""
        not_number = values.isna() & ~empty
        out_of_range = values.notna() & (values.abs() > limit)
        for idx in raw.index[empty]:
            problems.append(f"line {lines[idx]}, column '{col}': empty; expected a number")
        for idx in raw.index[not_number]:
            problems.append(
                f"line {lines[idx]}, column '{col}': value {raw[idx]!r} is not a number"
            )
        for idx in raw.index[out_of_range]:
            problems.append(
                f"line {lines[idx]}, column '{col}': value {raw[idx]!r} is outside "
                f"[-{limit:g}, {limit:g}]"
            )
        parsed[col] = values
    return parsed[lat_col], parsed[lon_col]


def _line_numbers(frame: pd.DataFrame, skipped: int) -> pd.Series:
    # Header is line 1; an HXL row (skipped) is line 2.
    return pd.Series(np.arange(len(frame)) + 2 + skipped, index=frame.index)


def load_overrides(path: Path | str = config.PLACE_OVERRIDES_FILE) -> pd.DataFrame:
    """Read and validate the analyst overrides file.

    Every row needs a name, an ISO3 country, coordinates in range, a
    geo_precision of 1-3 and a ``source`` citing where the coordinates were
    published. Problems raise :class:`GazetteerError` naming file, line,
    column and value.

    Returns
    -------
    pandas.DataFrame
        The internal place table (source ``override``).
    """
    path = Path(path)
    frame, _ = _read_csv_text(path)
    _require_columns(path, frame, OVERRIDE_COLUMNS)
    lines = _line_numbers(frame, 0)
    problems: list[str] = []
    for col, what in (
        ("name", "a place name"),
        ("source", "a citation of the page or document giving the coordinates"),
    ):
        blank = frame[col].str.strip() == ""
        for idx in frame.index[blank]:
            problems.append(f"line {lines[idx]}, column '{col}': empty; expected {what}")
    iso3 = frame["iso3"].str.strip().str.upper()
    bad_iso = ~iso3.str.fullmatch(r"[A-Z]{3}")
    for idx in frame.index[bad_iso]:
        problems.append(
            f"line {lines[idx]}, column 'iso3': value {frame['iso3'][idx]!r} is not an "
            "ISO 3166-1 alpha-3 code"
        )
    precision = pd.to_numeric(frame["geo_precision"].str.strip(), errors="coerce")
    bad_precision = ~precision.isin([1, 2, 3])
    for idx in frame.index[bad_precision]:
        problems.append(
            f"line {lines[idx]}, column 'geo_precision': value "
            f"{frame['geo_precision'][idx]!r}; expected 1, 2 or 3"
        )
    lat, lon = _check_coordinates(frame, "latitude", "longitude", lines, problems)
    if problems:
        raise _problems_error(path, problems)
    return place_table(
        name=frame["name"].str.strip(),
        alternates=frame["alternates"],
        iso3=iso3,
        admin1=frame["admin1"].str.strip(),
        latitude=lat,
        longitude=lon,
        geo_precision=precision,
        source="override",
        tier=TIER_OVERRIDE,
    )


def load_user_gazetteer(
    path: Path | str,
    name_col: str = "name",
    lat_col: str = "latitude",
    lon_col: str = "longitude",
    admin1_col: str | None = None,
    country_col: str | None = None,
    alt_col: str | None = None,
    precision: int = 1,
    country: str | None = None,
) -> pd.DataFrame:
    """Read a user gazetteer CSV with configurable columns.

    The delimiter (``,``, ``;``, tab or ``|``) is sniffed, a UTF-8 byte-order
    mark is accepted and an HXL hashtag row under the header (OCHA exports)
    is skipped. An OCHA populated-places export reads with e.g.
    ``name_col="featureName", lat_col="Latitude", lon_col="Longitude",
    admin1_col="admin1Name", country_col="iso3"``.

    Parameters
    ----------
    path : path-like
        The CSV file.
    name_col, lat_col, lon_col : str
        Columns of the place name and its coordinates (decimal degrees,
        EPSG:4326; a decimal comma is accepted).
    admin1_col, country_col, alt_col : str, optional
        Admin-1 name; country (ISO3, ISO2 or English name); alternate names
        separated by ``|``.
    precision : int
        geo_precision given to every place of the file (1-3).
    country : str, optional
        Country of every row when the file has no country column.

    Returns
    -------
    pandas.DataFrame
        The internal place table, source ``user:<file name>``.

    Raises
    ------
    GazetteerError
        Missing columns, empty names, coordinates that are not numbers or out
        of range, unknown countries; each problem names the line, column and
        value.
    """
    path = Path(path)
    if precision not in (1, 2, 3):
        raise GazetteerError(f"{path}: precision={precision!r}; expected 1, 2 or 3")
    frame, _ = _read_csv_text(path)
    _require_columns(path, frame, [name_col, lat_col, lon_col, admin1_col, country_col, alt_col])
    frame, skipped = _drop_hxl_row(frame)
    lines = _line_numbers(frame, skipped)
    problems: list[str] = []
    names = frame[name_col].str.strip()
    for idx in frame.index[names == ""]:
        problems.append(f"line {lines[idx]}, column '{name_col}': empty; expected a place name")
    lat, lon = _check_coordinates(frame, lat_col, lon_col, lines, problems)

    if country_col is not None:
        raw_country = frame[country_col].str.strip()
        uniques = {value: resolve_country(value) for value in raw_country.unique()}
        iso3 = raw_country.map(uniques)
        for idx in frame.index[iso3.isna()]:
            problems.append(
                f"line {lines[idx]}, column '{country_col}': value {raw_country[idx]!r} is "
                "not a known country (ISO3, ISO2 or English name)"
            )
        iso3 = iso3.fillna("")
    elif country is not None:
        code = resolve_country(country)
        if code is None:
            raise GazetteerError(f"{path}: country={country!r} is not a known country")
        iso3 = pd.Series(code, index=frame.index)
    else:
        iso3 = pd.Series("", index=frame.index)
    if problems:
        raise _problems_error(path, problems)
    return place_table(
        name=names,
        alternates=frame[alt_col] if alt_col else "",
        iso3=iso3,
        admin1=frame[admin1_col].str.strip() if admin1_col else "",
        latitude=lat,
        longitude=lon,
        geo_precision=precision,
        source=f"user:{path.name}",
        tier=1,
    )


# The columns of the shipped index the gazetteer uses; the file has more
# (asciiname, admin codes, GeoNames admin-1 names, feature class) for
# provenance and coverage checks.
INDEX_COLUMNS = [
    "geonameid",
    "name",
    "alternates",
    "iso3",
    "admin1",
    "latitude",
    "longitude",
    "population",
    "feature_code",
    "geo_precision",
]


def read_index(path: Path) -> pd.DataFrame:
    """Read the built GeoNames index (Parquet) into the internal place table.

    Only :data:`INDEX_COLUMNS` are read from the file.

    Raises
    ------
    GazetteerError
        The file is missing, is not Parquet, or lacks one of the columns.
    """
    try:
        table = pq.read_table(path, columns=INDEX_COLUMNS)
    except (OSError, pa.ArrowException) as exc:
        raise GazetteerError(
            f"{path}: cannot read the place index ({exc}); "
            "rebuild it with python scripts/build_gazetteer.py"
        ) from exc
    frame = table.to_pandas()
    frame["source"] = "geonames"
    frame["tier"] = TIER_GEONAMES
    return normalise_places(frame)


def read_admin1_names(path: Path) -> pd.DataFrame:
    """Read the admin-1 aliases (``iso3``, ``admin1``, ``alias``); none when the file is absent."""
    if not path.exists():
        return pd.DataFrame({"iso3": [], "admin1": [], "alias": []}, dtype="string")
    return pd.read_csv(path, dtype="string", keep_default_na=False, na_filter=False)
