"""The folium elements the map is made of; each renders its own script.

No folium object is made per incident: each layer is one element holding
one payload, and ``map_layers.js`` (the ``GeoMap`` browser script, embedded
in every map with ``map_style.css``) draws it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import folium
from branca.element import Figure
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from geo.render.assets import VENDOR_SCHEME, RawText
from geo.render.maps.escaping import script_json
from geo.render.maps.symbols import HEAT_GRADIENT
from geo.render.maps.view import MapView
from geo.render.style import TOWN_COLOUR

__all__ = [
    "MAP_CSS_FILE",
    "AreaStyles",
    "MAP_JS_FILE",
    "PANES",
    "VIEW_SYNC_INTERVAL_MS",
    "GeoJsonLayer",
    "HeatLayer",
    "IncidentLayer",
    "Legend",
    "MapSetup",
    "OverlayPlugins",
    "TownLayer",
    "Verbatim",
    "ViewSync",
]

# Panes fix the drawing order whatever order layers are toggled in.
# (name, z-index, takes pointer events)
PANES: tuple[tuple[str, int, bool], ...] = (
    ("geo-context", 350, False),
    ("geo-areas", 390, True),
    ("geo-lines", 420, True),
    ("geo-towns", 440, False),
    ("geo-incidents", 450, True),
    ("geo-country-labels", 630, False),
)

# The browser side (our own code): one script defining `GeoMap`, and its
# stylesheet. Both are embedded in every map, so a map needs nothing but the
# vendor files.
MAP_JS_FILE = Path(__file__).with_name("map_layers.js")
MAP_CSS_FILE = Path(__file__).with_name("map_style.css")
# The view in the URL (ViewSync), a script of its own.
VIEW_SYNC_JS_FILE = Path(__file__).with_name("view_sync.js")
VIEW_SYNC_INTERVAL_MS = 400

# The plugins' files: (folium's name for the link, where the file is).
_CLUSTER_JS = ("markerclusterjs", VENDOR_SCHEME + "leaflet.markercluster/leaflet.markercluster.js")
_CLUSTER_CSS = ("markerclustercss", VENDOR_SCHEME + "leaflet.markercluster/MarkerCluster.css")
_HEAT_JS = ("leaflet-heat.js", VENDOR_SCHEME + "leaflet.heat/leaflet-heat.js")


@cache
def _view_sync_code() -> str:
    return VIEW_SYNC_JS_FILE.read_text(encoding="utf-8")


@cache
def _browser_code() -> tuple[str, str]:
    return (
        MAP_JS_FILE.read_text(encoding="utf-8"),
        MAP_CSS_FILE.read_text(encoding="utf-8"),
    )


def _macro(script: str) -> Template:
    return Template("{% macro script(this, kwargs) %}" + script + "{% endmacro %}")


class Verbatim(folium.MacroElement):
    """A MacroElement whose rendered parts reach the page as they are.

    folium's ``MacroElement.render`` wraps each rendered part in
    ``Element(text)``, which compiles the text as a *Jinja template* and
    renders it again. Payloads hold untrusted text: ``{#`` in a note would
    break the page, and ``{{ ... }}`` would be evaluated. It is also slow for
    megabytes of JSON. Our elements add their parts unparsed instead.
    (streamlit-folium calls the ``script`` macro directly, which never
    re-parsed.)
    """

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("geo.render.maps elements render inside a folium Figure")
        macros = self._template.module.__dict__
        for part, target in (("header", figure.header), ("script", figure.script)):
            if part in macros:
                target.add_child(RawText(macros[part](self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""


class MapSetup(Verbatim):
    """The ``GeoMap`` script, styles, panes and attribution: the map's first child."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>.geo-map { --geo-town-colour: {{ this.town_colour }}; }
{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            {{ this.library }}
            GeoMap.setup({{ this._parent.get_name() }}, {{ this.options }});
        {% endmacro %}
        """
    )

    def __init__(self, plain: bool, attribution: list[str]):
        super().__init__()
        self._name = "GeoMapSetup"
        self.library, self.css = _browser_code()
        self.town_colour = TOWN_COLOUR
        self.options = script_json(
            {"panes": [list(p) for p in PANES], "plain": plain, "attribution": attribution}
        )


class GeoJsonLayer(Layer, Verbatim):
    """GeoJSON styled per feature (``properties._s``), with HTML tooltips (``_t``).

    Tooltip HTML is built in Python from escaped text.
    """

    _template = _macro(
        "var {{ this.get_name() }} = GeoMap.geojson({{ this.data }}, {{ this.options }});"
    )

    def __init__(
        self,
        data: str,
        name: str,
        pane: str,
        class_name: str,
        interactive: bool = True,
        highlight: bool = False,
        labels: list[list[Any]] | None = None,
        control: bool = True,
    ):
        super().__init__(name=name, overlay=True, control=control, show=True)
        self._name = "GeoJsonLayer"
        self.data = data
        self.options = script_json(
            {
                "pane": pane,
                "className": class_name,
                "interactive": interactive,
                "highlight": highlight,
                "labels": labels or [],
            }
        )


class AreaStyles(Verbatim):
    """New styles and tooltips for the areas of a :class:`GeoJsonLayer` (``GeoMap.restyle``).

    ``props`` holds one ``{"_s": style, "_t": tooltip, "_h": hatched}`` per
    feature, in the layer's order; the live dashboard map shades its areas
    this way, so that the areas' shapes stay in the page across filters.
    """

    _template = _macro("GeoMap.restyle({{ this.layer.get_name() }}, {{ this.props }});")

    def __init__(self, layer: GeoJsonLayer, props: list[dict[str, Any]]):
        super().__init__()
        self._name = "GeoAreaStyles"
        self.layer = layer
        self.props = script_json(props)


class IncidentLayer(JSCSSMixin, Layer, Verbatim):
    """Incidents drawn in the browser from one compact payload (see :mod:`geo.render.maps`)."""

    def __init__(self, payload: dict[str, Any], mode: str, name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "IncidentLayer"
        self.mode = mode
        self.payload = script_json(payload)
        if mode == "grid":
            call = "GeoMap.grid({{ this._parent.get_name() }}, {{ this.payload }})"
        else:
            call = "GeoMap.incidents({{ this.payload }})"
        self._template = _macro("var {{ this.get_name() }} = " + call + ";")
        if mode == "clusters":
            self.default_js = [_CLUSTER_JS]
            self.default_css = [_CLUSTER_CSS]


class OverlayPlugins(JSCSSMixin, Verbatim):
    """The plugin files any incident layer may need (clusters, heat), loaded with the page.

    The live dashboard map (:mod:`geo.render.maps.live`) keeps its page
    while the filters change and the incident layer switches between
    points, clusters and grid: its page loads them once, up front.
    """

    _template = _macro("")
    default_js = [_CLUSTER_JS, _HEAT_JS]
    default_css = [_CLUSTER_CSS]

    def __init__(self) -> None:
        super().__init__()
        self._name = "GeoOverlayPlugins"


class HeatLayer(JSCSSMixin, Layer, Verbatim):
    """Heat map of incidents (leaflet.heat), drawn from a grid aggregate."""

    _template = _macro(
        "var {{ this.get_name() }} = GeoMap.heat({{ this.payload }}, {{ this.options }});"
    )
    default_js = [_HEAT_JS]

    def __init__(self, payload: dict[str, Any], name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "HeatLayer"
        self.payload = script_json(payload)
        # maxZoom 0 keeps the plugin's zoom factor 2 ** -(maxZoom - zoom) at 1;
        # GeoMap.heat rescales `max` to what is in view instead.
        self.options = script_json(
            {
                "radius": 16,
                "blur": 20,
                "minOpacity": 0.2,
                "maxZoom": 0,
                "max": 1,
                "gradient": {str(k): v for k, v in HEAT_GRADIENT.items()},
            }
        )


class TownLayer(Layer, Verbatim):
    """Town dots with labels; smaller towns appear as the user zooms in."""

    _template = _macro(
        "var {{ this.get_name() }} = "
        "GeoMap.towns({{ this._parent.get_name() }}, {{ this.payload }}, {{ this.colour }});"
    )

    def __init__(self, payload: list[list[Any]], name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "TownLayer"
        self.payload = script_json(payload)
        self.colour = script_json(TOWN_COLOUR)


class Legend(Verbatim):
    """An HTML legend; sections follow their layers when a layer control toggles them."""

    _template = _macro(
        "GeoMap.own(GeoMap.legend({{ this._parent.get_name() }}, {{ this.html }}, "
        "{ {%- for key, layer in this.layers %}{{ key }}: {{ layer.get_name() }},{%- endfor %} }));"
    )

    def __init__(self, html_text: str, layers: list[tuple[str, Layer]]):
        super().__init__()
        self._name = "GeoLegend"
        self.html = script_json(html_text)
        self.layers = [(script_json(k), layer) for k, layer in layers]


class ViewSync(Verbatim):
    """Keeps ``lat``/``lon``/``z`` in the page URL equal to the view the user sees.

    How it works, and why
    ---------------------
    streamlit-folium shows the map in a component frame served from the same
    origin as the app, and only rebuilds the frame when the map's script
    changes (new filters, layers or view). ``returned_objects=[]`` keeps pans
    from rerunning the app, so the server never hears about them. The script
    (``GeoViewSync`` in ``geo/render/maps/view_sync.js``) does the
    bookkeeping in the browser:

    1. On every ``moveend`` it rounds the centre (4 decimals) and zoom
       (integer) and writes them into the *top* same-origin window's query
       string with ``history.replaceState``, editing only ``lat``, ``lon``
       and ``z`` and keeping every other parameter byte for byte. It also
       stores the view in ``sessionStorage`` under ``key``, with the identity
       of the view the map was *built* with and a token for the page load.
    2. A Streamlit rerun sends the server the query string the frontend last
       *knew* (the one it last received from ``st.query_params``), not the
       address bar, so after filters change the app may rebuild the map at
       an older view, and writing ``st.query_params`` makes the frontend
       rewrite the address bar with that older view. When the new map starts
       and finds a stored view from the same page load whose build identity
       equals its own, the server did not ask for a new view: the map moves
       to the user's latest view.
    3. While the map shows a view that is explicit (built from ``lat/lon/z``,
       moved to by the user, or restored), a timer (every 0.4 s; a string
       comparison) puts it back into the URL whenever Streamlit rewrote the
       query string, so a copied link reproduces what is on screen.

    A map built with a new explicit view (a shared link, or the app resetting
    the view) has a new build identity, so nothing is restored over it. Pass
    ``MapOptions(restore_view=False)`` to :func:`geo.render.maps.build_map`
    for an explicit reset to the same view. Every step is guarded: with no
    parent access, no storage or a ``file://`` page, the map works and only
    the URL stays unchanged.
    """

    _template = _macro(
        "{{ this.library }}\nGeoViewSync.attach({{ this._parent.get_name() }}, {{ this.options }});"
    )

    def __init__(
        self, key: str, view: MapView | None, fit: list[list[float]] | None, restore: bool
    ):
        super().__init__()
        self._name = "GeoViewSync"
        self.library = _view_sync_code()
        built = view.key if view is not None else "fit:" + json.dumps(fit)
        self.options = script_json(
            {
                "key": key,
                "built": built,
                "view": view.to_params() if view is not None else None,
                "restore": restore,
                "interval": VIEW_SYNC_INTERVAL_MS,
            }
        )
