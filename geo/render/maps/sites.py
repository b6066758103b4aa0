"""The team's sites and routes as their own map layer (drawn only when the caller passes them).

Sites are sensitive: :func:`geo.render.maps.build_map` draws them only when
it is given a site frame, and the app passes one to team members only
(``appkit/sites.py``), so a viewer's page never holds a site's name or
position. A site is a diamond with a dashed ring at its radius; a route is a
line. Names and kinds are untrusted text: they reach the page through
:func:`~geo.render.maps.escaping.escape_text` inside a JSON payload, and the
layer's own small script draws them (no folium object per site, nothing
parsed again as a template).
"""

from __future__ import annotations

from typing import Any

import folium
import pandas as pd
import shapely
from folium.map import Layer
from folium.template import Template

from geo.render.maps.elements import Verbatim
from geo.render.maps.escaping import escape_text, script_json
from geo.render.maps.frames import lonlat_geometries, require
from geo.render.maps.symbols import legend_row, line

__all__ = ["SITE_COLOUR", "SITE_PANE", "SiteLayer", "add_sites", "sites_legend_html"]

# Magenta: apart from the event-type colours, the risk ramp and the borders.
SITE_COLOUR = "#c51b7d"
SITE_PANE = ("geo-sites", 460)
_LABEL = "Our sites"

_SCRIPT = """
var {{ this.get_name() }} = (function (map, sites, colour, pane) {
    if (!map.getPane(pane[0])) { map.createPane(pane[0]).style.zIndex = pane[1]; }
    var group = L.featureGroup(), tip = {sticky: true, className: "geo-tip", opacity: 0.96};
    var icon = L.divIcon({className: "geo-site", iconSize: [14, 14], iconAnchor: [7, 7],
        html: '<div style="width:10px;height:10px;margin:2px;transform:rotate(45deg);background:'
            + colour + ';border:1.5px solid #fff;box-shadow:0 0 0 1px ' + colour + '"></div>'});
    function flip(xy) { return [xy[1], xy[0]]; }
    sites.forEach(function (s) {
        var layer;
        if (s.p) {
            L.circle(flip(s.p), {radius: s.r * 1000, pane: pane[0], color: colour, weight: 1.2,
                opacity: 0.8, dashArray: "4 4", fill: false, interactive: false}).addTo(group);
            layer = L.marker(flip(s.p), {icon: icon, pane: pane[0], keyboard: false});
        } else {
            layer = L.polyline(s.l.map(function (part) { return part.map(flip); }),
                {pane: pane[0], color: colour, weight: 4, opacity: 0.9});
        }
        layer.bindTooltip(s.t, tip).addTo(group);
    });
    return group;
})({{ this._parent.get_name() }}, {{ this.payload }}, {{ this.colour }}, {{ this.pane }});
"""


class SiteLayer(Layer, Verbatim):
    """Sites (diamonds with their radius) and routes (lines), from one escaped payload."""

    _template = Template("{% macro script(this, kwargs) %}" + _SCRIPT + "{% endmacro %}")

    def __init__(self, payload: list[dict[str, Any]], name: str = _LABEL):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "SiteLayer"
        self.payload = script_json(payload)
        self.colour = script_json(SITE_COLOUR)
        self.pane = script_json(list(SITE_PANE))


def _tooltip(name: object, kind: object, radius: float, is_point: bool) -> str:
    what = escape_text(kind) or ("site" if is_point else "route")
    extra = f" &middot; radius {radius:g} km" if pd.notna(radius) else ""
    return (
        f'<div class="geo-tip-title">{escape_text(name)}</div>'
        f'<div class="geo-muted">{what}{extra}</div>'
    )


def _payload(sites: pd.DataFrame) -> list[dict[str, Any]]:
    """One entry per site: ``p`` (a point's lon/lat) or ``l`` (a line's parts), ``r``, ``t``."""
    geoms = lonlat_geometries(sites)
    kinds = sites["kind"] if "kind" in sites.columns else pd.Series("", index=sites.index)
    radius = (
        pd.to_numeric(sites["radius_km"], errors="coerce")
        if "radius_km" in sites.columns
        else pd.Series(float("nan"), index=sites.index)
    )
    out: list[dict[str, Any]] = []
    for name, kind, km, geom in zip(sites["name"], kinds, radius, geoms, strict=True):
        if geom is None or shapely.is_empty(geom):
            continue
        is_point = geom.geom_type == "Point"
        entry: dict[str, Any] = {"t": _tooltip(name, kind, km, is_point)}
        if is_point:
            entry["p"] = [round(geom.x, 5), round(geom.y, 5)]
            entry["r"] = float(km) if pd.notna(km) else 0.0
        else:
            parts = getattr(geom, "geoms", [geom])
            entry["l"] = [shapely.get_coordinates(p).round(5).tolist() for p in parts]
        out.append(entry)
    return out


def add_sites(m: folium.Map, sites: pd.DataFrame) -> Layer:
    """Draw ``sites`` (``name``, ``geometry``; ``kind``, ``radius_km`` when present) on ``m``."""
    require(sites, ["name", "geometry"], "sites")
    layer = SiteLayer(_payload(sites))
    layer.add_to(m)
    return layer


def sites_legend_html(legend: str = "") -> str:
    """``legend`` with the sites section added, inside its closing ``</details>`` if it has one."""
    diamond = (
        '<span class="geo-dot" style="border-radius:1px;transform:rotate(45deg) scale(.8);'
        f'background:{SITE_COLOUR};box-shadow:none"></span>'
    )
    rows = legend_row(diamond, "Site (dashed: its radius)") + legend_row(
        line(SITE_COLOUR, 4), "Route"
    )
    section = f'<div data-layer="sites"><h4>{_LABEL}</h4>{rows}</div>'
    head, closing, tail = legend.rpartition("</details>")
    return f"{head}{section}{closing}{tail}" if closing else legend + section
