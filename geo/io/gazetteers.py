"""The incident store's own gazetteers: place lists a user loaded, kept with the store.

An analyst loads the populated places their partners use (an OCHA COD
export, a project's village list) once, and from then on geocoding, report
extraction and the Ingest page find those places ahead of the shipped
GeoNames list. They are part of the store's configuration. A file store
keeps them in a folder beside the CSV, named after it::

    data/incidents.csv
    data/incidents.gazetteers/
        manifest.json          what is loaded, in order of precedence
        mali-cod-ppl.csv       each gazetteer in the project's place columns

The manifest records, for each gazetteer, its name, the file it came from,
the column mapping used, the fixed country (if any), the geo_precision its
places get, the number of places, when it was loaded and by whom (if
known). Every file is written atomically (:func:`geo.io.files.atomic_write_text`)
under the manifest's lock, and a file with problems changes nothing.

A PostGIS store keeps the same manifest and place files, byte for byte, as
documents of its schema (``store_documents``, companion ``gazetteers``,
:mod:`geo.io.postgis_companions`), each add or remove in one transaction.
Every function here takes the store as an incident CSV's path, a
``postgresql://`` URL or a store object (:func:`geo.io.backend.open_store`).

Examples
--------
>>> source = read_place_file("tests/data/gaz_cod_places.csv")  # doctest: +SKIP
>>> mapping = ColumnMapping(**guess_mapping(source))            # doctest: +SKIP
>>> add_gazetteer("data/incidents.csv", source, mapping, name="Mali COD")  # doctest: +SKIP
>>> load_store_gazetteer("data/incidents.csv").lookup("Kanouberé").source  # doctest: +SKIP
'user:mali-cod.csv'
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from geo.io.files import atomic_write_text, locked
from geo.io.gazetteer_files import PLACE_FILE_COLUMNS, ColumnMapping, PlaceSource, place_rows
from geo.io.postgis_companions import (
    as_database,
    change_documents,
    companion_version,
    read_documents,
)
from geo.reference.countries import resolve_country
from geo.reference.gazetteer import Gazetteer, GazetteerError, load_gazetteer
from geo.reference.names import fold

__all__ = [
    "MANIFEST",
    "StoreGazetteer",
    "StoreGazetteerError",
    "add_gazetteer",
    "copy_gazetteers",
    "gazetteer_dir",
    "list_gazetteers",
    "load_store_gazetteer",
    "manifest_version",
    "remove_gazetteer",
]

MANIFEST = "manifest.json"
# The gazetteers' documents in a database store (geo.io.postgis_companions).
_COMPANION = "gazetteers"
_FORMAT_VERSION = 1

# load_user_gazetteer's options for a kept file: its columns are always these.
_KEPT_COLUMNS = {
    "name_col": "name",
    "lat_col": "latitude",
    "lon_col": "longitude",
    "admin1_col": "admin1",
    "country_col": "iso3",
    "alt_col": "alternates",
}


class StoreGazetteerError(ValueError):
    """The store's gazetteer configuration is unreadable, or an add or remove is refused."""


@dataclass(frozen=True)
class StoreGazetteer:
    """One gazetteer of the store, as its manifest records it.

    Attributes
    ----------
    name : str
        The name the user gave it (unique in the store, ignoring case and accents).
    file : str
        Its place file in :func:`gazetteer_dir`.
    source_file : str
        The file it was loaded from.
    columns : dict
        Role (``name``, ``latitude``, ...) -> the source file's column.
    country : str
        ISO3 given to places without a country cell; ``""`` when none was given.
    precision : int
        geo_precision of its places (1 town or village).
    rows : int
        Number of places.
    loaded_at : str
        When it was loaded (ISO 8601, UTC).
    loaded_by : str
        Who loaded it, when known.
    sha256 : str
        Digest of its place file, so the manifest changes whenever the places do.
    """

    name: str
    file: str
    source_file: str
    columns: dict[str, str] = field(default_factory=dict)
    country: str = ""
    precision: int = 1
    rows: int = 0
    loaded_at: str = ""
    loaded_by: str = ""
    sha256: str = ""


def gazetteer_dir(store: Any) -> Path:
    """The folder of a file store's gazetteers: ``<store stem>.gazetteers`` beside it."""
    path = Path(getattr(store, "path", store))
    return path.with_name(f"{path.stem}.gazetteers")


# A change: (manifest text, file names kept) -> (manifest text, files to put, files to drop)
_Change = Callable[[str, set[str]], tuple[str, dict[str, str], list[str]]]


class _Folder:
    """A file store's gazetteers: a manifest and place files in a folder beside the CSV."""

    def __init__(self, store: Any) -> None:
        self.folder = gazetteer_dir(store)
        self.manifest = self.folder / MANIFEST

    def where(self) -> str:
        return str(self.manifest)

    def manifest_text(self) -> str:
        try:
            return self.manifest.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""

    def change(self, step: _Change) -> None:
        """Run ``step`` under the manifest's lock; files first, the manifest last."""
        with locked(self.manifest):
            names = {p.name for p in self.folder.glob("*.csv")} if self.folder.is_dir() else set()
            manifest, put, drop = step(self.manifest_text(), names)
            for file, text in put.items():
                atomic_write_text(self.folder / file, text, backup=False)
            try:
                _write_manifest(self.manifest, manifest)
            except BaseException:
                for file in put:
                    (self.folder / file).unlink(missing_ok=True)
                raise
            for file in drop:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.folder / file)

    def texts(self, entries: Sequence[StoreGazetteer]) -> dict[str, str]:
        """Each entry's place file as kept, byte for byte."""
        with self.files(entries) as paths:
            return {p.name: p.read_bytes().decode("utf-8") for p in paths}

    @contextlib.contextmanager
    def files(self, entries: Sequence[StoreGazetteer]) -> Iterator[list[Path]]:
        paths = [self.folder / e.file for e in entries]
        for path in paths:
            if not path.is_file():
                raise StoreGazetteerError(f"{path}: listed in {self.manifest} but missing")
        yield paths


class _Database:
    """A PostGIS store's gazetteers: the manifest and place files as documents of its schema."""

    def __init__(self, database: Any) -> None:
        self.database = database

    def where(self) -> str:
        return f"{self.database.location} (gazetteers {MANIFEST})"

    def manifest_text(self) -> str:
        return read_documents(self.database, _COMPANION).get(MANIFEST, "")

    def change(self, step: _Change) -> None:
        """Run ``step`` and write its result in one transaction under the companions' lock."""

        def documents(kept: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
            manifest, put, drop = step(kept.get(MANIFEST, ""), set(kept) - {MANIFEST})
            return {**put, MANIFEST: manifest}, drop

        change_documents(self.database, _COMPANION, documents)

    def texts(self, entries: Sequence[StoreGazetteer]) -> dict[str, str]:
        """Each entry's place file as kept."""
        kept = read_documents(self.database, _COMPANION)
        missing = [e.file for e in entries if e.file not in kept]
        if missing:
            raise StoreGazetteerError(f"{missing[0]}: listed in {self.where()} but missing")
        return {e.file: kept[e.file] for e in entries}

    @contextlib.contextmanager
    def files(self, entries: Sequence[StoreGazetteer]) -> Iterator[list[Path]]:
        """The place files written to a private folder for the loader, removed afterwards."""
        kept = read_documents(self.database, _COMPANION)
        with tempfile.TemporaryDirectory(prefix="geo-gazetteers-") as folder:
            paths = []
            for entry in entries:
                if entry.file not in kept:
                    raise StoreGazetteerError(f"{entry.file}: listed in {self.where()} but missing")
                # The file's own name: places keep the source "user:<file>" either way.
                path = Path(folder) / entry.file
                path.write_text(kept[entry.file], encoding="utf-8")
                paths.append(path)
            yield paths


def _keeper(store: Any) -> _Folder | _Database:
    database = as_database(store)
    return _Folder(store) if database is None else _Database(database)


def manifest_version(store: Any) -> str:
    """A key that changes with every add or remove (``""`` when the store has none).

    A file store's manifest text (every change rewrites it and every kept
    file has a new name); a database store's companion version and manifest.
    """
    keeper = _keeper(store)
    if isinstance(keeper, _Database):
        text = keeper.manifest_text()
        return f"{companion_version(keeper.database, _COMPANION)}:{text}" if text else ""
    return keeper.manifest_text()


def list_gazetteers(store: Any) -> list[StoreGazetteer]:
    """The store's gazetteers, first (highest precedence) first; none without a manifest.

    Raises
    ------
    StoreGazetteerError
        The manifest is not the JSON this module writes.
    """
    keeper = _keeper(store)
    return _entries(keeper.manifest_text(), keeper.where())


def _entries(text: str, where: str) -> list[StoreGazetteer]:
    if not text:
        return []
    try:
        data = json.loads(text)
        return [StoreGazetteer(**entry) for entry in data["gazetteers"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreGazetteerError(
            f"{where}: not a gazetteer manifest ({exc}); restore it from {MANIFEST}.bak "
            "or remove the folder to start again"
        ) from None


def _write_manifest(path: Path, text: str) -> None:
    atomic_write_text(path, text, backup=True)


def _manifest(entries: Sequence[StoreGazetteer]) -> str:
    data = {"version": _FORMAT_VERSION, "gazetteers": [asdict(e) for e in entries]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------
# Adding and removing


def add_gazetteer(
    store: Any,
    source: PlaceSource,
    mapping: ColumnMapping,
    *,
    name: str,
    country: str | None = None,
    precision: int = 1,
    loaded_by: str | None = None,
) -> StoreGazetteer:
    """Check a place file and keep it as one of the store's gazetteers.

    It goes last, below the gazetteers loaded before it (which keep
    precedence) and above the shipped list.

    Parameters
    ----------
    store : path-like, str or store object
        The incident store the gazetteer belongs to (a CSV, a ``postgresql://``
        URL or :func:`geo.io.backend.open_store`'s result).
    source : PlaceSource
        From :func:`geo.io.gazetteer_files.read_place_file`.
    mapping : ColumnMapping
        Its columns.
    name : str
        A name for it, unique in the store.
    country : str, optional
        Country of places with no country cell (ISO3, ISO2 or English name).
    precision : int
        geo_precision its places get: 1 (a town or village), 2 or 3.
    loaded_by : str, optional
        Who loads it, for the record.

    Raises
    ------
    PlaceFileError
        The file has problems (each names file, row, column and value).
    StoreGazetteerError
        No name, a name already used, a bad precision, or a broken manifest.
        Nothing stored is changed on any error.
    """
    name = " ".join(str(name).split())
    _check_options(name, precision)
    rows = place_rows(source, mapping, country)
    # Every cell quoted: the gazetteer sniffs the delimiter, and the
    # alternates' "|" must not look like one.
    text = rows[PLACE_FILE_COLUMNS].to_csv(
        index=False, quoting=csv.QUOTE_ALL, lineterminator="\n", float_format="%.6f"
    )
    keeper = _keeper(store)
    added: list[StoreGazetteer] = []

    def step(manifest: str, files: set[str]) -> tuple[str, dict[str, str], list[str]]:
        entries = _entries(manifest, keeper.where())
        _check_name_free(name, entries)
        entry = StoreGazetteer(
            name=name,
            file=_free_file_name(name, {e.file for e in entries} | files),
            source_file=source.file,
            columns=mapping.to_dict(),
            country=(resolve_country(country) or "") if country else "",
            precision=precision,
            rows=len(rows),
            loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            loaded_by=loaded_by or "",
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )
        added.append(entry)
        return _manifest([*entries, entry]), {entry.file: text}, []

    keeper.change(step)
    return added[-1]


def _check_options(name: str, precision: int) -> None:
    if not fold(name):
        raise StoreGazetteerError("give the gazetteer a name (letters or digits)")
    if precision not in (1, 2, 3):
        raise StoreGazetteerError(f"precision {precision!r}: expected 1, 2 or 3")


def _check_name_free(name: str, entries: Sequence[StoreGazetteer]) -> None:
    for entry in entries:
        if fold(entry.name) == fold(name):
            raise StoreGazetteerError(
                f"a gazetteer called {entry.name!r} is already loaded (from "
                f"{entry.source_file}); remove it first or choose another name"
            )


def _free_file_name(name: str, taken: set[str]) -> str:
    """``<slug>.csv``, numbered when the slug is taken (so a file name is never reused)."""
    # fold() drops underscores; "mli_ppl" should read "mli-ppl", not "mlippl".
    slug = re.sub(r"[^a-z0-9]+", "-", fold(name.replace("_", " "))).strip("-")[:60]
    slug = slug or "gazetteer"
    candidate, n = f"{slug}.csv", 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}.csv"
    return candidate


def remove_gazetteer(store: Any, name: str) -> StoreGazetteer:
    """Remove one of the store's gazetteers (its name compared ignoring case and accents).

    Raises
    ------
    StoreGazetteerError
        No gazetteer of that name, or a broken manifest; nothing is changed.
    """
    keeper = _keeper(store)
    removed: list[StoreGazetteer] = []

    def step(manifest: str, files: set[str]) -> tuple[str, dict[str, str], list[str]]:
        del files
        entries = _entries(manifest, keeper.where())
        gone = [e for e in entries if fold(e.name) == fold(name)]
        if not gone:
            known = ", ".join(repr(e.name) for e in entries) or "none"
            raise StoreGazetteerError(f"no gazetteer called {name!r}; loaded: {known}")
        removed.extend(gone)
        return _manifest([e for e in entries if e not in gone]), {}, [e.file for e in gone]

    keeper.change(step)
    return removed[0]


def copy_gazetteers(source: Any, target: Any) -> int:
    """Give ``target`` the gazetteers of ``source``, manifest and place files byte for byte.

    The target's own gazetteers are replaced, in one change (one
    transaction for a database). A source without gazetteers changes
    nothing. Returns how many were copied.

    Raises
    ------
    StoreGazetteerError
        The source's manifest is broken or lists a missing file; nothing is written.
    """
    kept = _keeper(source)
    manifest = kept.manifest_text()
    entries = _entries(manifest, kept.where())
    if not entries:
        return 0
    texts = kept.texts(entries)

    def step(current: str, files: set[str]) -> tuple[str, dict[str, str], list[str]]:
        del current
        return manifest, texts, sorted(files - set(texts))

    _keeper(target).change(step)
    return len(entries)


# --------------------------------------------------------------------------
# Using them


def load_store_gazetteer(store: Any, extra_files: Sequence[Any] = (), **shipped: Any) -> Gazetteer:
    """The gazetteer with the store's places ahead of the shipped list.

    Precedence, highest first: the analyst overrides, ``extra_files`` (e.g.
    ``geocode --gazetteer``), the store's gazetteers in the order they were
    loaded, then the shipped GeoNames places.

    Parameters
    ----------
    store : path-like
        The incident store; without gazetteers this is
        :func:`geo.reference.gazetteer.load_gazetteer`'s result.
    extra_files : sequence
        Paths or ``(path, options)`` pairs as ``load_gazetteer``'s ``user_files``.
    **shipped
        ``places_file``, ``overrides_file``, ``admin1_names_file`` for
        ``load_gazetteer``.

    Raises
    ------
    StoreGazetteerError
        The manifest is broken or a kept file is missing or damaged.
    geo.reference.gazetteer.GazetteerError
        One of ``extra_files`` has problems.
    """
    keeper = _keeper(store)
    entries = _entries(keeper.manifest_text(), keeper.where())
    if not entries:
        return load_gazetteer(user_files=list(extra_files), **shipped)
    with keeper.files(entries) as paths:
        kept = [
            (path, {**_KEPT_COLUMNS, "precision": e.precision})
            for path, e in zip(paths, entries, strict=True)
        ]
        try:
            return load_gazetteer(user_files=[*extra_files, *kept], **shipped)
        except GazetteerError as exc:
            if any(str(path) in str(exc) for path, _ in kept):
                raise StoreGazetteerError(f"a kept gazetteer is damaged: {exc}") from None
            raise
