"""Any other CSV or GeoJSON file -> incident rows, through a column mapping.

A mapping is a small TOML file::

    [columns]            # schema column = column of your file
    event_date = "Date"
    location = "Town"
    fatalities = "Killed"

    [defaults]           # fixed values for schema columns your file lacks
    country = "Mali"
    iso3 = "MLI"
    time_precision = 1
    source = "Partner spreadsheet, March 2013"

    [options]
    date_formats = ["%d/%m/%Y"]   # tried before YYYY-MM-DD
    origin = "partner"            # origin_id = "partner:" + value of id_column
    id_column = "ID"

Columns of the file named like schema columns are used as they are unless
the mapping says otherwise. For GeoJSON, feature properties are the columns
and a Point geometry gives ``longitude`` / ``latitude``; a feature with any
other geometry is rejected (its centroid would be a guess).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tomllib
from pathlib import Path

import pandas as pd

from geo.io.ingest._common import (
    ImportResult,
    empty_mapped,
    finish,
    mask_problems,
    parse_day,
    text,
)
from geo.io.ingest.limits import check_features, check_file_size, read_capped_csv
from geo.model.schema import COLUMNS, OPTIONAL_COLUMNS, IncidentFileError, Problem

_KNOWN = COLUMNS + OPTIONAL_COLUMNS
_GEOMETRY = "geometry"


def load_mapping(path: str | os.PathLike[str] | None) -> dict[str, dict[str, object]]:
    """Read and check a mapping file (``None`` gives the empty mapping).

    Raises
    ------
    ValueError
        When the file is not TOML or names columns the schema does not have.
    """
    if path is None:
        return {"columns": {}, "defaults": {}, "options": {}}
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{p}: cannot read the mapping ({exc})") from None
    out: dict[str, dict[str, object]] = {}
    for section in ("columns", "defaults", "options"):
        value = data.get(section, {})
        if not isinstance(value, dict):
            raise ValueError(f"{p}: [{section}] must be a table")
        out[section] = value
    for section in ("columns", "defaults"):
        for key, value in out[section].items():
            if key not in _KNOWN:
                raise ValueError(
                    f"{p}: [{section}] {key!r} is not a schema column; expected one of "
                    + ", ".join(_KNOWN)
                )
            if section == "columns" and not isinstance(value, str):
                raise ValueError(f"{p}: [columns] {key} must name a column, got {value!r}")
    unknown = set(out["options"]) - {"date_formats", "origin", "id_column"}
    if unknown:
        raise ValueError(f"{p}: unknown [options] {', '.join(sorted(unknown))}")
    return out


def read_geojson(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Feature properties as text columns, with Point coordinates as latitude/longitude.

    Every feature keeps its row. One that is not an object, or whose Point
    is not two finite numbers, gets no coordinates and a ``geometry`` cell
    saying what it is, so validation rejects it with that reason.
    """
    features = _features(Path(path))
    props = pd.json_normalize([_properties(f) for f in features], max_level=0)
    props = props.astype("string").fillna("")
    kinds, lon, lat = zip(*(_point(f) for f in features), strict=True) if features else ((), (), ())
    props[_GEOMETRY] = pd.Series(kinds, dtype="string")
    if "longitude" not in props.columns:
        props["longitude"] = pd.Series(lon, dtype="string")
    if "latitude" not in props.columns:
        props["latitude"] = pd.Series(lat, dtype="string")
    return props


def _features(p: Path) -> list[object]:
    """The features of a GeoJSON FeatureCollection file, as parsed (within the caps)."""
    check_file_size(p, str(p))
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise IncidentFileError([Problem(str(p), 0, "", None, "file not found")]) from None
    except IsADirectoryError:
        raise IncidentFileError(
            [Problem(str(p), 0, "", None, "is a folder; expected a GeoJSON file")]
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise IncidentFileError(
            [Problem(str(p), 0, "", None, f"not readable GeoJSON ({reason})")]
        ) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise IncidentFileError(
            [Problem(str(p), 0, "", None, "expected a GeoJSON FeatureCollection")]
        )
    check_features(features, str(p))
    return features


def _properties(feature: object) -> dict[str, object]:
    """A feature's properties; none when the feature or its properties are not objects."""
    props = feature.get("properties") if isinstance(feature, dict) else None
    return props if isinstance(props, dict) else {}


def _point(feature: object) -> tuple[str, str, str]:
    """What the feature's geometry is, and its longitude and latitude as text ("" if none)."""
    if not isinstance(feature, dict):
        return "not a GeoJSON Feature object", "", ""
    geometry = feature.get("geometry")
    if geometry is None:
        return "", "", ""
    if not isinstance(geometry, dict):
        return "not a GeoJSON geometry object", "", ""
    kind = str(geometry.get("type", ""))
    if kind != "Point":
        return kind, "", ""
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2 or not all(map(_finite, coords[:2])):
        return "Point without two finite numbers [longitude, latitude]", "", ""
    return kind, str(coords[0]), str(coords[1])


def _finite(value: object) -> bool:
    """A JSON number that is finite (NaN, Infinity and 1e400 are not; nor is true)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def map_generic(
    source: pd.DataFrame, mapping: dict[str, dict[str, object]], file: str
) -> tuple[pd.DataFrame, list[Problem], dict[str, str]]:
    """Apply a column mapping; returns mapped text rows, problems, schema->source columns."""
    columns = {str(k): str(v) for k, v in mapping["columns"].items()}
    options = mapping["options"]
    _require_mapped_columns(source, columns, file)
    out, column_map = _copy_columns(source, columns, mapping["defaults"])
    formats = _date_formats(options, file)
    raw_dates = out["event_date"]
    out["event_date"] = parse_day(raw_dates, formats)
    problems = _date_problems(source, out, raw_dates, column_map.get("event_date"), formats, file)
    if "origin" in options:
        id_col = str(options.get("id_column", ""))
        out["origin_id"] = _origin_ids(source, str(options["origin"]), id_col, file)
        column_map["origin_id"] = id_col
    if _GEOMETRY in source.columns:
        if column_map.get("latitude") == "latitude" and "latitude" not in mapping["columns"]:
            # GeoJSON coordinates come from the Point: problems name the geometry
            column_map["latitude"] = column_map["longitude"] = _GEOMETRY
        problems += mask_problems(
            file,
            (source[_GEOMETRY] != "Point") & (out["latitude"] == ""),
            source,
            _GEOMETRY,
            "expected a Point geometry (or latitude/longitude properties)",
        )
    if "event_id" not in column_map:
        out["event_id"] = ""
    return out, problems, column_map


def _require_mapped_columns(source: pd.DataFrame, columns: dict[str, str], file: str) -> None:
    """Raise naming every file column the mapping names but the file lacks."""
    missing = [src for src in columns.values() if src not in source.columns]
    if missing:
        raise IncidentFileError(
            [
                Problem(file, 1, c, None, "the mapping names this column but the file lacks it")
                for c in missing
            ]
        )


def _copy_columns(
    source: pd.DataFrame, columns: dict[str, str], defaults: dict[str, object]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Schema columns from the mapped (or same-named) file columns, gaps filled by defaults.

    Returns the mapped text rows and schema column -> the file column it came from.
    """
    out = empty_mapped(len(source))
    out.index = source.index
    column_map: dict[str, str] = {}
    for col in _KNOWN:
        src = columns.get(col, col if col in source.columns else "")
        if src:
            out[col] = text(source, src)
            column_map[col] = src
        if col in defaults:
            value = str(defaults[col])
            if col in out.columns:
                out[col] = out[col].where(out[col] != "", value)
            else:
                out[col] = pd.Series(value, index=source.index, dtype="string")
    return out, column_map


def _date_formats(options: dict[str, object], file: str) -> tuple[str, ...]:
    """The mapping's date formats, then the schema's own ``YYYY-MM-DD``."""
    listed = options.get("date_formats", [])
    if not isinstance(listed, list):
        raise ValueError(f"{file}: mapping [options] date_formats must be a list of strings")
    return (*(str(f) for f in listed), "%Y-%m-%d")


def _date_problems(
    source: pd.DataFrame,
    out: pd.DataFrame,
    raw_dates: pd.Series,
    date_col: str | None,
    formats: tuple[str, ...],
    file: str,
) -> list[Problem]:
    """Dates no format read, naming the file's column and the formats tried."""
    if date_col is None:
        return []
    # Say which formats were tried: the schema's "as YYYY-MM-DD" would
    # mislead someone whose mapping names another format.
    unparsed = (raw_dates != "") & (out["event_date"] == raw_dates)
    unparsed &= ~raw_dates.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
    shown = " or ".join(_readable(f) for f in formats)
    named = date_col if date_col == "event_date" else f"{date_col} (-> event_date)"
    return [
        dataclasses.replace(problem, column=named)
        for problem in mask_problems(
            file, unparsed, source, date_col, f"expected a real date written as {shown}"
        )
    ]


def _origin_ids(source: pd.DataFrame, origin: str, id_col: str, file: str) -> pd.Series:
    """``<origin>:<id>`` from the file's id column ("" where the id is blank)."""
    if id_col not in source.columns:
        raise IncidentFileError(
            [Problem(file, 1, id_col, None, "[options] id_column must name a column of the file")]
        )
    ids = text(source, id_col)
    return (origin + ":" + ids).where(ids != "", "")


def _readable(fmt: str) -> str:
    """A strftime format as people write it ("%d/%m/%Y" -> "DD/MM/YYYY")."""
    for code, shown in (("%d", "DD"), ("%m", "MM"), ("%Y", "YYYY"), ("%y", "YY"),
                        ("%B", "Month"), ("%b", "Mon")):  # fmt: skip
        fmt = fmt.replace(code, shown)
    return fmt


def import_generic(
    path: str | os.PathLike[str],
    mapping: str | os.PathLike[str] | dict[str, dict[str, object]] | None = None,
) -> ImportResult:
    """Import a CSV or GeoJSON (by extension) file with an optional column mapping."""
    file = str(Path(path))
    mapping = mapping if isinstance(mapping, dict) else load_mapping(mapping)
    is_json = Path(path).suffix.lower() in (".geojson", ".json")
    source = read_geojson(path) if is_json else read_capped_csv(path)
    mapped, problems, column_map = map_generic(source, mapping, file)
    return finish(file, "geojson" if is_json else "csv", source, mapped, problems, column_map)
