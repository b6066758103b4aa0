"""Tests for geo.io.export: the incidents table and its CSV/GeoJSON downloads."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from geo.io import export
from tests.app.app_support import XSS_NOTES, incident_frame


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return incident_frame()


def test_incidents_table_is_newest_first(frame: pd.DataFrame) -> None:
    table = export.incidents_table(frame)
    assert table["event_date"].is_monotonic_decreasing
    assert table.columns[0] == "event_date"
    assert len(table) == len(frame)


def test_csv_download_is_the_table(frame: pd.DataFrame) -> None:
    table = export.incidents_table(frame)
    back = pd.read_csv(io.BytesIO(export.to_csv_bytes(table)), dtype=str, keep_default_na=False)
    assert list(back.columns) == list(table.columns)
    assert list(back["event_id"]) == list(table["event_id"])
    assert back.loc[back["event_id"] == "T08", "notes"].item() == XSS_NOTES
    assert back["event_date"].iloc[0] == "2013-02-28"


def test_geojson_download_is_the_table(frame: pd.DataFrame) -> None:
    table = export.incidents_table(frame)
    data = json.loads(export.to_geojson(table))
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == len(table)
    first = data["features"][0]
    assert first["geometry"]["type"] == "Point"
    assert first["geometry"]["coordinates"] == [
        table["longitude"].iloc[0],
        table["latitude"].iloc[0],
    ]
    props = first["properties"]
    assert props["event_date"] == "2013-02-28"
    assert props["event_id"] == table["event_id"].iloc[0]
    assert isinstance(props["fatalities"], int)
    assert "latitude" not in props
    xss = next(f for f in data["features"] if f["properties"]["event_id"] == "T08")
    assert xss["properties"]["notes"] == XSS_NOTES


def test_geojson_keeps_rows_without_coordinates(frame: pd.DataFrame) -> None:
    table = export.incidents_table(frame).assign(latitude=float("nan"))
    data = json.loads(export.to_geojson(table))
    assert len(data["features"]) == len(table)
    assert all(f["geometry"] is None for f in data["features"])
