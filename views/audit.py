"""Audit page (admins): every change to the store, newest first, and the settings in force.

The log is :mod:`geo.io.audit`'s: the append-only file beside a CSV store,
or the append-only ``audit_log`` table of a PostGIS store
(``GEO_DATABASE_URL``); this page only reads it. The settings section is the one place the app shows
server paths, because only admins reach it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from appkit import auth
from appkit.text import escape_markdown
from geo.io import audit
from geo.io.backend import open_store
from geo.io.postgis import StoreUnavailableError
from geo.model import roles

VISITOR = auth.guard_page(roles.VIEW_AUDIT)
# The configured store, whichever backend: its log is kept with it.
STORE = open_store()


def _filtered(table: pd.DataFrame) -> pd.DataFrame:
    """The log narrowed by person and action, as picked above it."""
    left, right = st.columns(2)
    who = left.multiselect("Who", sorted(table["who"].unique()), key="audit_who")
    what = right.multiselect("Action", sorted(table["action"].unique()), key="audit_action")
    if who:
        table = table[table["who"].isin(who)]
    if what:
        table = table[table["action"].isin(what)]
    return table


def _role_rows(signed_in: bool) -> list[tuple[str, str]]:
    """Where roles come from, one row per source."""
    if not signed_in:
        return [("Roles", "everyone is an admin (no sign-in)")]
    try:
        rules = auth.rules()
    except roles.RoleConfigError as exc:
        return [("Roles", f"cannot be used: {exc}")]
    groups = ", ".join(f"{g} → {r}" for g, r in rules.groups.items()) or "none"
    return [
        ("Role claim", rules.claim or "(none)"),
        ("Groups", groups),
        ("Allow-list entries", str(len(rules.emails))),
        ("Anyone else signed in", rules.default or "no access"),
    ]


def _settings() -> pd.DataFrame:
    """Sign-in, roles and where things are kept, one row each."""
    section = auth.auth_section()
    metadata = str(section.get("server_metadata_url", ""))
    rows = [
        ("Access", VISITOR.mode),
        ("Listen address", str(auth.listen_address() or "every interface")),
        ("Identity providers", ", ".join(auth.providers()) or "none (no sign-in)"),
        ("Provider host", urlsplit(metadata).netloc or "–"),
        *_role_rows(bool(section)),
        ("Incident store", STORE.location),
        ("Audit log", audit.log_location(STORE)),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])


st.title("Audit trail")
st.caption(
    "Every append, import and gazetteer change: who, when, from which file or report, and "
    "which incidents. The log is append-only; this page reads it."
)
try:
    log = audit.read_log(STORE)
except StoreUnavailableError as exc:
    st.error(f"The audit log could not be read: {escape_markdown(str(exc))}")
    log = audit.AuditLog([])
if log.unreadable:
    st.warning(f"{log.unreadable} line(s) of the log could not be read and are not shown.")
if not log.entries:
    st.info("Nothing has been recorded yet.")
else:
    table = _filtered(audit.log_table(log.entries))
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "event_ids": st.column_config.TextColumn("event ids", width="large"),
            "events": st.column_config.NumberColumn("events", width="small"),
        },
    )
    st.download_button(
        "Download the log (CSV)",
        lambda: table.to_csv(index=False).encode("utf-8"),
        file_name="audit.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )

if roles.can(VISITOR.role, roles.VIEW_SETTINGS):
    st.header("Settings")
    st.dataframe(_settings(), hide_index=True, width="stretch")
