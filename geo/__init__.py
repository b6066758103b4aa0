"""Sahel conflict map: the library behind the dashboard.

The package never imports Streamlit; pages and the command line call it.
"""

from __future__ import annotations

__version__ = "0.1.0"
