"""Ingest page: review candidates found in a report, or import an ACLED / UCDP / CSV file.

Nothing reaches the store until the analyst presses an append button; every
append goes through :func:`_append`, which checks the role at that moment
(editors and admins only, :mod:`appkit.auth`) and appends to the configured
store (``GEO_DATABASE_URL`` when set, else the CSV) through
:func:`geo.io.audit.audited_append` (ids in the store's scheme, validation,
duplicates, lock, an atomic write or one transaction, and an audit entry
naming who, from what, and the event ids); its report is shown. Report text
is untrusted: it is only ever shown in tables and text elements, never as
HTML. No server path is shown, only file names.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from appkit import auth, gazetteers
from appkit import sites as team
from appkit.text import escape_markdown
from geo import config
from geo.io.audit import audited_append, rejects_file
from geo.io.backend import IncidentStore, open_store
from geo.io.dedupe import DedupeLimitError
from geo.io.extract import (
    PROVENANCE_COLUMNS,
    candidates_to_incidents,
    check_candidates,
    extract_candidates,
    fill_coordinates,
)
from geo.io.ingest import FORMATS, ImportResult, import_file
from geo.io.ingest.limits import release_memory
from geo.io.postgis import StoreUnavailableError
from geo.io.store import AppendReport
from geo.model import roles
from geo.model.schema import EVENT_TYPES, SUB_EVENT_TYPES, IncidentFileError, Problem
from geo.reference.gazetteer import Gazetteer

CANDIDATES = "ingest_candidates"
EDITOR_VERSION = "ingest_editor_version"
IMPORT_RESULT = "ingest_import_result"
LAST_REPORT = "ingest_last_report"
IMPORT_FILE_ID = "ingest_import_file_id"
REPORT_NAME = "ingest_report_name"  # what the candidates under review were read from
# What a reviewer checks first comes first (what, where, toll, confidence,
# what is unresolved, who), in columns narrow enough to fit a laptop's width,
# so nobody has to scroll sideways to judge a row; coordinates and codes follow.
REVIEW_ORDER = (
    "accept", "no", "event_date", "event_type", "location", "fatalities", "confidence",
    "unresolved", "actor1", "actor2", "sub_event_type", "injuries", "geo_precision",
    "time_precision", "latitude", "longitude", "country", "iso3", "admin1", "admin2",
    "civilian_targeting", "notes", "source", "sentence", "why", "context", "post_title",
    "post_date",
)  # fmt: skip


# Markdown that works anywhere in a line (see _inline).
_INLINE_MARKUP = re.compile(r"([\\`*_{}\[\]()<>!|~$:&])")


def _store() -> IncidentStore:
    """The configured store, which the gazetteers travel with (the database when set)."""
    return open_store()


def _target() -> str:
    """The store appends go to: the database when ``GEO_DATABASE_URL`` is set, else the CSV."""
    return config.DATABASE_URL or str(config.INCIDENTS_CSV)


def _where() -> str:
    """The store as this visitor may see it: its name, or its path for an admin.

    A database is "the team database", or for an admin its URL without the
    password.
    """
    location = open_store(_target()).location
    if config.DATABASE_URL and not auth.can(roles.VIEW_SETTINGS):
        return "the team database"
    return auth.public_text(location)


def _public(text: str) -> str:
    """A message about the store as this visitor may read it (see :func:`_where`)."""
    if config.DATABASE_URL:
        text = text.replace(open_store(_target()).location, _where())
    return auth.public_text(text)


def _unreadable(exc: IncidentFileError | StoreUnavailableError) -> None:
    shown = escape_markdown(_public(str(exc)))
    st.error(f"The store could not be read, nothing was appended: {shown}")


def _append(frame: pd.DataFrame, *, action: str, source: str, **options: Any) -> AppendReport:
    """The page's one write: the role is checked now, the append is recorded in the audit trail.

    Raises
    ------
    geo.model.roles.AccessDenied
        When the visitor may not append at this moment (nothing is written).
    geo.model.schema.IncidentFileError
        When the store cannot be read (nothing is written).
    """
    who = auth.require(roles.APPEND)
    return audited_append(
        frame, _target(), who=who.who, role=str(who.role), action=action, source=source, **options
    )


def _gazetteer() -> Gazetteer:
    """The store's gazetteers ahead of the shipped places (cached, follows changes)."""
    return gazetteers.store_gazetteer(_store())


def _editor_key() -> str:
    return f"ingest_editor_{st.session_state.get(EDITOR_VERSION, 0)}"


def _new_table(frame: pd.DataFrame) -> None:
    """Put a fresh candidate table under review (resets the editor's edits)."""
    st.session_state[CANDIDATES] = frame
    st.session_state[EDITOR_VERSION] = st.session_state.get(EDITOR_VERSION, 0) + 1


def _inline(text: str) -> str:
    """Untrusted text placed mid-line in Markdown, shown as written.

    Links, images, emphasis, code, HTML and icons are escaped; ``-``, ``+``,
    ``.`` and ``#`` make lists and headings only at the start of a line, so
    an id such as GEO-000001 reads as it is. Text at the start of a line
    goes through :func:`appkit.text.escape_markdown` instead.
    """
    return _INLINE_MARKUP.sub(r"\\\1", " ".join(text.splitlines()))


def _show_report(report: AppendReport) -> None:
    # File names, ids and column names come from the upload: shown, never rendered.
    st.success(escape_markdown(_public(report.summary())))
    if report.added_ids:
        ids = report.added_ids
        more = f" and {len(ids) - 20} more" if len(ids) > 20 else ""
        # The id is how the analyst finds the new rows on the Incidents page.
        st.caption(f"Stored as event_id {_inline(', '.join(ids[:20]))}{more}.")
    if report.ignored_columns:
        st.caption(
            "Not stored (neither schema columns nor columns of the store): "
            + _inline(", ".join(report.ignored_columns))
        )
    if report.duplicates:
        st.caption("Skipped as duplicates of stored incidents:")
        st.dataframe(
            report.duplicate_rows,
            hide_index=True,
            width="stretch",
            column_config={"event_date": st.column_config.DateColumn("date", format="YYYY-MM-DD")},
        )
    if report.problems:
        st.caption("Rejected:")
        st.dataframe(_problem_table(report.problems), hide_index=True, width="stretch")
    for old, new in report.renumbered.items():
        old, new = _inline(old), _inline(new)
        st.info(f"event_id {old} was already used in the store; stored as {new}.")


def _base(text: str) -> str:
    """A character per character of ``text``, lower case without accents ("Ménaka": "menaka")."""
    return "".join((unicodedata.normalize("NFKD", ch)[:1] or ch).casefold()[:1] for ch in text)


def _highlighted(text: str, terms: list[str]) -> str:
    """``text`` as inert Markdown, each of ``terms`` found in it (any case or accents) in bold."""
    base = _base(text)
    marked = [False] * len(text)
    for term in {_base(t.strip()) for t in terms if t and len(t.strip()) > 2}:
        for m in re.finditer(re.escape(term), base):
            marked[m.start() : m.end()] = [True] * (m.end() - m.start())
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and marked[j] == marked[i]:
            j += 1
        piece = escape_markdown(text[i:j])
        out.append(f"**{piece}**" if marked[i] and piece.strip() else piece)
        i = j
    return "".join(out)


def _show_sentences(candidates: pd.DataFrame) -> None:
    """Each candidate's sentence and linked sentences in full, place and actors in bold."""
    for row in candidates.itertuples(index=False):
        terms = [str(row.location), str(row.actor1), str(row.actor2)]
        words = " ".join(p for p in (str(row.sentence), str(row.context)) if p)
        head = escape_markdown(
            f"#{row.no} · {row.event_type} · {row.location or 'no place'} · "
            f"{row.fatalities} dead · confidence {float(row.confidence):.2f}"
        )
        st.markdown(f"**{head}**  \n{_highlighted(words, terms)}")
        if row.why:
            st.caption(escape_markdown(f"Why: {row.why}"))


def _named(problems: list[Problem], temp: Path, name: str) -> list[Problem]:
    """Problems about the upload's temporary copy, named by the uploaded file's name."""
    return [dataclasses.replace(p, file=name) if p.file == str(temp) else p for p in problems]


def _problem_table(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "file": p.file,
                "row": p.row,
                "column": p.column,
                "value": "" if p.value is None else str(p.value),
                "problem": p.expected,
            }
            for p in problems
        ],
        columns=["file", "row", "column", "value", "problem"],
    )


VISITOR = auth.guard_page(roles.APPEND)
st.title("Ingest")
st.caption(
    f"New incidents are appended to `{_where()}` only when you press an "
    "append button, and the audit trail records who appended what. "
    "Duplicates of stored incidents (same event type, date within a day, place within "
    "10 km or the same name) are skipped; "
    + (
        "each append is one transaction, its audit entry included."
        if config.DATABASE_URL
        else "the previous file is kept as a .bak backup."
    )
)

if st.session_state.get(LAST_REPORT) is not None:
    _show_report(st.session_state[LAST_REPORT])

# With a key the open tab survives the rerun after an append (without one
# the page jumped back to the first tab after a file was appended).
tab_report, tab_file, tab_places, tab_sites = st.tabs(
    ["From a report", "From a file", "Gazetteers", "Our sites"], key="ingest_tab"
)

# --------------------------------------------------------------------------
with tab_report:
    uploaded = st.file_uploader("Report text file", type=["txt"], key="ingest_report_file")
    pasted = st.text_area(
        "…or paste the report",
        key="ingest_report_text",
        height=200,
        placeholder="Paste one or more posts. Headings such as 'Mali Security Update "
        "(22 February 2013)' date the posts under them.",
    )
    post_date = st.date_input(
        "Post date",
        value=None,
        key="ingest_post_date",
        format="YYYY-MM-DD",
        help="Resolves 'On Friday', 'today', '10 February' for text before any dated "
        "heading. Leave empty when every post has a dated heading.",
    )
    using = gazetteers.in_use(_store())
    if using:
        st.caption(f"{using} (See the Gazetteers tab.)")
    if st.button("Find candidate incidents", key="ingest_extract", type="primary"):
        text = uploaded.getvalue().decode("utf-8-sig", errors="replace") if uploaded else pasted
        size_kb = len(text.encode("utf-8")) / 1000
        if not text.strip():
            st.warning("Upload or paste a report first.")
        elif size_kb > config.EXTRACT_MAX_KB:
            # Extraction time grows faster than the text: one huge paste must
            # not hold the server for minutes.
            st.error(
                f"The report is {size_kb:,.0f} KB; reports are read up to "
                f"{config.EXTRACT_MAX_KB:,} KB at a time (GEO_EXTRACT_MAX_KB). "
                "Split it and read the parts one after the other."
            )
        else:
            source = Path(uploaded.name).stem if uploaded else None
            try:
                found = extract_candidates(
                    text,
                    post_date if isinstance(post_date, dt.date) else None,
                    gazetteer=_gazetteer(),
                    source=source,
                )
            except (OSError, ValueError, OverflowError) as exc:
                st.error(f"Could not read the report: {escape_markdown(str(exc))}")
            else:
                found.insert(0, "accept", False)
                found.insert(1, "no", range(1, len(found) + 1))
                _new_table(found)
                st.session_state[REPORT_NAME] = uploaded.name if uploaded else "pasted report"
                st.session_state[LAST_REPORT] = None

    candidates = st.session_state.get(CANDIDATES)
    if candidates is not None and candidates.empty:
        st.info("No candidate incidents found in this text.")
    elif candidates is not None:
        st.markdown(
            "Tick **accept** for the incidents to keep, fix any field in the table, then "
            "append. Rows with *unresolved* items need a fix (for example a place and "
            "coordinates) before they can be stored."
        )
        edited = st.data_editor(
            candidates,
            key=_editor_key(),
            hide_index=True,
            num_rows="fixed",
            width="stretch",
            column_order=REVIEW_ORDER,
            disabled=["no", "event_id", *PROVENANCE_COLUMNS],
            column_config={
                "accept": st.column_config.CheckboxColumn("accept", default=False, width=55),
                "no": st.column_config.NumberColumn("#", width=35),
                "event_date": st.column_config.DateColumn("date", format="YYYY-MM-DD", width=95),
                "location": st.column_config.TextColumn("location", width=110),
                "unresolved": st.column_config.TextColumn("unresolved", width=230),
                "actor1": st.column_config.TextColumn("actor 1", width=150),
                "actor2": st.column_config.TextColumn("actor 2", width=150),
                "time_precision": st.column_config.NumberColumn(
                    "time prec.", min_value=1, max_value=3, help="1 day, 2 week, 3 month"
                ),
                "event_type": st.column_config.SelectboxColumn(
                    "event type", options=list(EVENT_TYPES), width=185
                ),
                "sub_event_type": st.column_config.SelectboxColumn(
                    "sub-event type",
                    options=[s for subs in SUB_EVENT_TYPES.values() for s in subs],
                ),
                "geo_precision": st.column_config.NumberColumn(
                    "geo prec.", min_value=1, max_value=3, help="1 town, 2 near, 3 region"
                ),
                "latitude": st.column_config.NumberColumn("lat", format="%.4f"),
                "longitude": st.column_config.NumberColumn("lon", format="%.4f"),
                "fatalities": st.column_config.NumberColumn("deaths", min_value=0, width=60),
                "injuries": st.column_config.NumberColumn("injuries", min_value=0),
                "confidence": st.column_config.ProgressColumn(
                    "confidence", min_value=0.0, max_value=1.0, format="%.2f", width=90
                ),
                "event_id": None,
                "paragraph": None,
            },
        )
        selected = edited[edited["accept"].fillna(False).astype(bool)]
        left, right = st.columns(2)
        if left.button(
            "Look up coordinates for locations without them",
            key="ingest_geocode",
            help="Uses the offline gazetteer for rows whose location you typed or changed.",
        ):
            _new_table(fill_coordinates(edited, _gazetteer()))
            st.rerun()
        if right.button(
            f"Append {len(selected)} accepted incident(s)",
            key="ingest_append_candidates",
            type="primary",
            disabled=selected.empty,
        ):
            numbers = [int(n) for n in selected["no"]]
            problems = check_candidates(selected)
            if problems:
                st.error("Nothing was appended: fix these accepted rows first (row = #).")
                table = _problem_table(problems)
                table["row"] = [numbers[r - 1] for r in table["row"]]
                st.dataframe(table, hide_index=True, width="stretch")
            else:
                try:
                    report = _append(
                        candidates_to_incidents(selected),
                        action="append",
                        source=st.session_state.get(REPORT_NAME, "reviewed candidates"),
                        file="reviewed candidates",
                        source_rows=numbers,
                    )
                except roles.AccessDenied as exc:
                    auth.show_denied(exc)
                except (IncidentFileError, StoreUnavailableError) as exc:
                    _unreadable(exc)
                else:
                    st.session_state[LAST_REPORT] = report
                    kept = edited[~edited.index.isin(selected.index)].reset_index(drop=True)
                    _new_table(kept)
                    st.rerun()
        with st.expander("The report's words for each candidate", expanded=True):
            _show_sentences(candidates)

# --------------------------------------------------------------------------
with tab_file:
    data_file = st.file_uploader(
        "ACLED export, UCDP GED CSV, or another CSV / GeoJSON",
        type=["csv", "geojson", "json"],
        key="ingest_data_file",
    )
    fmt = st.selectbox("Format", FORMATS, key="ingest_format") or FORMATS[0]
    mapping_file = (
        st.file_uploader("Column mapping (TOML)", type=["toml"], key="ingest_mapping")
        if fmt == "csv"
        else None
    )
    keep_vague = (
        st.checkbox(
            "Keep country-level or year-level UCDP rows at precision 3",
            key="ingest_keep_vague",
            help="By default UCDP rows with where_prec 6-7 or date_prec 5 are rejected.",
        )
        if fmt == "ucdp"
        else False
    )
    if st.button("Check file", key="ingest_check", disabled=data_file is None):
        assert data_file is not None
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(data_file.name).name
            path.write_bytes(data_file.getvalue())
            mapping_path = None
            if mapping_file is not None:
                mapping_path = Path(tmp) / "mapping.toml"
                mapping_path.write_bytes(mapping_file.getvalue())
            result: ImportResult | None
            try:
                result = import_file(
                    path, fmt, mapping_path, vague="keep" if keep_vague else "reject"
                )
            except IncidentFileError as exc:
                st.error("The file cannot be imported:")
                problems = _named(exc.problems, path, data_file.name)
                st.dataframe(_problem_table(problems), hide_index=True, width="stretch")
                result = None
            except ValueError as exc:  # the mapping file: its keys are the uploader's text
                st.error(escape_markdown(str(exc)))
                result = None
        # Parsing a big file leaves freed memory with the process: hand it back.
        release_memory()
        if result is not None:
            result.file = data_file.name
            result.problems = _named(result.problems, path, data_file.name)
            if not result.rejected.empty:
                result.rejected["reject_file"] = data_file.name
            st.session_state[IMPORT_RESULT] = result
            st.session_state[IMPORT_FILE_ID] = (data_file.file_id, fmt, keep_vague)
            st.session_state[LAST_REPORT] = None

    shown: ImportResult | None = st.session_state.get(IMPORT_RESULT)
    current = (data_file.file_id, fmt, keep_vague) if data_file is not None else None
    if shown is not None and current != st.session_state.get(IMPORT_FILE_ID):
        # The file, format or option changed since the check: the checked rows
        # are not what is on screen any more, so they cannot be appended.
        st.session_state[IMPORT_RESULT] = shown = None
        if data_file is not None:
            st.info("Press *Check file* to check this file before appending it.")
    if shown is not None:
        st.write(
            f"{escape_markdown(shown.file)}: {shown.rows_read} row(s) read, "
            f"{len(shown.frame)} ready to "
            f"append, {len(shown.rejected)} rejected."
        )
        st.dataframe(
            shown.frame.head(200),
            hide_index=True,
            width="stretch",
            column_order=[c for c in REVIEW_ORDER if c in shown.frame.columns]
            + [c for c in shown.frame.columns if c not in REVIEW_ORDER and c != "event_id"],
        )
        if not shown.rejected.empty:
            st.caption(
                f"Rejected rows (they will be written to "
                f"{auth.public_text(str(rejects_file(_target())))} with their reasons when "
                "you append):"
            )
            st.dataframe(_problem_table(shown.problems), hide_index=True, width="stretch")
        if st.button(
            f"Append {len(shown.frame)} row(s) to the store",
            key="ingest_append_file",
            type="primary",
        ):
            try:
                report = _append(
                    shown.frame,
                    action="import",
                    source=shown.file,
                    rejected=shown.rejected,
                    rejected_path=rejects_file(_target()),
                    file=shown.file,
                    source_rows=shown.source_rows,
                )
            except roles.AccessDenied as exc:
                auth.show_denied(exc)
            except (IncidentFileError, StoreUnavailableError) as exc:
                _unreadable(exc)
            except DedupeLimitError as exc:
                st.error(f"Nothing was appended: {escape_markdown(str(exc))}")
            else:
                st.session_state[LAST_REPORT] = report
                st.session_state[IMPORT_RESULT] = None
                release_memory()
                st.rerun()

# --------------------------------------------------------------------------
with tab_places:
    gazetteers.render(_store())

# --------------------------------------------------------------------------
with tab_sites:
    team.render_manage()
