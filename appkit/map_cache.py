"""The Map page's map, built once per filter state and data version, shared by every session.

Every visit to the Map page used to build the folium map and render it to
about 1.2 MB of HTML and script (0.05-0.1 s of CPU), although most visitors
look at the same map: the default view of the current data. Here the
rendered map is kept in ``st.cache_data``, keyed on what decides its
content:

- the data version: the incident store's path and modification time
  (:class:`appkit.data.Source`) and a digest of the risk table itself
  (which covers the analysts' overrides and the risk settings);
- the filter state (:class:`geo.analysis.filters.FilterState`) and the
  map options (layers, basemap, view).

The filtered incidents are not hashed: they follow from the store version
and the filter state, which are in the key.

What is cached is exactly what :func:`streamlit_folium.st_folium` sends to
its frontend component (:class:`MapFrame`); :func:`show` sends it with the
same arguments ``st_folium`` would. ``tests/app/test_map_cache.py`` checks
that the two stay equal, so an upgrade of streamlit-folium that changes its
wire format fails a test instead of drawing a blank map.

The map is live (:mod:`geo.render.maps.live`): its base page depends on
the options only, and the filters' layers travel as an overlay script, so
a filter change keeps the component's frame and redraws only the overlay.

``GEO_MAP_CACHE=0`` in the environment turns the cache off (each run builds
and renders the map), to measure what it saves
(``scripts/load_test.py --baseline``; docs/performance.md).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import folium.elements
import pandas as pd
import streamlit as st
import streamlit_folium

from appkit import data as cache
from geo.analysis.filters import FilterState, Selection
from geo.render.maps import MapOptions, MapView, build_map
from geo.render.maps.incidents import GRID_COLUMNS, drawn_as_grid
from geo.render.maps.live import LiveMap, build_live_map, overlay_script

# Loaded first into the map's frame: keeps the latest overlay sent (see the file).
LIVE_FRAME_JS = Path(__file__).with_name("live_frame.js")

# One entry is one rendered map (1-2.5 MB); the default view of the current
# data is the common case, panned views and rare filters fall out first.
MAX_ENTRIES = 32


@dataclass(frozen=True)
class MapFrame:
    """A rendered map as streamlit-folium's component receives it.

    Attributes
    ----------
    script : str
        The map's Leaflet script (data included), variables renamed the way
        the component expects.
    header, html : str
        The page header (styles, inline scripts) and extra body HTML.
    map_id : str
        folium's id of the map element.
    css_links, js_links : tuple of str
        Stylesheets and scripts the component frame loads (local files).
    hash_key : str
        The component's widget key, derived from the script without its
        random element ids (the same map built twice keeps its key).
    overlay : str
        For a live map (:mod:`geo.render.maps.live`), the overlay script the
        component runs in the map's page (its ``feature_group``); else empty.
    """

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    hash_key: str
    overlay: str = ""


# Session keys: the view the live map's page was built at, and a request
# from the app (a place search) to build it at the URL's view again.
_BASE_VIEW = "_map_base_view"
_MOVE = "_map_move"


def base_view(view: MapView | None) -> MapView | None:
    """The view to build the live map's page at, given the URL's ``view``.

    The map writes the user's pans into the URL, so a page built at the
    URL's view would be a new page (a new frame, the whole map sent and
    drawn again) at the first filter change after every pan. The page keeps
    the view the session first built it at instead; the map in the frame
    stays where the user took it. Only a move the app asks for
    (:func:`request_move`) builds the page at the URL's view again. A page
    built anew at the kept view (after a layer change, or back from another
    page) goes to the user's latest view itself (``GeoViewSync`` in ``view_sync.js``).
    """
    ss = st.session_state
    if _BASE_VIEW not in ss or ss.pop(_MOVE, False):
        ss[_BASE_VIEW] = view
    return ss[_BASE_VIEW]


def request_move() -> None:
    """Build the map's page at the URL's view on the next run (the app moved the view)."""
    st.session_state[_MOVE] = True


def enabled() -> bool:
    """False when ``GEO_MAP_CACHE=0`` asks for a fresh map on every run."""
    return os.environ.get("GEO_MAP_CACHE", "1").strip() != "0"


def live() -> bool:
    """False when ``GEO_LIVE_MAP=0`` asks for a whole new map page at every change.

    For measuring what the live map saves (``scripts/bench_app_filter.py``
    runs the app both ways); the page then gets a new frame each time, as
    before the live map.
    """
    return os.environ.get("GEO_LIVE_MAP", "1").strip() != "0"


def render_frame(fmap: folium.Map, key: str | None) -> MapFrame:
    """Render ``fmap`` the way :func:`streamlit_folium.st_folium` does before it sends it.

    Parameters
    ----------
    fmap : folium.Map
        The map; it is rendered in place (folium's ``render`` is repeatable).
    key : str or None
        The key the page gives the component (part of the widget key).
    """
    fmap.get_root().render()
    fmap.render()
    # The order matters: the script step renames variables in the map's tree.
    html = streamlit_folium._get_html(fmap)
    header = streamlit_folium._get_header(fmap)
    script = streamlit_folium._get_map_string(fmap)
    css: list[str] = []
    js: list[str] = []
    for element in _assets_of(fmap):
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    return MapFrame(
        script=script,
        header=header,
        html=html,
        map_id=streamlit_folium.get_full_id(fmap),
        css_links=tuple(dict.fromkeys(css)),
        js_links=tuple(dict.fromkeys(js)),
        hash_key=streamlit_folium.generate_js_hash(script, key, False),
    )


def render_live(live: LiveMap, key: str | None) -> MapFrame:
    """A live map's frame: its base as :func:`render_frame` gives it, and its overlay.

    The component's key comes from the base alone, so maps of the same
    options under other filters share it: the component keeps its frame and
    runs the new overlay in it.
    """
    frame = render_frame(live.base, key)  # first: it names the base's layers
    return dataclasses.replace(
        frame,
        overlay=overlay_script(live),
        js_links=(_live_frame_link(), *frame.js_links),
    )


@functools.cache
def _live_frame_link() -> str:
    """``live_frame.js`` as a ``data:`` URL, the first script the map's frame loads."""
    code = LIVE_FRAME_JS.read_text(encoding="utf-8")
    return "data:text/javascript;charset=utf-8," + urllib.parse.quote(code)


def _assets_of(element: Any) -> Iterator[Any]:
    """The elements whose files st_folium links: those that declare js/css, in tree order."""
    if isinstance(element, folium.elements.JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _assets_of(child)


@st.cache_data(show_spinner=False, max_entries=MAX_ENTRIES)
def _cached_frame(
    source: cache.Source,
    filters: FilterState,
    risk_digest: str,
    options_key: tuple[tuple[str, Any], ...],
    key: str | None,
    sites_key: str,
    _rows: Selection | pd.DataFrame,
    _risk: pd.DataFrame,
    _options: MapOptions,
    _sites: pd.DataFrame | None,
) -> MapFrame:
    # Arguments named with a leading underscore are left out of the hash:
    # (source, filters, sites_key) decide _rows, the digest stands for
    # _risk, options_key spells out _options and sites_key (the sites' version
    # and the near filter; empty for anyone who may not see sites) _sites.
    return _render(_rows, _risk, _options, _sites, key)


def _digest(frame: pd.DataFrame) -> str:
    # Of the content, not of a pickle: the risk table st.cache_data hands
    # back on the next run is an unpickled copy, which pickles to other bytes
    # than the table first computed, so a pickle's digest missed the cache
    # and built the map a second time on every new data version (0.5 s at a
    # million incidents). Streamlit's own DataFrame hash took 5 ms for the
    # 368-area table; this takes about 2 ms.
    digest = hashlib.sha256()
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    try:
        rows = pd.util.hash_pandas_object(frame, index=True, categorize=False)
    except (TypeError, ValueError):  # a cell holding a list or dict: through its pickle
        return hashlib.sha256(pickle.dumps(frame, protocol=5)).hexdigest()
    digest.update(rows.to_numpy().tobytes())
    return digest.hexdigest()


def _options_key(options: MapOptions) -> tuple[tuple[str, Any], ...]:
    # Streamlit hashes a frozenset through its iteration order, which two
    # equal sets need not share: sorted, equal options always hit.
    return tuple(
        (f.name, tuple(sorted(value)) if isinstance(value, frozenset) else value)
        for f in dataclasses.fields(options)
        for value in [getattr(options, f.name)]
    )


def _incidents(rows: Selection | pd.DataFrame, options: MapOptions) -> pd.DataFrame:
    """The rows the map needs: only the grid's columns when it will draw a grid."""
    if isinstance(rows, pd.DataFrame):
        return rows
    if len(rows) > options.aggregate_threshold:
        few = rows.columns(GRID_COLUMNS)
        if drawn_as_grid(few, options.aggregate_threshold):
            return few
    return rows.frame


def _render(
    rows: Selection | pd.DataFrame,
    risk: pd.DataFrame,
    options: MapOptions,
    sites: pd.DataFrame | None,
    key: str | None,
) -> MapFrame:
    if live():
        return render_live(_build(rows, risk, options, sites), key)
    return render_frame(_build(rows, risk, options, sites, builder=build_map), key)


def _build(
    rows: Selection | pd.DataFrame,
    risk: pd.DataFrame,
    options: MapOptions,
    sites: pd.DataFrame | None = None,
    builder: Callable[..., Any] | None = None,
) -> Any:
    """The live map (or with ``builder=build_map`` the ordinary one) of these rows."""
    return (builder or build_live_map)(
        _incidents(rows, options),
        areas=cache.admin1(),
        risk=risk,
        borders=cache.borders(),
        towns=cache.towns(),
        admin0=cache.admin0(),
        options=options,
        sites=sites,
    )


def map_frame(
    source: cache.Source,
    filters: FilterState,
    rows: Selection | pd.DataFrame,
    risk: pd.DataFrame,
    options: MapOptions,
    *,
    key: str | None,
    sites: pd.DataFrame | None = None,
    sites_key: str = "",
) -> MapFrame:
    """The rendered dashboard map for this data version, filter state and options (shared).

    Parameters
    ----------
    source : appkit.data.Source
        The store version ``rows`` were read from.
    filters : FilterState
        The filters ``rows`` are the result of.
    rows : Selection or DataFrame
        The incidents to draw (the rows of the store at ``source`` that
        match ``filters``); copied only when the map is built, and then only
        the columns it reads.
    risk : DataFrame
        The risk table to shade the areas with.
    options : MapOptions
        Layers, basemap and view.
    key : str or None
        The component key :func:`show` will use.
    sites, sites_key : GeoDataFrame or None, str
        The team's sites, for a team member only, and what they and the
        "near our sites" filter depend on (:func:`appkit.sites.sites_key`):
        a map with sites is never served to a session without them.
    """
    if sites is not None and not sites_key:
        raise ValueError("map_frame: sites need a sites_key")
    return _cached_frame(
        source,
        filters,
        _digest(risk),
        _options_key(options),
        key,
        sites_key if sites is not None else "",
        rows,
        risk,
        options,
        sites,
    )


def show(frame: MapFrame, *, key: str | None, height: int, use_container_width: bool) -> None:
    """Send a rendered map to streamlit-folium's component, as ``st_folium`` would.

    Only for maps shown with ``returned_objects=[]``: the map never sends
    anything back, so there is no value to return.
    """

    def on_change() -> None:
        if key is not None:
            st.session_state[key] = st.session_state.get(frame.hash_key, {})

    streamlit_folium._component_func(
        script=frame.script,
        header=frame.header,
        html=frame.html,
        id=frame.map_id,
        key=frame.hash_key,
        height=height,
        width=None if use_container_width else 500,
        returned_objects=[],
        default={},
        zoom=None,
        center=None,
        # The overlay: streamlit-folium runs it in the map's page whenever it
        # changes, and keeps the page while the key (of the base) stays.
        feature_group=frame.overlay or None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(frame.css_links),
        js_links=list(frame.js_links),
        on_change=on_change,
        wrap_longitude=False,
    )


def draw(
    source: cache.Source,
    filters: FilterState,
    rows: Selection | pd.DataFrame,
    risk: pd.DataFrame,
    options: MapOptions,
    *,
    key: str,
    height: int,
    sites: pd.DataFrame | None = None,
    sites_key: str = "",
) -> None:
    """Show the dashboard map, full width, from the shared cache (or fresh with the cache off)."""
    if enabled():
        frame = map_frame(
            source, filters, rows, risk, options, key=key, sites=sites, sites_key=sites_key
        )
    else:
        frame = _render(rows, risk, options, sites, key)
    show(frame, key=key, height=height, use_container_width=True)
