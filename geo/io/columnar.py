"""The prepared incidents of a CSV store, from its columnar copy.

A cold start of the app used to read the CSV, validate and type every
row, join each to its admin-1 area and measure its distance to the nearest
border: about 20 s at 1,000,000 incidents, all of it work already done
when the rows were stored. :func:`prepared_incidents` reads the copy kept
beside the store instead (:mod:`geo.io.prepared_copy`), and prepares the
store again only when the copy does not match it: none yet, the CSV edited
by hand, or other boundary data. The CSV stays the source of truth; the
copy can always be deleted and is then rebuilt.

Examples
--------
>>> frame = prepared_incidents("data/incidents.csv")  # doctest: +SKIP
>>> data_version("data/incidents.csv")  # doctest: +SKIP
'sha256:3f1c...'
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from geo import config
from geo.io.prepared_copy import (
    carry_over,
    copy_path,
    copy_state,
    csv_checksum,
    data_version,
    read_copy,
    write_copy,
)
from geo.io.store import read_incidents

__all__ = ["copy_path", "data_version", "prepared_incidents", "rebuild_copy"]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
"""Where progress messages go: the app shows them, the command line prints them."""


def prepared_incidents(
    path: str | os.PathLike[str] | None = None, *, progress: Progress | None = None
) -> pd.DataFrame:
    """The store's incidents, typed, joined to areas and measured to borders.

    Equal to ``prepare(read_incidents(path), areas=covered_areas_for(...))``
    (what the app has always shown), read from the columnar copy when it
    matches the store, else prepared again and the copy rewritten.

    Parameters
    ----------
    path : path-like, optional
        The CSV store; defaults to the configured one (``GEO_INCIDENTS``).
    progress : callable, optional
        Called with a sentence before and after a rebuild (the copy is
        missing, or the CSV or the boundaries changed); by default those
        go to the log.

    Raises
    ------
    geo.model.schema.IncidentFileError
        When the store must be read again and has invalid rows.
    """
    p = Path(path) if path is not None else Path(config.INCIDENTS_CSV)
    if not p.is_file():
        read_incidents(p)  # says what is wrong with the path, as it always has
    cached = read_copy(p)
    if cached is not None:
        return cached
    return rebuild_copy(p, progress=progress)


def rebuild_copy(path: str | os.PathLike[str], *, progress: Progress | None = None) -> pd.DataFrame:
    """Validate the store again, prepare it, rewrite its copy; the prepared frame.

    Rows of an outdated copy that are unchanged lend their areas and
    border distances, so a hand edit of a few rows joins and measures only
    those; a boundary change prepares every row.
    """
    p = Path(path)
    say = progress or log.info
    reason = copy_state(p) or "a rebuild was asked for"
    say(f"Preparing {p.name}: {reason}; validating, joining and measuring its rows once…")
    started = time.perf_counter()
    version = csv_checksum(p)
    typed = read_incidents(p)
    prepared = carry_over(read_copy(p, any_csv=True), typed)
    # Written only when the store did not change while it was read: a copy
    # stamped with bytes it was not built from would be trusted wrongly.
    written = csv_checksum(p) == version and write_copy(p, prepared)
    say(
        f"Prepared {len(prepared):,} incidents of {p.name} in {time.perf_counter() - started:.1f} s"
        + ("" if written else " (the copy was not saved)")
    )
    return prepared
