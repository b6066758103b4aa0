"""Folium map builders for the dashboard and standalone exports (no Streamlit).

:func:`build_map` draws the filtered incidents over admin-1 risk shading,
borders, towns and country outlines, with a legend, and returns a
``folium.Map`` that works offline (local Leaflet files, see
:mod:`geo.render.assets`).

Staying light at any size
-------------------------
One folium ``CircleMarker`` with a popup per incident costs about 1 kB of
HTML and half a millisecond to build, so 50,000 incidents give a 50 MB page
that takes half a minute to build. This module never builds per-incident
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
:class:`_ViewSync` for how the map keeps the page URL in step with what
the user sees.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import Figure
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from geo.model.schema import EVENT_TYPES, GEO_PRECISIONS, TIME_PRECISIONS
from geo.render.assets import DEFAULT_ASSET_BASE, VENDOR_SCHEME, RawText, apply_local_assets
from geo.render.style import (
    ADMIN_LINE_COLOUR,
    BORDER_COLOUR,
    EVENT_TYPE_COLOURS,
    LEVEL_COLOURS,
    LEVELS,
    TOWN_COLOUR,
    marker_radius,
)

__all__ = [
    "DEFAULT_LAYERS",
    "LAYERS",
    "LAYER_LABELS",
    "LAYERS_PARAM",
    "MapView",
    "build_map",
    "escape_text",
    "grid_aggregate",
    "layers_from_param",
    "layers_to_param",
]

# ----------------------------------------------------------------------------
# Layers and the view
# ----------------------------------------------------------------------------

LAYERS: tuple[str, ...] = ("risk", "incidents", "heatmap", "borders", "towns")
LAYER_LABELS: dict[str, str] = {
    "risk": "Risk by admin-1 area",
    "incidents": "Incidents",
    "heatmap": "Incident density (heat map)",
    "borders": "International borders",
    "towns": "Towns",
}
DEFAULT_LAYERS: frozenset[str] = frozenset({"risk", "incidents", "borders", "towns"})
LAYERS_PARAM = "layers"

CLUSTER_THRESHOLD = 1_000
AGGREGATE_THRESHOLD = 20_000
GRID_MAX_CELLS = 6_000
HEAT_MAX_CELLS = 20_000
# Candidate grid cell sizes in degrees, finest first; all are multiples of
# the first so that one fine pass serves every coarser size.
GRID_BASE_DEG = 0.05
GRID_MULTIPLES: tuple[int, ...] = (1, 2, 4, 5, 10, 15, 20, 30, 40, 60, 100)
# Grid cells are at least this many pixels apart at the map's starting zoom.
GRID_CELL_PX = 14

MIN_ZOOM = 2
MAX_ZOOM = 18
FOCUS_ISO3 = "MLI"
NOT_ASSESSED = "Not assessed"
OTHER_TYPE_COLOUR = "#9e9e9e"
COUNTRY_LINE_COLOUR = "#7d8790"
AREA_LINE_COLOUR = "#5c6670"
# Blues to purples: a ramp that cannot be confused with the risk levels (yellow to red).
HEAT_GRADIENT = {0.2: "#c6dbef", 0.4: "#6baed6", 0.6: "#2171b5", 0.8: "#6a51a3", 1.0: "#3f007d"}
GEOMETRY_DECIMALS = 3  # ~100 m: finer than any line width at the zooms used
POINT_DECIMALS = 5  # ~1 m


def _fmt_coord(value: float) -> str:
    """Shortest text for a coordinate rounded to 4 decimals (same as the browser script)."""
    text = repr(round(float(value), 4) + 0.0)  # + 0.0 turns -0.0 into 0.0
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class MapView:
    """Centre and zoom of the map, as kept in the URL (``lat``, ``lon``, ``z``).

    >>> v = MapView(16.27, -0.04, 7)
    >>> v.to_params()
    {'lat': '16.27', 'lon': '-0.04', 'z': '7'}
    >>> MapView.from_params({"lat": "16.27", "lon": "-0.04", "z": "7"})
    (MapView(lat=16.27, lon=-0.04, zoom=7), [])
    >>> MapView.from_params({"lat": "95", "lon": "0", "z": "5"})[1]
    ["Ignored the map view lat='95': expected a number from -90 to 90."]
    """

    lat: float
    lon: float
    zoom: int

    PARAMS = ("lat", "lon", "z")

    def __post_init__(self) -> None:
        problems = _view_problems(self.lat, self.lon, self.zoom)
        if problems:
            raise ValueError("; ".join(problems))

    def to_params(self) -> dict[str, str]:
        """Query parameters: coordinates rounded to 4 decimals (~11 m), integer zoom."""
        return {"lat": _fmt_coord(self.lat), "lon": _fmt_coord(self.lon), "z": str(self.zoom)}

    @property
    def key(self) -> str:
        """Identity of this view as the browser script compares it."""
        p = self.to_params()
        return f"{p['lat']},{p['lon']},{p['z']}"

    @classmethod
    def from_params(
        cls, params: Mapping[str, Any], default: MapView | None = None
    ) -> tuple[MapView | None, list[str]]:
        """Read a view from query parameters, falling back to ``default``.

        Parameters
        ----------
        params : mapping
            Query parameters (a list value uses its last item), e.g.
            ``st.query_params`` turned into a dict.
        default : MapView, optional
            Returned when the view is absent or invalid; ``None`` means "fit
            the data" to :func:`build_map`.

        Returns
        -------
        (MapView or None, list of str)
            The view and one notice per value that was not used.
        """
        raw: dict[str, str | None] = {}
        for name in cls.PARAMS:
            value = params.get(name)
            if isinstance(value, list | tuple):
                value = value[-1] if value else None
            raw[name] = None if value is None or str(value).strip() == "" else str(value).strip()
        present = [n for n in cls.PARAMS if raw[n] is not None]
        if not present:
            return default, []
        if len(present) < len(cls.PARAMS):
            missing = ", ".join(n for n in cls.PARAMS if raw[n] is None)
            return default, [
                f"Ignored the map view: lat, lon and z go together (missing: {missing})."
            ]
        lat, lon, zoom = (_to_float(raw[n]) for n in cls.PARAMS)
        notices = _view_problems(lat, lon, zoom, raw)
        if notices or lat is None or lon is None or zoom is None:
            return default, notices
        return cls(lat, lon, int(zoom)), []


def _to_float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _view_problems(
    lat: float | None, lon: float | None, zoom: float | None, raw: Mapping[str, Any] | None = None
) -> list[str]:
    shown = raw or {"lat": lat, "lon": lon, "z": zoom}
    out = []
    for name, value, low, high in (("lat", lat, -90, 90), ("lon", lon, -180, 180)):
        if value is None or not math.isfinite(value) or not low <= value <= high:
            out.append(
                f"Ignored the map view {name}={shown[name]!r}: "
                f"expected a number from {low} to {high}."
            )
    if (
        zoom is None
        or isinstance(zoom, bool)
        or not math.isfinite(zoom)
        or not float(zoom).is_integer()
        or not MIN_ZOOM <= zoom <= MAX_ZOOM
    ):
        out.append(
            f"Ignored the map view z={shown['z']!r}: "
            f"expected a whole number from {MIN_ZOOM} to {MAX_ZOOM}."
        )
    return out


def layers_to_param(layers: Iterable[str]) -> str:
    """The ``layers`` query parameter: names in :data:`LAYERS` order, comma-separated."""
    chosen = set(layers)
    return ",".join(name for name in LAYERS if name in chosen)


def layers_from_param(
    value: str | list[str] | None, default: Iterable[str] = DEFAULT_LAYERS
) -> tuple[frozenset[str], list[str]]:
    """Read the ``layers`` query parameter; unknown names are dropped with a notice.

    ``None`` (parameter absent) gives ``default``; an empty value means no
    optional layers.

    >>> layers_from_param("risk,bogus")
    (frozenset({'risk'}), ["Ignored unknown layers value(s): bogus."])
    """
    if isinstance(value, list):
        value = value[-1] if value else None
    if value is None:
        return frozenset(default), []
    names = [n.strip() for n in str(value).split(",") if n.strip()]
    unknown = [n for n in names if n not in LAYERS]
    notices = [f"Ignored unknown {LAYERS_PARAM} value(s): {', '.join(unknown)}."] if unknown else []
    return frozenset(n for n in names if n in LAYERS), notices


# ----------------------------------------------------------------------------
# Escaping
# ----------------------------------------------------------------------------

_JS_BREAKERS = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def escape_text(value: object) -> str:
    """Text made safe for HTML and for JavaScript strings and template literals.

    HTML special characters become entities (``html.escape`` with quotes),
    and so do the characters that matter inside JavaScript literals: the
    backtick, ``$`` (so ``${...}`` cannot start a substitution) and the
    backslash. Missing values (None, NaN, NA) become "". A browser shows
    the result exactly as the original text.

    >>> escape_text("<img src=x onerror=alert(1)> ${alert(1)} `x`")
    '&lt;img src=x onerror=alert(1)&gt; &#36;{alert(1)} &#96;x&#96;'
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return html.escape(str(value), quote=True).translate(_JS_BREAKERS)


def _script_json(obj: Any) -> str:
    """JSON that can sit inside a <script> element whatever strings it holds."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _coded(values: pd.Series) -> tuple[list[int], list[str]]:
    """Dictionary-code a text column: codes per row and escaped distinct values.

    Escaping runs once per distinct value, not per row.
    """
    codes, uniques = pd.factorize(values.astype("string").fillna(""), sort=False)
    return codes.tolist(), [escape_text(u) for u in uniques]


# ----------------------------------------------------------------------------
# Grid aggregation
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GridAggregate:
    """Incidents counted on a regular lon/lat grid (one row per occupied cell)."""

    cell_deg: float
    lat: np.ndarray  # mean latitude of the cell's incidents
    lon: np.ndarray
    counts: np.ndarray  # (cells, types) incidents per event type
    fatalities: np.ndarray  # per cell

    @property
    def total(self) -> np.ndarray:
        """Incidents per cell."""
        return np.asarray(self.counts.sum(axis=1))


def grid_aggregate(
    lat: np.ndarray,
    lon: np.ndarray,
    type_codes: np.ndarray,
    n_types: int,
    fatalities: np.ndarray,
    max_cells: int = GRID_MAX_CELLS,
    min_cell_deg: float = 0.0,
) -> GridAggregate:
    """Aggregate points onto the finest grid that gives at most ``max_cells`` cells.

    The grid is anchored at (0, 0), so a cell covers the same ground whatever
    the filters. Cell sizes are multiples of :data:`GRID_BASE_DEG` (0.05°,
    ~5.5 km); the coarsest candidate is used when none fits. Vectorized: one
    sort of the points, then work on distinct cells only.

    Parameters
    ----------
    lat, lon : arrays of float
        Point coordinates (finite).
    type_codes : array of int
        Category of each point, ``0 <= code < n_types``.
    n_types : int
        Number of categories.
    fatalities : array of number
        Summed per cell.
    max_cells : int
        Upper bound on occupied cells.
    min_cell_deg : float
        Smallest cell size to consider (cells too close on screen read as
        a carpet rather than as places).
    """
    width = 1 << 20  # cell-column offset; far more columns than a 0.05° world grid has
    fx = np.floor(lon / GRID_BASE_DEG).astype(np.int64)
    fy = np.floor(lat / GRID_BASE_DEG).astype(np.int64)
    fine_keys, fine_of_point = np.unique(fy * width + fx, return_inverse=True)
    ufy, ufx = np.divmod(fine_keys, width)
    multiple = GRID_MULTIPLES[-1]
    for k in GRID_MULTIPLES:
        if k * GRID_BASE_DEG < min_cell_deg - 1e-9:
            continue
        if len(np.unique((ufy // k) * width + ufx // k)) <= max_cells:
            multiple = k
            break
    cell_keys, cell_of_fine = np.unique(
        (ufy // multiple) * width + ufx // multiple, return_inverse=True
    )
    cell = cell_of_fine[fine_of_point]
    n_cells = len(cell_keys)
    counts = np.bincount(cell * n_types + type_codes, minlength=n_cells * n_types).reshape(
        n_cells, n_types
    )
    total = counts.sum(axis=1)
    return GridAggregate(
        cell_deg=round(GRID_BASE_DEG * multiple, 6),
        lat=np.bincount(cell, weights=lat, minlength=n_cells) / total,
        lon=np.bincount(cell, weights=lon, minlength=n_cells) / total,
        counts=counts,
        fatalities=np.bincount(cell, weights=fatalities, minlength=n_cells),
    )


# ----------------------------------------------------------------------------
# Map elements (each renders its own script; no folium object per incident)
# ----------------------------------------------------------------------------

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
VIEW_SYNC_INTERVAL_MS = 400


@cache
def _browser_code() -> tuple[str, str]:
    return (
        MAP_JS_FILE.read_text(encoding="utf-8"),
        MAP_CSS_FILE.read_text(encoding="utf-8"),
    )


def _macro(script: str) -> Template:
    return Template("{% macro script(this, kwargs) %}" + script + "{% endmacro %}")


class _Verbatim(folium.MacroElement):
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


class _MapSetup(_Verbatim):
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
        self.options = _script_json(
            {"panes": [list(p) for p in PANES], "plain": plain, "attribution": attribution}
        )


class _GeoJsonLayer(Layer, _Verbatim):
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
        self.options = _script_json(
            {
                "pane": pane,
                "className": class_name,
                "interactive": interactive,
                "highlight": highlight,
                "labels": labels or [],
            }
        )


class _IncidentLayer(JSCSSMixin, Layer, _Verbatim):
    """Incidents drawn in the browser from one compact payload (see the module docstring)."""

    def __init__(self, payload: dict[str, Any], mode: str, name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "IncidentLayer"
        self.mode = mode
        self.payload = _script_json(payload)
        if mode == "grid":
            call = "GeoMap.grid({{ this._parent.get_name() }}, {{ this.payload }})"
        else:
            call = "GeoMap.incidents({{ this.payload }})"
        self._template = _macro("var {{ this.get_name() }} = " + call + ";")
        if mode == "clusters":
            self.default_js = [
                (
                    "markerclusterjs",
                    VENDOR_SCHEME + "leaflet.markercluster/leaflet.markercluster.js",
                )
            ]
            self.default_css = [
                ("markerclustercss", VENDOR_SCHEME + "leaflet.markercluster/MarkerCluster.css")
            ]


class _HeatLayer(JSCSSMixin, Layer, _Verbatim):
    """Heat map of incidents (leaflet.heat), drawn from a grid aggregate."""

    _template = _macro(
        "var {{ this.get_name() }} = GeoMap.heat({{ this.payload }}, {{ this.options }});"
    )
    default_js = [("leaflet-heat.js", VENDOR_SCHEME + "leaflet.heat/leaflet-heat.js")]

    def __init__(self, payload: dict[str, Any], name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "HeatLayer"
        self.payload = _script_json(payload)
        # maxZoom 0 keeps the plugin's zoom factor 2 ** -(maxZoom - zoom) at 1;
        # GeoMap.heat rescales `max` to what is in view instead.
        self.options = _script_json(
            {
                "radius": 16,
                "blur": 20,
                "minOpacity": 0.2,
                "maxZoom": 0,
                "max": 1,
                "gradient": {str(k): v for k, v in HEAT_GRADIENT.items()},
            }
        )


class _TownLayer(Layer, _Verbatim):
    """Town dots with labels; smaller towns appear as the user zooms in."""

    _template = _macro(
        "var {{ this.get_name() }} = "
        "GeoMap.towns({{ this._parent.get_name() }}, {{ this.payload }}, {{ this.colour }});"
    )

    def __init__(self, payload: list[list[Any]], name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "TownLayer"
        self.payload = _script_json(payload)
        self.colour = _script_json(TOWN_COLOUR)


class _Legend(_Verbatim):
    """An HTML legend; sections follow their layers when a layer control toggles them."""

    _template = _macro(
        "GeoMap.legend({{ this._parent.get_name() }}, {{ this.html }}, "
        "{ {%- for key, layer in this.layers %}{{ key }}: {{ layer.get_name() }},{%- endfor %} });"
    )

    def __init__(self, html_text: str, layers: list[tuple[str, Layer]]):
        super().__init__()
        self._name = "GeoLegend"
        self.html = _script_json(html_text)
        self.layers = [(_script_json(k), layer) for k, layer in layers]


class _ViewSync(_Verbatim):
    """Keeps ``lat``/``lon``/``z`` in the page URL equal to the view the user sees.

    How it works, and why
    ---------------------
    streamlit-folium shows the map in a component frame served from the same
    origin as the app, and only rebuilds the frame when the map's script
    changes (new filters, layers or view). ``returned_objects=[]`` keeps pans
    from rerunning the app, so the server never hears about them. The script
    (``GeoMap.syncView`` in ``geo/render/map_layers.js``) does the bookkeeping in the
    browser:

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
    ``restore_view=False`` to :func:`build_map` for an explicit reset to the
    same view. Every step is guarded: with no parent access, no storage or a
    ``file://`` page, the map works and only the URL stays unchanged.
    """

    _template = _macro("GeoMap.syncView({{ this._parent.get_name() }}, {{ this.options }});")

    def __init__(
        self, key: str, view: MapView | None, fit: list[list[float]] | None, restore: bool
    ):
        super().__init__()
        self._name = "GeoViewSync"
        built = view.key if view is not None else "fit:" + json.dumps(fit)
        self.options = _script_json(
            {
                "key": key,
                "built": built,
                "view": view.to_params() if view is not None else None,
                "restore": restore,
                "interval": VIEW_SYNC_INTERVAL_MS,
            }
        )


# ----------------------------------------------------------------------------
# Building blocks
# ----------------------------------------------------------------------------


def _geojson(
    frame: pd.DataFrame, properties: list[dict[str, Any]], decimals: int = GEOMETRY_DECIMALS
) -> str:
    """A FeatureCollection string from geometries (rounded) and per-feature properties."""
    geoms = _lonlat_geometries(frame)
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    texts = shapely.to_geojson(rounded)
    features = [
        '{"type":"Feature","properties":' + _script_json(p) + ',"geometry":' + g + "}"
        for p, g in zip(properties, texts, strict=True)
        if g is not None
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def _lonlat_geometries(frame: pd.DataFrame) -> np.ndarray:
    crs = getattr(frame, "crs", None)
    if crs is not None and not crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    return np.asarray(
        frame.geometry.to_numpy() if hasattr(frame, "geometry") else frame["geometry"]
    )


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"build_map: {what} lacks column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, frame.columns))})"
        )


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column in frame.columns:
        return frame[column].astype("string").fillna("")
    return pd.Series("", index=frame.index, dtype="string")


def _risk_tooltip(row: Mapping[str, Any], country: str) -> str:
    level = str(row.get("final_level") or NOT_ASSESSED)
    head = f'<div class="geo-tip-title">{escape_text(row["area"])}'
    if country:
        head += f' <span class="geo-muted">{escape_text(country)}</span>'
    head += "</div>"
    if level == NOT_ASSESSED or level not in LEVEL_COLOURS:
        return head + f'<div class="geo-muted">{NOT_ASSESSED}</div>'
    parts = [head]
    line = f"{_level_swatch(level)} <b>{escape_text(level)}</b>"
    score = row.get("score")
    if isinstance(score, int | float) and math.isfinite(score):
        line += f" &middot; score {score:.0f}/100"
    parts.append(f'<div class="geo-row">{line}</div>')
    trend = row.get("trend")
    if trend:
        pct = row.get("trend_pct")
        extra = (
            f" ({pct:+.0f}&nbsp;%)" if isinstance(pct, int | float) and math.isfinite(pct) else ""
        )
        parts.append(f"<div>Trend (7 days): {escape_text(trend)}{extra}</div>")
    events, fatalities = row.get("events"), row.get("fatalities")
    if isinstance(events, int | float) and math.isfinite(events):
        fat = (
            f" &middot; {fatalities:.0f} fatalities"
            if isinstance(fatalities, int | float) and math.isfinite(fatalities)
            else ""
        )
        parts.append(f'<div class="geo-muted">{events:.0f} incidents in the window{fat}</div>')
    override = row.get("override_level")
    if override and str(override) == level:
        computed = row.get("level")
        text = f"Analyst override: {escape_text(override)}"
        if computed and computed != override:
            text += f" (computed {escape_text(computed)})"
        reason = row.get("override_reason")
        if reason:
            text += f" &mdash; {escape_text(reason)}"
        expires = row.get("override_expires")
        if expires is not None and str(expires) not in ("", "NaT", "nan", "<NA>"):
            text += f"; until {escape_text(str(expires)[:10])}"
        parts.append(f'<div class="geo-override">{text}</div>')
    return "".join(parts)


# Fill opacity by level: low risk is a light tint so that the eye goes to the
# areas that matter; the ramp's colours stay distinct at these opacities.
LEVEL_OPACITY: dict[str, float] = {
    "Low": 0.32,
    "Moderate": 0.5,
    "Elevated": 0.58,
    "High": 0.64,
    "Extreme": 0.7,
}


def _level_opacity(level: str, plain: bool) -> float:
    """Fill opacity of an area at ``level`` (a little lighter over map tiles)."""
    return round(LEVEL_OPACITY.get(level, 0.0) * (1.0 if plain else 0.85), 3)


def _level_swatch(level: str) -> str:
    """Legend swatch showing the level's colour as it looks on the map (over white)."""
    colour = LEVEL_COLOURS[level].lstrip("#")
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return _swatch(f"background:rgba({red},{green},{blue},{_level_opacity(level, True)})")


def _join_risk(areas: pd.DataFrame, risk: pd.DataFrame) -> pd.DataFrame:
    """Areas with their risk row (left join on area_code when both have codes, else area)."""
    use_code = (
        "area_code" in areas.columns
        and "area_code" in risk.columns
        and bool((_text(areas, "area_code") != "").all())
        and bool((_text(risk, "area_code") != "").all())
    )
    key = "area_code" if use_code else "area"
    keep = [c for c in risk.columns if c not in areas.columns or c == key]
    table = risk[keep].drop_duplicates(subset=key)
    out = pd.DataFrame(areas.drop(columns="geometry")).merge(table, on=key, how="left")
    out.index = areas.index
    return out


def _add_areas(
    m: folium.Map, areas: pd.DataFrame, risk: pd.DataFrame | None, show_risk: bool, plain: bool
) -> tuple[Layer, set[str]]:
    """Admin-1 areas: risk shading with tooltips, or plain outlines with names."""
    _require(areas, ["area", "geometry"], "areas")
    country = _text(areas, "country") if "country" in areas.columns else _text(areas, "iso3")
    used: set[str] = set()
    if show_risk:
        joined = (
            _join_risk(areas, risk)
            if risk is not None
            else pd.DataFrame(areas.drop(columns="geometry"))
        )
        records = joined.to_dict("records")
        props = []
        for rec, ctry in zip(records, country, strict=True):
            level = rec.get("final_level")
            level = level if isinstance(level, str) and level in LEVEL_COLOURS else NOT_ASSESSED
            used.add(level)
            override = bool(rec.get("override_level")) and str(rec.get("override_level")) == level
            style: dict[str, Any] = {
                "fillColor": LEVEL_COLOURS.get(level, "#ffffff"),
                "fillOpacity": _level_opacity(level, plain),
                "color": AREA_LINE_COLOUR,
                "weight": 1.6 if override else 0.7,
                "opacity": 0.8,
            }
            if override:
                style["dashArray"] = "5 3"
            props.append({"_s": style, "_t": _risk_tooltip(rec, str(ctry))})
        layer = _GeoJsonLayer(
            _geojson(areas, props), LAYER_LABELS["risk"], "geo-areas", "geo-area", highlight=True
        )
    else:
        style = {
            "fill": True,
            "fillOpacity": 0.0,
            "color": ADMIN_LINE_COLOUR,
            "weight": 0.6,
            "opacity": 0.55,
        }
        props = [
            {
                "_s": style,
                "_t": f'<div class="geo-tip-title">{escape_text(a)}</div>'
                f'<div class="geo-muted">{escape_text(c)}</div>',
            }
            for a, c in zip(_text(areas, "area"), country, strict=True)
        ]
        layer = _GeoJsonLayer(
            _geojson(areas, props), "Admin-1 areas", "geo-areas", "geo-area", control=False
        )
    layer.add_to(m)
    return layer, used


def _add_admin0(m: folium.Map, admin0: pd.DataFrame, plain: bool) -> None:
    """Country outlines (always): filled light on a plain map, with country names."""
    _require(admin0, ["geometry"], "admin0")
    style = {
        "fill": plain,
        "fillColor": "#fbfbf8",
        "fillOpacity": 1.0 if plain else 0.0,
        "color": COUNTRY_LINE_COLOUR,
        "weight": 1.1,
        "opacity": 0.9,
    }
    labels = None
    if plain:
        names = _text(admin0, "name") if "name" in admin0.columns else _text(admin0, "area")
        points = shapely.point_on_surface(_lonlat_geometries(admin0))
        labels = [
            [escape_text(n), round(float(shapely.get_y(p)), 3), round(float(shapely.get_x(p)), 3)]
            for n, p in zip(names, points, strict=True)
            if n and p is not None
        ]
    _GeoJsonLayer(
        _geojson(admin0, [{"_s": style}] * len(admin0)),
        "Countries",
        "geo-context",
        "geo-country",
        interactive=False,
        labels=labels,
        control=False,
    ).add_to(m)


def _add_borders(m: folium.Map, borders: pd.DataFrame) -> Layer:
    _require(borders, ["geometry"], "borders")
    names = _text(borders, "neighbour_name")
    codes = _text(borders, "neighbour_iso3")
    lengths = (
        borders["length_km"]
        if "length_km" in borders.columns
        else pd.Series(np.nan, index=borders.index)
    )
    style = {"color": BORDER_COLOUR, "weight": 2.6, "opacity": 0.95, "lineCap": "round"}
    props = []
    for name, code, km in zip(names, codes, lengths, strict=True):
        label = escape_text(name or code)
        extra = f" ({escape_text(code)})" if name and code else ""
        size = f'<div class="geo-muted">{float(km):,.0f} km</div>' if pd.notna(km) else ""
        props.append(
            {
                "_s": style,
                "_t": f'<div class="geo-tip-title">Border with {label}{extra}</div>{size}',
            }
        )
    layer = _GeoJsonLayer(
        _geojson(borders, props), LAYER_LABELS["borders"], "geo-lines", "geo-border"
    )
    layer.add_to(m)
    return layer


def _town_min_zoom(population: np.ndarray, focus: np.ndarray) -> np.ndarray:
    """Zoom from which a town's label may show (labels that would overlap still give way).

    Every town of the focus country and big towns elsewhere from the start,
    smaller towns elsewhere as the user zooms in.
    """
    by_size = np.select(
        [population >= 100_000, population >= 25_000, population >= 8_000], [0, 6, 7], default=8
    )
    return np.where(focus, 0, by_size)


def _add_towns(m: folium.Map, towns: pd.DataFrame, max_towns: int) -> Layer:
    """Town labels, focus country first, then by population (the order labels win overlaps)."""
    _require(towns, ["name", "latitude", "longitude"], "towns")
    frame = towns.dropna(subset=["latitude", "longitude"])
    pop = (
        pd.to_numeric(frame["population"], errors="coerce").fillna(0).to_numpy()
        if "population" in frame.columns
        else np.zeros(len(frame))
    )
    focus = (_text(frame, "iso3") == FOCUS_ISO3).to_numpy(bool)
    order = np.lexsort((-pop, ~focus))[:max_towns]
    frame = frame.iloc[order]
    min_zoom = _town_min_zoom(pop[order], focus[order])
    payload = [
        [escape_text(n), round(float(la), 4), round(float(lo), 4), int(z), len(str(n))]
        for n, la, lo, z in zip(
            frame["name"], frame["latitude"], frame["longitude"], min_zoom, strict=True
        )
    ]
    layer = _TownLayer(payload, LAYER_LABELS["towns"])
    layer.add_to(m)
    return layer


def _type_codes(types: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Event type of each row as an index into ACLED's six types (+ any others seen)."""
    codes, seen = pd.factorize(types.astype("string").fillna(""))
    labels = list(EVENT_TYPES) + sorted(str(t) for t in seen if t not in EVENT_TYPES)
    position = {label: i for i, label in enumerate(labels)}
    lookup = np.array([position[str(t)] for t in seen], dtype=np.int64)
    return lookup[codes], labels


def _type_table(labels: list[str]) -> list[list[str]]:
    return [[escape_text(t), EVENT_TYPE_COLOURS.get(t, OTHER_TYPE_COLOUR)] for t in labels]


def _radius(fatalities: np.ndarray) -> np.ndarray:
    """:func:`geo.render.style.marker_radius` per row, evaluated once per distinct value."""
    values, inverse = np.unique(np.maximum(fatalities, 0), return_inverse=True)
    radii = np.array([round(marker_radius(v), 1) for v in values])
    return np.asarray(radii[inverse])


def _stacks(
    frame: pd.DataFrame, lat: list[float], lon: list[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Each incident's place in the stack of incidents drawn at the same point, and its size.

    Incidents coded to one town share its coordinates exactly, so their
    markers would hide each other; the browser fans a stack out around the
    point (see ``fan`` in ``map_layers.js``). The place is by date, then
    event id, so the same incidents always fan out the same way.
    """
    keys = pd.DataFrame(
        {
            "lat": lat,
            "lon": lon,
            "date": pd.to_datetime(frame["event_date"], errors="coerce").to_numpy()
            if "event_date" in frame.columns
            else pd.NaT,
            "id": _text(frame, "event_id").to_numpy(),
        }
    )
    ordered = keys.sort_values(["date", "id"], kind="stable")
    place = ordered.groupby(["lat", "lon"], sort=False).cumcount().reindex(keys.index)
    size = keys.groupby(["lat", "lon"], sort=False)["id"].transform("size")
    return place.to_numpy(np.int64), size.to_numpy(np.int64)


def _incident_payload(
    frame: pd.DataFrame, mode: str, type_codes: np.ndarray, labels: list[str], notes_limit: int
) -> dict[str, Any]:
    fat = pd.to_numeric(frame["fatalities"], errors="coerce").fillna(-1).to_numpy(np.int64)
    cols: dict[str, Any] = {
        "lat": np.round(frame["latitude"].to_numpy(float), POINT_DECIMALS).tolist(),
        "lon": np.round(frame["longitude"].to_numpy(float), POINT_DECIMALS).tolist(),
        "t": type_codes.tolist(),
        "f": fat.tolist(),
        "r": _radius(fat).tolist(),
        "id": [escape_text(v) for v in _text(frame, "event_id")],
    }
    dicts: dict[str, list[str]] = {}
    dates = (
        frame["event_date"]
        if "event_date" in frame.columns
        else pd.Series(pd.NaT, index=frame.index)
    )
    date_codes, date_values = pd.factorize(pd.to_datetime(dates, errors="coerce"))
    cols["date"] = date_codes.tolist()
    dicts["date"] = [escape_text(v) for v in pd.DatetimeIndex(date_values).strftime("%Y-%m-%d")]
    if (date_codes < 0).any():  # -1 (missing date) reads the last item in the browser
        dicts["date"].append("")
        cols["date"] = np.where(date_codes < 0, len(dicts["date"]) - 1, date_codes).tolist()
    for key, column in (
        ("sub", "sub_event_type"),
        ("loc", "location"),
        ("country", "country"),
        ("area", "area"),
        ("admin1", "admin1"),
        ("source", "source"),
    ):
        cols[key], dicts[key] = _coded(_text(frame, column))
    actors = pd.concat([_text(frame, "actor1"), _text(frame, "actor2")], ignore_index=True)
    actor_codes, dicts["actor"] = _coded(actors)
    cols["a1"], cols["a2"] = actor_codes[: len(frame)], actor_codes[len(frame) :]
    for key, column in (("tp", "time_precision"), ("gp", "geo_precision")):
        values = frame[column] if column in frame.columns else pd.Series(0, index=frame.index)
        cols[key] = pd.to_numeric(values, errors="coerce").fillna(0).astype(int).tolist()
    if "civilian_targeting" in frame.columns:
        cols["civ"] = (_text(frame, "civilian_targeting") != "").astype(int).tolist()
    if mode == "points":
        cols["notes"], dicts["notes"] = _coded(_text(frame, "notes"))
        place, size = _stacks(frame, cols["lat"], cols["lon"])
        if (size > 1).any():
            cols["k"], cols["m"] = place.tolist(), size.tolist()
    return {
        "mode": mode,
        "cols": cols,
        "dicts": dicts,
        "types": _type_table(labels),
        "tp": {str(k): escape_text(v) for k, v in TIME_PRECISIONS.items()},
        "gp": {str(k): escape_text(v) for k, v in GEO_PRECISIONS.items()},
        "notes_limit": notes_limit,
    }


@dataclass
class _IncidentSummary:
    mode: str
    drawn: int
    unplaced: int
    labels: list[str]
    cell_deg: float = 0.0
    cells: int = 0
    size_samples: list[tuple[str, float]] | None = None


def _nice(value: float) -> int:
    """A round number not above ``value`` (1, 2, 5 x 10^k)."""
    if value < 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return int(max(s * power for s in (1, 2, 5) if s * power <= value))


GRID_RADIUS_PX = (2.0, 40.0)


def _deg_per_px(zoom: int) -> float:
    """Degrees of longitude per screen pixel at a zoom (Web Mercator, 256 px tiles)."""
    return 360.0 / (256 * 2**zoom)


def _grid_radius(spacing_px: float, rel: float) -> float:
    """Radius of a grid circle: the densest cell's circle touches its neighbours."""
    return min(max(0.5 * spacing_px * rel, GRID_RADIUS_PX[0]), GRID_RADIUS_PX[1])


def _add_incidents(
    m: folium.Map,
    incidents: pd.DataFrame,
    zoom: int,
    cluster_threshold: int,
    aggregate_threshold: int,
    grid_max_cells: int,
) -> tuple[Layer, _IncidentSummary]:
    lat = incidents["latitude"].to_numpy(float, na_value=np.nan)
    lon = incidents["longitude"].to_numpy(float, na_value=np.nan)
    placed = np.isfinite(lat) & np.isfinite(lon)
    frame = incidents if placed.all() else incidents.loc[placed]
    n = len(frame)
    type_codes, labels = _type_codes(frame["event_type"])
    if n > aggregate_threshold:
        fat = pd.to_numeric(frame["fatalities"], errors="coerce").fillna(0).to_numpy(float)
        grid = grid_aggregate(
            lat[placed],
            lon[placed],
            type_codes,
            len(labels),
            fat,
            grid_max_cells,
            min_cell_deg=GRID_CELL_PX * _deg_per_px(zoom),
        )
        total = grid.total
        top = float(total.max())
        spacing = grid.cell_deg / _deg_per_px(zoom)
        payload = {
            "cell": grid.cell_deg,
            "lat": np.round(grid.lat, 4).tolist(),
            "lon": np.round(grid.lon, 4).tolist(),
            "n": total.astype(int).tolist(),
            "f": np.round(grid.fatalities).astype(int).tolist(),
            "by": grid.counts.astype(int).ravel().tolist(),
            "dom": np.argmax(grid.counts, axis=1).tolist(),
            "rel": np.round(np.sqrt(total / top), 3).tolist(),
            "types": _type_table(labels),
            "limit": aggregate_threshold,
            "rmin": GRID_RADIUS_PX[0],
            "rmax": GRID_RADIUS_PX[1],
        }
        samples = sorted({_nice(top), _nice(top / 4), _nice(top / 16)})
        summary = _IncidentSummary(
            "grid",
            n,
            int((~placed).sum()),
            labels,
            grid.cell_deg,
            len(total),
            [(f"{s:,}", _grid_radius(spacing, math.sqrt(s / top))) for s in samples],
        )
        layer = _IncidentLayer(payload, "grid", LAYER_LABELS["incidents"])
    else:
        mode = "points" if n <= cluster_threshold else "clusters"
        payload = _incident_payload(frame, mode, type_codes, labels, cluster_threshold)
        sizes = [(f"{f}", marker_radius(f)) for f in (0, 5, 25, 100)]
        summary = _IncidentSummary(mode, n, int((~placed).sum()), labels, size_samples=sizes)
        layer = _IncidentLayer(payload, mode, LAYER_LABELS["incidents"])
    layer.add_to(m)
    return layer, summary


def _add_heatmap(m: folium.Map, incidents: pd.DataFrame) -> Layer:
    lat = incidents["latitude"].to_numpy(float, na_value=np.nan)
    lon = incidents["longitude"].to_numpy(float, na_value=np.nan)
    placed = np.isfinite(lat) & np.isfinite(lon)
    payload: dict[str, list[float]] = {"lat": [], "lon": [], "w": []}
    if placed.any():
        zeros = np.zeros(int(placed.sum()), dtype=np.int64)
        grid = grid_aggregate(
            lat[placed], lon[placed], zeros, 1, zeros.astype(float), HEAT_MAX_CELLS
        )
        payload = {
            "lat": np.round(grid.lat, 4).tolist(),
            "lon": np.round(grid.lon, 4).tolist(),
            "w": grid.total.astype(int).tolist(),
        }
    layer = _HeatLayer(payload, LAYER_LABELS["heatmap"])
    layer.add_to(m)
    return layer


# ----------------------------------------------------------------------------
# Legend
# ----------------------------------------------------------------------------


def _legend_row(symbol: str, label: str, layer: str | None = None) -> str:
    data = f' data-layer="{layer}"' if layer else ""
    return f'<div class="geo-row"{data}>{symbol}{label}</div>'


def _swatch(style: str) -> str:
    return f'<span class="geo-swatch" style="{style}"></span>'


def _dot(colour: str, size: int | None = None) -> str:
    extra = f";width:{size}px;height:{size}px" if size else ""
    return f'<span class="geo-dot" style="background:{colour}{extra}"></span>'


def _line(colour: str, width: float) -> str:
    return (
        f'<span class="geo-line" style="border-top-width:{width}px;border-color:{colour}"></span>'
    )


def _legend_incidents(summary: _IncidentSummary) -> str:
    rows = "".join(
        _legend_row(_dot(EVENT_TYPE_COLOURS.get(t, OTHER_TYPE_COLOUR)), escape_text(t))
        for t in summary.labels
    )
    sizes = "".join(
        f'<span><i style="width:{2 * r:.0f}px;height:{2 * r:.0f}px"></i>{escape_text(label)}</span>'
        for label, r in summary.size_samples or []
    )
    if summary.mode == "grid":
        size_title = "Incidents per cell"
        note = (
            f"{summary.drawn:,} incidents aggregated into {summary.cells:,} cells of "
            f"{summary.cell_deg:g}&deg;; colour: most frequent type in the cell."
        )
    else:
        size_title = "Fatalities"
        note = f"{summary.drawn:,} incident{'' if summary.drawn == 1 else 's'}"
        note += "; clusters show the mix of types." if summary.mode == "clusters" else "."
    if summary.unplaced:
        note += f" {summary.unplaced:,} without coordinates not shown."
    return (
        f'<div data-layer="incidents"><h4>Incidents</h4>{rows}'
        f'<div class="geo-note">{size_title}</div><div class="geo-sizes">{sizes}</div>'
        f'<div class="geo-note">{note}</div></div>'
    )


def _legend_html(
    risk_levels: set[str] | None,
    incidents: _IncidentSummary | None,
    heat: bool,
    borders: bool,
    towns: bool,
) -> str:
    """The legend: one section per active layer, then the reference lines."""
    parts = ["<details open><summary>Legend</summary>"]
    if risk_levels is not None:
        rows = [_legend_row(_level_swatch(lv), lv) for lv in reversed(LEVELS)]
        if NOT_ASSESSED in risk_levels:
            rows.append(_legend_row(_swatch("background:#fff"), NOT_ASSESSED))
        override = _swatch(f"background:#fff;border:1.6px dashed {AREA_LINE_COLOUR}")
        rows.append(_legend_row(override, "Analyst override"))
        parts.append(f'<div data-layer="risk"><h4>Risk level (admin-1)</h4>{"".join(rows)}</div>')
    if incidents is not None:
        parts.append(_legend_incidents(incidents))
    if heat:
        stops = ", ".join(f"{c} {int(s * 100)}%" for s, c in sorted(HEAT_GRADIENT.items()))
        ramp = f"background:linear-gradient(to right, #ffffff 0%, {stops})"
        labels = "<span>low</span><span>highest in view</span>"
        parts.append(
            f'<div data-layer="heatmap"><h4>Incident density</h4><div class="geo-ramp" '
            f'style="{ramp}"></div><div class="geo-ramp-labels">{labels}</div></div>'
        )
    lines = []
    if borders:
        lines.append(_legend_row(_line(BORDER_COLOUR, 3), "International border", "borders"))
    lines.append(_legend_row(_line(COUNTRY_LINE_COLOUR, 1.5), "Country outline"))
    if towns:
        lines.append(_legend_row(_dot(TOWN_COLOUR, 7), "Town", "towns"))
    parts.append("<h4>Reference</h4>" + "".join(lines) + "</details>")
    return "".join(parts)


# ----------------------------------------------------------------------------
# The map
# ----------------------------------------------------------------------------


def _default_bounds(
    areas: pd.DataFrame | None, incidents: pd.DataFrame, admin0: pd.DataFrame | None
) -> list[list[float]] | None:
    """[[south, west], [north, east]] of Mali's areas, else of the incidents, else of admin-0."""
    candidates: list[np.ndarray] = []
    if areas is not None and len(areas):
        focus = areas[_text(areas, "iso3") == FOCUS_ISO3] if "iso3" in areas.columns else areas
        candidates.append(shapely.total_bounds(_lonlat_geometries(focus if len(focus) else areas)))
    lat = incidents["latitude"].to_numpy(float, na_value=np.nan)
    lon = incidents["longitude"].to_numpy(float, na_value=np.nan)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if ok.any():
        candidates.append(np.array([lon[ok].min(), lat[ok].min(), lon[ok].max(), lat[ok].max()]))
    if admin0 is not None and len(admin0):
        candidates.append(shapely.total_bounds(_lonlat_geometries(admin0)))
    for b in candidates:
        if np.all(np.isfinite(b)):
            minx, miny, maxx, maxy = (float(v) for v in b)
            if maxx - minx < 0.2 and maxy - miny < 0.2:  # a single place: show its surroundings
                minx, miny, maxx, maxy = minx - 0.5, miny - 0.5, maxx + 0.5, maxy + 0.5
            return [[round(miny, 4), round(minx, 4)], [round(maxy, 4), round(maxx, 4)]]
    return None


def _zoom_for(bounds: list[list[float]] | None) -> int:
    """Rough zoom at which ``bounds`` fill a ~700 px map (for heat map scaling)."""
    if bounds is None:
        return 5
    span = max(bounds[1][1] - bounds[0][1], bounds[1][0] - bounds[0][0], 1e-3)
    return int(min(max(math.floor(math.log2(700 * 360 / (256 * span))), MIN_ZOOM), 12))


def build_map(
    incidents: pd.DataFrame,
    *,
    areas: pd.DataFrame | None = None,
    risk: pd.DataFrame | None = None,
    borders: pd.DataFrame | None = None,
    towns: pd.DataFrame | None = None,
    admin0: pd.DataFrame | None = None,
    view: MapView | None = None,
    layers: Iterable[str] = DEFAULT_LAYERS,
    tiles: str = "none",
    tiles_attr: str | None = None,
    asset_base: str = DEFAULT_ASSET_BASE,
    inline_assets: bool = False,
    cluster_threshold: int = CLUSTER_THRESHOLD,
    aggregate_threshold: int = AGGREGATE_THRESHOLD,
    grid_max_cells: int = GRID_MAX_CELLS,
    max_towns: int = 1_000,
    sync_url: bool = True,
    restore_view: bool = True,
    view_key: str = "main",
    layer_control: bool = False,
    legend: bool = True,
) -> folium.Map:
    """The dashboard map of ``incidents`` with risk shading, borders and towns.

    Parameters
    ----------
    incidents : DataFrame
        Incident rows to draw (already filtered); needs ``latitude``,
        ``longitude``, ``event_type``, ``fatalities``. Popups use the other
        schema columns and the joined ``area`` when present. Rows without
        coordinates are counted in the legend, not drawn.
    areas : GeoDataFrame, optional
        Admin-1 areas (``area``, ``geometry``; ``area_code``, ``country``,
        ``iso3`` used when present). Drawn as outlines, or shaded by risk.
    risk : DataFrame, optional
        :func:`geo.analysis.risk.score_areas` output; joined to ``areas`` on
        ``area_code`` (else ``area``); shaded by ``final_level``.
    borders : GeoDataFrame, optional
        Border lines (``neighbour_name``, ``neighbour_iso3``, ``length_km``).
    towns : DataFrame, optional
        ``name``, ``latitude``, ``longitude``, ``population``, ``iso3``.
        Towns of Mali and towns over 100,000 people are labelled from the
        start, smaller ones from zoom 6-8; where labels would overlap, Mali's
        towns and then the larger win. At most ``max_towns`` are sent.
    admin0 : GeoDataFrame, optional
        Country outlines, always drawn for context (filled light with
        country names when there are no tiles).
    view : MapView, optional
        Centre and zoom; default: fit Mali's areas (else the incidents).
    layers : iterable of str
        Any of :data:`LAYERS`: ``risk``, ``incidents``, ``heatmap``,
        ``borders``, ``towns``.
    tiles : str
        ``"none"`` (no basemap; vector layers give context), ``"osm"``
        (OpenStreetMap, needs internet) or a tile URL template with ``{z}``,
        ``{x}``, ``{y}`` (then ``tiles_attr`` is required).
    asset_base : str
        URL of ``static/vendor/`` (see :mod:`geo.render.assets`).
    inline_assets : bool
        Embed Leaflet and plugins in the page (a self-contained HTML file).
    cluster_threshold, aggregate_threshold, grid_max_cells : int
        Above ``cluster_threshold`` incidents markers are clustered; above
        ``aggregate_threshold`` they are aggregated onto a grid of at most
        ``grid_max_cells`` cells.
    sync_url, restore_view, view_key : bool, bool, str
        Keep ``lat``/``lon``/``z`` of the page URL equal to the view on
        screen, and restore the user's latest view after a rerun (see
        :class:`_ViewSync`); ``view_key`` names the sessionStorage entry.
    layer_control, legend : bool
        Add Leaflet's layer switcher (for exports; the dashboard toggles
        layers with its own widgets so they stay in the URL) and the legend.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValueError
        Unknown layer or tiles value, or a frame lacking needed columns.
    """
    chosen = set(layers)
    unknown = chosen - set(LAYERS)
    if unknown:
        raise ValueError(
            f"build_map: unknown layer(s) {', '.join(sorted(unknown))}; "
            f"expected any of {', '.join(LAYERS)}"
        )
    _require(incidents, ["latitude", "longitude", "event_type", "fatalities"], "incidents")
    plain = tiles == "none"

    bounds = _default_bounds(areas, incidents, admin0) if view is None else None
    if view is not None:
        location, zoom = [view.lat, view.lon], view.zoom
    elif bounds is not None:
        location = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
        zoom = _zoom_for(bounds)
    else:
        location, zoom = [0.0, 0.0], MIN_ZOOM
    m = folium.Map(location=location, zoom_start=zoom, tiles=None, control_scale=True)
    # folium passes min_zoom/max_zoom to its tile layer only; clustering needs
    # the map's own limits even when there are no tiles.
    m.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)
    _add_tiles(m, tiles, tiles_attr)

    attribution = []
    if areas is not None or admin0 is not None or borders is not None:
        attribution.append("Boundaries: Natural Earth")
    if towns is not None and "towns" in chosen:
        attribution.append("Places: GeoNames (CC BY 4.0)")
    _MapSetup(plain, attribution).add_to(m)

    legend_layers: list[tuple[str, Layer]] = []
    if admin0 is not None:
        _add_admin0(m, admin0, plain)
    risk_levels: set[str] | None = None
    if areas is not None:
        show_risk = "risk" in chosen and risk is not None
        layer, used = _add_areas(m, areas, risk, show_risk, plain)
        if show_risk:
            risk_levels = used
            legend_layers.append(("risk", layer))
    if borders is not None and "borders" in chosen:
        legend_layers.append(("borders", _add_borders(m, borders)))
    if "heatmap" in chosen:
        legend_layers.append(("heatmap", _add_heatmap(m, incidents)))
    summary = None
    if "incidents" in chosen:
        layer, summary = _add_incidents(
            m, incidents, zoom, cluster_threshold, aggregate_threshold, grid_max_cells
        )
        legend_layers.append(("incidents", layer))
    if towns is not None and "towns" in chosen:
        legend_layers.append(("towns", _add_towns(m, towns, max_towns)))
    if legend:
        _Legend(
            _legend_html(
                risk_levels,
                summary,
                "heatmap" in chosen,
                borders is not None and "borders" in chosen,
                towns is not None and "towns" in chosen,
            ),
            legend_layers,
        ).add_to(m)
    if layer_control:
        folium.LayerControl(collapsed=True).add_to(m)
    if view is None and bounds is not None:
        m.fit_bounds(bounds)
    if sync_url:
        _ViewSync(f"geo.map.view:{view_key}", view, bounds, restore_view).add_to(m)
    apply_local_assets(m, asset_base, inline=inline_assets)
    return m


def _add_tiles(m: folium.Map, tiles: str, attr: str | None) -> None:
    if tiles == "none":
        return
    if tiles == "osm":
        folium.TileLayer("OpenStreetMap", control=False).add_to(m)
        return
    if all(part in tiles for part in ("{z}", "{x}", "{y}")):
        if not attr:
            raise ValueError(
                "build_map: a custom tile URL needs tiles_attr (the tile provider's attribution)"
            )
        folium.TileLayer(tiles=tiles, attr=attr, control=False, max_zoom=MAX_ZOOM).add_to(m)
        return
    raise ValueError(
        f"build_map: tiles={tiles!r}; "
        "expected 'none', 'osm' or a URL template with {z}, {x}, {y}"
    )
