"""The analysts' risk overrides, kept with the store they were set for (file or PostGIS).

Overrides belong to one store: pinning an area to High in February 2013
says nothing about another store's data. A file store keeps them beside the
CSV (:func:`geo.config.risk_overrides_file`: ``<store stem>.overrides.csv``,
or the shipped ``data/risk_overrides.csv`` for the shipped store only); a
PostGIS store keeps the same CSV text in its ``store_documents`` table
(:mod:`geo.io.postgis_companions`), so it moves with the store byte for
byte. Every function takes a store object (:func:`geo.io.backend.open_store`),
a ``postgresql://`` URL or an incident CSV's path.

Example
-------
>>> frame = store_overrides("data/incidents.csv")  # doctest: +SKIP
>>> frame["level"].tolist()[:1]  # doctest: +SKIP
['High']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from geo import config
from geo.analysis.risk.overrides import load_overrides, parse_overrides
from geo.io.files import atomic_write_text, locked
from geo.io.postgis_companions import (
    as_database,
    change_documents,
    companion_version,
    read_documents,
)

__all__ = [
    "DOCUMENT",
    "overrides_label",
    "overrides_text",
    "overrides_version",
    "save_overrides",
    "store_overrides",
]

# The overrides' name in a database store's documents.
DOCUMENT = "risk_overrides.csv"
_COMPANION = "overrides"


def _file(store: Any) -> Path:
    return config.risk_overrides_file(Path(getattr(store, "path", store)))


def overrides_label(store: Any) -> str:
    """Where the store's overrides are, as problems name it (a file, or store and document)."""
    database = as_database(store)
    if database is not None:
        return f"{database.location} ({DOCUMENT})"
    return str(_file(store))


def overrides_text(store: Any) -> str | None:
    """The store's overrides as kept (CSV text), or ``None`` when it has none."""
    database = as_database(store)
    if database is not None:
        return read_documents(database, _COMPANION).get(DOCUMENT)
    path = _file(store)
    return path.read_text(encoding="utf-8") if path.exists() else None


def overrides_version(store: Any) -> str:
    """A key that changes whenever the store's overrides do (``""`` when it has none)."""
    database = as_database(store)
    if database is not None:
        return companion_version(database, _COMPANION)
    path = _file(store)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return ""
    return f"{path}:{stat.st_mtime_ns}:{stat.st_size}"


def store_overrides(store: Any) -> pd.DataFrame | None:
    """The store's overrides, read and checked; ``None`` when it has none.

    Raises
    ------
    geo.analysis.risk.RiskOverridesError
        Every problem, each naming the file (or store), row, column and value.
    """
    database = as_database(store)
    if database is None:
        path = _file(store)
        return load_overrides(path) if path.exists() else None
    text = overrides_text(database)
    return None if text is None else parse_overrides(text, name=overrides_label(database))


def save_overrides(store: Any, text: str, *, name: str | None = None) -> int:
    """Keep ``text`` (an overrides CSV) as the store's overrides, once it passes every check.

    A file is replaced atomically under its lock (the old one kept as
    ``.bak``); a database's document in one transaction. Returns the
    number of overrides kept.

    Parameters
    ----------
    name : str, optional
        What problems name as the file (the file ``text`` came from);
        default: where the store keeps its overrides.

    Raises
    ------
    geo.analysis.risk.RiskOverridesError
        ``text`` has problems; nothing kept is changed.
    """
    rows = len(parse_overrides(text, name=name or overrides_label(store)))
    database = as_database(store)
    if database is not None:
        change_documents(database, _COMPANION, lambda _kept: ({DOCUMENT: text}, ()))
        return rows
    path = _file(store)
    with locked(path):
        atomic_write_text(path, text, backup=True)
    return rows
