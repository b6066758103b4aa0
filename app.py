"""The conflict map dashboard: ``streamlit run app.py``.

Page config, the shared sidebar (data, filters, URL state) and navigation;
each page lives in ``views/``.

Why ``views/`` and not ``pages/``: Streamlit 1.67 still treats a ``pages/``
folder beside the entry script as a version-1 multipage app until the first
``st.navigation`` call of the process, so a fresh server's first request for
``/trends`` (a shared link) would run that file alone, without this script's
sidebar, and every AppTest run of a non-default page does the same.
"""

from __future__ import annotations

import streamlit as st

from appkit import controls

st.set_page_config(
    page_title="Sahel conflict map",
    # A page's ":material/...:" icon would become the tab's icon, which
    # Streamlit fetches from a public font host; an emoji is drawn locally.
    page_icon="🗺️",
    layout="wide",
)

navigation = st.navigation(
    [
        st.Page("views/map.py", title="Map", icon=":material/map:", default=True),
        st.Page("views/trends.py", title="Trends", icon=":material/show_chart:"),
        st.Page("views/incidents.py", title="Incidents", icon=":material/table_rows:"),
        st.Page("views/ingest.py", title="Ingest", icon=":material/post_add:"),
        st.Page("views/about.py", title="About", icon=":material/info:"),
    ]
)
controls.setup()
navigation.run()
