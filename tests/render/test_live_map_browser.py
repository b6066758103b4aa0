"""The live map (``geo.render.maps.live``) in headless Chromium: overlays replace each other.

A page holds one live map's base with its overlay; further overlays (other
filters, another risk) are run in the same page, as the dashboard's map
component does. Each state must look exactly like the ordinary map of the
same data (``build_map``): the same area shading and tooltips, hatching,
markers and one legend. Built from the shipped incidents, areas and
overrides, opened from a file with every asset inlined (no network).
Marked ``browser``; skipped when Chromium is not installed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import branca.element
import pandas as pd
import pytest

from geo import config
from geo.analysis import risk
from geo.analysis.pipeline import prepare
from geo.io.store import read_incidents
from geo.reference import boundaries
from geo.render.maps import MapOptions, build_map
from geo.render.maps.live import LiveMap, build_live_map, overlay_script
from tests.browser_support import needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

OPTIONS = MapOptions(
    layers={"risk", "incidents", "borders", "heatmap"}, inline_assets=True, sync_url=False
)

# Each area drawn: its fill, and its tooltip's text.
AREAS = """
() => {
  const key = Object.keys(window).find(k => k.startsWith("map_") && window[k] instanceof L.Map);
  const out = [];
  window[key].eachLayer(l => {
    if (l.feature && l._path && l._path.classList.contains("geo-area")) {
      const tip = l.getTooltip();
      out.push([l._path.getAttribute("fill"), tip ? String(tip.getContent()) : ""]);
    }
  });
  return out;
}
"""

COUNTS = """
() => ({
  markers: document.querySelectorAll("path.geo-incident").length,
  hatches: document.querySelectorAll("path.geo-override-hatch").length,
  legends: document.querySelectorAll(".geo-legend").length,
  heat: document.querySelectorAll("canvas.leaflet-heatmap-layer").length,
})
"""


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    areas = boundaries.load_admin1()
    joined = prepare(read_incidents(config.INCIDENTS_CSV), areas=areas)
    return {
        "joined": joined,
        "layers": {
            "areas": areas,
            "borders": boundaries.load_borders(),
            "admin0": boundaries.load_admin0(),
        },
        # With the analysts' overrides (hatched areas), and an earlier day without them.
        "risk_late": risk.score_areas(
            joined,
            areas,
            dt.date(2013, 2, 25),
            overrides=risk.load_overrides(config.RISK_OVERRIDES_FILE),
        ),
        "risk_early": risk.score_areas(joined, areas, dt.date(2013, 1, 20)),
    }


def _numbered(monkeypatch: pytest.MonkeyPatch) -> None:
    """folium numbers elements 1, 2, 3... from here: two builds name their base alike."""
    counter = itertools.count(1)
    monkeypatch.setattr(branca.element, "urandom", lambda n: next(counter).to_bytes(n, "big"))


def _live(
    monkeypatch: pytest.MonkeyPatch, data: dict[str, Any], rows: pd.DataFrame, table: pd.DataFrame
) -> LiveMap:
    _numbered(monkeypatch)
    return build_live_map(rows, risk=table, options=OPTIONS, **data["layers"])


def _with(html: str, script: str) -> str:
    """The page with ``script`` run after the map's own (folium puts it after the body)."""
    head, tail = html.rsplit("</html>", 1)
    return f"{head}<script>{script}</script></html>{tail}"


def _open(browser: Any, path: Path, html: str) -> Any:
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function("() => !GeoMap.pending()")
    page.errors = errors
    return page


def _plain(browser: Any, tmp_path: Path, data: dict[str, Any], rows: Any, table: Any) -> Any:
    """The ordinary map of the same data, for comparison: its areas and counts."""
    html = build_map(rows, risk=table, options=OPTIONS, **data["layers"]).get_root().render()
    page = _open(browser, tmp_path / "plain.html", html)
    try:
        return page.evaluate(AREAS), page.evaluate(COUNTS)
    finally:
        page.close()


def test_each_overlay_shows_what_the_ordinary_map_shows(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: dict[str, Any]
) -> None:
    joined = data["joined"]
    battles = joined[joined["event_type"] == "Battles"]
    assert 0 < len(battles) < len(joined)
    first = _live(monkeypatch, data, joined, data["risk_late"])
    other = _live(monkeypatch, data, battles, data["risk_early"])
    html = first.base.get_root().render()
    scripts = [overlay_script(first), overlay_script(other)]
    assert scripts[0] != scripts[1]
    page = _open(
        browser,
        tmp_path / "live.html",
        _with(html, scripts[0]),
    )
    expected = {
        0: _plain(browser, tmp_path, data, joined, data["risk_late"]),
        1: _plain(browser, tmp_path, data, battles, data["risk_early"]),
    }
    assert expected[0][1]["hatches"] > 0  # the overrides are drawn
    assert expected[0][0] != expected[1][0]  # another day: other shading

    areas, counts = expected[0]  # as opened
    assert (page.evaluate(AREAS), page.evaluate(COUNTS)) == (areas, counts)
    for step in (1, 0, 1):
        page.evaluate(f"() => {{ {scripts[step]} }}")
        page.wait_for_function("() => !GeoMap.pending()")
        areas, counts = expected[step]
        assert page.evaluate(AREAS) == areas
        assert page.evaluate(COUNTS) == counts
    assert counts["legends"] == 1
    assert page.errors == []


def test_the_same_overlay_again_changes_nothing(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: dict[str, Any]
) -> None:
    live = _live(monkeypatch, data, data["joined"], data["risk_late"])
    script = overlay_script(live)
    page = _open(
        browser,
        tmp_path / "again.html",
        _with(live.base.get_root().render(), script),
    )
    before = page.evaluate("() => GeoMap.overlayInfo()")
    page.evaluate("() => { document.querySelector('.geo-legend').dataset.mark = 'kept'; }")
    page.evaluate(f"() => {{ {script} }}")
    assert page.evaluate("() => GeoMap.overlayInfo()") == before
    assert page.evaluate("() => document.querySelector('.geo-legend').dataset.mark") == "kept"
    assert page.errors == []


def test_an_overlay_sent_while_the_page_loaded_is_run_after_the_first(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: dict[str, Any]
) -> None:
    """streamlit-folium runs the first overlay of a new frame even when a newer
    one came while its scripts loaded; the frame records the newer one
    (appkit/live_frame.js) and the map runs it next."""
    joined = data["joined"]
    battles = joined[joined["event_type"] == "Battles"]
    first = _live(monkeypatch, data, joined, data["risk_late"])
    newer = overlay_script(_live(monkeypatch, data, battles, data["risk_early"]))
    recorded = f"window.geoLatestOverlay = {{script: {json.dumps(newer)}}};"
    html = _with(first.base.get_root().render(), overlay_script(first))
    page = _open(
        browser,
        tmp_path / "late.html",
        html.replace("<head>", f"<head><script>{recorded}</script>", 1),
    )
    areas, counts = _plain(browser, tmp_path, data, battles, data["risk_early"])
    page.wait_for_function(
        "n => document.querySelectorAll('path.geo-incident').length === n", arg=counts["markers"]
    )
    page.wait_for_function("() => !GeoMap.pending()")
    assert page.evaluate(AREAS) == areas
    assert page.evaluate(COUNTS) == counts
    assert page.errors == []


def test_a_page_that_records_each_overlay_runs_each_once(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: dict[str, Any]
) -> None:
    """In the dashboard's frame the recorder hears each render message just after
    the map ran its overlay: the map must not take the previous one for newer."""
    joined = data["joined"]
    first = _live(monkeypatch, data, joined, data["risk_late"])
    other = overlay_script(_live(monkeypatch, data, joined.iloc[::2], data["risk_early"]))
    html = _with(first.base.get_root().render(), overlay_script(first))
    page = _open(browser, tmp_path / "each.html", html)
    page.evaluate("() => { window.geoLatestOverlay = {script: null}; }")
    for script in (other, overlay_script(first), other):
        # As streamlit-folium and then appkit/live_frame.js handle one message.
        page.evaluate(f"s => {{ {script}; window.geoLatestOverlay.script = s; }}", script)
        started = page.evaluate("() => GeoMap.overlayInfo().started")
        page.wait_for_timeout(300)
        assert page.evaluate("() => GeoMap.overlayInfo().started") == started
    assert page.errors == []
