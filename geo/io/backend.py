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

What belongs to a store travels with it (:class:`StoreCompanions`): the
team's sites (``sites()``, ``save_sites(frame)``, ``sites_version()``), the
analysts' risk overrides (``overrides()``, ``overrides_text()``,
``save_overrides(text)``, ``overrides_version()``) and the user gazetteers
(``gazetteers()``, ``gazetteer()``, ``gazetteers_version()``; adding and
removing through :mod:`geo.io.gazetteers` with the store object). A file
store keeps them as files beside the CSV, as before; a PostGIS store in
tables of its schema (:mod:`geo.io.postgis_companions`).

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

__all__ = ["FileStore", "IncidentStore", "StoreCompanions", "open_store"]


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

    def sites(self) -> Any: ...

    def save_sites(self, frame: Any) -> None: ...

    def sites_version(self) -> str: ...

    def overrides(self) -> pd.DataFrame | None: ...

    def overrides_text(self) -> str | None: ...

    def save_overrides(self, text: str, *, name: str | None = None) -> int: ...

    def overrides_version(self) -> str: ...

    def gazetteers(self) -> list[Any]: ...

    def gazetteer(self, extra_files: Any = (), **shipped: Any) -> Any: ...

    def gazetteers_version(self) -> str: ...


class StoreCompanions:
    """The companions' calls, the same on both backends (each module dispatches on the store)."""

    def sites(self) -> Any:
        """The team's sites and routes (:func:`geo.io.sites.store_sites`)."""
        from geo.io.sites import store_sites

        return store_sites(self)

    def save_sites(self, frame: Any) -> None:
        """Replace the kept sites, all or nothing (:func:`geo.io.sites.save_sites`)."""
        from geo.io.sites import save_sites

        save_sites(self, frame)

    def sites_version(self) -> str:
        from geo.io.sites import sites_version

        return sites_version(self)

    def overrides(self) -> pd.DataFrame | None:
        """The checked risk overrides, ``None`` when none (:mod:`geo.io.store_overrides`)."""
        from geo.io.store_overrides import store_overrides

        return store_overrides(self)

    def overrides_text(self) -> str | None:
        from geo.io.store_overrides import overrides_text

        return overrides_text(self)

    def save_overrides(self, text: str, *, name: str | None = None) -> int:
        """Check and keep an overrides CSV; the number kept (:mod:`geo.io.store_overrides`)."""
        from geo.io.store_overrides import save_overrides

        return save_overrides(self, text, name=name)

    def overrides_version(self) -> str:
        from geo.io.store_overrides import overrides_version

        return overrides_version(self)

    def gazetteers(self) -> list[Any]:
        """The kept gazetteers' records, first first (:func:`geo.io.gazetteers.list_gazetteers`)."""
        from geo.io.gazetteers import list_gazetteers

        return list_gazetteers(self)

    def gazetteer(self, extra_files: Any = (), **shipped: Any) -> Any:
        """The kept gazetteers ahead of the shipped places (:mod:`geo.io.gazetteers`)."""
        from geo.io.gazetteers import load_store_gazetteer

        return load_store_gazetteer(self, extra_files, **shipped)

    def gazetteers_version(self) -> str:
        from geo.io.gazetteers import manifest_version

        return manifest_version(self)


class FileStore(StoreCompanions):
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


class _PostgisBackend(PostgisStore, StoreCompanions):
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
