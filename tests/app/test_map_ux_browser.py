"""The map as an analyst uses it, in headless Chromium at a laptop's size (1440x900).

Each test drives the running dashboard (the test incidents, no network
beyond the app) the way a person does: a real mouse click on a marker, the
Tab key, the place search. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.app.test_browser import (  # noqa: F401  (fixtures are used by name)
    MAP_FRAME,
    WAIT_MS,
    Offline,
    app_url,
    choose,
    leaflet_view,
    map_frame,
    near,
    settle,
    shot,
    url_params,
    wait_for_view_in_url,
)
from tests.browser_support import needs_chromium

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]

LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def laptop(browser: Any, app_url: str) -> Iterator[Offline]:  # noqa: F811
    ctx = Offline(browser, app_url)
    ctx.context.close()
    ctx.context = browser.new_context(viewport=LAPTOP)
    ctx.context.route("**/*", ctx._route)
    yield ctx
    ctx.close()


@pytest.fixture
def phone(browser: Any, app_url: str) -> Iterator[Offline]:  # noqa: F811
    ctx = Offline(browser, app_url)
    ctx.context.close()
    ctx.context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    ctx.context.route("**/*", ctx._route)
    yield ctx
    ctx.close()


def _main_scroll(page: Any) -> int:
    return int(page.evaluate("document.querySelector('[data-testid=stMain]').scrollTop"))


def test_the_first_click_on_a_marker_opens_its_popup(laptop: Offline) -> None:
    # The map's frame runs below the fold at 1440x900: Leaflet focused the map
    # on mousedown, the page scrolled to show the frame and the click was lost.
    page = laptop.open("/")
    frame = map_frame(page)
    settle(page)
    # The easternmost marker: its popup opens next to the legend.
    markers = frame.locator("path.geo-incident")
    xs = markers.evaluate_all("els => els.map(e => e.getBoundingClientRect().right)")
    marker = markers.nth(xs.index(max(xs)))
    box = marker.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(frame.locator(".leaflet-popup-content")).to_have_count(1)
    assert _main_scroll(page) == 0
    # The legend, drawn above popups, never covers the open one.
    time.sleep(0.6)
    covered = _map_window(page).evaluate(
        """() => {
            const d = document.querySelector('.geo-legend details');
            const a = document.querySelector('.geo-legend').getBoundingClientRect();
            const b = document.querySelector('.leaflet-popup').getBoundingClientRect();
            return d.open && a.left < b.right && b.left < a.right
                && a.top < b.bottom && b.top < a.bottom;
        }"""
    )
    assert not covered
    shot(page, "ux_first_click")


def _map_window(page: Any) -> Any:
    return next(f for f in page.frames if "st_folium" in f.url)


def test_the_keyboard_reaches_a_marker_and_opens_its_popup(laptop: Offline) -> None:
    page = laptop.open("/")
    frame = map_frame(page)
    settle(page)
    # Start on the basemap buttons just above the map and Tab into it: the
    # map itself, then the first incident (the areas are not Tab stops).
    page.get_by_test_id("stButtonGroup").last.locator("button").last.focus()
    active: list[Any] = []
    for _ in range(4):
        page.keyboard.press("Tab")
        active = _map_window(page).evaluate(
            "() => [document.activeElement.getAttribute('class') || '',"
            " document.activeElement.getAttribute('role'),"
            " document.activeElement.getAttribute('aria-label')]"
        )
        if "geo-incident" in active[0]:
            break
    assert "geo-incident" in active[0], active
    assert active[1] == "button" and active[2]  # a named button for screen readers
    page.keyboard.press("Enter")
    expect(frame.locator(".leaflet-popup-content")).to_have_count(1)
    # Focus is visible: the focused marker is drawn with a thick ring.
    width = _map_window(page).evaluate("() => getComputedStyle(document.activeElement).strokeWidth")
    assert width == "4px"
    shot(page, "ux_keyboard_marker")


def test_on_a_phone_the_legend_starts_closed_and_the_layer_buttons_wrap(phone: Offline) -> None:
    page = phone.open("/")
    frame = map_frame(page)
    settle(page)
    legend = frame.locator(".geo-legend details")
    expect(legend).to_have_count(1)
    assert legend.get_attribute("open") is None
    box = frame.locator(".geo-legend").bounding_box()
    shown = frame.locator(".leaflet-container").bounding_box()
    assert box is not None and shown is not None
    assert box["width"] * box["height"] < 0.1 * shown["width"] * shown["height"]
    buttons = page.get_by_test_id("stButtonGroup").first.locator("button")
    rights = buttons.evaluate_all("els => els.map(e => e.getBoundingClientRect().right)")
    assert len(rights) >= 5 and max(rights) <= PHONE["width"], rights
    shot(page, "ux_phone_map")
    # One tap opens the legend.
    frame.locator(".geo-legend summary").click()
    assert legend.get_attribute("open") is not None


def test_a_basemap_that_cannot_load_says_so_on_the_map(laptop: Offline) -> None:
    # The test browser blocks every request but the app's: OpenStreetMap fails.
    page = laptop.open("/?tiles=osm")
    frame = map_frame(page)
    warning = frame.locator(".geo-tile-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("None basemap")
    shot(page, "ux_tiles_offline")


def test_searching_a_place_zooms_the_map_there(laptop: Offline) -> None:
    page = laptop.open("/")
    map_frame(page)
    settle(page)
    before = leaflet_view(page)
    box = page.get_by_role("textbox", name="Find a place")
    box.fill("Gao")
    box.press("Enter")
    # While the page reruns, the old map's frame lingers beside the new one:
    # wait for the one map that shows the searched place.
    deadline = time.monotonic() + WAIT_MS / 1000
    while not (
        page.locator(MAP_FRAME).count() == 1
        and page.frame_locator(MAP_FRAME).first.locator(".geo-searched-label").count() == 1
    ):
        assert time.monotonic() < deadline, "the map never showed the searched place"
        time.sleep(0.25)
    settle(page)
    frame = map_frame(page)
    expect(frame.locator(".geo-searched-label")).to_contain_text("Gao")
    lat, lon, zoom = leaflet_view(page)
    assert zoom >= 9 > before[2]
    assert abs(lat - 16.27) < 0.05 and abs(lon + 0.04) < 0.05
    params = url_params(page)
    assert params["place"] == "Gao" and int(params["z"]) == zoom
    shot(page, "ux_search_gao")


def test_a_filter_change_keeps_the_map_where_the_user_took_it(laptop: Offline) -> None:
    """The live map: a filter change redraws the layers in the same frame and view."""
    page = laptop.open("/")
    frame = map_frame(page)
    settle(page)
    window = _map_window(page)
    window.evaluate("() => { window.geoSameFrame = true; }")
    # The analyst drags the map aside (the map writes the new view into the URL).
    box = frame.locator(".leaflet-container").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 200, y - 120, steps=8)
    page.mouse.up()
    view = wait_for_view_in_url(page)

    choose(page, "Event type", "Battles")
    expect(frame.locator("path.geo-incident")).to_have_count(4)
    settle(page)
    assert _map_window(page).evaluate("() => window.geoSameFrame === true")
    assert page.locator(MAP_FRAME).count() == 1
    assert near(leaflet_view(page), view)
    # One legend and one playback bar: the old filters' ones were taken off.
    expect(frame.locator(".geo-legend")).to_have_count(1)
    expect(frame.locator(".geo-playback")).to_have_count(1)
    assert url_params(page)["type"] == "Battles"
    shot(page, "ux_live_filter_change")
