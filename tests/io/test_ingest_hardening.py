"""Importers turn malformed cells into rejected rows, never into exceptions (issue 10).

GeoJSON coordinates that are not two finite numbers, an ACLED ``iso`` too
large for an integer, dates outside pandas' range and numbers outside any
sane range each reject their row with a reason; no row is lost.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from geo.io.ingest import import_file

DATA = Path(__file__).resolve().parents[1] / "data"

_PROPS = {
    "event_date": "2013-02-22", "time_precision": 1, "event_type": "Battles",
    "sub_event_type": "Armed clash", "country": "Mali", "iso3": "MLI", "location": "Gao",
    "geo_precision": 1, "fatalities": 2, "source": "fixture",
}  # fmt: skip


def _geojson(tmp_path: Path, text_geometries: list[str]) -> Path:
    props = json.dumps(_PROPS)
    features = ",".join(
        f'{{"type": "Feature", "geometry": {g}, "properties": {props}}}' for g in text_geometries
    )
    path = tmp_path / "f.geojson"
    path.write_text(f'{{"type": "FeatureCollection", "features": [{features}]}}')
    return path


@pytest.mark.parametrize(
    "geometry",
    [
        '{"type": "Point", "coordinates": [NaN, Infinity]}',
        '{"type": "Point", "coordinates": [-Infinity, 16.2]}',
        '{"type": "Point", "coordinates": [1.0]}',
        '{"type": "Point", "coordinates": []}',
        '{"type": "Point", "coordinates": "1,2"}',
        '{"type": "Point", "coordinates": [1e400, 2]}',
        '{"type": "Point", "coordinates": [true, false]}',
        '{"type": "Point", "coordinates": [[1, 2], [3, 4]]}',
        '{"type": "Point"}',
        '"Point"',
        "[1, 2]",
    ],
)
def test_a_point_that_is_not_two_finite_numbers_rejects_its_row(tmp_path, geometry):
    good = '{"type": "Point", "coordinates": [-0.0447, 16.2717]}'
    result = import_file(_geojson(tmp_path, [good, geometry]), "csv")
    assert result.rows_read == 2
    assert len(result.frame) == 1 and len(result.rejected) == 1
    assert [p.row for p in result.problems] and {p.row for p in result.problems} == {3}


@pytest.mark.parametrize(
    "features",
    ['[1, "x", null]', '[{"type": "Feature", "geometry": null, "properties": [1, 2]}]'],
)
def test_features_that_are_not_objects_reject_their_rows(tmp_path, features):
    path = tmp_path / "odd.geojson"
    path.write_text(f'{{"type": "FeatureCollection", "features": {features}}}')
    result = import_file(path, "csv")
    assert result.rows_read == len(json.loads(features))
    assert len(result.frame) == 0


def test_json_nested_too_deeply_is_a_whole_file_error(tmp_path):
    from geo.model.schema import IncidentFileError

    path = tmp_path / "deep.geojson"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(IncidentFileError, match="GeoJSON"):
        import_file(path, "csv")


def _acled_with(tmp_path: Path, **cells: str) -> Path:
    with open(DATA / "ingest_acled.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0].update(cells)
    path = tmp_path / "acled.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    "iso", ["1e400", "inf", "-inf", "nan", "99999999999999999999999", "4.66e2"]
)
def test_an_acled_iso_too_large_or_odd_falls_back_to_the_country_name(tmp_path, iso):
    result = import_file(_acled_with(tmp_path, iso=iso), "acled")
    assert result.rows_read == 5
    first = result.frame.loc[result.frame["origin_id"] == "acled:MLI9001"]
    assert first["iso3"].tolist() == ["MLI"]


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"event_date": "1500-01-01"}, "event_date"),
        ({"event_date": "22 February 9999"}, "event_date"),
        ({"fatalities": "1e400"}, "fatalities"),
        ({"fatalities": "inf"}, "fatalities"),
        ({"latitude": "inf", "longitude": ""}, "latitude"),
        ({"country": "Algeria"}, "iso"),
    ],
)
def test_acled_rows_with_impossible_values_are_rejected(tmp_path, cells, column):
    result = import_file(_acled_with(tmp_path, **cells), "acled")
    assert result.rows_read == 5
    assert any(p.row == 2 and p.column.startswith(column) for p in result.problems), [
        str(p) for p in result.problems
    ]


def test_a_ucdp_date_outside_pandas_range_is_a_rejected_row(tmp_path):
    with open(DATA / "ingest_ucdp.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["date_start"] = "1500-01-01 00:00:00.000"
    path = tmp_path / "ucdp.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = import_file(path, "ucdp")
    assert result.rows_read == len(rows)
    assert any(p.row == 2 and "date_start" in p.column for p in result.problems)
