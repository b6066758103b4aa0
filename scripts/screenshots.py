"""Take the README's dashboard screenshots from the running app, offline.

Starts ``streamlit run app.py`` on a free port with the shipped incidents,
opens the views below in headless Chromium with every non-local request
blocked, and writes ``docs/screenshots/<name>.png``.

    python scripts/screenshots.py [--browser /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"

# name -> page path and query string (names starting with "map" or "search" show the map)
VIEWS: dict[str, str] = {
    # The whole period, risk as of the end of February 2013 (the analysts'
    # overrides are in force: hatched), centred on northern Mali, with the
    # tooltip of Timbuktu, pinned High by an analyst, open.
    "map": "/?asof=2013-02-28&lat=17.6&lon=-0.6&z=6",
    # The place search: Gao, and the incidents within 50 km of it.
    "search": "/?asof=2013-02-28&place=Gao&within=50",
    "trends": "/trends?asof=2013-02-28",
    # The week of 18 February 2013: the Kidal spike and its new actors.
    "watch": "/watch?week=2013-W08",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as reply:  # noqa: S310
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    sys.exit(f"streamlit did not answer on {base}")


def _hover(page: Any, lat: float, lon: float) -> None:
    """Put the mouse over a point of the map, so the tooltip there shows."""
    frame = next(f for f in page.frames if "st_folium" in f.url)
    x, y = frame.evaluate(
        """([lat, lon]) => {
            const key = Object.keys(window).find(
                k => k.startsWith("map_") && window[k] && window[k].latLngToContainerPoint);
            const p = window[key].latLngToContainerPoint([lat, lon]);
            return [p.x, p.y];
        }""",
        [lat, lon],
    )
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    time.sleep(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", default="/usr/bin/chromium", help="Chromium executable")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    port = _free_port()
    base = f"http://localhost:{port}"
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true", "--server.port", str(port),
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        _wait(base, proc)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=args.browser, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(viewport={"width": 1440, "height": 960})
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if urlsplit(route.request.url).hostname in ("localhost", "127.0.0.1")
                    else route.abort()
                ),
            )
            for name, path in VIEWS.items():
                page = context.new_page()
                page.set_default_timeout(120_000)
                page.goto(base + path)
                if name.startswith(("map", "search")):
                    frame = page.frame_locator(MAP_FRAME)
                    frame.locator("path.geo-incident").first.wait_for(state="attached")
                elif name == "watch":
                    page.get_by_role("heading", name="Alerts").wait_for(state="visible")
                else:
                    page.get_by_test_id("stVegaLiteChart").first.wait_for(state="visible")
                page.wait_for_load_state("networkidle")
                time.sleep(2)  # let Leaflet and Vega finish drawing before the picture
                if name == "map":
                    _hover(page, 18.2, -5.6)  # inside Timbuktu region: its override tooltip
                target = OUT / f"{name}.png"
                page.screenshot(path=str(target))
                print(f"wrote {target.relative_to(ROOT)}")
                page.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
