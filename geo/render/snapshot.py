"""Capture the live dashboard map as PNG in headless Chromium.

folium has no supported image export, so to show "the map as the analyst
sees it" we open the dashboard URL (its query string carries the filters) in
a real browser, wait until Streamlit has finished running the script and the
Leaflet map inside the streamlit-folium frame has drawn, and screenshot it.

The browser is the system Chromium (Debian package ``chromium``) driven by
the ``playwright`` Python package; playwright's own browser download is not
needed. Every failure a person can meet (no playwright, no browser, nothing
listening at the URL, an app error, a map that never draws) raises
:class:`SnapshotError` with a message that says what to do.

Example
-------
>>> png = snapshot("http://localhost:8501/?from=2013-02-01&to=2013-02-28")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import socket
import time
from typing import Any
from urllib.parse import urlsplit

DEFAULT_BROWSER = "/usr/bin/chromium"
BROWSER_ENV = "GEO_CHROMIUM"
BROWSER_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SETTLE_SECONDS = 0.8  # after the map reports drawn: let fades and late vectors finish
_POLL_MS = 250

# Run in every frame: the state of the Leaflet map there, if any.
_MAP_STATE_JS = """() => {
  const box = document.querySelector('.leaflet-container');
  if (!box) return null;
  const r = box.getBoundingClientRect();
  const style = window.getComputedStyle(box);
  const q = (sel) => box.querySelectorAll(sel).length;
  return {
    width: r.width, height: r.height,
    visible: style.visibility !== 'hidden' && style.display !== 'none',
    vectors: q('path.leaflet-interactive') + q('canvas'),
    markers: q('.leaflet-marker-pane > *'),
    tiles: q('img.leaflet-tile-loaded'),
  };
}"""

# Streamlit marks its root with the script state ("running", "notRunning").
_APP_STATE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return null;
  const errors = Array.from(document.querySelectorAll('[data-testid="stException"]'))
    .map((e) => e.innerText.trim().split('\\n').slice(0, 3).join(' '));
  return {
    script: app.getAttribute('data-test-script-state'),
    connection: app.getAttribute('data-test-connection-state'),
    errors: errors,
  };
}"""


class SnapshotError(RuntimeError):
    """The live view could not be captured; the message says why and what to do."""


def find_browser(browser: str | os.PathLike[str] | None = None) -> str:
    """The Chromium executable to use: ``browser``, ``$GEO_CHROMIUM`` or /usr/bin/chromium.

    Raises
    ------
    SnapshotError
        When there is no executable file at that path.
    """
    path = str(browser or os.environ.get(BROWSER_ENV) or DEFAULT_BROWSER)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise SnapshotError(
            f"no Chromium browser at {path}. Install the Debian package: "
            "apt-get install chromium (or pass --browser PATH, or set "
            f"{BROWSER_ENV}, to use another Chromium)."
        )
    return path


def check_url(url: str, timeout: float = 10.0) -> None:
    """Fail early, with a plain message, when nothing answers at ``url``.

    Only the TCP connection is tried: it separates "the dashboard is not
    running" from everything the browser reports later.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SnapshotError(
            f"{url!r} is not an http(s) URL; expected e.g. http://localhost:8501/?from=2013-02-01"
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise SnapshotError(f"{url!r}: the port is not a number") from None
    where = f"{parts.hostname}:{port}"
    try:
        with socket.create_connection((parts.hostname, port), timeout=min(timeout, 10.0)):
            pass
    except ConnectionRefusedError:
        raise SnapshotError(
            f"{url} does not answer: connection refused at {where}. Is the dashboard "
            "running? Start it with: streamlit run app.py"
        ) from None
    except TimeoutError:
        raise SnapshotError(f"{url} does not answer: no reply from {where} in time") from None
    except OSError as exc:
        raise SnapshotError(f"{url} does not answer: {exc.strerror or exc}") from None


def snapshot(
    url: str,
    *,
    width: int = 1600,
    height: int = 1000,
    timeout: float = 60.0,
    full_page: bool = False,
    browser: str | os.PathLike[str] | None = None,
) -> bytes:
    """Open ``url`` in headless Chromium and return a PNG of its drawn map.

    Parameters
    ----------
    url : str
        Dashboard URL with its query string (the filters).
    width, height : int
        Browser viewport in CSS pixels.
    timeout : float
        Seconds for the whole capture: page load, app run, map drawing.
    full_page : bool
        Capture the whole page instead of the map element.
    browser : path, optional
        Chromium executable; ``$GEO_CHROMIUM`` or /usr/bin/chromium by default.

    Returns
    -------
    bytes
        PNG image.

    Raises
    ------
    SnapshotError
        With a message naming the cause: playwright missing, no browser,
        URL not answering, HTTP error, app error, or no map within ``timeout``.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SnapshotError(
            "the playwright Python package is not installed: pip install playwright "
            "(its browser download is not needed; the system Chromium is used)"
        ) from None
    exe = find_browser(browser)
    check_url(url, timeout)
    deadline = time.monotonic() + timeout
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(
                executable_path=exe,
                headless=True,
                args=list(BROWSER_ARGS),
                timeout=_ms_left(deadline),
            )
        except PlaywrightError as exc:
            raise SnapshotError(f"could not start Chromium at {exe}: {_first_line(exc)}") from None
        try:
            return _capture(chromium, url, width, height, deadline, timeout, full_page)
        except PlaywrightError as exc:
            raise SnapshotError(
                f"browser error while capturing {url}: {_first_line(exc)}"
            ) from None
        finally:
            chromium.close()


def _capture(
    chromium: Any,
    url: str,
    width: int,
    height: int,
    deadline: float,
    timeout: float,
    full_page: bool,
) -> bytes:
    page = chromium.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    response = page.goto(url, wait_until="domcontentloaded", timeout=_ms_left(deadline))
    if response is not None and response.status >= 400:
        raise SnapshotError(f"{url} answered HTTP {response.status} {response.status_text}")

    target, seen = _wait_for_map(page, deadline)
    if target is None:
        raise SnapshotError(_timeout_message(url, timeout, seen, console))
    page.wait_for_timeout(int(SETTLE_SECONDS * 1000))
    if full_page:
        return bytes(page.screenshot(full_page=True, type="png"))
    return bytes(target.screenshot(type="png", timeout=_ms_left(deadline, floor=5.0)))


def _wait_for_map(page: Any, deadline: float) -> tuple[Any, dict[str, Any]]:
    """Poll until the app is idle and a Leaflet map has drawn content.

    Returns the element to screenshot (the component's iframe, or the map
    container when the map is in the page itself) and what was last seen.
    """
    seen: dict[str, Any] = {"app": None, "map": None}
    previous: tuple[int, int, int] | None = None
    while time.monotonic() < deadline:
        app = _evaluate(page.main_frame, _APP_STATE_JS)
        seen["app"] = app
        if app and app.get("errors"):
            raise SnapshotError("the app raised an error: " + " | ".join(app["errors"])[:500])
        idle = app is None or app.get("script") == "notRunning"
        for frame in page.frames:
            state = _evaluate(frame, _MAP_STATE_JS)
            if state is None:
                continue
            seen["map"] = state
            drawn = (
                state["visible"]
                and state["width"] > 0
                and state["height"] > 0
                and state["vectors"] + state["markers"] + state["tiles"] > 0
            )
            counts = (state["vectors"], state["markers"], state["tiles"])
            # Drawn and unchanged since the last poll: Leaflet has finished adding layers.
            if drawn and idle and counts == previous:
                if frame is page.main_frame:
                    return frame.query_selector(".leaflet-container"), seen
                return frame.frame_element(), seen
            previous = counts
            break
        page.wait_for_timeout(_POLL_MS)
    return None, seen


def _evaluate(frame: Any, script: str) -> Any:
    from playwright.sync_api import Error as PlaywrightError

    try:
        return frame.evaluate(script)
    except PlaywrightError:
        # Frames come and go while Streamlit reruns; try again next poll.
        return None


def _timeout_message(url: str, timeout: float, seen: dict[str, Any], console: list[str]) -> str:
    msg = f"the map did not appear at {url} within {timeout:g} s"
    app, state = seen.get("app"), seen.get("map")
    if app is not None and app.get("script") != "notRunning":
        msg += f"; the app was still running (script state {app.get('script')!r})"
    if state is None:
        msg += "; no Leaflet map was found in the page or its frames"
    elif not (state["width"] > 0 and state["height"] > 0):
        msg += "; the map container has zero size"
    else:
        msg += "; the map container is empty (no vectors, markers or tiles)"
    if console:
        msg += ". Browser errors: " + " | ".join(dict.fromkeys(console))[:400]
    return msg


def _ms_left(deadline: float, floor: float = 1.0) -> float:
    return max(deadline - time.monotonic(), floor) * 1000


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
