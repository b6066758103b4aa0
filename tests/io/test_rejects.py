"""The rejected-row layout shared by the importers and the store."""

from __future__ import annotations

import pandas as pd

from geo.io.rejects import REJECT_COLUMNS, rejected_rows
from geo.model.schema import Problem


def test_reject_columns_come_first_and_every_source_cell_is_kept():
    rows = pd.DataFrame({"Town": ["Gao", "Kidal"], "Killed": ["x", "3"]}, index=[0, 4])
    problems = {
        2: [
            Problem("in.csv", 2, "Killed", "x", "expected a whole number >= 0"),
            Problem("in.csv", 2, "Town", None, "a value is required"),
        ]
    }
    out = rejected_rows(rows, problems)
    assert out.columns.tolist() == [*REJECT_COLUMNS, "Town", "Killed"]
    first = out.iloc[0].to_dict()
    assert first["reject_file"] == "in.csv"
    assert first["reject_row"] == "2"
    assert first["reject_column"] == "Killed; Town"
    assert first["reject_value"] == "x; "
    assert first["reject_reason"] == "expected a whole number >= 0; a value is required"
    # a row without problems of its own still says where it came from
    assert out.iloc[1][["reject_row", "reject_file", "Town"]].tolist() == ["6", "", "Kidal"]
