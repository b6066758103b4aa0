"""The sidebar's place search, and fitting the map to the chosen places.

"Find a place" takes a town, an admin-1 area or a country
(:func:`geo.reference.place_search.find_places` over the store's gazetteer
and the shipped outlines). Choosing a match moves the map there: a town's
surroundings, an area's or a country's outline. For a town, "Incidents
within" keeps only the incidents that many km from it, and the map shows
the circle. Choosing countries or admin-1 areas in the filters fits the map
to them too.

The link carries the search: ``place`` (what was typed), ``pick`` (which
match, when not the first) and ``within`` (km). The map view moves by
writing ``lat``/``lon``/``z`` into the query string from the widget's
callback, before the page reads the view (:mod:`appkit.controls`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from appkit import data as cache
from appkit import map_cache
from appkit.text import escape_markdown
from geo.analysis.filters import Selection
from geo.analysis.geodesy import km_from
from geo.io.gazetteers import StoreGazetteerError
from geo.model.params import last_param
from geo.reference.names import fold
from geo.reference.place_search import PlaceMatch, find_places, view_for
from geo.render.maps import MapView

__all__ = [
    "PARAMS",
    "WITHIN_CHOICES",
    "fit_selection",
    "map_mark",
    "read_link",
    "sidebar",
    "url_params",
    "within_filter",
]

QUERY_KEY = "f_place"
PICK_KEY = "f_place_pick"
WITHIN_KEY = "f_within"
_MATCHES = "_place_matches"
PARAMS: tuple[str, ...] = ("place", "pick", "within")
# 0 is "anywhere".
WITHIN_CHOICES: tuple[int, ...] = (0, 10, 25, 50, 100, 250)


def _matches(query: str) -> list[PlaceMatch]:
    try:
        gazetteer = cache.gazetteer()
    except StoreGazetteerError:  # the Ingest page reports it; the shipped places still work
        gazetteer = cache.shipped_gazetteer()
    return find_places(query, gazetteer, cache.admin1(), cache.admin0())


def _chosen() -> PlaceMatch | None:
    ss = st.session_state
    matches: list[PlaceMatch] = ss.get(_MATCHES) or []
    if not matches:
        return None
    pick = ss.get(PICK_KEY) or 0
    return matches[pick] if 0 <= pick < len(matches) else matches[0]


def _within() -> int:
    chosen = _chosen()
    km = int(st.session_state.get(WITHIN_KEY) or 0)
    return km if chosen is not None and chosen.kind == "place" else 0


def _move_to(view: tuple[float, float, int]) -> None:
    """Show ``view``: the page reads the view from the query string after the callbacks."""
    st.query_params.update(MapView(*view).to_params())
    map_cache.request_move()


def _show_chosen() -> None:
    chosen = _chosen()
    if chosen is not None:
        _move_to(view_for(chosen, _within() or None))


def _search() -> None:
    ss = st.session_state
    query = str(ss.get(QUERY_KEY) or "").strip()
    ss[_MATCHES] = _matches(query) if query else []
    ss[PICK_KEY] = 0
    ss[WITHIN_KEY] = 0
    _show_chosen()


def read_link(params: Mapping[str, Any]) -> list[str]:
    """Set the search from a link (first run); one notice per value not used."""
    ss = st.session_state
    query = (last_param(params, "place") or "").strip()
    notices: list[str] = []
    ss[QUERY_KEY] = query
    ss[_MATCHES] = _matches(query) if query else []
    ss[PICK_KEY], ss[WITHIN_KEY] = 0, 0
    if query and not ss[_MATCHES]:
        notices.append(f"No place called {query!r} was found.")
    pick = last_param(params, "pick") or ""
    if pick:
        if pick.isdigit() and 1 <= int(pick) <= len(ss[_MATCHES]):
            ss[PICK_KEY] = int(pick) - 1
        else:
            notices.append(f"Ignored pick={pick!r}: expected 1 to {len(ss[_MATCHES])}.")
    within = last_param(params, "within") or ""
    if within:
        if within.isdigit() and int(within) in WITHIN_CHOICES:
            ss[WITHIN_KEY] = int(within)
        else:
            notices.append(
                f"Ignored within={within!r}: expected one of "
                f"{', '.join(map(str, WITHIN_CHOICES[1:]))} (km)."
            )
    if not any(name in params for name in MapView.PARAMS):
        _show_chosen()
    return notices


def sidebar() -> None:
    """The "Find a place" box, its matches and the distance filter."""
    ss = st.session_state
    ss.setdefault(QUERY_KEY, "")
    st.text_input(
        "Find a place",
        key=QUERY_KEY,
        placeholder="Town, region or country",
        on_change=_search,
        help="Moves the map there. A region or a country fits the map to it; "
        "for a town you may keep only the incidents near it.",
    )
    matches: list[PlaceMatch] = ss.get(_MATCHES) or []
    if ss[QUERY_KEY] and not matches:
        st.caption("No place of that name in the gazetteer or the area layers.")
        return
    if len(matches) > 1:
        st.selectbox(
            "Which one",
            range(len(matches)),
            key=PICK_KEY,
            format_func=lambda i: matches[i].label,
            on_change=_show_chosen,
        )
    chosen = _chosen()
    if chosen is None:
        return
    if chosen.kind == "place":
        st.selectbox(
            # Place names may come from a user's gazetteer: no Markdown from them.
            f"Incidents within (of {escape_markdown(chosen.name)})",
            WITHIN_CHOICES,
            key=WITHIN_KEY,
            format_func=lambda km: "anywhere" if km == 0 else f"{km} km",
            on_change=_show_chosen,
        )
    else:
        st.caption(f"Showing {escape_markdown(chosen.label)}.")


def url_params() -> dict[str, str]:
    """The search's query parameters (empty when nothing is searched)."""
    ss = st.session_state
    query = str(ss.get(QUERY_KEY) or "").strip()
    if not query:
        return {}
    out = {"place": query}
    if ss.get(PICK_KEY):
        out["pick"] = str(int(ss[PICK_KEY]) + 1)
    if _within():
        out["within"] = str(_within())
    return out


def within_filter(rows: Selection) -> Selection:
    """The incidents within the chosen distance of the searched town (all when off)."""
    km, chosen = _within(), _chosen()
    if not km or chosen is None or not len(rows):
        return rows
    points = rows.columns(["latitude", "longitude"])
    lon = points["longitude"].to_numpy(float, na_value=float("nan"))
    lat = points["latitude"].to_numpy(float, na_value=float("nan"))
    return rows.narrowed(km_from(lon, lat, chosen.longitude, chosen.latitude) <= km)


def map_mark() -> tuple[str, float, float, float] | None:
    """What the map draws for the search: label, point and circle (``MapOptions.place``)."""
    chosen = _chosen()
    # A region or a country is shown by fitting the map to it; a ring at some
    # point inside it would read as a town.
    if chosen is None or chosen.kind != "place":
        return None
    return chosen.label, chosen.latitude, chosen.longitude, float(_within())


def fit_selection(countries: list[str], admin1: list[str]) -> None:
    """Move the map to the admin-1 areas (else the countries) just chosen in the filters."""
    bounds = _selection_bounds(countries, admin1)
    if bounds is not None:
        south, west, north, east = bounds
        match = PlaceMatch("area", "selection", "", south, west, (south, west, north, east))
        _move_to(view_for(match))


def _selection_bounds(
    countries: list[str], admin1: list[str]
) -> tuple[float, float, float, float] | None:
    if admin1:
        layer = cache.admin1()
        keep = layer["area"].isin(admin1)
        if countries and "country" in layer.columns:
            keep &= layer["country"].isin(countries) | layer["iso3"].isin(countries)
    elif countries:
        layer = cache.admin0()
        wanted = {fold(c) for c in countries}
        keep = layer["name"].map(fold).isin(wanted) | layer["iso3"].isin(countries)
    else:
        return None
    chosen = layer.loc[keep]
    if chosen.empty:
        return None
    west, south, east, north = (float(v) for v in chosen.total_bounds)
    return south, west, north, east
