"""Streamlit-side helpers for the dashboard pages (widgets, caching, URL state).

The library in ``geo/`` never imports Streamlit; this package is where the
app's Streamlit code that several pages share lives.
"""
