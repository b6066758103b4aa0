"""Drawing: maps, briefings, snapshots and the shareable link.

Modules
-------
::

    style     colours and marker sizes shared by the map and the briefing
    assets    local Leaflet files for an offline map
    maps      folium map builders and their browser-side script
    brief     static PNG/PDF briefings (matplotlib)
    digest    the weekly "what changed" digest as HTML, Markdown or PDF
    snapshot  capturing a live dashboard view in headless Chromium
    urlstate  the dashboard state as query parameters

Import what you need from its module (``from geo.render.style import ...``);
the package itself loads nothing, so a light import stays light.
"""

__all__ = [
    "style",
    "assets",
    "maps",
    "brief",
    "digest",
    "snapshot",
    "urlstate",
]
