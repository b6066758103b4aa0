"""The map in the browser at 1,000,000 incidents: frames, a filter change, drawing (issue 15).

Three measurements, each against its baseline in the same run and with the
same repeats, on **synthetic** incidents (``geo.io.synthetic``, generated in
memory, never written to ``data/``), in headless Chromium (``--browser``):

``frames``
    The full dashboard map of 1,000,000 incidents (risk shading of the
    admin-1 areas, the incident grid, borders, towns, country outlines, as
    ``python -m geo bench`` builds it; assets inlined, opened from a file at
    1280x800). A scripted round of zooms and pans runs through Leaflet's own
    calls (``setZoom``, animated ``panBy``); a ``requestAnimationFrame``
    loop records every frame's duration meanwhile. The round runs twice: the
    first visits each zoom level for the first time, the second comes back.
    **before** is the same page with the map script and styles of the
    ``--before`` commit put in place of today's (the page is otherwise byte
    for byte the same), so both are measured in one run.
``filter``
    A filter change at 1,000,000 incidents (event type = Battles): the
    server's part (``apply_filters`` + ``build_map`` + rendering the HTML
    that streamlit-folium sends) and the browser's (opening that page until
    it is drawn).
``drawn``
    The same 10,000 incidents as our incident layer alone and as folium's
    ``FastMarkerCluster``, each opened from a file; *drawn* is the time from
    navigation until the layer's last chunk is on screen (our layer says so
    in ``window.geoDrawn``; FastMarkerCluster adds every marker before its
    script returns), plus two animation frames.

``app-filter``
    The same filter change in the real Streamlit app, from the click until
    the new map is drawn, split at the map frame's navigation start
    (``scripts/bench_app_filter.py``; not run by default: it starts the app
    on a synthetic store of ``--size`` rows at ``--store``).

Usage::

    python scripts/bench_browser.py --browser /usr/bin/chromium
    python scripts/bench_browser.py --only frames --size 1000000 --repeat 3
    python scripts/bench_browser.py --only app-filter --size 1000000 --store /tmp/x/incidents.csv
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The FastMarkerCluster baseline and the drawn-time script are shared with
# ``python -m geo bench --browser``, so both time the same pages.
from geo.cli.bench import DRAWN_JS, _context, fast_cluster_map  # noqa: E402
from geo.render.maps.elements import MAP_CSS_FILE, MAP_JS_FILE  # noqa: E402
from geo.render.snapshot import BROWSER_ARGS  # noqa: E402

# The commit whose map script is "before": the last one with the town labels
# drawn as one permanent Leaflet tooltip each, laid out again at every zoom.
BEFORE = "a525a57"
MB = 1_000_000

# One round of the frames measurement, from the fitted view: (kind, amount).
ROUND: tuple[tuple[str, int, int], ...] = (
    ("zoom", 1, 0),
    ("pan", 300, 0),
    ("zoom", 1, 0),
    ("pan", 0, 250),
    ("zoom", 1, 0),
    ("pan", -300, -150),
    ("zoom", -1, 0),
    ("pan", 200, 200),
    ("zoom", -1, 0),
    ("zoom", -1, 0),
    ("pan", -200, -300),
)

# Runs in the page: performs the round and records the frames meanwhile.
FRAMES_JS = """
async (ops) => {
  const key = Object.keys(window).find(k => k.startsWith("map_") && window[k] instanceof L.Map);
  const map = window[key];
  const frames = [], times = [];
  let last = null, recording = true;
  function tick(t) {
    if (last !== null) { frames.push(t - last); }
    last = t;
    if (recording) { requestAnimationFrame(tick); }
  }
  const twoFrames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  await twoFrames();
  requestAnimationFrame(tick);
  await twoFrames();
  for (const [kind, a, b] of ops) {
    const start = performance.now(), mark = frames.length;
    const done = new Promise(r => map.once("moveend", r));
    if (kind === "pan") { map.panBy([a, b]); } else { map.setZoom(map.getZoom() + a); }
    await done;
    await twoFrames();
    times.push({kind, ms: performance.now() - start, worst: Math.max(0, ...frames.slice(mark))});
    await new Promise(r => setTimeout(r, 150));
  }
  recording = false;
  return {frames, times};
}
"""

TRACE_CATEGORIES = ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline"]


def main_thread_tasks(trace: bytes) -> list[tuple[float, float]]:
    """(wall ms, CPU ms) of every task on the page's main thread in a Chromium trace.

    The CPU time (the trace's ``tdur``) leaves out the time the thread
    waited for a core, which on a shared machine is most of the noise.
    """
    events = json.loads(trace)
    events = events["traceEvents"] if isinstance(events, dict) else events
    main = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and e.get("args", {}).get("name") == "CrRendererMain"
    }
    return [
        (e["dur"] / 1000, e.get("tdur", e["dur"]) / 1000)
        for e in events
        if e.get("ph") == "X" and e.get("name") == "RunTask" and (e["pid"], e["tid"]) in main
    ]


def _old_code(rev: str) -> tuple[str, str]:
    """The map script and styles as they were at ``rev``."""

    def show(path: Path) -> str:
        rel = path.relative_to(ROOT).as_posix()
        out = subprocess.run(
            ["git", "show", f"{rev}:{rel}"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        return out.stdout

    return show(MAP_JS_FILE), show(MAP_CSS_FILE)


def _as_before(page: str, rev: str) -> str:
    """``page`` with the map script and styles of ``rev`` instead of today's."""
    old_js, old_css = _old_code(rev)
    new_js, new_css = MAP_JS_FILE.read_text(encoding="utf-8"), MAP_CSS_FILE.read_text("utf-8")
    if page.count(new_js) != 1 or page.count(new_css) != 1:
        raise RuntimeError("the page does not hold today's map script and styles exactly once")
    # The old script cannot say when its clusters are drawn: count the
    # markers left, as GeoMap.pending does now.
    old_js = old_js.replace(
        "chunkedLoading: true,",
        "chunkedLoading: true, chunkProgress: function (d, t) { window.geoBeforeLeft = t - d; },",
    )
    return page.replace(new_js, old_js).replace(new_css, old_css)


def _render(m: Any) -> str:
    html: str = m.get_root().render()
    return html


class Browser:
    """Headless Chromium opening saved pages from a temporary folder."""

    def __init__(self, executable: str):
        from playwright.sync_api import sync_playwright

        self._play = sync_playwright().start()
        self._browser = self._play.chromium.launch(
            executable_path=executable, args=list(BROWSER_ARGS)
        )
        self._dir = tempfile.TemporaryDirectory(prefix="geo_bench_browser_")
        self._count = 0

    def open(self, html: str) -> Any:
        """A new page at 1280x800 showing ``html``, loaded."""
        self._count += 1
        path = Path(self._dir.name) / f"page{self._count}.html"
        path.write_text(html, encoding="utf-8")
        page = self._browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(path.as_uri(), wait_until="load", timeout=600_000)
        return page

    def drawn(self, html: str) -> float:
        """Seconds from navigation until every incident layer is drawn."""
        page = self.open(html)
        try:
            return float(page.evaluate(DRAWN_JS)) / 1000
        finally:
            page.close()

    def frames(self, html: str, rounds: int = 2) -> list[dict[str, Any]]:
        """Frame durations (ms), per-operation times and main-thread tasks of ``rounds`` rounds."""
        page = self.open(html)
        out = []
        try:
            page.evaluate(DRAWN_JS)
            for _ in range(rounds):
                self._browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
                result = page.evaluate(FRAMES_JS, [list(op) for op in ROUND])
                result["tasks"] = main_thread_tasks(self._browser.stop_tracing())
                out.append(result)
            return out
        finally:
            page.close()

    def close(self) -> None:
        self._browser.close()
        self._play.stop()
        self._dir.cleanup()


# ------------------------------------------------------------------ frames


def _dashboard(incidents: pd.DataFrame, context: dict[str, Any], **changes: Any) -> str:
    from geo.render.maps import MapOptions, build_map

    options = MapOptions(inline_assets=True, sync_url=False, **changes)
    return _render(build_map(incidents, options=options, **context))


def bench_frames(
    browser: Browser, incidents: pd.DataFrame, context: dict[str, Any], repeat: int, rev: str
) -> None:
    from geo.render.maps.view import DEFAULT_LAYERS

    after = _dashboard(incidents, context)
    variants = {
        "before": _as_before(after, rev),
        "after": after,
        "after, no towns layer": _dashboard(
            incidents, context, layers=set(DEFAULT_LAYERS) - {"towns"}
        ),
        # No layer at all: what the shared machine's load alone costs a frame.
        "empty map (floor)": _dashboard(incidents.head(0), context, layers=set()),
    }
    print(f"\nFrames while zooming and panning the dashboard map of {len(incidents):,} incidents")
    print(f"({len(ROUND)} operations a round, 2 rounds per page load, {repeat} page loads each;")
    print("frame: between two animation frames, wall clock; task: the longest main-thread task,")
    print("CPU time of the page's thread, from a Chromium trace)\n")
    print(
        "| page | worst frame, 1st round (ms) | worst frame, 2nd round (ms) "
        "| longest task CPU, 1st round (ms) | longest task CPU, 2nd round (ms) "
        "| frames over 50 ms | operation, median (ms) |"
    )
    print("|:--|--:|--:|--:|--:|--:|--:|")
    # Interleaved, so a slow spell of the shared machine hits both alike.
    results: dict[str, list[list[dict[str, Any]]]] = {k: [] for k in variants}
    for _ in range(repeat):
        for label, html in variants.items():
            results[label].append(browser.frames(html))
    worst: dict[str, float] = {}
    for label, runs in results.items():
        frame = [[max(rnd["frames"]) for rnd in r] for r in runs]
        task = [[max(cpu for _, cpu in rnd["tasks"]) for rnd in r] for r in runs]
        frames = [f for r in runs for rnd in r for f in rnd["frames"]]
        ops = [t["ms"] for r in runs for rnd in r for t in rnd["times"]]
        over = sum(f > 50 for f in frames)
        worst[label] = max(max(t) for t in task)
        cells = [_span([x[k] for x in frame]) for k in (0, 1)]
        cells += [_span([x[k] for x in task]) for k in (0, 1)]
        print(
            f"| {label} | {' | '.join(cells)} | {over} of {len(frames)} "
            f"| {statistics.median(ops):.0f} |"
        )
    print(f"\nlongest task CPU, before / after: {worst['before'] / worst['after']:.1f}x")


def _span(values: Sequence[float]) -> str:
    lo, hi = min(values), max(values)
    return f"{lo:.0f}" if round(lo) == round(hi) else f"{lo:.0f}-{hi:.0f}"


# ------------------------------------------------------------------ filter


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def bench_filter(
    browser: Browser | None,
    incidents: pd.DataFrame,
    context: dict[str, Any],
    repeat: int,
    rev: str,
) -> None:
    from geo.analysis.filters import FilterState, apply_filters
    from geo.render.maps import build_map

    dates = pd.to_datetime(incidents["event_date"])
    state = FilterState(
        date_from=dates.min().date(), date_to=dates.max().date(), event_types=("Battles",)
    )
    t_filter, shown = _best(lambda: apply_filters(incidents, state), repeat)
    t_map, html = _best(lambda: _render(build_map(shown, **context)), repeat)
    print(
        f"\nA filter change at {len(incidents):,} incidents: event type = Battles, "
        f"{len(shown):,} rows kept (best of {repeat})\n"
    )
    print("| step | seconds |")
    print("|:--|--:|")
    print(f"| filter (`apply_filters`) | {t_filter:.3f} |")
    print(f"| build the map and render its HTML ({len(html.encode()) / MB:.2f} MB) | {t_map:.3f} |")
    print(f"| server, in all | {t_filter + t_map:.3f} |")
    if browser is not None:
        pages = {"after": _dashboard(shown, context)}
        pages["before"] = _as_before(pages["after"], rev)
        drawn: dict[str, list[float]] = {"after": [], "before": []}
        for _ in range(repeat):
            for label in drawn:
                drawn[label].append(browser.drawn(pages[label]))
        print(f"| browser: open the page until drawn | {min(drawn['after']):.3f} |")
        print(f"| browser, the map script of {rev} | {min(drawn['before']):.3f} |")


# ------------------------------------------------------------------- drawn


def bench_drawn(browser: Browser, n: int, seed: int, repeat: int, rev: str) -> None:
    from geo.io.synthetic import synthetic_incidents
    from geo.render.assets import apply_local_assets
    from geo.render.maps import MapOptions, build_map

    incidents = synthetic_incidents(n, seed=seed)
    only = MapOptions(layers={"incidents"}, inline_assets=True, sync_url=False, legend=False)
    ours = _render(build_map(incidents, options=only))
    fast = fast_cluster_map(incidents)
    apply_local_assets(fast, inline=True)
    variants = {
        "ours, before": _as_before(ours, rev),
        "ours": ours,
        "FastMarkerCluster": _render(fast),
    }
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(repeat):
        for label, html in variants.items():
            times[label].append(browser.drawn(html))
    print(
        f"\n{n:,} incidents drawn in Chromium, from navigation to the last chunk on screen "
        f"(best of {repeat}, interleaved)\n"
    )
    print("| map | HTML (MB) | drawn (s) | median (s) |")
    print("|:--|--:|--:|--:|")
    for label, html in variants.items():
        t = times[label]
        print(
            f"| {label} | {len(html.encode()) / MB:.2f} | {min(t):.3f} | "
            f"{statistics.median(t):.3f} |"
        )
    ratio = min(times["FastMarkerCluster"]) / min(times["ours"])
    print(
        f"\nFastMarkerCluster / ours: {ratio:.2f}x "
        f"({'ours faster' if ratio > 1 else 'ours slower'})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--browser", default="/usr/bin/chromium")
    parser.add_argument("--size", type=int, default=1_000_000, help="incidents for frames/filter")
    parser.add_argument("--drawn-size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--before", default=BEFORE, help="commit whose map script is 'before'")
    parser.add_argument(
        "--only",
        default="frames,filter,drawn",
        help="comma-separated: frames, filter, drawn, app-filter (the real app; not by default)",
    )
    parser.add_argument(
        "--store",
        default=str(Path(tempfile.gettempdir()) / "geo_bench_app" / "incidents.csv"),
        help="app-filter: the synthetic store the app reads (written with --size rows if missing)",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="scheduling priority of this session (e.g. -10), against the machine's other jobs",
    )
    args = parser.parse_args(argv)
    if args.nice:
        # Linux shares the CPU between sessions (autogroups); the browser runs in ours.
        with open("/proc/self/autogroup", "w", encoding="ascii") as fh:
            fh.write(str(args.nice))
    only = set(args.only.split(","))
    print("SYNTHETIC incidents (geo.io.synthetic), generated in memory; nothing is written.")
    if "app-filter" in only:
        # Its own Playwright session (one per thread): run it before the others.
        from bench_app_filter import bench_app_filter

        bench_app_filter(args.browser, Path(args.store), args.size, args.seed, args.repeat)
        if not only - {"app-filter"}:
            return 0
    browser = Browser(args.browser)
    try:
        if only & {"frames", "filter"}:
            from geo.io.synthetic import synthetic_incidents

            context = _context()
            incidents = synthetic_incidents(args.size, seed=args.seed)
            if "frames" in only:
                bench_frames(browser, incidents, context, args.repeat, args.before)
            if "filter" in only:
                bench_filter(browser, incidents, context, args.repeat, args.before)
        if "drawn" in only:
            bench_drawn(browser, args.drawn_size, args.seed, args.repeat, args.before)
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
