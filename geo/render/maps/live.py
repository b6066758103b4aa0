"""The dashboard's live map: one page kept across filter changes, plus an overlay.

A filter change used to send the browser a whole new map page (about
1.2 MB at a million incidents: the area shapes, borders and towns again,
with the incidents) in a new frame, which the browser then loaded and drew
from scratch: 0.5-0.9 s from click to drawn. Most of that page does not
depend on the filters. A live map is built in two parts:

- the **base**: a ``folium.Map`` with everything that depends only on the
  reference layers and the options (basemap, countries, the areas' shapes,
  borders, towns, the team's sites, the searched place, the view and its
  URL sync), and the plugin files any incident layer may need. Built from
  the same options it is the same page, whatever the filters;
- the **overlay**: what depends on the incidents and the risk (the areas'
  risk shading and tooltips, the incidents, the heat map, the playback and
  the legend), as one script, :func:`overlay_script`.

The page runs the overlay script after the base; a later overlay replaces
the earlier one in place (``GeoMap.overlay`` in ``map_layers.js``), and the
same overlay sent again changes nothing (each carries a digest of itself).
``appkit/map_cache.py`` sends the base as streamlit-folium's map and the
overlay as its ``feature_group`` script, so the component keeps its frame.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import folium
import pandas as pd
from branca.element import MacroElement
from folium.map import Layer

from geo.render.maps.escaping import script_json
from geo.render.maps.options import MapOptions
from geo.render.maps.page import MapData, assemble

__all__ = ["LiveMap", "build_live_map", "overlay_script"]


@dataclass(frozen=True)
class LiveMap:
    """A map in two parts (see the module's docstring).

    Attributes
    ----------
    base : folium.Map
        The page; its content depends on the reference layers and options only.
    overlay : tuple of MacroElement
        The elements that depend on the incidents and the risk, in drawing
        order. Each has ``base`` as its parent but is not in its tree.
    """

    base: folium.Map
    overlay: tuple[MacroElement, ...]


def build_live_map(
    incidents: pd.DataFrame,
    *,
    areas: pd.DataFrame | None = None,
    risk: pd.DataFrame | None = None,
    borders: pd.DataFrame | None = None,
    towns: pd.DataFrame | None = None,
    admin0: pd.DataFrame | None = None,
    options: MapOptions | None = None,
    sites: pd.DataFrame | None = None,
) -> LiveMap:
    """:func:`geo.render.maps.build_map`'s map, split into a base and an overlay.

    Parameters and errors as :func:`geo.render.maps.build_map`. The base
    with :func:`overlay_script` run after it shows the same map.
    """
    data = MapData(incidents, areas, risk, borders, towns, admin0, sites)
    base, overlay = assemble(data, options or MapOptions(), live=True)
    return LiveMap(base, tuple(overlay))


def overlay_script(live: LiveMap) -> str:
    """The overlay as one script to run in the base's page.

    Call it after the base's script was generated: the overlay names the
    base's map and layers by the names they have then (streamlit-folium
    renames them when it renders the base). The overlay's own elements are
    named by their position, so the same overlay gives the same script.

    Returns
    -------
    str
        ``GeoMap.overlay(<map>, "<digest>", function (map) { ... });``
    """
    for index, element in enumerate(live.overlay):
        element._id = f"overlay{index}"
    parts = []
    map_name = live.base.get_name()
    for element in live.overlay:
        parts.append(element._template.module.script(element, {}))
        if isinstance(element, Layer) and element.show:
            parts.append(f"GeoMap.own({element.get_name()}.addTo({map_name}));")
    body = "\n".join(parts)
    token = hashlib.sha256(body.encode("utf-8")).hexdigest()[:20]
    return f"GeoMap.overlay({map_name}, {script_json(token)}, function () {{\n{body}\n}});\n"
