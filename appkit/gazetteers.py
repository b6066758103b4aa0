"""The Ingest page's Gazetteers tab: the store's own place lists.

An analyst uploads a populated-places file (an OCHA COD CSV, a zipped
shapefile, a GeoPackage or a GeoJSON point layer), checks the guessed
columns against a preview, and saves it; from then on report extraction,
coordinate look-ups and the command line find its places ahead of the
shipped list. The logic lives in :mod:`geo.io.gazetteer_files` and
:mod:`geo.io.gazetteers`; this module holds the widgets.

Changing the store's gazetteers goes through :func:`save_gazetteer` and
:func:`remove_store_gazetteer` only: each checks the visitor's role at that
moment (:func:`appkit.auth.require`) and records the change in the audit
trail (:mod:`geo.io.audit`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from appkit import auth
from appkit import data as cache
from appkit.text import escape_markdown
from geo.io import audit
from geo.io.backend import IncidentStore
from geo.io.gazetteer_files import (
    GEOMETRY,
    PLACE_FILE_SUFFIXES,
    ColumnMapping,
    PlaceFileError,
    PlaceProblem,
    PlaceSource,
    guess_mapping,
    read_place_file,
)
from geo.io.gazetteers import (
    StoreGazetteer,
    StoreGazetteerError,
    add_gazetteer,
    list_gazetteers,
    remove_gazetteer,
)
from geo.model import roles
from geo.reference.gazetteer import Gazetteer

# The store the gazetteers belong to: a store object (geo.io.backend.open_store:
# the database when GEO_DATABASE_URL is set) or an incident CSV's path.
Store = IncidentStore | Path

__all__ = ["in_use", "remove_store_gazetteer", "render", "save_gazetteer", "store_gazetteer"]

UPLOAD = "gaz_file"
SOURCE = "gaz_source"  # (upload file_id, PlaceSource or None when unreadable)
SAVED = "gaz_saved_file_id"
FORM = "gaz_form"  # number of the current file's pickers
NOTICE = "gaz_notice"
NONE = "(none)"

# Role -> (label, help) of the column pickers, in the order shown.
_PICKERS: dict[str, tuple[str, str]] = {
    "name": ("Place name", "The column with the village or town name."),
    "latitude": ("Latitude", "Decimal degrees (EPSG:4326); a decimal comma is fine."),
    "longitude": ("Longitude", "Decimal degrees (EPSG:4326); a decimal comma is fine."),
    "admin1": ("Admin-1 (region)", "Used to tell same-named places apart."),
    "country": ("Country", "ISO3, ISO2 (as COD P-codes start) or an English name."),
    "alternates": ("Alternate names", "Other spellings, separated by |."),
    "pcode": ("P-code", "Kept with each place so it can be traced to your list."),
}
_REQUIRED = ("name", "latitude", "longitude")


def store_gazetteer(store: Store) -> Gazetteer:
    """The store's gazetteers ahead of the shipped list; the shipped list alone, with a
    warning, when the store's configuration is broken."""
    try:
        return cache.gazetteer(store)
    except StoreGazetteerError as exc:
        st.warning(f"The store's gazetteers are not used: {escape_markdown(str(exc))}")
        return cache.shipped_gazetteer()


def in_use(store: Store) -> str:
    """A line saying which of the store's gazetteers are searched first ("" when none)."""
    try:
        entries = list_gazetteers(store)
    except StoreGazetteerError:
        return ""  # said where the gazetteer is loaded (store_gazetteer)
    if not entries:
        return ""
    listed = ", ".join(f"{e.name} ({e.rows} places)" for e in entries)
    return f"Places are looked up first in the store's gazetteers: {listed}."


def save_gazetteer(
    store: Store,
    source: PlaceSource,
    mapping: ColumnMapping,
    *,
    name: str,
    country: str | None,
    precision: int,
) -> StoreGazetteer:
    """Keep an uploaded place file as one of the store's gazetteers (the one write action).

    Raises
    ------
    geo.model.roles.AccessDenied
        The visitor may not change the store's gazetteers now; nothing is saved.
    geo.io.gazetteer_files.PlaceFileError, geo.io.gazetteers.StoreGazetteerError
        Nothing is saved.
    """
    who = auth.require(roles.MANAGE_GAZETTEERS)
    entry = add_gazetteer(
        store,
        source,
        mapping,
        name=name,
        country=country,
        precision=precision,
        loaded_by=who.who,
    )
    _record(store, who, "gazetteer.add", entry)
    return entry


def remove_store_gazetteer(store: Store, name: str) -> StoreGazetteer:
    """Remove one of the store's gazetteers (the one delete action; checked and recorded)."""
    who = auth.require(roles.MANAGE_GAZETTEERS)
    entry = remove_gazetteer(store, name)
    _record(store, who, "gazetteer.remove", entry)
    return entry


def _record(store: Store, who: auth.Visitor, action: str, entry: StoreGazetteer) -> None:
    audit.record(
        store,
        who=who.who,
        role=str(who.role),
        action=action,
        source=entry.source_file,
        detail={"gazetteer": entry.name, "places": entry.rows},
    )


# --------------------------------------------------------------------------
# The tab


def render(store: Store) -> None:
    """The Gazetteers tab: what is loaded, then loading another."""
    st.caption(
        "Place lists you load here are kept with the store and searched before the "
        "shipped GeoNames places when reports are read and locations looked up (also by "
        "`python -m geo extract` and `geocode`). Earlier lists win over later ones."
    )
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.success(notice)
    _loaded(store)
    st.subheader("Load a gazetteer")
    _load(store)


def _loaded(store: Store) -> None:
    try:
        entries = list_gazetteers(store)
    except StoreGazetteerError as exc:
        st.error(escape_markdown(str(exc)))
        return
    if not entries:
        st.info("No gazetteers loaded: only the shipped places are used.")
        return
    st.subheader("Loaded gazetteers")
    st.dataframe(_entry_table(entries), hide_index=True, width="stretch")
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    name = left.selectbox("Gazetteer to remove", [e.name for e in entries], key="gaz_remove_name")
    if right.button("Remove", key="gaz_remove", disabled=name is None):
        try:
            gone = remove_store_gazetteer(store, str(name))
        except roles.AccessDenied as exc:
            auth.show_denied(exc)
        except StoreGazetteerError as exc:
            st.error(escape_markdown(str(exc)))
        else:
            st.session_state[NOTICE] = (
                f"Removed {escape_markdown(repr(gone.name))} ({gone.rows} places)."
            )
            st.rerun()


def _entry_table(entries: list[StoreGazetteer]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gazetteer": [e.name for e in entries],
            "places": [e.rows for e in entries],
            "from file": [e.source_file for e in entries],
            "loaded at (UTC)": [e.loaded_at.replace("T", " ")[:16] for e in entries],
            "loaded by": [e.loaded_by for e in entries],
            "country": [e.country or f"column {e.columns.get('country', '')}" for e in entries],
            "geo_precision": [e.precision for e in entries],
            "columns": [
                ", ".join(f"{role}={col}" for role, col in e.columns.items()) for e in entries
            ],
        }
    )


def _load(store: Store) -> None:
    uploaded = st.file_uploader(
        "Populated places: CSV, zipped shapefile, GeoPackage or GeoJSON",
        type=[s.lstrip(".") for s in PLACE_FILE_SUFFIXES],
        key=UPLOAD,
        help="An OCHA COD populated-places export (HDX) reads as it is; any other list "
        "needs a name and coordinates for each place.",
    )
    if uploaded is None:
        return
    if st.session_state.get(SAVED) == uploaded.file_id:
        st.caption(
            f"{escape_markdown(uploaded.name)} is saved (see above); remove it here to load "
            "another file."
        )
        return
    source = _read(uploaded)
    if source is None:
        return
    st.caption(f"{escape_markdown(uploaded.name)}: {len(source.table)} row(s); the first ones:")
    st.dataframe(source.preview(), hide_index=True, width="stretch")
    mapping = _pick_columns(source)
    name, country, precision = _options(source, mapping)
    if st.button("Save gazetteer", key="gaz_save", type="primary", disabled=mapping is None):
        assert mapping is not None
        if _save(store, source, mapping, name=name, country=country, precision=precision):
            st.session_state[SAVED] = uploaded.file_id
            st.rerun()


def _read(uploaded: object) -> PlaceSource | None:
    """The upload read once per file (the widgets below rerun the page often).

    A new file gets new pickers (their keys carry a form number): widgets
    keep their browser-side value under an old key, so only fresh keys show
    the new file's guesses.
    """
    file_id = getattr(uploaded, "file_id", None)
    cached = st.session_state.get(SOURCE)
    if cached is None or cached[0] != file_id:
        cached = (file_id, *_read_upload(uploaded))
        st.session_state[SOURCE] = cached
        st.session_state[FORM] = st.session_state.get(FORM, 0) + 1
    source: PlaceSource | None = cached[1]
    if cached[2]:
        _show_problems("The file cannot be read", cached[2])
    return source


def _key(name: str) -> str:
    """The widget key of ``name`` in the current file's form."""
    return f"{name}_{st.session_state.get(FORM, 0)}"


def _read_upload(uploaded: object) -> tuple[PlaceSource | None, list[PlaceProblem]]:
    name = Path(str(getattr(uploaded, "name", "upload"))).name
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(uploaded.getvalue())  # type: ignore[attr-defined]
        try:
            return read_place_file(path, file=name), []
        except PlaceFileError as exc:
            return None, exc.problems


def _pick_columns(source: PlaceSource) -> ColumnMapping | None:
    """One picker per role, preset to the guess; None while a required one is unset."""
    guess = guess_mapping(source)
    columns = source.columns
    picked: dict[str, str | None] = {}
    cells = st.columns(4) + st.columns(4)
    for cell, (role, (label, help_text)) in zip(cells, _PICKERS.items(), strict=False):
        options = columns if role in _REQUIRED else [NONE, *columns]
        if source.geometry is None or role not in ("latitude", "longitude"):
            options = [c for c in options if c != GEOMETRY]
        default = guess[role] if guess[role] in options else options[0]
        choice = cell.selectbox(
            label,
            options,
            index=options.index(default) if default in options else None,
            key=_key(f"gaz_col_{role}"),
            help=help_text,
        )
        picked[role] = None if choice in (None, NONE) else str(choice)
    if any(picked[role] is None for role in _REQUIRED):
        return None
    return ColumnMapping(**picked)  # type: ignore[arg-type]


def _options(source: PlaceSource, mapping: ColumnMapping | None) -> tuple[str, str | None, int]:
    left, middle, right = st.columns([2, 2, 1])
    name = left.text_input(
        "Name of this gazetteer",
        value=Path(source.file).stem,
        key=_key("gaz_name"),
        help="How it is listed here; places found in it carry the source user:<its file>, "
        "a file name made from this name.",
    )
    no_column = mapping is not None and mapping.country is None
    country = middle.text_input(
        "Country of every place" if no_column else "Country where the cell is empty",
        key=_key("gaz_country"),
        placeholder="e.g. MLI",
        help="ISO3, ISO2 or English name. Needed when no country column is picked.",
    )
    precision = right.selectbox(
        "geo_precision",
        (1, 2, 3),
        key=_key("gaz_precision"),
        help="Given to incidents placed at these places: 1 a town or village.",
    )
    return name, country.strip() or None, int(precision or 1)


def _save(
    store: Store,
    source: PlaceSource,
    mapping: ColumnMapping,
    *,
    name: str,
    country: str | None,
    precision: int,
) -> bool:
    """Save and say so on the next run; show why not and return False on problems."""
    try:
        entry = save_gazetteer(
            store, source, mapping, name=name, country=country, precision=precision
        )
    except PlaceFileError as exc:
        _show_problems(
            "Nothing was saved: fix these in your file or pick other columns", exc.problems
        )
        return False
    except StoreGazetteerError as exc:
        st.error(f"Nothing was saved: {escape_markdown(str(exc))}")
        return False
    except roles.AccessDenied as exc:
        auth.show_denied(exc)
        return False
    st.session_state[NOTICE] = (
        f"Loaded {escape_markdown(repr(entry.name))}: {entry.rows} places from "
        f"{escape_markdown(entry.source_file)}. They are "
        "used from now on, ahead of the shipped places."
    )
    return True


def _show_problems(message: str, problems: list[PlaceProblem]) -> None:
    st.error(f"{message} ({len(problems)} problem(s))")
    table = pd.DataFrame(
        [(p.file, p.row, p.column, p.value, p.problem) for p in problems],
        columns=["file", "row", "column", "value", "problem"],
    )
    st.dataframe(table, hide_index=True, width="stretch")
