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

__all__ = ["TABLE_COLUMNS", "incidents_table", "to_csv_bytes", "to_geojson"]

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
    """CSV (UTF-8) of a table, dates as YYYY-MM-DD, as the store writes them."""
    return to_csv_frame(table).to_csv(index=False).encode("utf-8")


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
