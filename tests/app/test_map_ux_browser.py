"""The map as an analyst uses it, in headless Chromium at a laptop's size (1440x900).

Each test drives the running dashboard (the test incidents, no network
beyond the app) the way a person does: a real mouse click on a marker, the
Tab key, the place search. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.app.test_browser import (  # noqa: F401  (fixtures are used by name)
    CHROMIUM,
    Offline,
    app_url,
    browser,
    leaflet_view,
    map_frame,
    settle,
    shot,
    url_params,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]

LAPTOP = {"width": 1440, "height": 900}


@pytest.fixture
def laptop(browser: Any, app_url: str) -> Iterator[Offline]:  # noqa: F811
    ctx = Offline(browser, app_url)
    ctx.context.close()
    ctx.context = browser.new_context(viewport=LAPTOP)
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
    marker = frame.locator("path.geo-incident").first
    box = marker.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(frame.locator(".leaflet-popup-content")).to_have_count(1)
    assert _main_scroll(page) == 0
    shot(page, "ux_first_click")
