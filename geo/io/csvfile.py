"""Reading a CSV file as a table of text cells, or saying why it is not one.

A table can only be read column by column when every header name is used
once and no row is wider than the header. pandas repairs both quietly: it
renames a second ``latitude`` to ``latitude.1``, and when the first data row
has one cell too many it takes the first column as an index and shifts every
other cell one column left. Each row is then "wrong" for a reason that has
nothing to do with it, so both are whole-file errors here, naming the column
or the rows.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from pathlib import Path

import pandas as pd

from geo.model.schema import IncidentFileError, Problem

__all__ = ["read_text_csv"]

# Rows named in a "too many cells" error; one is enough to find the fault.
_SHOWN_ROWS = 5


def read_text_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A UTF-8 CSV as text cells under its header, exactly as written.

    Raises
    ------
    IncidentFileError
        When the file is missing, unreadable, not CSV, names a column twice
        or has a row with more cells than the header.
    """
    p = Path(path)
    try:
        # header=None: the header is data here, so a wider row anywhere (even
        # the first) is a tokenizing error instead of an implicit index.
        table = pd.read_csv(
            p, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig", header=None
        )
    except pd.errors.ParserError as exc:
        raise IncidentFileError(_shape_problems(p) or [_whole(p, _unreadable(exc))]) from None
    except FileNotFoundError:
        raise IncidentFileError([_whole(p, "file not found")]) from None
    except IsADirectoryError:
        raise IncidentFileError([_whole(p, "is a folder; expected an incident CSV file")]) from None
    except OSError as exc:
        raise IncidentFileError([_whole(p, f"cannot be read ({exc.strerror or exc})")]) from None
    except (UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise IncidentFileError([_whole(p, _unreadable(exc))]) from None
    return _with_header(table, p)


def _whole(p: Path, expected: str) -> Problem:
    return Problem(str(p), 0, "", None, expected)


def _unreadable(exc: Exception) -> str:
    return f"not a readable UTF-8 CSV file ({exc})"


def _with_header(table: pd.DataFrame, p: Path) -> pd.DataFrame:
    """The first row as column names (checked for repeats), the rest as the data."""
    header = ["" if pd.isna(v) else str(v) for v in table.iloc[0]]
    repeated = [name for name, n in Counter(h for h in header if h).items() if n > 1]
    if repeated:
        raise IncidentFileError(
            [
                Problem(str(p), 1, name, name, "this column name is used more than once in "
                        "the header; each column must have its own name")
                for name in repeated
            ]
        )  # fmt: skip
    # Blank names get pandas' own placeholder, as a header=0 read would give them.
    names = [h or f"Unnamed: {i}" for i, h in enumerate(header)]
    data = table.iloc[1:].reset_index(drop=True)
    data.columns = pd.Index(names)
    return data


def _shape_problems(p: Path) -> list[Problem]:
    """The rows with more cells than the header (empty when that is not the fault)."""
    try:
        with open(p, encoding="utf-8-sig", newline="") as handle:
            records = (r for r in csv.reader(handle) if r)  # pandas skips blank lines
            width = len(next(records, []))
            long_rows = [
                (row, len(cells))
                for row, cells in enumerate(records, start=2)
                if len(cells) > width
            ]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []
    if not long_rows:
        return []
    named = "; ".join(f"row {row} has {n} cells" for row, n in long_rows[:_SHOWN_ROWS])
    hidden = len(long_rows) - _SHOWN_ROWS
    more = f" and {hidden} more row(s)" if hidden > 0 else ""
    return [
        _whole(
            p,
            f"{named}{more}, but the header has {width}: a cell holds an unquoted comma, or "
            "the header lacks a column. Every cell after it would land in the wrong column, "
            "so the file is not read",
        )
    ]
