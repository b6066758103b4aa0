"""Shared steps of the structured importers: read, check, split good from rejected.

Every importer maps a source table onto the incident schema row for row (so
row ``i`` of the mapped frame is spreadsheet row ``i + 2`` of the source),
then :func:`finish` validates the mapped rows and splits them into rows to
append and rows to reject. A rejected row keeps every source cell and gains
``reject_*`` columns saying which file, row, column and value failed and
what was expected. Nothing is dropped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.io.rejects import REJECT_COLUMNS as REJECT_COLUMNS  # re-exported by geo.io.ingest
from geo.io.rejects import rejected_rows
from geo.io.store import check_rows
from geo.model.schema import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    IncidentFileError,
    Problem,
    spreadsheet_row,
)

_PLACEHOLDER_ID = "__new__"


@dataclass
class ImportResult:
    """What an importer made of one source file.

    Attributes
    ----------
    file, format : str
        The source file and its format (``acled``, ``ucdp``, ``csv``, ``geojson``).
    frame : DataFrame
        Rows that passed validation, as text cells in schema columns (plus
        ``fatalities_low``, ``fatalities_high``, ``origin_id`` where known).
        ``event_id`` is empty where the source has none; the store assigns it.
    source_rows : list of int
        Spreadsheet row in the source of each row of ``frame``.
    rejected : DataFrame
        Rejected source rows, every source cell kept, plus
        :data:`geo.io.rejects.REJECT_COLUMNS`.
    problems : list of Problem
        Every problem found, naming the source column.
    """

    file: str
    format: str
    frame: pd.DataFrame
    source_rows: list[int]
    rejected: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.rejected)


# A column only one export format has: a file of the other format given by
# mistake is named as such instead of leaving a dozen "missing" lines.
_SIGNATURES = {"ACLED": "event_id_cnty", "UCDP GED": "type_of_violence"}


def require_columns(source: pd.DataFrame, needed: tuple[str, ...], file: str, what: str) -> None:
    """Raise naming every column of ``needed`` that the header lacks."""
    missing = [c for c in needed if c not in source.columns]
    if missing:
        problems = [
            Problem(file, 1, c, None, f"{what} column is missing from the header") for c in missing
        ]
        other = [f for f, col in _SIGNATURES.items() if f != what and col in source.columns]
        if other:
            problems.insert(
                0,
                Problem(
                    file,
                    0,
                    "",
                    None,
                    f"the header has the {other[0]} export layout, not the {what} one: "
                    f"import it as {other[0]}",
                ),  # fmt: skip
            )
        raise IncidentFileError(problems)


def text(source: pd.DataFrame, column: str) -> pd.Series:
    """A source column as stripped text ("" when the column is absent)."""
    if column not in source.columns:
        return pd.Series("", index=source.index, dtype="string")
    # Not geo.model.params.text_column: that keeps pandas' "str" dtype, which
    # read_csv gives, while mapped frames are "string" throughout.
    return source[column].astype("string").fillna("").str.strip()


def parse_day(values: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Dates in any of ``formats`` (first match wins) as ``YYYY-MM-DD`` text.

    Cells that match none keep their original text so validation reports them.
    """
    # Seconds, not nanoseconds: a year 1500 or 9999 must come through as text
    # for validation to reject, not overflow here.
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    for fmt in formats:
        todo = out.isna()
        if not todo.any():
            break
        parsed = pd.to_datetime(values.where(todo), format=fmt, errors="coerce")
        out = out.where(~todo, parsed.astype("datetime64[s]"))
    return out.dt.strftime("%Y-%m-%d").fillna(values).astype("string")


def mask_problems(
    file: str, mask: pd.Series, source: pd.DataFrame, column: str, expected: str
) -> list[Problem]:
    """One problem per true row of ``mask``, quoting the source cell of ``column``."""
    values = text(source, column)
    return [
        Problem(file, spreadsheet_row(int(i)), column, values.iloc[i], expected)
        for i in np.flatnonzero(mask.to_numpy(dtype=bool))
    ]


def _add_check_problems(
    file: str,
    source: pd.DataFrame,
    checked: pd.DataFrame,
    problems: list[Problem],
    column_map: dict[str, str],
) -> None:
    """Append validation problems, named by the user's column and raw cell.

    Each source column is read into an array once: looking a cell up through
    ``source[col].iloc[row]`` per problem cost seconds at 100,000 rejected rows.
    """
    already = {(p.row, p.column) for p in problems}
    raw: dict[str, np.ndarray] = {}
    for problem in check_rows(checked, file=file):
        col = column_map.get(problem.column, problem.column)
        shown = col if col == problem.column else f"{col} (-> {problem.column})"
        if (problem.row, col) in already or (problem.row, shown) in already:
            continue  # the mapping already said what is wrong with this cell
        value = problem.value
        if col in source.columns and problem.row >= 2:
            if col not in raw:
                raw[col] = source[col].to_numpy(dtype=object)
            value = raw[col][problem.row - 2]
        problems.append(Problem(file, problem.row, shown, value, problem.expected))


def finish(
    file: str,
    fmt: str,
    source: pd.DataFrame,
    mapped: pd.DataFrame,
    problems: list[Problem],
    column_map: dict[str, str],
) -> ImportResult:
    """Validate mapped rows and split them into accepted and rejected.

    Parameters
    ----------
    source : DataFrame
        The source table as read (text cells).
    mapped : DataFrame
        Same length and order as ``source``, schema columns as text.
    problems : list of Problem
        Problems the mapping itself found (already naming source columns).
    column_map : dict
        Schema column -> the source column it came from, so validation
        problems name the column the user can find in their file.
    """
    source = source.reset_index(drop=True)
    mapped = mapped.reset_index(drop=True)
    ids = mapped["event_id"].astype("string").fillna("").str.strip()
    blank = ids == ""
    checked = mapped.copy()
    checked.loc[blank, "event_id"] = _PLACEHOLDER_ID + pd.Series(
        np.arange(len(mapped)), index=mapped.index
    ).astype("string")
    _add_check_problems(file, source, checked, problems, column_map)
    problems.sort(key=lambda p: p.row)

    by_row: dict[int, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_row[problem.row].append(problem)
    bad = np.zeros(len(source), dtype=bool)
    bad_positions = [r - 2 for r in by_row if 2 <= r < len(source) + 2]
    bad[bad_positions] = True

    keep_cols = list(COLUMNS) + [c for c in OPTIONAL_COLUMNS if c in mapped.columns]
    good = mapped.loc[~bad, keep_cols].reset_index(drop=True)
    source_rows = [spreadsheet_row(int(i)) for i in np.flatnonzero(~bad)]
    rejected = rejected_rows(source.loc[bad], {r: by_row[r] for r in sorted(by_row)})
    return ImportResult(file, fmt, good, source_rows, rejected, problems)


def empty_mapped(n: int) -> pd.DataFrame:
    """A text frame of ``n`` empty rows in schema column order."""
    return pd.DataFrame({c: pd.Series([""] * n, dtype="string") for c in COLUMNS})
