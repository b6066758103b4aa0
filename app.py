"""The conflict map dashboard: ``streamlit run app.py``.

Page config, who is here (sign-in and role, :mod:`appkit.auth`), the shared
sidebar (data, filters, URL state) and navigation; each page lives in
``views/``. Navigation lists only the pages the visitor's role allows, and
each page and each write checks the role again itself.

Why ``views/`` and not ``pages/``: Streamlit 1.67 still treats a ``pages/``
folder beside the entry script as a version-1 multipage app until the first
``st.navigation`` call of the process, so a fresh server's first request for
``/trends`` (a shared link) would run that file alone, without this script's
sidebar, and every AppTest run of a non-default page does the same.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from appkit import auth, controls
from geo.model import roles

st.set_page_config(
    page_title="Sahel conflict map",
    # A page's ":material/...:" icon would become the tab's icon, which
    # Streamlit fetches from a public font host; an emoji is drawn locally.
    page_icon="🗺️",
    layout="wide",
)

# (file, title, icon, the action that shows it); the first is the default page.
PAGES = (
    ("views/map.py", "Map", ":material/map:", roles.VIEW),
    ("views/trends.py", "Trends", ":material/show_chart:", roles.VIEW),
    ("views/watch.py", "Watch", ":material/notifications:", roles.VIEW),
    ("views/incidents.py", "Incidents", ":material/table_rows:", roles.VIEW),
    ("views/ingest.py", "Ingest", ":material/post_add:", roles.APPEND),
    ("views/audit.py", "Audit", ":material/history:", roles.VIEW_AUDIT),
    ("views/about.py", "About", ":material/info:", roles.VIEW),
)

visitor = auth.visitor()
if not roles.can(visitor.role, roles.VIEW):
    # Signed out, signed in without a role, or refused: one page, no data loaded.
    # A shared link to any page opens it too (rather than "page not found").
    gate = [st.Page(auth.gate_page, title="Sign in", icon=":material/login:", default=True)]
    gate += [
        st.Page(auth.gate_page, title="Sign in", url_path=Path(path).stem) for path, *_ in PAGES
    ]
    st.navigation(gate, position="hidden").run()
else:
    navigation = st.navigation(
        [
            st.Page(path, title=title, icon=icon, default=i == 0)
            for i, (path, title, icon, action) in enumerate(PAGES)
            if roles.can(visitor.role, action)
        ]
    )
    auth.mode_notice(visitor)
    auth.sidebar(visitor)
    controls.setup()
    navigation.run()
