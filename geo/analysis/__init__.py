"""Analysis: joins, filters and scores over incidents and reference layers.

Modules
-------
::

    geodesy      geodesic distances and search boxes
    spatial      joining incidents to areas, with snapping
    borders      distance to the nearest land border
    proximity    the nearest team site or route of each incident: distance, bearing
    consistency  checking a row's stated admin-1 against its point
    pipeline     read, join and measure in one call (prepare)
    filters      the filter state shared by the map, the link and the briefing
    periods      data span, presets and week steps
    summary      headline figures, the risk table, weekly series
    risk         region risk: configuration, components, trends, overrides, scores
    watch        what changed per area and week: alerts that say why, the week's digest

Import what you need from its module (``from geo.analysis.geodesy import ...``);
the package itself loads nothing, so a light import stays light.
"""

__all__ = [
    "geodesy",
    "spatial",
    "borders",
    "proximity",
    "consistency",
    "pipeline",
    "filters",
    "periods",
    "summary",
    "risk",
    "watch",
]
