"""Incidents page: the filtered table and downloads of exactly what it shows.

Who added each incident (``added_by`` / ``added_at``) is left out of the
table and the files, which keep ACLED's layout; admins may ask for it.
"""

from __future__ import annotations

import streamlit as st

from appkit import auth, controls
from geo.io import export
from geo.model import roles
from geo.render.style import counted

ctx = controls.context()
filters = ctx.app.filters

st.title("Incidents")
with_audit = auth.can(roles.VIEW_AUDIT) and st.toggle(
    "Show who added each incident", key="incidents_audit", help="Adds added_by and added_at."
)
table = export.incidents_table(ctx.filtered, audit=with_audit)
st.caption(
    f"{counted(len(table), 'incident')} matching the filters, {filters.date_from:%d %b %Y} – "
    f"{filters.date_to:%d %b %Y}, newest first. Click a column header to sort."
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=560,
    column_config={
        "event_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
        "event_type": "Event type",
        "sub_event_type": "Sub-event type",
        "actor1": "Actor 1",
        "actor2": "Actor 2",
        "fatalities": st.column_config.NumberColumn(
            "Fatalities", help="Lower bound of the reported figures"
        ),
        "location": "Location",
        "area": "Area",
        "admin1": "Admin-1 (as reported)",
        "geo_precision": st.column_config.NumberColumn(
            "Geo prec.", help="1 town, 2 near town, 3 region"
        ),
        "time_precision": st.column_config.NumberColumn(
            "Time prec.", help="1 day, 2 week, 3 month"
        ),
        "border_km": st.column_config.NumberColumn("Border km", format="%.1f"),
        "border_neighbour": "Across border",
        "notes": st.column_config.TextColumn("Notes", width="large"),
        "added_by": "Added by",
        "added_at": "Added at (UTC)",
    },
)
stem = f"incidents_{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}"
csv, geojson = st.columns(2)
# The files are made on click (a callable), from the same frame as the table.
csv.download_button(
    "Download CSV",
    lambda: export.to_csv_bytes(table),
    file_name=f"{stem}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    disabled=table.empty,
)
geojson.download_button(
    "Download GeoJSON",
    lambda: export.to_geojson(table).encode("utf-8"),
    file_name=f"{stem}.geojson",
    mime="application/geo+json",
    on_click="ignore",
    icon=":material/download:",
    disabled=table.empty,
)
