"""The audit trail: who changed the store, when, from what, and which events.

One JSON object per line in ``<store stem>.audit.jsonl`` beside the store.
The file is only ever opened for appending (``O_APPEND``) and each entry is
written in one ``write`` under the file's lock (:func:`geo.io.store.locked`),
then flushed to disk, so entries from concurrent sessions never interleave
and nothing already written is rewritten. Reading tolerates a torn last line
(a crash mid-write) and says how many lines it could not read.

Every incident added through :func:`audited_append` also keeps who added it
and when, in the ``added_by`` / ``added_at`` columns of the store; exports
leave those columns out unless asked (:mod:`geo.io.export`).
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

from geo.io.store import AppendReport, append_incidents, locked

__all__ = [
    "ACTIONS",
    "AUDIT_COLUMNS",
    "AuditEntry",
    "AuditLog",
    "audit_path",
    "audited_append",
    "log_table",
    "now_utc",
    "read_log",
    "record",
]

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
    store: str | os.PathLike[str],
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
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        at=at or now_utc(),
        who=who,
        role=role,
        action=action,
        source=source,
        event_ids=tuple(str(e) for e in event_ids),
        detail=dict(detail or {}),
    )
    line = json.dumps(asdict(entry), ensure_ascii=False, default=str) + "\n"
    _append_line(audit_path(store), line.encode("utf-8"))
    return entry


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


def read_log(store: str | os.PathLike[str]) -> AuditLog:
    """Every readable entry of the store's audit log, oldest first (empty when none)."""
    path = audit_path(store)
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
    store: str | os.PathLike[str],
    *,
    who: str,
    role: str,
    action: str,
    source: str,
    **options: Any,
) -> AppendReport:
    """Append to the store through :func:`geo.io.store.append_incidents`, then record it.

    The added rows keep ``added_by`` (``who``) and ``added_at``; any such
    columns in the incoming rows are dropped first, so a file cannot name
    someone else. The entry lists the added event ids and the counts, and is
    written for an append that added nothing too (its rejections are news).
    ``options`` go to ``append_incidents`` unchanged.
    """
    at = now_utc()
    incoming = new.drop(columns=[c for c in AUDIT_COLUMNS if c in new.columns])
    report = append_incidents(incoming, store, added_by=who, added_at=at, **options)
    detail: dict[str, Any] = {
        "added": report.added,
        "duplicates": report.duplicates,
        "rejected": report.rejected,
    }
    if report.renumbered:
        detail["renumbered"] = dict(report.renumbered)
    record(
        store,
        who=who,
        role=role,
        action=action,
        source=source,
        event_ids=report.added_ids,
        detail=detail,
        at=at,
    )
    return report
