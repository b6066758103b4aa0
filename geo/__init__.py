"""Sahel conflict map: the library behind the dashboard.

The package never imports Streamlit; pages and the command line call it.
The front door below names the entry points a user of the library needs;
each is loaded on first use, so ``import geo`` (and ``python -m geo --help``)
stays fast and a script pays only for what it calls.

Example
-------
>>> from geo import read_incidents, prepare, score_areas  # doctest: +SKIP
>>> joined = prepare(read_incidents("data/incidents.csv"))  # doctest: +SKIP

Rooms (see docs/architecture.md): ``geo.model`` (the incident model, levels),
``geo.reference`` (gazetteer, geocoders, boundaries), ``geo.analysis`` (joins,
filters, risk, summaries), ``geo.io`` (store, imports, extraction, exports),
``geo.render`` (maps, briefings, snapshots, the shareable link) and
``geo.cli`` (``python -m geo``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> the module that defines it.
_ENTRY_POINTS: dict[str, str] = {
    "read_incidents": "geo.io.store",
    "write_incidents": "geo.io.store",
    "append_incidents": "geo.io.store",
    "validate_frame": "geo.model.schema",
    "prepare": "geo.analysis.pipeline",
    "score_areas": "geo.analysis.risk",
    "FilterState": "geo.analysis.filters",
    "apply_filters": "geo.analysis.filters",
    "build_map": "geo.render.maps",
    "render_brief": "geo.render.brief",
    "load_gazetteer": "geo.reference.gazetteer",
    "load_admin1": "geo.reference.boundaries",
    "import_file": "geo.io.ingest",
    "extract_candidates": "geo.io.extract",
}

__all__ = [
    "FilterState",
    "__version__",
    "append_incidents",
    "apply_filters",
    "build_map",
    "extract_candidates",
    "import_file",
    "load_admin1",
    "load_gazetteer",
    "prepare",
    "read_incidents",
    "render_brief",
    "score_areas",
    "validate_frame",
    "write_incidents",
]

if TYPE_CHECKING:  # the same names, for type checkers and editors
    from geo.analysis.filters import FilterState, apply_filters
    from geo.analysis.pipeline import prepare
    from geo.analysis.risk import score_areas
    from geo.io.extract import extract_candidates
    from geo.io.ingest import import_file
    from geo.io.store import append_incidents, read_incidents, write_incidents
    from geo.model.schema import validate_frame
    from geo.reference.boundaries import load_admin1
    from geo.reference.gazetteer import load_gazetteer
    from geo.render.brief import render_brief
    from geo.render.maps import build_map


def __getattr__(name: str) -> Any:
    module = _ENTRY_POINTS.get(name)
    if module is None:
        raise AttributeError(f"module 'geo' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_ENTRY_POINTS))
