"""Downloads of the incidents a page shows: the table, as CSV and as GeoJSON.

The table, the CSV and the GeoJSON are built from one frame, so a download
is exactly what is on the screen.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from geo.io.audit import AUDIT_COLUMNS
from geo.io.store import to_csv_frame

__all__ = [
    "FORMULA_STARTS",
    "TABLE_COLUMNS",
    "incidents_table",
    "neutralise_formulas",
    "to_csv_bytes",
    "to_geojson",
]

# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

TABLE_COLUMNS: tuple[str, ...] = (
    "event_date",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "fatalities",
    "location",
    "area",
    "admin1",
    "country",
    "iso3",
    "latitude",
    "longitude",
    "geo_precision",
    "time_precision",
    "border_km",
    "border_neighbour",
    "source",
    "notes",
    "event_id",
)


def incidents_table(filtered: pd.DataFrame, *, audit: bool = False) -> pd.DataFrame:
    """The columns the incidents page shows, newest first.

    This same frame is what the CSV and GeoJSON downloads contain, so a
    download is exactly the table on the screen. Who added each incident
    and when (:data:`geo.io.audit.AUDIT_COLUMNS`) is left out, so the files
    keep ACLED's layout, unless ``audit`` asks for it.
    """
    wanted = TABLE_COLUMNS + (AUDIT_COLUMNS if audit else ())
    cols = [c for c in wanted if c in filtered.columns]
    table = filtered[cols].sort_values("event_date", ascending=False, kind="stable")
    if "border_km" in table.columns:
        table = table.assign(border_km=table["border_km"].astype(float).round(1))
    return table.reset_index(drop=True)


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    """CSV (UTF-8) of a table, dates as YYYY-MM-DD, as the store writes them.

    The file is for people, who open it in a spreadsheet: text cells that
    would run as formulas are neutralised (:func:`neutralise_formulas`).
    """
    return to_csv_frame(neutralise_formulas(table)).to_csv(index=False).encode("utf-8")


def _json_value(column: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(column):
        text = column.dt.strftime("%Y-%m-%d")
        return text.astype(object).where(text.notna(), None).to_numpy()
    values = column.astype(object)
    return values.where(column.notna(), None).to_numpy()


def to_geojson(table: pd.DataFrame) -> str:
    """GeoJSON FeatureCollection of a table: one Point per row, other columns as properties.

    Rows without coordinates get a null geometry rather than being dropped.
    """
    props = [c for c in table.columns if c not in ("latitude", "longitude")]
    columns = {c: _json_value(table[c]) for c in props}
    lon = table["longitude"].to_numpy(dtype=float, na_value=np.nan)
    lat = table["latitude"].to_numpy(dtype=float, na_value=np.nan)
    features = []
    for i in range(len(table)):
        x, y = lon[i], lat[i]
        geometry = (
            None
            if np.isnan(x) or np.isnan(y)
            else {"type": "Point", "coordinates": [float(x), float(y)]}
        )
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {c: _plain(columns[c][i]) for c in props},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as spreadsheet formulas.

    Following OWASP's advice on CSV injection, a text cell (and a column
    name) starting with ``= + - @``, a tab or a carriage return gets a
    leading single quote, which spreadsheets show as text. Only text is
    touched: a negative longitude or toll is a number and stays one. Use it
    for files written for people, never for the store, whose cells must
    come back exactly as they went in.
    """
    out = frame.copy()
    for col in out.columns:
        column = out[col]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        if pd.api.types.is_object_dtype(column.dtype):
            out[col] = column.map(_neutral_cell)
        elif pd.api.types.is_string_dtype(column.dtype):
            live = column.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
            out[col] = column.mask(live, "'" + column)
    out.columns = pd.Index([_neutral_cell(c) for c in out.columns])
    return out


def _neutral_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
