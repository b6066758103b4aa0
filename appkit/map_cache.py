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

``GEO_MAP_CACHE=0`` in the environment turns the cache off (each run builds
and sends the map through ``st_folium``), to measure what it saves
(``scripts/load_test.py --baseline``; docs/performance.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import folium
import folium.elements
import pandas as pd
import streamlit as st
import streamlit_folium
from streamlit_folium import st_folium

from appkit import data as cache
from geo.analysis.filters import FilterState
from geo.render.maps import MapOptions, build_map

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
    """

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    hash_key: str


def enabled() -> bool:
    """False when ``GEO_MAP_CACHE=0`` asks for a fresh map on every run."""
    return os.environ.get("GEO_MAP_CACHE", "1").strip() != "0"


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
    _filtered: pd.DataFrame,
    _risk: pd.DataFrame,
    _options: MapOptions,
    _sites: pd.DataFrame | None,
) -> MapFrame:
    # Arguments named with a leading underscore are left out of the hash:
    # (source, filters, sites_key) decide _filtered, the digest stands for
    # _risk, options_key spells out _options and sites_key (the sites' version
    # and the near filter; empty for anyone who may not see sites) _sites.
    fmap = _build(_filtered, _risk, _options, _sites)
    return render_frame(fmap, key)


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


def _build(
    filtered: pd.DataFrame,
    risk: pd.DataFrame,
    options: MapOptions,
    sites: pd.DataFrame | None = None,
) -> folium.Map:
    return build_map(
        filtered,
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
    filtered: pd.DataFrame,
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
        The store version ``filtered`` was read from.
    filters : FilterState
        The filters ``filtered`` is the result of.
    filtered : DataFrame
        The incidents to draw (``apply_filters`` of the store at ``source``).
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
        filtered,
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
        feature_group=None,
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
    filtered: pd.DataFrame,
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
            source, filters, filtered, risk, options, key=key, sites=sites, sites_key=sites_key
        )
        show(frame, key=key, height=height, use_container_width=True)
    else:
        fmap = _build(filtered, risk, options, sites)
        st_folium(fmap, returned_objects=[], key=key, height=height, use_container_width=True)
