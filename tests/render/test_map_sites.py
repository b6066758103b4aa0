"""The sites layer of the map, and the link's ``near`` and ``layers=...,sites``."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import shapely

from geo.analysis.filters import FilterState
from geo.render.maps import MapOptions, build_map, layers_from_param, layers_to_param
from geo.render.urlstate import AppState, app_params, read_params

HOSTILE = "<img src=x onerror=alert(1)> ${alert(2)} `x` {{ 7*7 }}"


def _sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "name": ["Example base", HOSTILE],
            "kind": ["office", "route"],
            "radius_km": [10.0, 25.0],
        },
        geometry=[shapely.Point(0.0, 16.0), shapely.LineString([(0.0, 16.0), (1.0, 17.0)])],
        crs="EPSG:4326",
    )


def _incidents() -> pd.DataFrame:
    return pd.DataFrame(
        {"latitude": [16.1], "longitude": [0.1], "event_type": ["Battles"], "fatalities": [1]}
    )


def _html(layers, sites) -> str:
    m = build_map(_incidents(), sites=sites, options=MapOptions(layers=layers))
    return m.get_root().render()


def test_sites_are_drawn_escaped_with_a_legend_section():
    html = _html({"incidents", "sites"}, _sites())
    assert "Example base" in html
    assert "Our sites" in html and 'data-layer=\\"sites\\"' in html
    # Untrusted names arrive as entities inside a JSON payload, never as markup
    # or a template substitution, and a Jinja expression is not evaluated.
    assert "<img" not in html and "${alert" not in html
    assert "\\u0026lt;img src=x" in html and "\\u0026#36;{alert(2)}" in html
    assert "{{ 7*7 }}" in html


def test_no_site_reaches_the_page_without_sites_or_without_the_layer():
    assert "Example base" not in _html({"incidents", "sites"}, None)
    assert "Example base" not in _html({"incidents"}, _sites())
    assert "Our sites" not in _html({"incidents"}, _sites())


def test_layers_parameter_keeps_the_sites_toggle():
    chosen, notices = layers_from_param("risk,sites")
    assert chosen == frozenset({"risk", "sites"}) and notices == []
    assert layers_to_param({"sites", "risk"}) == "risk,sites"


def _read(params):
    bounds = (dt.date(2013, 1, 1), dt.date(2013, 2, 28))
    return read_params(
        params,
        defaults=FilterState(*bounds),
        bounds=bounds,
        choices={"countries": (), "admin1": (), "actors": ()},
    )


def test_near_parameter_round_trips_and_bad_values_are_named():
    state = AppState(FilterState(dt.date(2013, 1, 1), dt.date(2013, 2, 28)), near_km=25)
    params = app_params(state)
    assert params["near"] == "25"
    app, notices = _read(params)
    assert app.near_km == 25 and notices == []
    assert "near" not in app_params(AppState(state.filters))
    for bad in ("0", "-5", "ten", "5000", "2.5"):
        app, notices = _read({**params, "near": bad})
        assert app.near_km is None
        assert notices == [f"Ignored near={bad!r}: expected a whole number of km from 1 to 1000."]
