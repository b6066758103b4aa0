"""The Map page's shared map cache (appkit.map_cache): same wire format, one build per state."""

from __future__ import annotations

import itertools
import os
import urllib.parse
from pathlib import Path
from typing import Any

import branca.element
import pytest
import streamlit as st
import streamlit_folium
from streamlit_folium import st_folium

from appkit import map_cache
from geo.analysis import risk
from geo.analysis.pipeline import prepare
from geo.io.store import read_incidents
from geo.reference import boundaries
from geo.render.maps import MapOptions, build_map
from geo.render.maps.live import build_live_map
from tests.app.app_support import LAST_DAY, app_test, write_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_store(tmp_path_factory.mktemp("map_cache") / "incidents.csv")


class Recorder:
    """Stands in for streamlit-folium's component function and keeps what it was sent."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        return kwargs["default"]


def sent(recorder: Recorder) -> dict[str, Any]:
    (call,) = recorder.calls
    # The callbacks are closures (never equal); what they do is tested below.
    return {k: v for k, v in call.items() if k != "on_change"}


def same_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on folium numbers its elements 1, 2, 3... (normally random ids)."""
    counter = itertools.count(1)
    monkeypatch.setattr(branca.element, "urandom", lambda n: next(counter).to_bytes(n, "big"))


def test_the_cached_map_sends_exactly_what_st_folium_sends(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    areas = boundaries.load_admin1()
    incidents = prepare(read_incidents(store), areas=areas)
    scored = risk.score_areas(incidents, areas, LAST_DAY, window_days=90)

    def dashboard_map() -> Any:
        same_ids(monkeypatch)  # two builds, element for element the same map
        return build_map(
            incidents,
            areas=areas,
            risk=scored,
            borders=boundaries.load_borders(),
            admin0=boundaries.load_admin0(),
            options=MapOptions(layers={"risk", "incidents", "borders", "heatmap"}),
        )

    # Rendering is not repeatable on one map (folium adds to the header), so
    # each path gets its own, identical, map.
    frame = map_cache.render_frame(dashboard_map(), "map")
    direct, cached = Recorder(), Recorder()
    monkeypatch.setattr(streamlit_folium, "_component_func", direct)
    st_folium(dashboard_map(), returned_objects=[], key="map", height=640, use_container_width=True)
    monkeypatch.setattr(streamlit_folium, "_component_func", cached)
    map_cache.show(frame, key="map", height=640, use_container_width=True)

    assert sent(cached) == sent(direct)
    assert len(frame.script) > 100_000  # the areas' shapes are in it
    assert all(link.startswith("/app/static/vendor/") for link in frame.js_links)


def test_a_live_map_sends_its_base_as_st_folium_would_and_its_overlay_beside(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    incidents = prepare(read_incidents(store))

    def live() -> Any:
        same_ids(monkeypatch)
        return build_live_map(incidents, areas=boundaries.load_admin1())

    frame = map_cache.render_live(live(), "map")
    direct, cached = Recorder(), Recorder()
    monkeypatch.setattr(streamlit_folium, "_component_func", direct)
    st_folium(live().base, returned_objects=[], key="map", height=640, use_container_width=True)
    monkeypatch.setattr(streamlit_folium, "_component_func", cached)
    map_cache.show(frame, key="map", height=640, use_container_width=True)

    base = sent(cached)
    assert base.pop("feature_group") == frame.overlay
    assert frame.overlay.startswith("GeoMap.overlay(map_div, ")
    # The frame first loads appkit/live_frame.js (inline), then the map's files.
    first, *links = base.pop("js_links")
    assert first.startswith("data:text/javascript;")
    assert "geoLatestOverlay" in urllib.parse.unquote(first)
    expected = {k: v for k, v in sent(direct).items() if k != "feature_group"}
    assert links == expected.pop("js_links")
    assert base == expected


def test_other_filters_keep_the_live_map_s_page_and_key(store: Path) -> None:
    """Only the overlay differs: the component keeps its frame across filters."""
    incidents = prepare(read_incidents(store))
    areas = boundaries.load_admin1()
    scored = risk.score_areas(incidents, areas, LAST_DAY, window_days=90)
    battles = incidents[incidents["event_type"] == "Battles"]
    assert 0 < len(battles) < len(incidents)
    scored_battles = risk.score_areas(battles, areas, LAST_DAY, window_days=90)
    frames = [
        map_cache.render_live(build_live_map(rows, areas=areas, risk=table), "map")
        for rows, table in ((incidents, scored), (battles, scored_battles), (incidents, scored))
    ]
    first, other, again = frames
    assert first.hash_key == other.hash_key == again.hash_key
    assert first.script == other.script
    assert first.overlay != other.overlay
    assert first.overlay == again.overlay  # the same filters: the same overlay (and token)


def test_the_same_map_built_twice_keeps_its_component_key(store: Path) -> None:
    incidents = prepare(read_incidents(store))
    first = map_cache.render_frame(build_map(incidents), "map")
    second = map_cache.render_frame(build_map(incidents), "map")
    assert first.hash_key == second.hash_key


def test_the_options_key_ignores_the_order_layers_were_given_in() -> None:
    one = MapOptions(layers=["risk", "incidents", "borders", "towns", "heatmap"])
    other = MapOptions(layers=["heatmap", "towns", "borders", "incidents", "risk"])
    assert map_cache._options_key(one) == map_cache._options_key(other)
    assert map_cache._options_key(one) != map_cache._options_key(MapOptions(layers=["risk"]))


class Builds:
    """Counts the maps built by the page."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.count += 1
        return build_live_map(*args, **kwargs)


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Builds:
    st.cache_data.clear()
    counter = Builds()
    monkeypatch.setattr(map_cache, "build_live_map", counter)
    return counter


def test_sessions_with_the_same_data_and_filters_share_one_build(
    store: Path, monkeypatch: pytest.MonkeyPatch, builds: Builds
) -> None:
    first = app_test(store, monkeypatch).run()
    assert not first.exception, [e.value for e in first.exception]
    assert builds.count == 1
    second = app_test(store, monkeypatch).run()  # another visitor, same link
    assert not second.exception
    assert builds.count == 1

    other = app_test(store, monkeypatch, type="Battles").run()  # other filters: own map
    assert not other.exception
    assert builds.count == 2

    # A new version of the store (the Ingest page, the command line): built again.
    stat = store.stat()
    os.utime(store, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    app_test(store, monkeypatch).run()
    assert builds.count == 3


def test_with_the_cache_off_every_visit_builds_its_map(
    store: Path, monkeypatch: pytest.MonkeyPatch, builds: Builds
) -> None:
    monkeypatch.setenv("GEO_MAP_CACHE", "0")
    for _ in range(2):
        at = app_test(store, monkeypatch).run()
        assert not at.exception, [e.value for e in at.exception]
    assert builds.count == 2


def test_the_map_component_keeps_its_key_and_callback(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = map_cache.MapFrame("s", "h", "", "map_1", (), (), hash_key="abc")
    recorder = Recorder()
    monkeypatch.setattr(streamlit_folium, "_component_func", recorder)
    map_cache.show(frame, key="map", height=640, use_container_width=True)
    (call,) = recorder.calls
    assert call["key"] == "abc"
    state: dict[str, Any] = {"abc": {"zoom": 6}}
    monkeypatch.setattr(st, "session_state", state)
    call["on_change"]()
    assert state["map"] == {"zoom": 6}


def test_with_the_live_map_off_each_state_is_a_whole_page(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GEO_LIVE_MAP=0 (the bench's baseline): the ordinary map, no overlay."""
    incidents = prepare(read_incidents(store))
    on = map_cache._render(incidents, None, MapOptions(), None, "map")
    monkeypatch.setenv("GEO_LIVE_MAP", "0")
    off = map_cache._render(incidents, None, MapOptions(), None, "map")
    assert on.overlay and "GeoMap.legend" not in on.script
    assert off.overlay == "" and "GeoMap.legend" in off.script
    assert "GeoMap.overlay(map_div" not in off.script
