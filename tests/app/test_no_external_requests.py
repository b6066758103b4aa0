"""The dashboard makes no request off the machine: not from the page, not from the server.

Browser side: headless Chromium opens every page (the map drawn) with every
request and websocket routed; anything not for localhost is blocked and
fails the test, whatever its kind (a favicon, a font, a script).

Server side: Streamlit is started with every proxy variable pointing at a
trap on localhost, so an outbound HTTP(S) request from the server process
(Streamlit asks checkip.amazonaws.com for the machine's address when it
starts headless on a wildcard address) lands in the trap and fails the test.
A control run outside the project, without its .streamlit/config.toml,
shows that the trap does catch that lookup.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.app.app_support import ROOT, free_port, wait_for_health, write_store

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
PAGES = ("Trends", "Watch", "Incidents", "Ingest", "About")  # after the Map, the landing page
WAIT_MS = 90_000  # generous: the machine is shared; these are waits, not speed checks


class Trap:
    """A TCP listener on localhost that records every connection made to it.

    Used as the HTTP and HTTPS proxy of a process: each request the process
    sends off the machine arrives here first (``GET http://...`` or
    ``CONNECT host:443``) and is answered by a closed connection.
    """

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.2)
        self.port = int(self.server.getsockname()[1])
        self.requests: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The environment that sends a process's outbound HTTP(S) to the trap."""
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        for name in ("http_proxy", "https_proxy", "all_proxy"):
            env[name] = env[name.upper()] = self.url
        env["no_proxy"] = env["NO_PROXY"] = ""
        return env

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                with contextlib.suppress(OSError):
                    self.requests.append(conn.recv(1024).split(b"\r\n", 1)[0].decode("latin-1"))

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.server.close()


@pytest.fixture
def trap() -> Iterator[Trap]:
    t = Trap()
    yield t
    t.close()


@contextlib.contextmanager
def app_behind_trap(folder: Path, trap: Trap) -> Iterator[tuple[str, Path]]:
    """The dashboard started the documented way (headless, default address), proxied to the trap.

    Yields the base URL and the server's log.
    """
    port = free_port()
    base = f"http://localhost:{port}"
    env = trap.env()
    env["GEO_INCIDENTS"] = str(write_store(folder / "incidents.csv"))
    # localhost itself must not go through the trap (the health check below).
    env["no_proxy"] = env["NO_PROXY"] = "localhost,127.0.0.1"
    log = folder / "streamlit.log"
    command = [sys.executable, "-m", "streamlit", "run", "app.py",
               "--server.headless", "true", "--server.port", str(port)]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_for_health(base, proc, log)
            yield base, log
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


class Guard:
    """A browser context where every request off the machine is blocked and remembered."""

    def __init__(self, browser: Any) -> None:
        self.blocked: list[str] = []
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.route("**/*", self._route)
        self.context.route_web_socket("**/*", self._route_socket)

    @staticmethod
    def _local(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS

    def _route(self, route: Any) -> None:
        if self._local(route.request.url):
            route.continue_()
        else:
            self.blocked.append(f"{route.request.resource_type} {route.request.url}")
            route.abort()

    def _route_socket(self, ws: Any) -> None:
        if self._local(ws.url):
            ws.connect_to_server()
        else:
            self.blocked.append(f"websocket {ws.url}")
            ws.close()


def settle(page: Any) -> None:
    """Wait until Streamlit has finished the run and late requests (icons, fonts) are out."""
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)
    page.wait_for_timeout(1000)
    page.wait_for_load_state("networkidle")


def icon_links(page: Any) -> list[str]:
    return list(
        page.evaluate("() => [...document.querySelectorAll('link[rel*=icon]')].map(l => l.href)")
    )


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_every_page_loads_with_nothing_from_off_the_machine(tmp_path: Path, trap: Trap) -> None:
    with (
        app_behind_trap(tmp_path, trap) as (base, log),
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(BROWSER_ARGS))
        guard = Guard(browser)
        page = guard.context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(base + "/")
        frame = page.frame_locator(MAP_FRAME)
        frame.locator("path.geo-incident").first.wait_for(state="attached")
        expect(frame.locator("path.geo-incident")).to_have_count(10)
        settle(page)
        visited = ["Map"]
        for title in PAGES:
            page.get_by_role("link", name=title).click()
            expect(page.get_by_role("heading", name=title).first).to_be_visible()
            settle(page)
            visited.append(title)
        icons = icon_links(page)
        browser.close()
    server_log = log.read_text(encoding="utf-8", errors="replace")

    assert visited == ["Map", *PAGES]
    assert guard.blocked == []
    assert icons and all(Guard._local(href) for href in icons), icons
    assert trap.requests == []
    assert "External URL" not in server_log


LOOKUP = """
from streamlit import config
from streamlit.web import bootstrap
config.get_config_options(
    force_reparse=True,
    options_from_flags={"server.address": "0.0.0.0", "server.headless": True},
)
bootstrap._print_url(False)
"""


def _print_url(cwd: Path, trap: Trap) -> str:
    """What Streamlit prints at start on a wildcard address, headless, run in ``cwd``."""
    done = subprocess.run(
        [sys.executable, "-c", LOOKUP], cwd=cwd, env=trap.env(),
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout + done.stderr


def test_the_server_does_not_look_up_its_public_address(tmp_path: Path, trap: Trap) -> None:
    # Control: without the project's config Streamlit does ask, and the trap sees it.
    _print_url(tmp_path, trap)
    assert any("checkip.amazonaws.com" in line for line in trap.requests), trap.requests
    trap.requests.clear()

    printed = _print_url(ROOT, trap)  # with .streamlit/config.toml
    assert trap.requests == []
    assert "External URL" not in printed
    assert "localhost" in printed
