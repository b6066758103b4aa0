"""One store interface, two backends: the CSV file, or PostGIS for a team.

:func:`open_store` picks the backend: a ``postgresql://`` URL (the argument,
or else ``GEO_DATABASE_URL``) opens :class:`geo.io.postgis.PostgisStore`;
anything else is an incident CSV (the argument, or else ``GEO_INCIDENTS`` /
``data/incidents.csv``) behind :class:`FileStore`. Both answer the same
calls with the same results:

=================  =========================================================
``read()``         the typed incident frame (:func:`geo.io.store.read_incidents`)
``read_raw()``     every cell as stored, as text (lossless; what ``migrate`` moves)
``read_prepared()``  the typed frame with the admin-1 join and border columns
``append(new)``    validate, skip duplicates, number, store; an ``AppendReport``
``write(df)``      validate and replace the whole store with a typed frame
``write_raw(t)``   validate and replace the whole store with text cells
``data_version()`` a token that changes with every write: a cache key
=================  =========================================================

Example
-------
>>> store = open_store("data/incidents.csv")
>>> store.read().shape[0] > 0
True
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from geo import config
from geo.io import store as file_store
from geo.io.files import atomic_write_text
from geo.io.postgis import PostgisStore, is_database_url
from geo.model.schema import IncidentFileError

__all__ = ["FileStore", "IncidentStore", "open_store"]


class IncidentStore(Protocol):
    """What every store backend offers (see the module notes)."""

    @property
    def location(self) -> str: ...

    def read(self) -> pd.DataFrame: ...

    def read_raw(self) -> pd.DataFrame: ...

    def read_prepared(self) -> pd.DataFrame: ...

    def append(self, new: pd.DataFrame, **options: Any) -> file_store.AppendReport: ...

    def write(self, df: pd.DataFrame) -> None: ...

    def write_raw(self, text: pd.DataFrame) -> None: ...

    def data_version(self) -> str: ...


class FileStore:
    """The embedded store: one incident CSV with its lock (:mod:`geo.io.store`)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"FileStore({str(self.path)!r})"

    @property
    def location(self) -> str:
        return str(self.path)

    def read(self) -> pd.DataFrame:
        return file_store.read_incidents(self.path)

    def read_raw(self) -> pd.DataFrame:
        return file_store.read_raw(self.path)

    def read_prepared(self) -> pd.DataFrame:
        """From the columnar copy beside the CSV, rebuilt when stale (:mod:`geo.io.columnar`)."""
        from geo.io.columnar import prepared_incidents

        return prepared_incidents(self.path)

    def append(self, new: pd.DataFrame, **options: Any) -> file_store.AppendReport:
        return file_store.append_incidents(new, self.path, **options)

    def write(self, df: pd.DataFrame) -> None:
        file_store.write_incidents(df, self.path)

    def write_raw(self, text: pd.DataFrame) -> None:
        """Validate text cells and write them as they are: header order and spelling kept.

        Raises
        ------
        IncidentFileError
            When any row is invalid; nothing is written then.
        """
        text = text.reset_index(drop=True).astype("string").fillna("")
        problems = file_store.check_rows(text, file=str(self.path))
        if problems:
            raise IncidentFileError(problems)
        atomic_write_text(self.path, text.to_csv(index=False, lineterminator="\n"))

    def data_version(self) -> str:
        """A checksum of the CSV (:func:`geo.io.columnar.data_version`); "0" before it exists."""
        from geo.io.columnar import data_version

        return "0" if not self.path.exists() else data_version(self.path)


class _PostgisBackend(PostgisStore):
    """:class:`geo.io.postgis.PostgisStore` under the shared names."""

    def read(self) -> pd.DataFrame:
        return self.read_incidents()

    def append(self, new: pd.DataFrame, **options: Any) -> file_store.AppendReport:
        return self.append_incidents(new, **options)

    def write(self, df: pd.DataFrame) -> None:
        self.write_incidents(df)


def open_store(
    target: str | os.PathLike[str] | None = None, *, schema: str = "public"
) -> IncidentStore:
    """The store at ``target``: a ``postgresql://`` URL or an incident CSV.

    Parameters
    ----------
    target : str or path-like, optional
        Default: ``GEO_DATABASE_URL`` when set, else the configured CSV
        (``GEO_INCIDENTS`` or ``data/incidents.csv``).
    schema : str
        The PostgreSQL schema of a database store (ignored for a file).
    """
    if target is None:
        target = config.DATABASE_URL or config.INCIDENTS_CSV
    if is_database_url(target):
        return _PostgisBackend(str(target), schema=schema)
    return FileStore(target)
