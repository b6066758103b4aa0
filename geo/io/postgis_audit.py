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

if TYPE_CHECKING:
    import psycopg

    from geo.io.postgis import PostgisStore

__all__ = ["CREATE_AUDIT", "FIELDS", "ensure_audit", "id_scheme", "insert_entries", "read_entries"]

# The entry's fields, in AuditEntry order.
FIELDS: tuple[str, ...] = ("at", "who", "role", "action", "source", "event_ids", "detail")

# An id in a country's scheme (geo.io.extract.records): three capitals, then digits.
_SCHEME = "^[A-Z]{3}[0-9]+$"

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


def id_scheme(conn: psycopg.Connection[Any], schema: str) -> tuple[int, int, int, dict[str, int]]:
    """What numbering in the store's scheme needs to know of its ids, counted by the server.

    ``(rows, in the scheme, digits, {country code: highest number})``, where
    an id in the scheme is three capitals and digits (MLI0042) and ``digits``
    is the longest run of digits among them: what
    :func:`geo.io.extract.store_style_ids` reads from every stored id, in a
    few rows instead of a million.
    """
    exists = conn.execute(
        "SELECT to_regclass(format('%%I.incidents', %s::text)) IS NOT NULL", (schema,)
    ).fetchone()
    if not (exists and exists[0]):
        return 0, 0, 0, {}
    total = conn.execute("SELECT count(*) FROM incidents").fetchone()
    # One pass of the pattern: per country, its highest number, longest digits, and count.
    per_code = conn.execute(
        "SELECT left(event_id, 3), max(substr(event_id, 4)::numeric), "
        "max(length(event_id) - 3), count(*) FROM incidents WHERE event_id ~ %s GROUP BY 1",
        (_SCHEME,),
    ).fetchall()
    rows = int(total[0]) if total else 0
    matched = sum(int(r[3]) for r in per_code)
    digits = max((int(r[2]) for r in per_code), default=0)
    tops = [(r[0], r[1]) for r in per_code]
    return rows, matched, digits, {str(code): int(top) for code, top in tops}
