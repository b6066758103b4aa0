"""The audit trail: who changed the store, when, from what, and which events.

Where it is kept follows the store (:func:`geo.io.backend.open_store`):

* A CSV store keeps one JSON object per line in ``<store stem>.audit.jsonl``
  beside it. The file is only ever opened for appending (``O_APPEND``) and
  each entry is written in one ``write`` under the file's lock
  (:func:`geo.io.store.locked`), then flushed to disk, so entries from
  concurrent sessions never interleave and nothing already written is
  rewritten. Reading tolerates a torn last line (a crash mid-write) and
  says how many lines it could not read.
* A PostGIS store keeps the append-only ``audit_log`` table in its schema
  (:mod:`geo.io.postgis_audit`). An audited append writes its entry in the
  same transaction as its rows: both are committed, or neither.

Every function taking ``store`` accepts a CSV path, a ``postgresql://`` URL
or a store object from :func:`geo.io.backend.open_store`.

Every incident added through :func:`audited_append` also keeps who added it
and when, in the ``added_by`` / ``added_at`` columns of the store; exports
leave those columns out unless asked (:mod:`geo.io.export`). Rows without an
``event_id`` are numbered in the store's own scheme (MLI0042 after MLI0041,
:mod:`geo.io.numbering`) by the store itself, under its lock or in its
transaction, so concurrent writers get consecutive ids and each entry names
the ids its rows were stored under; the same for the app and the command
line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd

from geo import config
from geo.io.backend import FileStore, IncidentStore, open_store
from geo.io.numbering import IdScheme, representatives, scheme_of
from geo.io.postgis import PostgisStore, is_database_url
from geo.io.postgis_sql import id_scheme
from geo.io.store import AppendReport, locked

__all__ = [
    "ACTIONS",
    "AUDIT_COLUMNS",
    "AuditEntry",
    "AuditLog",
    "StoreLike",
    "audit_path",
    "audited_append",
    "copy_log",
    "log_table",
    "log_location",
    "now_utc",
    "read_log",
    "record",
    "rejects_file",
]

# What the functions here accept as a store: a CSV path, a postgresql:// URL, or a store.
StoreLike = str | os.PathLike[str] | IncidentStore

# Columns every audited append stamps on the rows it adds.
AUDIT_COLUMNS: tuple[str, ...] = ("added_by", "added_at")

# What an entry can say was done, and how the log names it.
ACTIONS: Mapping[str, str] = {
    "append": "reviewed report candidates appended",
    "import": "file imported",
    "override": "analyst override changed",
    "gazetteer.add": "gazetteer loaded",
    "gazetteer.remove": "gazetteer removed",
    "sites.add": "team sites added",
    "sites.replace": "team sites replaced",
    "delete": "incidents deleted",
}
SUFFIX: Final = ".audit.jsonl"


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit trail.

    Attributes
    ----------
    at : str
        When, ISO 8601 in UTC to the second.
    who, role : str
        The signed-in person (e-mail or name) and their role at the time.
    action : str
        One of :data:`ACTIONS`.
    source : str
        The file or report it came from (a file name, never a server path).
    event_ids : tuple of str
        The incidents it added, changed or deleted.
    detail : dict
        Counts and names that say more (added, duplicates, rejected, ...).
    """

    at: str
    who: str
    role: str
    action: str
    source: str = ""
    event_ids: tuple[str, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditLog:
    """The readable entries of a log, oldest first, and how many lines were not."""

    entries: list[AuditEntry]
    unreadable: int = 0


def audit_path(store: str | os.PathLike[str]) -> Path:
    """The audit log beside a store: ``incidents.csv`` -> ``incidents.audit.jsonl``."""
    p = Path(store)
    return p.with_name(p.stem + SUFFIX)


def now_utc() -> str:
    """The current time as the log writes it."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def record(
    store: StoreLike,
    *,
    who: str,
    role: str,
    action: str,
    source: str = "",
    event_ids: Iterable[str] = (),
    detail: Mapping[str, Any] | None = None,
    at: str | None = None,
) -> AuditEntry:
    """Append one entry to the store's audit log and return it.

    Raises
    ------
    ValueError
        For an action that is not in :data:`ACTIONS`.
    OSError
        When the log cannot be written (the caller's change has happened;
        the error says the trail is incomplete).
    """
    entry = _entry(
        at=at or now_utc(),
        who=who,
        role=role,
        action=action,
        source=source,
        event_ids=event_ids,
        detail=detail,
    )
    database = _database(store)
    if database is not None:
        _insert_committed(database, [entry])
    else:
        line = json.dumps(asdict(entry), ensure_ascii=False, default=str) + "\n"
        _append_line(audit_path(_file(store)), line.encode("utf-8"))
    return entry


def _entry(
    *,
    at: str,
    who: str,
    role: str,
    action: str,
    source: str,
    event_ids: Iterable[str],
    detail: Mapping[str, Any] | None,
) -> AuditEntry:
    """An entry, its action checked."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    return AuditEntry(
        at=at,
        who=who,
        role=role,
        action=action,
        source=source,
        event_ids=tuple(str(e) for e in event_ids),
        detail=dict(detail or {}),
    )


def _as_store(store: StoreLike) -> IncidentStore:
    """A store object for a path or URL; a store object as it is."""
    if isinstance(store, (str, os.PathLike)):
        return open_store(store)
    return store


def _database(store: StoreLike) -> PostgisStore | None:
    """The PostGIS store ``store`` names, or None for a file."""
    if isinstance(store, PostgisStore):
        return store
    if is_database_url(store):
        return PostgisStore(str(store))
    return None


def _file(store: StoreLike) -> Path:
    """The CSV path of a file store."""
    if isinstance(store, FileStore):
        return store.path
    return Path(store)  # type: ignore[arg-type]


def _insert_committed(database: PostgisStore, entries: Sequence[AuditEntry]) -> None:
    """Entries into the store's ``audit_log`` in a transaction of their own."""
    from geo.io import postgis_audit

    with database.connect() as conn:
        # The writers' lock: the first entry creates the table, once.
        database._lock_and_ensure(conn)
        postgis_audit.ensure_audit(conn, database.schema)
        postgis_audit.insert_entries(conn, [asdict(e) for e in entries])


def _append_line(path: Path, data: bytes) -> None:
    """Write ``data`` at the end of ``path`` in one write, under its lock, synced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            written = os.write(fd, data)
            while written < len(data):  # a short write (full disk) continues, never rewrites
                written += os.write(fd, data[written:])
            os.fsync(fd)
        finally:
            os.close(fd)


def read_log(store: StoreLike) -> AuditLog:
    """Every readable entry of the store's audit log, oldest first (empty when none)."""
    database = _database(store)
    if database is not None:
        from geo.io.postgis_audit import read_entries

        return AuditLog([AuditEntry(**raw) for raw in read_entries(database)])
    path = audit_path(_file(store))
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return AuditLog([])
    entries: list[AuditEntry] = []
    unreadable = 0
    for line in lines:
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            entries.append(AuditEntry(**{**raw, "event_ids": tuple(raw.get("event_ids") or ())}))
        except (ValueError, TypeError):
            unreadable += 1
    return AuditLog(entries, unreadable)


def log_table(entries: Sequence[AuditEntry]) -> pd.DataFrame:
    """The entries as a table, newest first, event ids joined by commas."""
    rows = [
        {
            "at": e.at,
            "who": e.who,
            "role": e.role,
            "action": ACTIONS.get(e.action, e.action),
            "source": e.source,
            "events": len(e.event_ids),
            "event_ids": ", ".join(e.event_ids),
            "detail": ", ".join(f"{k} {v}" for k, v in e.detail.items()),
        }
        for e in reversed(entries)
    ]
    columns = ["at", "who", "role", "action", "source", "events", "event_ids", "detail"]
    return pd.DataFrame(rows, columns=columns)


def audited_append(
    new: pd.DataFrame,
    store: StoreLike,
    *,
    who: str,
    role: str,
    action: str,
    source: str,
    **options: Any,
) -> AppendReport:
    """Append to the store (either backend) and record it in the store's audit trail.

    Rows without an ``event_id`` are numbered in the store's scheme
    (:mod:`geo.io.numbering`) by the store, under its lock or in its
    transaction, from the ids stored then. The added rows keep ``added_by``
    (``who``) and ``added_at``; any such columns in the incoming rows are
    dropped first, so a file cannot name someone else. The entry lists the
    added event ids and the counts, and is written for an append that
    added nothing too (its rejections are news). On PostGIS it is written
    in the append's transaction; on a file, once the file is written.
    ``options`` go to the store's ``append``, with ``number_in_scheme=True``.

    Raises
    ------
    ValueError
        For an action that is not in :data:`ACTIONS` (nothing is appended).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    target = _as_store(store)
    at = now_utc()
    incoming = new.drop(columns=[c for c in AUDIT_COLUMNS if c in new.columns])
    entry = {"at": at, "who": who, "role": role, "action": action, "source": source}
    options = {"number_in_scheme": True, **options}
    database = _database(target)
    if database is None:
        report = target.append(incoming, added_by=who, added_at=at, **options)
        record(target, event_ids=report.added_ids, detail=_detail(report), **entry)
        return report

    def write_entry(conn: Any, report: AppendReport) -> None:
        from geo.io import postgis_audit

        postgis_audit.ensure_audit(conn, database.schema)
        made = _entry(event_ids=report.added_ids, detail=_detail(report), **entry)
        postgis_audit.insert_entries(conn, [asdict(made)])

    return database.append_incidents(
        incoming, added_by=who, added_at=at, in_transaction=write_entry, **options
    )


def _detail(report: AppendReport) -> dict[str, Any]:
    """The counts of an append, as its entry keeps them."""
    detail: dict[str, Any] = {
        "added": report.added,
        "duplicates": report.duplicates,
        "rejected": report.rejected,
    }
    if report.renumbered:
        detail["renumbered"] = dict(report.renumbered)
    return detail


def _scheme_ids(store: IncidentStore) -> pd.Series:
    """One id per country at its highest number, standing for the store's ids.

    :func:`geo.io.extract.store_style_ids` numbers against these as it would
    against every stored id (:func:`geo.io.numbering.representatives`);
    counted by the server on PostGIS. The benchmark of that equivalence
    (scripts/bench_store_ids.py) and its test use it.
    """
    database = _database(store)
    if database is not None:
        with database.connect() as conn:
            scheme = id_scheme(conn, database.schema)
    else:
        scheme = _file_scheme(_file(store))
    return representatives(scheme)


def _file_scheme(path: Path) -> IdScheme:
    """The :class:`geo.io.numbering.IdScheme` of a CSV store (empty when it cannot be read)."""
    try:
        ids = pd.read_csv(path, usecols=["event_id"], dtype="string")["event_id"]
    except (FileNotFoundError, ValueError, pd.errors.EmptyDataError):
        return IdScheme()
    return scheme_of(ids)


def copy_log(source: StoreLike, target: StoreLike) -> int:
    """Append to ``target``'s log the entries of ``source``'s it lacks; how many.

    What ``geo store migrate`` carries with the incidents, either way. An
    entry already in the target (every field equal) is not written twice,
    so migrating there and back leaves one copy of each; the target's own
    entries stay where they are (the log is append-only).
    """
    have = {_key(e) for e in read_log(target).entries}
    todo = [e for e in read_log(source).entries if _key(e) not in have]
    if not todo:
        return 0
    database = _database(target)
    if database is not None:
        _insert_committed(database, todo)
    else:
        lines = "".join(json.dumps(asdict(e), ensure_ascii=False, default=str) + "\n" for e in todo)
        _append_line(audit_path(_file(target)), lines.encode("utf-8"))
    return len(todo)


def _key(entry: AuditEntry) -> str:
    """An entry as one comparable string (its detail is a dict)."""
    return json.dumps(asdict(entry), sort_keys=True, ensure_ascii=False, default=str)


def log_location(store: StoreLike) -> str:
    """Where the store's log is kept, as the Audit page's settings name it."""
    database = _database(store)
    if database is not None:
        return f"table audit_log in {database.location}"
    return str(audit_path(_file(store)))


def rejects_file(store: StoreLike) -> Path:
    """Where the rejected rows of an import into ``store`` go by default.

    Beside a CSV store (``<store>.rejected.csv``). A database has no folder,
    so its rejects (a file, for a person to fix) go to ``rejected.csv``
    beside ``GEO_INCIDENTS``, for the Ingest page and the command line alike.
    """
    if _database(store) is not None:
        return Path(config.INCIDENTS_CSV).with_name("rejected.csv")
    return Path(f"{_file(store)}.rejected.csv")
