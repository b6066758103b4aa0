"""Cached loaders: every page reads the same frames, computed once.

``st.cache_data`` keys each loader on its arguments; the incident loaders
also take the file's modification time, so an edited store (the Ingest page,
the command line) is read again on the next rerun, and risk is cached per
(data, as-of date, window). Filters then work on these cached frames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import boundaries, config, risk
from geo.gazetteer import load_gazetteer
from geo.pipeline import prepare
from geo.store import read_incidents


@dataclass(frozen=True)
class Source:
    """An incident file and the version of it that was read."""

    path: str
    mtime_ns: int

    @classmethod
    def current(cls) -> Source:
        """The configured store (``GEO_INCIDENTS`` or ``data/incidents.csv``).

        Raises
        ------
        FileNotFoundError
            When the file does not exist.
        """
        path = Path(config.INCIDENTS_CSV)
        return cls(str(path), path.stat().st_mtime_ns)


@st.cache_data(show_spinner=False)
def admin1() -> gpd.GeoDataFrame:
    """The shipped admin-1 areas."""
    return boundaries.load_admin1()


@st.cache_data(show_spinner=False)
def admin0() -> gpd.GeoDataFrame:
    """The shipped country outlines."""
    return boundaries.load_admin0()


@st.cache_data(show_spinner=False)
def borders() -> gpd.GeoDataFrame:
    """Mali's international border lines."""
    return boundaries.load_borders()


@st.cache_data(show_spinner=False)
def towns() -> pd.DataFrame:
    """Towns to label: the larger places of the covered countries and those the reports name."""
    return load_gazetteer().towns(iso3s=config.COVERED_ISO3)


@st.cache_data(show_spinner="Reading incidents…")
def incidents(source: Source) -> pd.DataFrame:
    """The store, validated, joined to areas and measured to borders."""
    return prepare(read_incidents(source.path), areas=admin1(), borders=borders())


def _overrides_version() -> int:
    path = Path(config.RISK_OVERRIDES_FILE)
    return path.stat().st_mtime_ns if path.exists() else 0


@st.cache_data(show_spinner=False)
def _overrides(version: int) -> pd.DataFrame:
    # ``version`` only keys the cache: the file is read again when it changes.
    return risk.load_overrides()


@st.cache_data(show_spinner="Scoring areas…")
def _risk(source: Source, as_of: dt.date, window: int, overrides_version: int) -> pd.DataFrame:
    return risk.score_areas(
        incidents(source),
        admin1(),
        as_of,
        window_days=window,
        overrides=_overrides(overrides_version),
    )


def area_risk(source: Source, as_of: dt.date, window: int) -> pd.DataFrame:
    """Risk of every area at ``as_of`` over ``window`` days, with the analysts' overrides.

    Computed from all incidents up to ``as_of`` (risk belongs to the area,
    not to the filtered view), as the briefing does.
    """
    return _risk(source, as_of, window, _overrides_version())
