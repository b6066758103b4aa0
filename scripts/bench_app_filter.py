"""A filter change in the real dashboard, end to end (issue 15): ``--only app-filter``.

The Streamlit app is started on a **synthetic** store (``--store``; written
with ``geo.io.synthetic`` and its prepared copy built when the file is
missing, never in ``data/``). Headless Chromium opens the Map page and
waits for the first map, then picks *Battles* in the sidebar's *Event type*
filter and times until the new map's incident layer is drawn
(``GeoMap.pending()`` is 0 in the map's frame, plus two animation frames);
then removes it again (all event types) and times that redraw too,
alternating ``--repeat`` times. The first change to Battles builds its
map; later ones, and every return to all event types (the first page's
map), find it in ``appkit/map_cache.py``.

Each change is split where the browser starts on the new map: the
start of the new overlay in the kept map frame (``GeoMap.overlayInfo``,
the live map of ``geo.render.maps.live``), or the navigation start of a
new frame (``performance.timeOrigin`` of the component iframe) when
streamlit-folium made one. *server* is from the click (or key) until then,
that is Streamlit's rerun up to the map, the websocket and React;
*browser* is from there until drawn. The table says how many changes kept
the frame. All three clocks are the
machine's wall clock read in the page, in milliseconds.
"""

from __future__ import annotations

import contextlib
import socket
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The same child server the browser tests start (output to a log, stopped after).
from tests.app.app_support import streamlit_server  # noqa: E402

# In the main page: the wall-clock time of the first pointer or key press
# after ``window.__geoT0`` is reset to null (the change's start).
ARM_JS = """
() => {
  if (!window.__geoArmed) {
    const mark = () => {
      if (window.__geoT0 === null) { window.__geoT0 = performance.timeOrigin + performance.now(); }
    };
    document.addEventListener("pointerdown", mark, true);
    document.addEventListener("keydown", mark, true);
    window.__geoArmed = true;
  }
  window.__geoT0 = null;
}
"""

# In a map frame: its Leaflet map (streamlit-folium names every map
# ``map_div``, so maps are told apart by a mark set on the old one).
FIND_MAP = """
const findMap = () => {
  if (!window.L) { return null; }
  const k = Object.keys(window).find(k => k.startsWith("map_") && window[k] instanceof L.Map);
  return k ? window[k] : null;
};
"""

# The frame's live overlay (GeoMap.overlayInfo): {token, started} or null.
OVERLAY = (
    "const overlay = () => (window.GeoMap && GeoMap.overlayInfo ? GeoMap.overlayInfo() : null);"
)

# Marks the frame's current map and overlay as old; true if there was a map.
MARK_JS = (
    "() => {"
    + FIND_MAP
    + OVERLAY
    + """
  const m = findMap();
  if (m) { m.__geoOld = true; const o = overlay(); m.__geoOldToken = o ? o.token : null; }
  return !!m;
}
"""
)

# In a map frame: null, or once it shows a new map, or the old map with a
# new overlay, whose incident layer has its last chunk in
# (``GeoMap.pending()`` is 0): when that started (the frame's navigation
# start, or the overlay's start in a kept frame) and the time now (wall
# clock, ms). Polled rather than awaited: a frame that React replaces while
# hidden may never see an animation frame.
READY_JS = (
    "() => {"
    + FIND_MAP
    + OVERLAY
    + """
  const m = findMap();
  if (!m || !window.GeoMap || GeoMap.pending() !== 0) { return null; }
  const o = overlay(), now = performance.timeOrigin + performance.now();
  if (!m.__geoOld) { return {origin: performance.timeOrigin, drawn: now, kept: false}; }
  if (o && o.token !== m.__geoOldToken) { return {origin: o.started, drawn: now, kept: true}; }
  return null;
}
"""
)

MAP_FRAME = "streamlit_folium"


def ensure_store(store: Path, n: int, seed: int) -> None:
    """Write a synthetic store of ``n`` rows at ``store`` and build its copy, unless there."""
    if store.exists():
        return
    from geo.cli.bench_store import _write_store
    from geo.io.columnar import rebuild_copy

    store.parent.mkdir(parents=True, exist_ok=True)
    print(f"writing {n:,} synthetic incidents to {store} and building its copy", flush=True)
    _write_store(store, n, seed)
    rebuild_copy(store)


def _free_port() -> int:
    # The project's convention for a dashboard run by hand: 8600-8699.
    for port in range(8600, 8700):
        with socket.socket() as s, contextlib.suppress(OSError):
            s.bind(("127.0.0.1", port))
            return port
    raise RuntimeError("no free port in 8600-8699")


@contextlib.contextmanager
def running_app(store: Path, log: Path, env_extra: dict[str, str]) -> Iterator[str]:
    """The dashboard on ``store`` in a child process; yields its base URL, stops it after."""
    with streamlit_server(_free_port(), log, {"GEO_INCIDENTS": str(store), **env_extra}) as base:
        yield base


def _map_frames(page: Any) -> list[Any]:
    return [f for f in page.frames if MAP_FRAME in (f.url or "")]


def _mark_old(page: Any) -> int:
    marked = 0
    for frame in _map_frames(page):
        with contextlib.suppress(Exception):  # a frame being replaced
            marked += bool(frame.evaluate(MARK_JS))
    return marked


def _ready(page: Any, seen: set[str]) -> dict[str, Any] | None:
    for frame in _map_frames(page):
        try:
            result: dict[str, Any] | None = frame.evaluate(READY_JS)
        except Exception as exc:  # noqa: BLE001 - navigating, or detached meanwhile
            message = str(exc).splitlines()[0]
            if message not in seen:
                seen.add(message)
                print(f"  (waiting: {message})", file=sys.stderr, flush=True)
            continue
        if result is not None:
            return result
    return None


def _wait_drawn(page: Any, timeout: float = 180.0) -> dict[str, Any]:
    """The first map frame showing a map not marked old, once drawn and kept.

    A frame counts once it is still there, with the same navigation start,
    half a second later (the component may be replaced while React settles).
    """
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while time.monotonic() < deadline:
        result = _ready(page, seen)
        if result is not None:
            page.wait_for_timeout(500)
            again = _ready(page, seen)
            if again is not None and again["origin"] == result["origin"]:
                result["frames"] = len(_map_frames(page))
                return result
            continue
        # Not time.sleep: Playwright's sync API only sees new frames while it waits.
        page.wait_for_timeout(10)
    raise TimeoutError("no new map was drawn")


def _event_type_box(page: Any) -> Any:
    return page.get_by_test_id("stMultiSelect").filter(
        has=page.get_by_text("Event type", exact=True)
    )


def _pick_battles(page: Any) -> None:
    field = _event_type_box(page).locator("input")
    field.click()
    field.fill("Battles")
    option = page.get_by_role("option", name="Battles").first
    option.wait_for()
    page.evaluate(ARM_JS)
    option.click()


def _clear(page: Any) -> None:
    field = _event_type_box(page).locator("input")
    field.click()
    page.evaluate(ARM_JS)
    page.keyboard.press("Backspace")


def _change(page: Any, act: Any) -> dict[str, float]:
    if not _mark_old(page):
        raise RuntimeError("no map on the page before the change")
    act(page)
    result = _wait_drawn(page)
    with contextlib.suppress(Exception):
        page.keyboard.press("Escape")
    t0 = float(page.evaluate("() => window.__geoT0"))
    return {
        "server": (result["origin"] - t0) / 1000,
        "browser": (result["drawn"] - result["origin"]) / 1000,
        "total": (result["drawn"] - t0) / 1000,
        "map frames": result["frames"],
        "kept": float(result["kept"]),
    }


def measure(browser: Any, base: str, repeat: int) -> dict[str, list[dict[str, float]]]:
    """Alternate Battles and all event types ``repeat`` times each; times of each change."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        start = time.perf_counter()
        page.goto(base, timeout=300_000)
        _wait_drawn(page, timeout=300)
        print(f"first map drawn {time.perf_counter() - start:.1f} s after navigation", flush=True)
        out: dict[str, list[dict[str, float]]] = {"Battles": [], "all event types": []}
        for _ in range(repeat):
            out["Battles"].append(_change(page, _pick_battles))
            out["all event types"].append(_change(page, _clear))
        return out
    finally:
        page.close()


def report(label: str, runs: dict[str, list[dict[str, float]]]) -> None:
    """Print one table: the first change of each kind and the later ones (map cached)."""
    print(f"\n{label}: a filter change in the app, click until the new map is drawn (s)\n")
    print(
        "| change | run | server: click to map frame or overlay | browser: to drawn | total "
        "| frame kept |"
    )
    print("|:--|:--|--:|--:|--:|--:|")
    for change, times in runs.items():
        # The Battles map is built at its first change; the map of all event
        # types was built for the first page, so every return to it is cached.
        groups = [("first time", times[:1]), ("again (map cache)", times[1:])]
        for name, group in groups:
            if not group:
                continue
            cells = [_span([t[k] for t in group]) for k in ("server", "browser", "total")]
            kept = f"{sum(t['kept'] for t in group):.0f} of {len(group)}"
            print(f"| {change} | {name} | {' | '.join(cells)} | {kept} |")


def _span(values: list[float]) -> str:
    lo, hi = min(values), max(values)
    median = statistics.median(values)
    return f"{lo:.2f}" if len(values) == 1 else f"{lo:.2f}-{hi:.2f} (median {median:.2f})"


def bench_app_filter(executable: str, store: Path, size: int, seed: int, repeat: int) -> None:
    """Start the app on ``store`` (made if missing), time the filter changes, stop the app."""
    from playwright.sync_api import sync_playwright

    from geo.render.snapshot import BROWSER_ARGS

    ensure_store(store, size, seed)
    log = store.with_name("streamlit_bench.log")
    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=executable, args=list(BROWSER_ARGS))
        try:
            # The same changes with a whole new map page each time (as before
            # the live map), in the same run: the baseline.
            for label, env in (("live map", {}), ("new page per change", {"GEO_LIVE_MAP": "0"})):
                with running_app(store, log, env) as base:
                    report(f"{store.name}, {label}", measure(browser, base, repeat))
        finally:
            browser.close()
