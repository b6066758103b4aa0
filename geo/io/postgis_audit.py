"""The audit trail of a PostGIS store: the ``audit_log`` table and its SQL.

One row per entry, in the store's schema beside ``incidents``, with the
fields of :class:`geo.io.audit.AuditEntry` (``at`` kept as the text the
file log writes, ``event_ids`` as ``text[]``, ``detail`` as ``json``, which
keeps its keys in their order where ``jsonb`` sorts them) and ``entry_no``,
the order entries were written in. The table is append-only:
a trigger refuses every ``UPDATE``, ``DELETE`` and ``TRUNCATE`` of it, so not
even the store's owner edits history by mistake (dropping the schema still
drops it, as deleting the file log would).

An audited append writes its entry with :func:`insert_entries` inside the
append's own transaction (:meth:`geo.io.postgis.PostgisStore.append_incidents`
runs it after the rows are in), so either the rows and their entry are both
committed or neither is. Entries are plain dicts here (the fields of
``AuditEntry``): :mod:`geo.io.audit` builds them and reads them back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

# Where the new rows' ids are counted now (inside the append); kept importable from here.
from geo.io.postgis_sql import id_scheme

if TYPE_CHECKING:
    import psycopg

    from geo.io.postgis import PostgisStore

__all__ = ["CREATE_AUDIT", "FIELDS", "ensure_audit", "id_scheme", "insert_entries", "read_entries"]

# The entry's fields, in AuditEntry order.
FIELDS: tuple[str, ...] = ("at", "who", "role", "action", "source", "event_ids", "detail")

# Several statements: sent unprepared, without parameters, by ensure_audit.
CREATE_AUDIT = """
CREATE TABLE IF NOT EXISTS audit_log (
    entry_no  bigserial PRIMARY KEY,
    at        text   NOT NULL,
    who       text   NOT NULL,
    role      text   NOT NULL,
    action    text   NOT NULL,
    source    text   NOT NULL DEFAULT '',
    event_ids text[] NOT NULL DEFAULT '{}',
    detail    json   NOT NULL DEFAULT '{}'
);
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP;
END
$$;
CREATE OR REPLACE TRIGGER audit_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE OR REPLACE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
"""


def _has_table(conn: psycopg.Connection[Any], schema: str) -> bool:
    row = conn.execute(
        "SELECT to_regclass(format('%%I.audit_log', %s::text)) IS NOT NULL", (schema,)
    ).fetchone()
    return bool(row and row[0])


def ensure_audit(conn: psycopg.Connection[Any], schema: str) -> None:
    """Create ``audit_log`` and its append-only triggers when absent (in ``conn``'s transaction).

    The caller holds the store's writer lock, so two first entries cannot
    both create the table.
    """
    if not _has_table(conn, schema):
        conn.execute(CREATE_AUDIT, prepare=False)


def insert_entries(conn: psycopg.Connection[Any], entries: Sequence[Mapping[str, Any]]) -> None:
    """Append entries (dicts of :data:`FIELDS`) in their order, in ``conn``'s transaction."""
    rows = [
        (
            str(e["at"]),
            str(e["who"]),
            str(e["role"]),
            str(e["action"]),
            str(e.get("source") or ""),
            [str(i) for i in e.get("event_ids") or ()],
            json.dumps(dict(e.get("detail") or {}), ensure_ascii=False, default=str),
        )
        for e in entries
    ]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO audit_log (at, who, role, action, source, event_ids, detail) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s::json)",
            rows,
        )


def read_entries(store: PostgisStore) -> list[dict[str, Any]]:
    """Every entry of the store's log as a dict of :data:`FIELDS`, oldest first (none: [])."""
    with store.connect() as conn:
        if not _has_table(conn, store.schema):
            return []
        rows = conn.execute(
            "SELECT at, who, role, action, source, event_ids, detail "
            "FROM audit_log ORDER BY entry_no"
        ).fetchall()
    return [
        {**dict(zip(FIELDS, row, strict=True)), "event_ids": tuple(row[5]), "detail": row[6]}
        for row in rows
    ]
