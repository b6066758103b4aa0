from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.model.schema import (
    COLUMNS,
    EVENT_TYPES,
    SUB_EVENT_TO_TYPE,
    IncidentFileError,
    coerce_frame,
    validate_frame,
)
from tests.conftest import make_rows


def _problems_by_cell(df: pd.DataFrame) -> dict[tuple[int, str], str]:
    return {(p.row, p.column): p.expected for p in validate_frame(df, file="f.csv")}


def test_valid_rows_have_no_problems(raw_rows):
    assert validate_frame(raw_rows, file="f.csv") == []


def test_every_problem_is_reported_with_file_row_column_value(raw_rows):
    bad = raw_rows.copy()
    bad.loc[0, "event_date"] = "2013-02-30"
    bad.loc[1, "fatalities"] = "-2"
    bad.loc[1, "event_type"] = "Battle"
    bad.loc[2, "latitude"] = "95"
    bad.loc[2, "longitude"] = "12"
    problems = validate_frame(bad, file="store.csv")
    cells = {(p.row, p.column, p.value) for p in problems}
    assert (problems[0].file, problems[0].row) == ("store.csv", 2)
    assert (2, "event_date", "2013-02-30") in cells
    assert (3, "fatalities", "-2") in cells
    assert (3, "event_type", "Battle") in cells
    assert (4, "latitude", "95") in cells
    swapped = [p for p in problems if p.row == 4 and p.column == "latitude"]
    assert "swapped" in swapped[0].expected
    assert "row 3" in str(next(p for p in problems if p.column == "fatalities"))


def test_non_integer_fatalities_and_missing_fields():
    rows = make_rows(2)
    rows[0]["fatalities"] = "2.5"
    rows[1]["source"] = "  "
    rows[1]["location"] = ""
    got = _problems_by_cell(pd.DataFrame(rows))
    assert "whole number" in got[(2, "fatalities")]
    assert got[(3, "source")] == "a value is required"
    assert got[(3, "location")] == "a value is required"


def test_duplicate_ids_name_both_rows():
    rows = make_rows(3)
    rows[2]["event_id"] = rows[0]["event_id"]
    problems = [p for p in validate_frame(pd.DataFrame(rows)) if p.column == "event_id"]
    assert [p.row for p in problems] == [2, 4]
    assert "row(s) 4" in problems[0].expected


def test_sub_event_type_must_belong_to_event_type():
    rows = make_rows(1)
    rows[0]["sub_event_type"] = "Suicide bomb"
    problems = validate_frame(pd.DataFrame(rows))
    assert [p.column for p in problems] == ["sub_event_type"]
    assert "Armed clash" in problems[0].expected


def test_missing_required_column_is_reported_on_header_row():
    df = pd.DataFrame(make_rows(1)).drop(columns=["latitude"])
    problems = validate_frame(df, file="f.csv")
    assert [(p.row, p.column) for p in problems] == [(1, "latitude")]


def test_null_island_is_rejected():
    rows = make_rows(1)
    rows[0]["latitude"] = "0"
    rows[0]["longitude"] = "0"
    assert any("null island" in p.expected for p in validate_frame(pd.DataFrame(rows)))


def test_coerce_types_and_keeps_extra_columns(raw_rows):
    raw = raw_rows.assign(my_tag=["a", "b", "c"])
    typed = coerce_frame(raw)
    assert list(typed.columns[: len(COLUMNS)]) == list(COLUMNS)
    assert typed["my_tag"].tolist() == ["a", "b", "c"]
    assert str(typed["event_date"].dtype) == "datetime64[ns]"
    assert str(typed["fatalities"].dtype) == "Int64"
    assert typed["latitude"].dtype == "float64"
    assert typed.loc[2, "notes"] == ""


def test_error_message_lists_problems():
    rows = make_rows(1)
    rows[0]["geo_precision"] = "7"
    err = IncidentFileError(validate_frame(pd.DataFrame(rows), file="x.csv"))
    assert "x.csv: row 2, column 'geo_precision'" in str(err)


def test_sub_event_types_are_unique_across_types():
    assert set(SUB_EVENT_TO_TYPE.values()) == set(EVENT_TYPES)


cell = st.one_of(
    st.text(max_size=8), st.sampled_from(["", "1", "-5", "2013-02-29", "999", "Battles"])
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(COLUMNS), cell), max_size=12), st.integers(1, 6))
def test_validation_never_loses_or_changes_rows(edits, n):
    rows = make_rows(n)
    for k, (column, value) in enumerate(edits):
        rows[k % n][column] = value
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    before = df.copy()
    problems = validate_frame(df, file="f.csv")
    pd.testing.assert_frame_equal(df, before)
    assert all(2 <= p.row <= n + 1 for p in problems)
    assert len(coerce_frame(df)) == n
