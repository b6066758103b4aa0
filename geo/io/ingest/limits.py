"""Caps on a file to import, checked before the file is parsed; memory handed back after.

Parsing is where small files turned into gigabytes: 300,000 empty CSV rows
(5 MB) took 85 s and 1.5 GB, a CSV of 100,000 columns (0.8 MB) 1 GB, 3,000
GeoJSON features with distinct property keys (0.5 MB) 1 GB. So each check
reads as little as it can before anything is built:

* the size, from the file system;
* the header line, for the number of columns;
* the number of lines, counted in 1 MB blocks, an upper bound on the rows;
  only when that bound is over the cap are the records counted exactly with
  the ``csv`` module (a quoted cell may span lines), still block by block;
* for GeoJSON, the features and their distinct property keys, after the
  (size-capped) JSON is loaded and before the table is built.

The caps live in :mod:`geo.config` (``IMPORT_MAX_*``, each with an
environment override); ``docs/performance.md`` says why these figures.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import gc
import os
import sys
from pathlib import Path

import pandas as pd

from geo import config
from geo.io.store import read_raw
from geo.model.schema import IncidentFileError, Problem

__all__ = [
    "check_csv_shape",
    "check_features",
    "check_file_size",
    "read_capped_csv",
    "release_memory",
]

_BLOCK = 1 << 20


def _refuse(file: str, why: str) -> IncidentFileError:
    return IncidentFileError([Problem(file, 0, "", None, why)])


def check_file_size(path: str | os.PathLike[str], file: str) -> None:
    """Refuse a file over ``IMPORT_MAX_MB``; a missing one is left to the reader to report."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        return
    if size > config.IMPORT_MAX_MB * 1_000_000:
        raise _refuse(
            file,
            f"is {size / 1e6:,.1f} MB; files to import are limited to {config.IMPORT_MAX_MB} MB "
            "(GEO_IMPORT_MAX_MB): split it into smaller files",
        )


def check_csv_shape(path: str | os.PathLike[str], file: str) -> None:
    """Refuse a CSV with more columns, rows or cells than the caps, reading little.

    Raises
    ------
    IncidentFileError
        Naming the cap, its figure and its environment variable.
    """
    p = Path(path)
    if not p.is_file():
        return  # the reader says what is wrong with it
    columns = _header_width(p, file)
    if columns > config.IMPORT_MAX_COLUMNS:
        raise _refuse(
            file,
            f"has {columns:,} columns; imports are limited to {config.IMPORT_MAX_COLUMNS:,} "
            "(GEO_IMPORT_MAX_COLUMNS): keep only the columns to import",
        )
    rows = _line_count(p) - 1
    if rows > config.IMPORT_MAX_ROWS:
        rows = _record_count(p) - 1
    _check_rows_and_cells(rows, columns, file)


def check_features(features: list[object], file: str) -> None:
    """Refuse GeoJSON features over the row, property or cell caps, before the table is built."""
    keys: set[str] = set()
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(props, dict):
            keys.update(props)
            if len(keys) > config.IMPORT_MAX_PROPERTIES:
                raise _refuse(
                    file,
                    f"has more than {config.IMPORT_MAX_PROPERTIES:,} distinct feature "
                    "properties; imports are limited to that many (GEO_IMPORT_MAX_PROPERTIES): "
                    "keep only the properties to import",
                )
    # latitude, longitude and the geometry type come on top of the properties
    _check_rows_and_cells(len(features), len(keys) + 3, file)


def _check_rows_and_cells(rows: int, columns: int, file: str) -> None:
    if rows > config.IMPORT_MAX_ROWS:
        raise _refuse(
            file,
            f"has {rows:,} rows; imports are limited to {config.IMPORT_MAX_ROWS:,} rows per "
            "file (GEO_IMPORT_MAX_ROWS): split it into smaller files",
        )
    if rows * columns > config.IMPORT_MAX_CELLS:
        raise _refuse(
            file,
            f"has {rows:,} rows of {columns:,} columns ({rows * columns:,} cells); imports are "
            f"limited to {config.IMPORT_MAX_CELLS:,} cells (GEO_IMPORT_MAX_CELLS): split the "
            "file or drop the columns you do not import",
        )


def _header_width(p: Path, file: str) -> int:
    """Cells in the first record; nothing beyond it is read."""
    with p.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        try:
            # pandas skips blank lines before the header too
            return len(next((r for r in csv.reader(f) if r), []))
        except csv.Error as exc:
            raise _refuse(file, f"has a header that is not readable CSV ({exc})") from None


def _line_count(p: Path) -> int:
    """Lines in the file, counted in blocks (a last line without a newline counts)."""
    lines, last = 0, b"\n"
    with p.open("rb") as f:
        while block := f.read(_BLOCK):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


def _record_count(p: Path) -> int:
    """CSV records, blank lines left out as pandas leaves them out; read as a stream."""
    with p.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        try:
            return sum(1 for record in csv.reader(f) if record)
        except csv.Error:
            return _line_count(p)  # unreadable further on: the reader will say where


def read_capped_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """:func:`geo.io.store.read_raw` after the size and shape caps.

    Raises
    ------
    IncidentFileError
        When a cap is exceeded, or the file is missing or not readable CSV.
    """
    file = str(Path(path))
    check_file_size(path, file)
    check_csv_shape(path, file)
    return read_raw(path)


def release_memory() -> None:
    """Hand memory that a big import freed back to the operating system.

    Python, glibc and Arrow keep freed memory for reuse: after one big upload
    the server stayed at 1.39 GB with no session open. A full collection frees
    the import's objects; ``malloc_trim`` returns glibc's free heap pages, and
    Arrow's pool (pandas' text columns) returns its own. Each step is skipped
    where it does not exist.
    """
    gc.collect()
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)
