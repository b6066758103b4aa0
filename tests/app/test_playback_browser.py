"""End-to-end: timeline playback on the dashboard map, in headless Chromium.

The playback runs in the map's frame (geo/render/maps/playback.js): it must
step through the period without a rerun of the app, stop on the last frame,
and leave the frame it is paused on in the page URL (``play=2013-W08``), so
that a copied link opens on that frame. Screenshots at 1440x900 and 390x844
go to ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.app.test_browser import (
    ARTIFACTS,
    MAP_FRAME,
    WAIT_MS,
    running_app,
)
from tests.browser_support import needs_chromium

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]

# The test store runs from mid-January to late February 2013 (app_support).
LINK = "/?from=2013-01-01&to=2013-02-28"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_app(tmp_path_factory.mktemp("playback")) as base:
        yield base


def open_map(chromium: Any, url: str, width: int, height: int) -> tuple[Any, Any, Any]:
    page = chromium.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    frame = page.frame_locator(MAP_FRAME)
    control = frame.locator(".geo-playback")
    control.wait_for(state="visible")
    return page, frame, control


def play_param(page: Any) -> str | None:
    values = parse_qs(urlsplit(page.url).query).get("play")
    return values[-1] if values else None


def wait_for(check: Any, what: str, seconds: float = 30.0) -> Any:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def shot(page: Any, control: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    control.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_playback_advances_and_stops_on_a_frame_kept_in_the_url(
    browser: Any,
    app_url: str,
) -> None:
    page, frame, control = open_map(browser, app_url + LINK, 1440, 900)
    markers = frame.locator("path.geo-incident")
    everything = markers.count()
    assert everything > 3
    assert play_param(page) is None
    frame.locator(".geo-play-select").nth(2).select_option("250")  # 4x
    frame.locator(".geo-play-main").click()
    seen: list[str] = []
    # Advances: the frame changes several times while playing, then stops.
    while "geo-playing" in (control.get_attribute("class") or "") or not seen:
        current = control.get_attribute("data-frame")
        if current and (not seen or seen[-1] != current):
            seen.append(current)
        assert len(seen) < 40
        time.sleep(0.05)
    last = control.get_attribute("data-frame")
    assert len(seen) >= 3 and seen == sorted(seen), seen
    assert last is not None and last.startswith("2013-W")
    # Stopped on the last frame, which is now in the page URL.
    assert wait_for(lambda: play_param(page) == last, "the frame in the URL")
    # One step back: paused on that frame, also in the URL; a week shows fewer markers.
    frame.get_by_role("button", name="Previous step").click()
    before = control.get_attribute("data-frame")
    assert before is not None and before < last
    assert wait_for(lambda: play_param(page) == before, "the new frame in the URL")
    assert markers.count() < everything
    shot(page, control, "playback_1440x900")
    # The link opens on that frame, paused.
    link = page.url
    page.close()
    page, frame, control = open_map(browser, link, 1440, 900)
    assert wait_for(lambda: control.get_attribute("data-frame") == before, "the linked frame")
    assert "geo-playing" not in (control.get_attribute("class") or "")
    # "All" shows the whole period again and takes the frame out of the URL.
    frame.get_by_role("button", name="Show the whole period").click()
    assert wait_for(lambda: play_param(page) is None, "play= to go")
    assert frame.locator("path.geo-incident").count() >= everything
    page.close()


def test_playback_control_fits_a_phone(browser: Any, app_url: str) -> None:
    page, frame, control = open_map(browser, app_url + LINK + "&play=..2013-W06", 390, 844)
    assert wait_for(lambda: control.get_attribute("data-frame") == "..2013-W06", "the frame")
    assert "(cumulative)" in control.inner_text()
    box = control.bounding_box()
    map_box = frame.locator(".leaflet-container").bounding_box()
    # The control wraps inside the map instead of running off its edge.
    assert box is not None and map_box is not None
    assert box["x"] + box["width"] <= map_box["x"] + map_box["width"] + 1
    # ... and sits clear of the legend, which a phone shows collapsed at the foot.
    legend = frame.locator(".geo-legend").bounding_box()
    if legend is not None:
        apart = (
            box["y"] + box["height"] <= legend["y"] + 1
            or legend["y"] + legend["height"] <= box["y"] + 1
            or box["x"] + box["width"] <= legend["x"] + 1
            or legend["x"] + legend["width"] <= box["x"] + 1
        )
        assert apart, (box, legend)
    shot(page, control, "playback_390x844")
    page.close()
