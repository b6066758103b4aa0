from __future__ import annotations

import html
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import LineString, box

from geo.io.synthetic import synthetic_incidents
from geo.model.schema import COLUMNS, coerce_frame
from geo.render import maps as maps_package
from geo.render.maps import (
    DEFAULT_LAYERS,
    LAYERS,
    MapOptions,
    MapView,
    build_map,
    escape_text,
    grid_aggregate,
    layers_from_param,
    layers_to_param,
)
from geo.render.style import EVENT_TYPE_COLOURS, LEVEL_COLOURS

CDN = re.compile(r"""<(?:script|link)\b[^>]*(?:src|href)=["']?(?:https?:)?//""", re.IGNORECASE)
XSS_NOTES = "<img src=x onerror=alert(1)> and ${alert(1)} and `tick`"
LEGEND = r'GeoMap\.legend\([a-z_0-9]+, ("(?:[^"\\]|\\.)*")'
XSS_ACTOR = "</script><script>alert(1)</script>"
BOUNDS = (-4.0, 14.0, 2.0, 20.0)  # the made-up areas below


def incidents(rows: list[dict[str, str]] | None = None) -> pd.DataFrame:
    base = {c: "" for c in COLUMNS} | {
        "time_precision": "1",
        "country": "Mali",
        "iso3": "MLI",
        "geo_precision": "1",
        "source": "Test report",
        "sub_event_type": "",
    }
    rows = rows or [
        {
            "event_id": "M1",
            "event_date": "2013-02-10",
            "event_type": "Battles",
            "sub_event_type": "Armed clash",
            "actor1": "Group A",
            "location": "North town",
            "admin1": "North",
            "latitude": "18.5",
            "longitude": "-1.0",
            "fatalities": "12",
            "notes": "A clash.",
        },
        {
            "event_id": "M2",
            "event_date": "2013-02-12",
            "event_type": "Protests",
            "sub_event_type": "Peaceful protest",
            "actor1": "Protesters",
            "location": "South town",
            "admin1": "South",
            "latitude": "15.5",
            "longitude": "0.5",
            "fatalities": "0",
            "notes": "A protest.",
        },
    ]
    return coerce_frame(pd.DataFrame([base | r for r in rows], columns=list(COLUMNS)))


@pytest.fixture
def layers_kw() -> dict[str, object]:
    areas = gpd.GeoDataFrame(
        {
            "area": ["North", "South"],
            "area_code": ["XN", "XS"],
            "iso3": ["MLI", "MLI"],
            "country": ["Mali", "Mali"],
        },
        geometry=[box(-4, 17, 2, 20), box(-4, 14, 2, 17)],
        crs="EPSG:4326",
    )
    admin0 = gpd.GeoDataFrame(
        {"iso3": ["MLI"], "name": ["Mali"]}, geometry=[box(-4, 14, 2, 20)], crs="EPSG:4326"
    )
    borders = gpd.GeoDataFrame(
        {"neighbour_iso3": ["DZA"], "neighbour_name": ["Algeria"], "length_km": [660.0]},
        geometry=[LineString([(-4, 20), (2, 20)])],
        crs="EPSG:4326",
    )
    towns = pd.DataFrame(
        {
            "name": ["Northville", "Southburg"],
            "latitude": [18.2, 15.2],
            "longitude": [-1.5, 0.0],
            "population": [120_000, 9_000],
            "iso3": ["MLI", "MLI"],
        }
    )
    risk = pd.DataFrame(
        {
            "area": ["North", "South"],
            "area_code": ["XN", "XS"],
            "iso3": ["MLI", "MLI"],
            "score": [71.4, 8.0],
            "level": ["Elevated", "Low"],
            "final_level": ["High", "Low"],
            "trend": ["Large increase", "Limited change"],
            "trend_pct": [40.0, 0.0],
            "events": [5, 1],
            "fatalities": [12, 0],
            "override_level": ["High", ""],
            "override_reason": ["Analyst note ${alert(1)}", ""],
            "override_expires": ["2013-03-31", ""],
        }
    )
    return {"areas": areas, "admin0": admin0, "borders": borders, "towns": towns, "risk": risk}


def render(m) -> str:
    return m.get_root().render()


def payload_mode(page: str) -> str:
    match = re.search(r'"mode":"(\w+)"', page)
    return match.group(1) if match else ("grid" if '"cell":' in page else "")


# --- escaping -----------------------------------------------------------------


def test_escape_text_neutralises_html_and_js_literal_breakers():
    out = escape_text("<b a=\"1\" b='2'>&</b> ${x} `y` \\z")
    assert (
        out
        == "&lt;b a=&quot;1&quot; b=&#x27;2&#x27;&gt;&amp;&lt;/b&gt; &#36;{x} &#96;y&#96; &#92;z"
    )
    assert escape_text(None) == "" and escape_text(float("nan")) == "" and escape_text(pd.NA) == ""
    assert escape_text(12) == "12"


@given(st.text())
def test_escape_text_shows_the_same_text_and_holds_no_special_characters(text):
    out = escape_text(text)
    assert html.unescape(out) == text
    assert not set(out) & set("<>\"'`$\\")


def test_untrusted_text_reaches_the_page_only_escaped(layers_kw):
    rows = [
        {
            "event_id": "X1",
            "event_date": "2013-02-10",
            "event_type": "Battles",
            "actor1": XSS_ACTOR,
            "location": "Town `${alert(2)}`",
            "latitude": "18.0",
            "longitude": "-1.0",
            "fatalities": "1",
            "notes": XSS_NOTES,
            "source": "<script>alert(3)</script>",
        },
    ]
    kw = layers_kw | {"towns": layers_kw["towns"].assign(name=["<i>Northville</i>", "${alert(4)}"])}
    kw["areas"] = kw["areas"].assign(area=["North <svg onload=alert(5)>", "South"])
    kw["risk"] = kw["risk"].assign(area=["North <svg onload=alert(5)>", "South"])
    for threshold in (1_000, 0):  # points, then clusters
        page = render(
            build_map(
                incidents(rows),
                options=MapOptions(layers=set(LAYERS), cluster_threshold=threshold),
                **kw,
            )
        )
        for raw in (
            "<img src=x onerror",
            "${alert(",
            "</script><script>alert(1)",
            "<script>alert(3)",
            "<svg onload",
            "<i>Northville",
            "`tick`",
        ):
            assert raw not in page, raw
        assert "\\u0026lt;/script\\u0026gt;\\u0026lt;script\\u0026gt;alert(1)" in page
        assert "\\u0026#36;{alert(4)}" in page  # a town label
        assert "Analyst note \\u0026#36;{alert(1)}" in page  # an override reason in a tooltip
    page = render(build_map(incidents(rows), **kw))
    assert (
        "\\u0026lt;img src=x onerror=alert(1)\\u0026gt; and \\u0026#36;{alert(1)}" in page
    )  # notes


def test_text_is_never_evaluated_as_a_template():
    # folium renders each element's output again as a Jinja template; our
    # elements must not, or "{#" breaks the page and "{{ }}" is evaluated.
    rows = [
        {
            "event_id": f"J{i}",
            "event_date": "2013-02-10",
            "event_type": "Riots",
            "latitude": "18.0",
            "longitude": "-1.0",
            "fatalities": "0",
            "notes": note,
        }
        for i, note in enumerate(
            ["{{ 7*191 }}", "{% if true %}shown{% endif %}", "{# open comment"]
        )
    ]
    page = render(build_map(incidents(rows), options=MapOptions(layers=set(LAYERS))))
    assert "1337" not in page
    for note in ("{{ 7*191 }}", "{% if true %}shown{% endif %}", "{# open comment"):
        assert note in page


# --- assets -------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 1_500, 25_000])
def test_no_cdn_links_with_every_layer_in_every_mode(layers_kw, n):
    frame = incidents() if n == 2 else synthetic_incidents(n, seed=2, bounds=BOUNDS)
    page = render(build_map(frame, options=MapOptions(layers=set(LAYERS)), **layers_kw))
    assert not CDN.search(page), CDN.search(page)
    assert '<script src="/app/static/vendor/leaflet/leaflet.js">' in page
    assert "http://" not in page.replace("http://www.w3.org", "")


def test_configured_tiles_are_the_only_remote_url(layers_kw):
    page = render(build_map(incidents(), options=MapOptions(tiles="osm"), **layers_kw))
    assert "tile.openstreetmap.org" in page and "OpenStreetMap" in page
    assert not CDN.search(page)
    custom = render(
        build_map(
            incidents(),
            options=MapOptions(tiles="/tiles/{z}/{x}/{y}.png", tiles_attr="Our tiles"),
        )
    )
    assert "/tiles/{z}/{x}/{y}.png" in custom and "Our tiles" in custom
    with pytest.raises(ValueError, match="tiles_attr"):
        build_map(incidents(), options=MapOptions(tiles="/tiles/{z}/{x}/{y}.png"))
    with pytest.raises(ValueError, match="'none', 'osm'"):
        build_map(incidents(), options=MapOptions(tiles="satellite"))


def test_inline_assets_make_a_self_contained_page(layers_kw):
    from geo.render.assets import missing_assets, missing_assets_message

    # Leaflet's files are part of the set-up (npm install): their absence is a failure.
    missing = missing_assets()
    assert not missing, missing_assets_message(missing)
    page = render(
        build_map(
            incidents(),
            options=MapOptions(inline_assets=True, layers=set(LAYERS)),
            **layers_kw,
        )
    )
    assert "<script src" not in page and 'rel="stylesheet"' not in page
    assert "Leaflet 1.9.4" in page and "simpleheat" in page


# --- layers and legend --------------------------------------------------------


def test_each_layer_switches_its_part_of_the_page(layers_kw):
    base = render(build_map(incidents(), options=MapOptions(layers=set()), **layers_kw))
    full = render(build_map(incidents(), options=MapOptions(layers=set(LAYERS)), **layers_kw))
    checks = {
        "risk": LEVEL_COLOURS["High"],
        "incidents": "GeoMap.incidents(",
        "heatmap": "GeoMap.heat(",
        "borders": "Border with Algeria",
        "towns": "Northville",
    }
    for layer, marker in checks.items():
        assert marker not in base, layer
        assert marker in full, layer
        alone = render(build_map(incidents(), options=MapOptions(layers={layer}), **layers_kw))
        assert marker in alone, layer
    assert "geo-country" in base  # country outlines are always there
    assert "\\u003eNorth\\u003c" in base  # admin-1 outlines keep their names without risk


def test_legend_explains_every_active_layer(layers_kw):
    page = render(build_map(incidents(), options=MapOptions(layers=set(LAYERS)), **layers_kw))
    legend = json.loads(re.search(LEGEND, page).group(1))
    for text in (
        "Risk level (admin-1)",
        "Extreme",
        "Low",
        "Hatched: level set by an analyst",
        "Incidents",
        "Fatalities",
        "Incident density",
        "International border",
        "Town",
        "Country outline",
    ):
        assert text in legend, text
    for event_type, colour in EVENT_TYPE_COLOURS.items():
        assert escape_text(event_type) in legend and colour in legend
    assert "2 incidents." in legend
    only = render(build_map(incidents(), options=MapOptions(layers={"incidents"}), **layers_kw))
    only_legend = json.loads(re.search(LEGEND, only).group(1))
    assert "Risk level" not in only_legend and "Incident density" not in only_legend
    assert "GeoMap.legend(" not in render(build_map(incidents(), options=MapOptions(legend=False)))


def test_risk_shading_uses_the_final_level_and_shows_overrides(layers_kw):
    page = render(build_map(incidents(), options=MapOptions(layers={"risk"}), **layers_kw))
    assert (
        f'"fillColor":"{LEVEL_COLOURS["High"]}"' in page
    )  # the override, not the computed Elevated
    # The overridden area is hatched (flag _h; GeoMap.geojson draws the
    # hatching) and its tooltip says who set the level and what was computed.
    assert page.count('"_h":1') == 1
    assert "High\\u003c/b\\u003e (analyst) · computed Elevated 71" in page
    assert "Large increase (+40 %)" in page


def test_a_low_baseline_trend_shows_its_counts_not_a_contradicting_percentage(layers_kw):
    risk = layers_kw["risk"].copy()
    risk["trend"] = ["Limited change", "Limited change"]
    risk["trend_pct"] = [700.0, 0.0]
    risk["events_last_7d"] = [2, 0]
    risk["weekly_baseline"] = [0.25, 0.0]
    kw = {**layers_kw, "risk": risk}
    page = render(build_map(incidents(), options=MapOptions(layers={"risk"}), **kw))
    assert "Limited change (low baseline: 2 this week, 0.2 a week before)" in page
    assert "+700" not in page


def test_rows_without_coordinates_are_counted_not_drawn():
    frame = incidents()
    frame.loc[1, "latitude"] = np.nan
    page = render(build_map(frame))
    assert "1 without coordinates not shown" in page
    assert '"id":["M1"]' in page


# --- size modes -----------------------------------------------------------------


def test_mode_follows_the_number_of_incidents(layers_kw):
    assert payload_mode(render(build_map(incidents(), **layers_kw))) == "points"
    many = synthetic_incidents(3_000, seed=3, bounds=BOUNDS)
    clustered = render(build_map(many, **layers_kw))
    assert payload_mode(clustered) == "clusters"
    assert "/app/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in clustered
    assert '"notes":' not in clustered  # notes stay off the map above the threshold
    assert (
        payload_mode(
            render(build_map(many, options=MapOptions(aggregate_threshold=2_000), **layers_kw))
        )
        == "grid"
    )


def test_big_input_is_aggregated_and_stays_under_the_byte_budget(layers_kw):
    big = synthetic_incidents(200_000, seed=4, bounds=BOUNDS)
    page = render(build_map(big, options=MapOptions(layers=set(LAYERS)), **layers_kw))
    assert payload_mode(page) == "grid"
    assert len(page.encode("utf-8")) < 5_000_000
    assert "200,000 incidents aggregated into" in page
    assert "SYN00000001" not in page  # no per-incident rows shipped


@given(
    st.lists(
        st.tuples(
            st.floats(-20, 20, allow_nan=False),
            st.floats(-20, 20, allow_nan=False),
            st.integers(0, 2),
            st.integers(0, 50),
        ),
        min_size=1,
        max_size=200,
    ),
    st.integers(1, 50),
)
def test_grid_aggregate_conserves_counts_and_respects_the_cell_budget(points, max_cells):
    lat, lon, kind, fat = (np.array(v) for v in zip(*points, strict=True))
    grid = grid_aggregate(lat, lon, kind, 3, fat.astype(float), max_cells)
    assert grid.counts.sum() == len(points)
    assert grid.fatalities.sum() == pytest.approx(fat.sum())
    assert (grid.counts.sum(axis=0) == np.bincount(kind, minlength=3)).all()
    if grid.cell_deg < 5:  # the coarsest size is used even when it does not fit
        assert len(grid.total) <= max_cells
    order = np.argsort(-lat, kind="stable")
    again = grid_aggregate(
        lat[order], lon[order], kind[order], 3, fat[order].astype(float), max_cells
    )
    assert sorted(again.total.tolist()) == sorted(grid.total.tolist())


# --- view and URL ---------------------------------------------------------------


def test_map_view_round_trips_through_params():
    view = MapView(16.27168, -0.04469, 7)
    params = view.to_params()
    assert params == {"lat": "16.2717", "lon": "-0.0447", "z": "7"}
    again, notices = MapView.from_params(params)
    assert notices == [] and again == MapView(16.2717, -0.0447, 7)
    assert MapView(-0.00001, 3.0, 5).to_params() == {"lat": "0", "lon": "3", "z": "5"}
    assert MapView.from_params({"lat": ["1", "2"], "lon": "3", "z": "4"})[0] == MapView(2.0, 3.0, 4)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"lat": "95", "lon": "0", "z": "5"}, "lat='95'"),
        ({"lat": "abc", "lon": "0", "z": "5"}, "lat='abc'"),
        ({"lat": "10", "lon": "-181", "z": "5"}, "lon='-181'"),
        ({"lat": "10", "lon": "nan", "z": "5"}, "lon='nan'"),
        ({"lat": "10", "lon": "0", "z": "5.5"}, "z='5.5'"),
        ({"lat": "10", "lon": "0", "z": "40"}, "z='40'"),
        ({"lat": "10", "lon": "0"}, "missing: z"),
    ],
)
def test_bad_view_params_fall_back_with_a_notice(params, fragment):
    default = MapView(17.0, -2.0, 5)
    view, notices = MapView.from_params(params, default)
    assert view == default
    assert len(notices) == 1 and fragment in notices[0]
    assert MapView.from_params({}, default) == (default, [])
    with pytest.raises(ValueError):
        MapView(91.0, 0.0, 5)


def test_layers_param_round_trips_and_reports_unknown_names():
    assert layers_from_param(None) == (DEFAULT_LAYERS, [])
    assert layers_from_param(layers_to_param(DEFAULT_LAYERS)) == (DEFAULT_LAYERS, [])
    assert layers_to_param({"towns", "risk"}) == "risk,towns"
    chosen, notices = layers_from_param("heatmap,satellite")
    assert chosen == {"heatmap"} and "satellite" in notices[0]
    assert layers_from_param("") == (frozenset(), [])


def test_a_layers_value_naming_no_known_layer_gives_the_defaults_it_announces():
    chosen, notices = layers_from_param("foo")
    assert chosen == DEFAULT_LAYERS
    assert notices == ["Ignored unknown layers value(s): foo; showing the default layers."]
    chosen, _ = layers_from_param("foo,bar", default={"towns"})
    assert chosen == {"towns"}


def test_view_sync_script_and_initial_view(layers_kw):
    page = render(
        build_map(incidents(), options=MapOptions(view=MapView(16.27, -0.04, 7)), **layers_kw)
    )
    assert "GeoViewSync.attach(" in page and '"built":"16.27,-0.04,7"' in page
    assert "[16.27, -0.04]" in page
    fitted = render(build_map(incidents(), **layers_kw))
    assert '"built":"fit:[[14.0, -4.0], [20.0, 2.0]]"' in fitted and "fitBounds" in fitted
    assert "GeoViewSync.attach(" not in render(
        build_map(incidents(), options=MapOptions(sync_url=False))
    )


def test_bad_arguments_are_refused_with_names():
    with pytest.raises(ValueError, match="unknown layer.*satellite"):
        build_map(incidents(), options=MapOptions(layers={"satellite"}))
    with pytest.raises(ValueError, match="fatalities"):
        build_map(incidents().drop(columns="fatalities"))


def test_bench_command_reports_both_tables_on_synthetic_data(capsys):
    from geo.cli import main

    assert main(["bench", "--sizes", "300,3000", "--naive-max", "300", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out and "| 300 |" in out and "| 3,000 |" in out
    assert "naive: build (s)" in out and "x |" in out


def test_empty_and_minimal_frames_still_give_a_map():
    empty = render(build_map(incidents().iloc[:0], options=MapOptions(layers=set(LAYERS))))
    assert "0 incidents." in empty and '"lat":[]' in empty
    minimal = pd.DataFrame(
        {
            "latitude": [16.0, 17.0],
            "longitude": [-1.0, 0.0],
            "event_type": ["Battles", "Other kind"],
            "fatalities": [1, None],
        }
    )
    for kw in ({}, {"cluster_threshold": 0}, {"cluster_threshold": 0, "aggregate_threshold": 1}):
        page = render(build_map(minimal, options=MapOptions(layers=set(LAYERS), **kw)))
        assert "Other kind" in page  # an unknown type gets its own (grey) legend entry


# --- incidents at the same point ---------------------------------------------


def _payload_cols(page: str) -> dict[str, list[object]]:
    match = re.search(r"GeoMap\.incidents\((\{.*?\})\);", page)
    assert match, "no incident layer in the page"
    return json.loads(match.group(1))["cols"]


def test_incidents_at_one_point_are_numbered_for_the_browser_to_fan_out():
    base = incidents().iloc[0].to_dict()
    rows = [
        {**base, "event_id": eid, "event_date": day}
        for eid, day in (("G3", "2013-02-15"), ("G1", "2013-02-10"), ("G2", "2013-02-14"))
    ]
    alone = {**base, "event_id": "K1", "latitude": 18.6, "longitude": -1.2}
    frame = pd.concat([pd.DataFrame(rows), pd.DataFrame([alone])], ignore_index=True)
    cols = _payload_cols(render(build_map(frame)))
    # Place in the stack by date (then id), whatever the row order; a lone
    # incident is a stack of one.
    assert cols["id"] == ["G3", "G1", "G2", "K1"]
    assert cols["k"] == [2, 0, 1, 0]
    assert cols["m"] == [3, 3, 3, 1]
    shuffled = frame.iloc[[3, 1, 0, 2]].reset_index(drop=True)
    again = _payload_cols(render(build_map(shuffled)))
    assert dict(zip(again["id"], again["k"], strict=True)) == {"G1": 0, "G2": 1, "G3": 2, "K1": 0}
    # Nothing stacked: no stack columns in the page.
    assert "k" not in _payload_cols(render(build_map(incidents())))


def test_options_hold_the_layers_as_a_frozen_set_and_default_to_the_dashboard_map(layers_kw):
    options = MapOptions(layers=["risk", "towns", "risk"])
    assert options.layers == frozenset({"risk", "towns"})
    assert hash(options) == hash(MapOptions(layers=("towns", "risk")))
    assert MapOptions().layers == DEFAULT_LAYERS
    with pytest.raises(AttributeError):
        options.legend = False  # type: ignore[misc]
    same = render(build_map(incidents(), options=MapOptions(), **layers_kw))
    default = render(build_map(incidents(), **layers_kw))
    strip = re.compile(r"[0-9a-f]{32}")
    assert strip.sub("", same) == strip.sub("", default)


def test_the_layer_switcher_names_layers_as_the_app_buttons_do(layers_kw):
    from geo.render.maps import LAYER_LABELS

    sites = gpd.GeoDataFrame(
        {"name": ["Example base"]}, geometry=[LineString([(0, 16), (1, 17)])], crs="EPSG:4326"
    )
    page = render(
        build_map(
            incidents(),
            options=MapOptions(layers=set(LAYERS), layer_control=True),
            sites=sites,
            **layers_kw,
        )
    )
    for name in LAYERS:
        assert f'"{LAYER_LABELS[name]}" :' in page, name


# --- country-level incidents ---------------------------------------------------


def _with_country_level() -> pd.DataFrame:
    frame = incidents()
    frame["country_level"] = [False, True]
    frame["area"] = ["North", ""]
    return frame


def test_country_level_incidents_are_drawn_at_the_country_label_and_say_so(layers_kw):
    page = render(build_map(_with_country_level(), **layers_kw))
    cols = _payload_cols(page)
    assert cols["cl"] == [0, 1]
    # M1 keeps its point; M2 moves to Mali's label (a point on its surface)
    assert (cols["lat"][0], cols["lon"][0]) == (18.5, -1.0)
    admin0 = layers_kw["admin0"]
    label = admin0.geometry.iloc[0].point_on_surface()
    assert (cols["lat"][1], cols["lon"][1]) == (round(label.y, 3), round(label.x, 3))
    legend = json.loads(re.search(LEGEND, page).group(1))
    assert "Country-level" in legend and "in no region" in legend
    # the browser side draws them apart and names them in popup and tooltip
    script = (Path(maps_package.__file__).parent / "map_layers.js").read_text(encoding="utf-8")
    assert "geo-country-level" in script and "country-level: in no region" in script


def test_country_level_incidents_keep_their_point_without_outlines():
    cols = _payload_cols(render(build_map(_with_country_level())))
    assert cols["cl"] == [0, 1]
    assert (cols["lat"][1], cols["lon"][1]) == (15.5, 0.5)
    # a frame without the column, or without such rows, sends no "cl"
    assert "cl" not in _payload_cols(render(build_map(incidents())))
    plain = _with_country_level().assign(country_level=False)
    assert "cl" not in _payload_cols(render(build_map(plain)))


def test_heat_map_leaves_country_level_incidents_out():
    frame = _with_country_level()
    opts = MapOptions(layers=frozenset({"heatmap"}))
    page = render(build_map(frame, options=opts))
    assert sum(_heat_weights(page)) == 1
    assert sum(_heat_weights(render(build_map(incidents(), options=opts)))) == 2


def _heat_weights(page: str) -> list[int]:
    match = re.search(r"GeoMap\.heat\((\{.*?\})", page)
    assert match, "no heat layer in the page"
    return json.loads(match.group(1))["w"]


def test_a_searched_place_is_a_labelled_ring_with_its_circle():
    label = "Gao <img src=x onerror=alert(1)> ${alert(2)}"
    page = render(build_map(incidents(), options=MapOptions(place=(label, 16.27, -0.04, 50.0))))
    assert "geo-searched" in page and '"radius": 50000.0' in page
    assert "<img src=x" not in page and "${alert(2)}" not in page
    assert "Gao &lt;img src=x onerror=alert(1)&gt; &#36;{alert(2)}" in page
    plain = render(build_map(incidents(), options=MapOptions(place=("Gao", 16.27, -0.04, 0.0))))
    assert "geo-searched" in plain and "L.circle(" not in plain
