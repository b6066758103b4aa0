"""The map script (``geo/render/maps/map_layers.js``) in headless Chromium.

The town labels are laid out once per zoom level and kept: zooming away
and back shows the same towns without laying them out again. Incident
markers get their popup, tooltip and keyboard stop when first drawn.

The pages are built with the shipped gazetteer's towns (no coordinate typed
here) and opened from a file with every asset inlined (no network).
Marked ``browser``; skipped when Chromium is not installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from geo.reference.gazetteer import load_gazetteer
from geo.render.maps import MapOptions, build_map
from tests.browser_support import needs_chromium

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]

MARKUP_TOWN = "<b>Bold</b> ${alert(1)}"


def _towns() -> pd.DataFrame:
    towns = load_gazetteer().towns()
    # One name carrying markup, at a shipped town's place (it must show as text).
    extra = towns.iloc[[0]].assign(name=MARKUP_TOWN, population=10**9)
    return pd.concat([extra, towns], ignore_index=True)


def _open(browser: Any, tmp_path: Path, incidents: pd.DataFrame, **layers: Any) -> Any:
    options = MapOptions(
        layers=set(layers.pop("layers")), inline_assets=True, sync_url=False, legend=False
    )
    html = build_map(incidents, options=options, **layers).get_root().render()
    path = tmp_path / "map.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function("() => !GeoMap.pending()")
    return page


FIND = """
() => {
  const key = Object.keys(window).find(k => k.startsWith("map_") && window[k] instanceof L.Map);
  window.theMap = window[key];
  window.theTowns = window[Object.keys(window).find(k => k.startsWith("town_layer_"))];
}
"""

SHOWN = """
() => Array.from(document.querySelectorAll(".geo-town-label"))
  .filter(n => n.style.display !== "none")
  .map(n => n.textContent)
  .sort()
"""

ZOOM = """
async (z) => {
  if (theMap.getZoom() === z) { return z; }
  const done = new Promise(r => theMap.once("zoomend", r));
  theMap.setZoom(z, {animate: false});
  await done;
  return theMap.getZoom();
}
"""

OVERLAPS = """
() => {
  const boxes = Array.from(document.querySelectorAll(".geo-town-label"))
    .filter(n => n.style.display !== "none")
    .map(n => n.getBoundingClientRect());
  let n = 0;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) { n += 1; }
    }
  }
  return n;
}
"""


BOUND = """
() => window[Object.keys(window).find(k => k.startsWith("incident_layer_"))]
  .getLayers().filter(m => m._popup && m._tooltip).length
"""


def _no_incidents() -> pd.DataFrame:
    return pd.DataFrame(
        {"latitude": [], "longitude": [], "event_type": [], "fatalities": []}
    ).astype(float)


def test_town_labels_are_laid_out_once_per_zoom_and_kept(browser: Any, tmp_path: Path) -> None:
    page = _open(browser, tmp_path, _no_incidents(), layers={"towns"}, towns=_towns())
    try:
        page.evaluate(FIND)
        start = page.evaluate("() => theMap.getZoom()")
        first = page.evaluate(SHOWN)
        assert first, "no town shown at the starting zoom"
        assert page.evaluate("() => theTowns.layouts") == 1

        assert page.evaluate(ZOOM, start + 2) == start + 2
        closer = page.evaluate(SHOWN)
        assert len(closer) > len(first), "zooming in shows more towns"
        assert page.evaluate("() => theTowns.layouts") == 2

        page.evaluate(ZOOM, start)
        assert page.evaluate(SHOWN) == first
        page.evaluate(ZOOM, start + 2)
        assert page.evaluate(SHOWN) == closer
        # Both zoom levels came from the cache.
        assert page.evaluate("() => theTowns.layouts") == 2
        assert page.evaluate("(z) => theTowns.shownAt(z).length", start + 2) == len(closer)
    finally:
        page.close()


def test_town_labels_do_not_overlap_and_names_stay_text(browser: Any, tmp_path: Path) -> None:
    page = _open(browser, tmp_path, _no_incidents(), layers={"towns"}, towns=_towns())
    try:
        page.evaluate(FIND)
        start = page.evaluate("() => theMap.getZoom()")
        for z in (start, start + 1, start + 3):
            page.evaluate(ZOOM, z)
            assert page.evaluate(OVERLAPS) == 0, f"labels overlap at zoom {z}"
        page.evaluate(ZOOM, start)
        assert MARKUP_TOWN in page.evaluate(SHOWN)
        assert page.evaluate("() => document.querySelectorAll('.geo-town-label b').length") == 0
    finally:
        page.close()


def test_town_layer_can_be_removed_and_added_again(browser: Any, tmp_path: Path) -> None:
    page = _open(browser, tmp_path, _no_incidents(), layers={"towns"}, towns=_towns())
    try:
        page.evaluate(FIND)
        first = page.evaluate(SHOWN)
        page.evaluate("() => theMap.removeLayer(theTowns)")
        assert (
            page.evaluate(
                "() => document.querySelectorAll('.geo-town-label, .geo-town-dot').length"
            )
            == 0
        )
        page.evaluate("() => theMap.addLayer(theTowns)")
        assert page.evaluate(SHOWN) == first
        assert page.evaluate("() => theTowns.layouts") == 1
    finally:
        page.close()


def test_clustered_markers_get_popup_tooltip_and_keyboard_when_drawn(
    browser: Any, tmp_path: Path
) -> None:
    from geo.io.synthetic import synthetic_incidents

    incidents = synthetic_incidents(3_000, seed=1)
    page = _open(browser, tmp_path, incidents, layers={"incidents"})
    try:
        page.evaluate(FIND)
        # Zoomed out, the incidents are clusters: few markers are drawn on
        # their own, and only those have a popup yet.
        drawn_alone = page.evaluate("() => document.querySelectorAll('path.geo-incident').length")
        assert drawn_alone < 100
        assert page.evaluate(BOUND) == drawn_alone
        # Past disableClusteringAtZoom, at an incident: every marker in view is drawn.
        at = [float(incidents["latitude"].iloc[0]), float(incidents["longitude"].iloc[0])]
        page.evaluate("(at) => theMap.setView(at, 13, {animate: false})", at)
        drawn = page.locator("path.geo-incident")
        assert drawn.count() > 0
        first = drawn.first
        assert first.get_attribute("tabindex") == "0"
        assert first.get_attribute("role") == "button"
        assert first.get_attribute("aria-label")
        first.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(".leaflet-popup .geo-popup")
        assert page.locator(".leaflet-tooltip").count() == 1
    finally:
        page.close()
