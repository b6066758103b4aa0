"""Folium map builders for the dashboard and standalone exports (no Streamlit).

:func:`build_map` draws the filtered incidents over admin-1 risk shading,
borders, towns and country outlines, with a legend, and returns a
``folium.Map`` that works offline (local Leaflet files, see
:mod:`geo.render.assets`). How it is drawn (layers, basemap, view, limits)
is a :class:`MapOptions`.

The package, by what it holds:

- :mod:`~geo.render.maps.view`: the URL-facing layer names and :class:`MapView`;
- :mod:`~geo.render.maps.escaping`: text and JSON made safe for the page;
- :mod:`~geo.render.maps.elements`: the folium elements and the browser
  side (``map_layers.js``, ``view_sync.js``, ``map_style.css``);
- :mod:`~geo.render.maps.geography`: areas, countries, borders and towns;
- :mod:`~geo.render.maps.incidents` and :mod:`~geo.render.maps.grid`: the
  incident layer and the heat map;
- :mod:`~geo.render.maps.sites`: the team's sites and routes (only when passed);
- :mod:`~geo.render.maps.legend` and :mod:`~geo.render.maps.symbols`: the legend;
- :mod:`~geo.render.maps.options` and :mod:`~geo.render.maps.page`: the
  options and the page assembly;
- :mod:`~geo.render.maps.live`: the dashboard's map as a base page kept
  across filter changes plus an overlay script for what the filters change.

Staying light at any size
-------------------------
One folium ``CircleMarker`` with a popup per incident costs about 1 kB of
HTML and half a millisecond to build, so 50,000 incidents give a 50 MB page
that takes half a minute to build. This package never builds per-incident
folium objects. Incidents travel as one compact column-wise JSON payload
(strings dictionary-coded and escaped once per distinct value) and the
browser creates the markers and builds a popup only when it is opened.
Three modes, chosen from the number of incidents drawn:

- ``points`` (up to ``cluster_threshold``, 1,000): one circle per incident,
  coloured by event type, sized by fatalities; popups include the notes.
- ``clusters`` (up to ``aggregate_threshold``, 20,000): the same circles in
  a marker-cluster layer whose cluster icons show the mix of event types;
  notes stay on the Incidents page.
- ``grid`` (above): incidents are aggregated in Python onto a regular
  lon/lat grid (cell size chosen so that at most ``grid_max_cells`` cells
  are drawn): one circle per cell, sized by incidents, coloured by the most
  frequent event type, with counts per type and fatalities in its popup.

The heat map is always drawn from a grid aggregate, weighted by incidents.

Untrusted text
--------------
Every text value that reaches the page goes through :func:`escape_text`
(HTML escaping plus ``$``, backtick and backslash as entities, so nothing
can close a JavaScript template literal or start a ``${...}``
substitution), and every JSON payload is embedded with ``<``, ``>`` and
``&`` as ``\\u`` escapes, so no value can close a ``<script>`` tag.

The view in the URL
-------------------
See :class:`MapView` (``lat``, ``lon``, ``z`` query parameters) and
:class:`geo.render.maps.elements.ViewSync` for how the map keeps the page
URL in step with what the user sees.
"""

from __future__ import annotations

from geo.render.maps.escaping import escape_text
from geo.render.maps.grid import GridAggregate, grid_aggregate
from geo.render.maps.options import MapOptions
from geo.render.maps.page import build_map
from geo.render.maps.view import (
    DEFAULT_LAYERS,
    LAYER_LABELS,
    LAYERS,
    LAYERS_PARAM,
    MapView,
    layers_from_param,
    layers_to_param,
)

__all__ = [
    "DEFAULT_LAYERS",
    "LAYERS",
    "LAYERS_PARAM",
    "LAYER_LABELS",
    "GridAggregate",
    "MapOptions",
    "MapView",
    "build_map",
    "escape_text",
    "grid_aggregate",
    "layers_from_param",
    "layers_to_param",
]
