"""ACLED export import on a hand-written fixture in the public 31-column layout."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.io.ingest import import_file
from geo.io.ingest.acled import ACLED_COLUMNS
from geo.model.schema import IncidentFileError

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURE = DATA / "ingest_acled.csv"


def test_fixture_has_the_public_layout():
    assert tuple(pd.read_csv(FIXTURE, nrows=0).columns) == ACLED_COLUMNS


def test_rows_map_onto_the_schema():
    result = import_file(FIXTURE, "acled")
    assert result.format == "acled"
    assert result.source_rows == [2, 3, 4]
    first = result.frame.iloc[0]
    assert first["event_id"] == "MLI9001"
    assert first["origin_id"] == "acled:MLI9001"
    assert first["event_date"] == "2013-02-22"  # from ACLED's "22 February 2013"
    assert first["iso3"] == "MLI"  # from ISO numeric 466
    assert first["sub_event_type"] == "Suicide bomb"
    assert first["civilian_targeting"] == "Civilian targeting"
    assert first["fatalities"] == "5"
    second = result.frame.iloc[1]
    assert second["event_date"] == "2013-02-21"
    assert second["notes"].endswith("[assoc_actor_2: Military Forces of Chad]")


def test_bad_rows_are_rejected_with_file_row_column_value():
    result = import_file(FIXTURE, "acled")
    got = [(p.file, p.row, p.column, p.value) for p in result.problems]
    assert got == [
        (str(FIXTURE), 5, "latitude", "sixteen"),
        (str(FIXTURE), 6, "event_type", "Fighting"),
    ]
    assert result.rejected["reject_row"].tolist() == ["5", "6"]
    assert result.rejected["event_id_cnty"].tolist() == ["MLI9004", "MLI9005"]
    assert set(ACLED_COLUMNS) <= set(result.rejected.columns)  # every source cell kept
    assert result.rows_read == 5


def test_missing_acled_column_is_a_clear_error(tmp_path):
    frame = pd.read_csv(FIXTURE, dtype=str).drop(columns=["latitude"])
    path = tmp_path / "cut.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(IncidentFileError, match="latitude"):
        import_file(path, "acled")


@pytest.mark.parametrize(("path", "fmt", "layout"), [
    (DATA / "ingest_ucdp.csv", "acled", "UCDP GED"),
    (FIXTURE, "ucdp", "ACLED"),
])  # fmt: skip
def test_a_file_of_the_other_format_is_named_as_such(path, fmt, layout):
    with pytest.raises(IncidentFileError) as info:
        import_file(path, fmt)
    first = str(info.value.problems[0])
    assert f"has the {layout} export layout" in first
    assert first.startswith(str(path))
