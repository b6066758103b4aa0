"""Tests for geo.render.snapshot and the ``snapshot`` command.

Error paths need no browser. The capture tests drive the system Chromium
against pages served from a temporary folder on 127.0.0.1 (Leaflet from the
locally installed static/vendor copy, so no network), and one test starts the
Streamlit app itself; they are marked ``browser`` and skip when Chromium, the
Leaflet assets or the app are not there.
"""

from __future__ import annotations

import functools
import http.server
import io
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from geo import config
from geo.cli import main
from geo.render.snapshot import SnapshotError, check_url, find_browser, snapshot

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("GEO_CHROMIUM") or "/usr/bin/chromium")
LEAFLET = config.VENDOR_DIR / "leaflet"

# Chromium is a system package (.ci/run installs it); Leaflet comes with the
# documented set-up (npm install), so its absence fails rather than skips.
needs_browser = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Chromium (Debian package chromium)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def png_size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


# --------------------------------------------------------------------------
# Error paths (no browser needed)


def test_missing_browser_names_the_path_and_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "no-chromium"
    with pytest.raises(SnapshotError) as err:
        snapshot("http://127.0.0.1:9/", browser=missing)
    assert str(missing) in str(err.value)
    assert "apt-get install chromium" in str(err.value)


def test_browser_path_comes_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GEO_CHROMIUM", str(tmp_path / "custom-chromium"))
    with pytest.raises(SnapshotError, match="custom-chromium"):
        find_browser()
    assert find_browser(sys.executable) == sys.executable


def test_refused_url_is_a_plain_message() -> None:
    port = free_port()
    with pytest.raises(SnapshotError, match=f"connection refused at 127.0.0.1:{port}"):
        check_url(f"http://127.0.0.1:{port}/?from=2013-02-01")


@pytest.mark.parametrize("url", ["localhost:8501", "file:///etc/hosts", "http://:80/"])
def test_non_http_urls_are_refused(url: str) -> None:
    with pytest.raises(SnapshotError, match="not an http"):
        check_url(url)


def test_cli_reports_errors_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    out = str(tmp_path / "view.png")
    # Any executable passes the browser check, so the URL check is what fails.
    assert main(["snapshot", url, "--out", out, "--browser", sys.executable]) == 1
    err = capsys.readouterr().err
    assert "does not answer" in err and "Traceback" not in err
    assert main(["snapshot", url, "--out", out, "--browser", str(tmp_path / "none")]) == 1
    assert "no Chromium browser" in capsys.readouterr().err
    assert main(["snapshot", url, "--out", str(tmp_path / "view.jpg")]) == 2
    assert main(["snapshot", url, "--out", out, "--timeout", "0"]) == 2
    assert not (tmp_path / "view.png").exists()


# --------------------------------------------------------------------------
# Captures in headless Chromium

MAP_PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="leaflet/leaflet.css"><script src="leaflet/leaflet.js"></script>
</head><body style="margin:0"><div id="m" style="width:800px;height:500px"></div><script>
var map = L.map('m').setView([17, -1], 5);
// Layers arrive late, as they do when streamlit-folium builds the map.
setTimeout(function () {
  L.polygon([[15, -4], [20, -4], [20, 2], [15, 2]], {color: '#bd0026', weight: 4}).addTo(map);
}, 700);
</script></body></html>"""
FRAMED_PAGE = """<!doctype html><html><body style="margin:0"><p>dashboard</p>
<iframe src="map.html" style="border:0;width:820px;height:520px"></iframe></body></html>"""
EMPTY_PAGE = "<!doctype html><html><body><p>no map here</p></body></html>"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    shutil.copytree(LEAFLET, tmp_path / "leaflet")
    (tmp_path / "map.html").write_text(MAP_PAGE, encoding="utf-8")
    (tmp_path / "framed.html").write_text(FRAMED_PAGE, encoding="utf-8")
    (tmp_path / "empty.html").write_text(EMPTY_PAGE, encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _has_colour(data: bytes, hex_colour: str) -> bool:
    img = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    return bool(np.all(img == rgb, axis=-1).sum() > 100)


@pytest.mark.browser
@needs_browser
def test_captures_the_map_element_once_drawn(site: str) -> None:
    data = snapshot(site + "map.html", width=1000, height=700, timeout=60)
    assert png_size(data) == (800, 500)
    assert _has_colour(data, "#bd0026")  # the late polygon was waited for


@pytest.mark.browser
@needs_browser
def test_captures_a_map_inside_a_component_frame(site: str) -> None:
    data = snapshot(site + "framed.html", width=1000, height=700, timeout=60)
    assert png_size(data) == (820, 520)
    assert _has_colour(data, "#bd0026")
    whole = snapshot(site + "framed.html", width=1000, height=700, timeout=60, full_page=True)
    assert png_size(whole)[0] == 1000


@pytest.mark.browser
@needs_browser
def test_page_without_a_map_fails_with_a_reason(site: str) -> None:
    with pytest.raises(SnapshotError, match="no Leaflet map was found"):
        snapshot(site + "empty.html", timeout=4)
    with pytest.raises(SnapshotError, match="HTTP 404"):
        snapshot(site + "missing.html", timeout=10)


@pytest.mark.browser
@needs_browser
def test_snapshot_of_the_running_app(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                check_url(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except SnapshotError:
                assert proc.poll() is None, "streamlit exited before serving"
                time.sleep(0.5)
        url = f"http://127.0.0.1:{port}/?from=2013-02-01&to=2013-02-28"
        out = tmp_path / "view.png"
        assert (
            main(
                [
                    "snapshot",
                    url,
                    "--out",
                    str(out),
                    "--width",
                    "1400",
                    "--height",
                    "900",
                    "--timeout",
                    "150",
                    "--browser",
                    str(CHROMIUM),
                ]
            )
            == 0
        )
        img = np.asarray(Image.open(out).convert("RGB"))
        assert img.shape[1] >= 300 and img.shape[0] >= 200
        assert len(np.unique(img.reshape(-1, 3), axis=0)) > 50
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
