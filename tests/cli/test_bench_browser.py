"""``python -m geo bench --browser``: the FastMarkerCluster baseline really draws.

folium's default ``FastMarkerCluster`` gives each marker an awesome-markers
icon; with the assets inlined that plugin is not loaded, so the page threw
at its first marker and drew nothing, and the bench timed an empty map.
These tests open the bench's own pages (:func:`geo.cli.bench.fast_cluster_map`,
shared with ``scripts/bench_browser.py``) in headless Chromium and count the
cluster icons. SYNTHETIC incidents (``geo.io.synthetic``), in memory.
Marked ``browser``; skipped when Chromium is not installed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from geo.cli import main
from geo.cli.bench import DRAWN_JS, fast_cluster_map
from geo.io.synthetic import synthetic_incidents
from geo.render.assets import apply_local_assets
from tests.browser_support import CHROMIUM, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

N = 2_000

# Every cluster icon's count, and the markers drawn on their own.
COUNTS = """
() => ({
  clusters: Array.from(document.querySelectorAll(".marker-cluster span"))
    .map(n => parseInt(n.textContent, 10)),
  single: document.querySelectorAll(".leaflet-marker-icon:not(.marker-cluster)").length,
})
"""


def _open(browser: Any, tmp_path: Path, m: Any) -> tuple[Any, list[str]]:
    apply_local_assets(m, inline=True)
    path = tmp_path / "fast.html"
    path.write_text(m.get_root().render(), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri(), wait_until="load")
    page.evaluate(DRAWN_JS)
    return page, errors


def test_the_bench_times_every_page_until_drawn(capsys: pytest.CaptureFixture[str]) -> None:
    # Runs before the module's browser fixture starts: the bench launches its own.
    argv = ["bench", "--sizes", str(N), "--naive-max", str(N), "--repeat", "1"]
    argv += ["--no-cold-start", "--browser", str(CHROMIUM)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    table = out[out.index("from navigation until the last chunk is drawn") :]
    drawn = {}
    for label in ("dashboard", "incident layer alone", "naive", "FastMarkerCluster"):
        row = next(line for line in table.splitlines() if line.startswith(f"| {label} |"))
        drawn[label] = float(row.strip("|").split("|")[-1])
    assert all(seconds > 0 for seconds in drawn.values())


def test_the_fast_cluster_baseline_draws_its_clusters(browser: Any, tmp_path: Path) -> None:
    incidents = synthetic_incidents(N, seed=1)
    page, errors = _open(browser, tmp_path, fast_cluster_map(incidents))
    try:
        counts = page.evaluate(COUNTS)
    finally:
        page.close()
    assert errors == []
    assert len(counts["clusters"]) >= 3
    # Markers outside the view are not drawn; most of the Sahel is in it.
    shown = sum(counts["clusters"]) + counts["single"]
    assert N // 2 < shown <= N


def test_folium_default_fast_cluster_draws_nothing_with_inlined_assets(
    browser: Any, tmp_path: Path
) -> None:
    # Why the bench does not use folium's default: this is the page it timed before.
    import folium
    from folium.plugins import FastMarkerCluster

    m = folium.Map(location=[17.0, -4.0], zoom_start=5, tiles=None)
    points = synthetic_incidents(200, seed=1)[["latitude", "longitude"]].to_numpy().tolist()
    FastMarkerCluster(points).add_to(m)
    page, errors = _open(browser, tmp_path, m)
    try:
        counts = page.evaluate(COUNTS)
    finally:
        page.close()
    # L.AwesomeMarkers is undefined: "Cannot read properties of undefined (reading 'icon')".
    assert any(re.search(r"AwesomeMarkers|'icon'", e) for e in errors), errors
    assert counts["clusters"] == [] and counts["single"] == 0
