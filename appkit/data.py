"""Cached loaders: every page reads the same frames, computed once.

Each loader is keyed on its arguments; the incident loaders take the file's
modification time too (:class:`Source`), so an edited store (the Ingest
page, the command line) is read again on the next rerun. The incidents come
from the store's columnar copy (:func:`geo.io.columnar.prepared_incidents`):
rows checked, typed, joined and measured when they were stored, so a cold
start at 1,000,000 incidents takes seconds, not half a minute. Risk is cached per
(data, as-of date, window, overrides file). Filters then work on these
cached frames.

The joined incident frame is cached with ``st.cache_resource``, not
``st.cache_data``: ``cache_data`` hands every rerun a fresh unpickled copy,
which costs 0.05 s at 100,000 incidents and 0.9 s at 1,000,000 (measured
here), on every widget change. The frame is shared read-only: nothing in the
app or in ``geo/`` modifies a frame it is given (with pandas copy-on-write,
derived frames never write through). Everything else is small and uses
``cache_data``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import config
from geo.analysis import filters, periods, pipeline, risk
from geo.io import columnar, postgis_cache
from geo.io.backend import open_store
from geo.io.gazetteers import load_store_gazetteer, manifest_version
from geo.io.postgis import PostgisStore, is_database_url
from geo.reference import boundaries
from geo.reference.gazetteer import Gazetteer, load_gazetteer

if TYPE_CHECKING:
    from geo.render.brief.judgements import DraftData

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """An incident store and the version of it that was read.

    A file's version is its modification time. With ``GEO_DATABASE_URL``
    set, ``path`` is that URL and ``mtime_ns`` the database's data version
    (:meth:`geo.io.postgis.PostgisStore.data_version`, one indexed row per
    rerun), so a replica sees another one's append on its next rerun.
    """

    path: str
    mtime_ns: int

    @classmethod
    def current(cls) -> Source:
        """The configured store (``GEO_DATABASE_URL``, else ``GEO_INCIDENTS`` or the shipped CSV).

        Raises
        ------
        FileNotFoundError
            When the file does not exist.
        """
        if config.DATABASE_URL:
            return cls(config.DATABASE_URL, int(open_store(config.DATABASE_URL).data_version()))
        path = Path(config.INCIDENTS_CSV)
        return cls(str(path), path.stat().st_mtime_ns)


def admin1() -> gpd.GeoDataFrame:
    """The admin-1 areas the app joins, scores and draws (shared, read-only).

    The shipped layer of the covered countries, plus the areas of any other
    country the current store needs (an Iraqi or Iranian incident gets an
    area of its own country, never a neighbour's).
    """
    return _layers(Source.current()).admin1


def admin0() -> gpd.GeoDataFrame:
    """The country outlines the map draws, for the same countries as :func:`admin1`."""
    return _layers(Source.current()).admin0


@dataclass(frozen=True)
class _Layers:
    incidents: pd.DataFrame
    admin1: gpd.GeoDataFrame
    admin0: gpd.GeoDataFrame


@st.cache_resource(
    show_spinner="Reading incidents… (a store changed outside the app is checked and "
    "joined again once: about 20 s per million incidents)",
    max_entries=4,
)
def _layers(source: Source) -> _Layers:
    # The columnar copy beside the store holds the rows checked, typed,
    # joined and measured (geo.io.columnar); only a store edited by hand,
    # or new boundary data, makes it prepare them again, logging why.
    if is_database_url(source.path):
        # PostGIS stored each row's join and border distance when it was
        # appended; this replica keeps what it read in its own cache
        # (GEO_CACHE_DIR) and fetches only rows appended since.
        joined = postgis_cache.prepared_incidents(PostgisStore(source.path))
    else:
        joined = columnar.prepared_incidents(source.path, progress=_log.info)
    areas, outlines = pipeline.covered_areas_for(joined)
    return _Layers(joined, areas, outlines)


@st.cache_data(show_spinner=False)
def borders() -> gpd.GeoDataFrame:
    """Mali's international border lines, as the map draws them."""
    return boundaries.load_borders()


@st.cache_data(show_spinner=False)
def towns() -> pd.DataFrame:
    """Towns to label: the larger places of the covered countries and those the reports name."""
    return load_gazetteer().towns(iso3s=config.COVERED_ISO3)


@st.cache_resource(show_spinner="Loading the gazetteer…", max_entries=2)
def _gazetteer(store: str | None, manifest: str, _store: Any = None) -> Gazetteer:
    # Keyed on the store and its gazetteers' version: every add or remove
    # changes it, so a change made on the Ingest page, by another session or
    # by another replica is used at once. Stores without gazetteers share
    # one entry (store None).
    return load_gazetteer() if store is None else load_store_gazetteer(_store)


def gazetteer(store: Any = None) -> Gazetteer:
    """The store's gazetteers ahead of the shipped places (shared, read-only).

    Parameters
    ----------
    store : path-like or store object, optional
        The incident store; defaults to the configured one (the database
        when ``GEO_DATABASE_URL`` is set: its gazetteers travel with it).

    Raises
    ------
    geo.io.gazetteers.StoreGazetteerError
        The store's gazetteer configuration is broken (:func:`shipped_gazetteer`
        still works).
    """
    target = open_store() if store is None else store
    manifest = manifest_version(target)
    where = str(getattr(target, "location", target))
    return _gazetteer(where if manifest else None, manifest, target)


def shipped_gazetteer() -> Gazetteer:
    """The shipped places and the analyst overrides only (shared, read-only)."""
    return _gazetteer(None, "")


def incidents(source: Source) -> pd.DataFrame:
    """The store, validated, joined to areas and measured to borders (read-only, shared).

    Joined to :func:`admin1`'s areas. Border distances use the pipeline's
    default layer (every land border, so each incident is measured to its
    own country's); :func:`borders` is for drawing.
    """
    return _layers(source).incidents


@st.cache_resource(show_spinner=False, max_entries=2)
def draft_data(source: Source) -> DraftData:
    """The columns of the store the briefing's key-judgement draft reads, coded once per version.

    A filter change then drafts in milliseconds at 1,000,000 incidents,
    where drafting from :func:`incidents` copied the store three times
    (:func:`geo.render.brief.judgements.draft_data`; read-only, shared).
    """
    # Imported here: the briefing's modules (matplotlib) load only for a page that drafts.
    from geo.render.brief.judgements import draft_data as coded

    return coded(incidents(source))


@dataclass(frozen=True)
class Facts:
    """What the sidebar needs to know about the data, computed once per version."""

    bounds: tuple[dt.date, dt.date]
    choices: dict[str, tuple[str, ...]]
    country_names: dict[str, str]
    areas_by_country: dict[str, tuple[str, ...]]


@st.cache_data(show_spinner=False, max_entries=4)
def facts(source: Source) -> Facts:
    """Period, filter choices, ISO3 -> country name and areas per country of the store."""
    frame = incidents(source)
    pairs = frame[["iso3", "country"]].drop_duplicates()
    return Facts(
        bounds=periods.data_period(frame),
        choices=filters.filter_choices(frame),
        country_names=dict(zip(pairs["iso3"], pairs["country"], strict=True)),
        areas_by_country=filters.areas_by_country(frame),
    )


def _overrides_key() -> tuple[str, str] | None:
    """The configured store and its overrides' version, or None when it has none.

    The overrides travel with the store (:mod:`geo.io.store_overrides`): a
    store set with ``GEO_INCIDENTS`` never gets the shipped ones, and a
    database store's are in the database.
    """
    store = open_store()
    version = store.overrides_version()
    return (store.location, version) if version else None


@st.cache_data(show_spinner=False, max_entries=4)
def _overrides(key: tuple[str, str]) -> pd.DataFrame | None:
    del key  # the cache key: the store and its overrides' version
    return open_store().overrides()


@st.cache_data(show_spinner=False)
def _override_days(overrides: tuple[str, str]) -> tuple[dt.date, ...]:
    frame = _overrides(overrides)
    if frame is None:
        return ()
    return tuple(sorted(set(frame["set_on"].dropna().dt.date)))


def override_days() -> tuple[dt.date, ...]:
    """The days the analysts set their risk overrides (none when the file is absent or broken).

    A broken file is reported where risk is computed (:func:`area_risk`).
    """
    overrides = _overrides_key()
    if overrides is None:
        return ()
    try:
        return _override_days(overrides)
    except risk.RiskOverridesError:
        return ()


@st.cache_data(show_spinner="Scoring areas…")
def _risk(
    source: Source, as_of: dt.date, window: int, overrides: tuple[str, str] | None
) -> pd.DataFrame:
    return risk.score_areas(
        incidents(source),
        _layers(source).admin1,
        as_of,
        window_days=window,
        overrides=_overrides(overrides) if overrides else None,
    )


def area_risk(
    source: Source, as_of: dt.date, window: int, *, with_overrides: bool = True
) -> pd.DataFrame:
    """Risk of every area at ``as_of`` over ``window`` days, with the analysts' overrides.

    Computed from all incidents up to ``as_of`` (risk belongs to the area,
    not to the filtered view), as the briefing does.

    Raises
    ------
    geo.analysis.risk.RiskOverridesError
        When the overrides file has problems (call again without overrides).
    """
    return _risk(source, as_of, window, _overrides_key() if with_overrides else None)
