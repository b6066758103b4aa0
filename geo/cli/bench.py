"""``python -m geo bench``: filter and map timings on SYNTHETIC incidents (not real data).

For each size (10,000, 100,000 and 1,000,000 by default) it generates
incidents with :func:`geo.io.synthetic.synthetic_incidents` (labelled synthetic,
kept in memory, never written to ``data/``) and measures:

- **filter**: :func:`geo.analysis.filters.apply_filters` with a realistic
  :class:`~geo.analysis.filters.FilterState` (the last 180 days, the five violent
  event types, coordinates at town or district precision);
- **map**: :func:`geo.render.maps.build_map` plus rendering the page to an HTML
  string (``m.get_root().render()``, what streamlit-folium and a saved file
  both need), for all incidents and for the filtered set, with the
  dashboard's layers (risk shading, incidents, borders, towns, country
  outlines) and the shipped boundaries and gazetteer;
- the **naive** map in the same run, up to ``--naive-max`` incidents: one
  folium ``CircleMarker`` with an HTML popup and a tooltip per incident
  (escaped the same way), and folium's ``FastMarkerCluster`` of the same
  points (the fair baseline: no popups, no colours), compared with our
  incident layer alone. Above ``MapOptions.aggregate_threshold`` (20,000)
  incidents ours draws a grid of counts, not every incident, so the
  per-incident comparison stops there;
- **cold start** (``--cold-start``; by default the sizes of 100,000 or more): the store
  written as CSV, then in fresh processes the old path (read, validate,
  type, join, measure) against the columnar copy
  (:func:`geo.io.columnar.prepared_incidents`), each to the prepared frame
  and to the first map (areas, filter choices, risk, the map's HTML), with
  peak RSS; building the copy; and appending 10,000 rows with and without
  a copy.

Times are the best of ``--repeat`` runs, the same for every map builder
(cold-start figures are one run each, in a fresh process). With
``--browser /usr/bin/chromium`` each page is also saved with its assets
inlined and opened in headless Chromium ``--repeat`` times, timed from navigation until the
incident layer's last chunk is drawn (``GeoMap.pending()`` is 0) and two
animation frames later; folium's pages draw before their load event.
``scripts/bench.py`` runs the same thing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from geo.model.schema import EVENT_TYPES
from geo.render.snapshot import BROWSER_ARGS

NAIVE_MAX = 10_000
COLD_START_MIN = 100_000  # smaller stores start in well under a second either way
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
MB = 1_000_000


def register(sub: Any) -> None:
    """Add ``bench`` to the ``python -m geo`` parser."""
    p = sub.add_parser(
        "bench",
        help="time filters and map building on synthetic incidents (not real data)",
        description="Generate SYNTHETIC incidents (never written to data/) and report filter "
        "time, map build time and map HTML size, against the naive one-marker-per-incident "
        "folium map.",
    )
    p.add_argument(
        "--sizes",
        type=_sizes,
        default=DEFAULT_SIZES,
        help="comma-separated incident counts (default 10000,100000,1000000)",
    )
    p.add_argument(
        "--naive-max",
        type=int,
        default=NAIVE_MAX,
        help=f"largest size the naive map is built for (default {NAIVE_MAX:,})",
    )
    p.add_argument("--repeat", type=int, default=3, help="runs per timing; the best counts")
    p.add_argument(
        "--cold-start",
        type=_sizes,
        help="store sizes to time a cold start and an append at (default: the --sizes of "
        f"{COLD_START_MIN:,} or more)",
    )
    p.add_argument(
        "--no-cold-start", action="store_true", help="skip the cold-start and append timings"
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic generator")
    p.add_argument(
        "--browser",
        metavar="CHROMIUM",
        help="also open each map (assets inlined) in this headless Chromium and time it "
        "until the page has loaded and drawn (needs the playwright package)",
    )
    p.set_defaults(func=cmd_bench)


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(s.replace("_", "")) for s in text.split(",") if s.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"expected numbers like 10000,100000; got {text!r}"
        ) from exc
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected positive numbers; got {text!r}")
    return sizes


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def realistic_filter(incidents: pd.DataFrame) -> Any:
    """The last 180 days, violent event types, town or district precision."""
    from geo.analysis.filters import FilterState

    end = pd.Timestamp(incidents["event_date"].max()).date()
    return FilterState(
        date_from=end - dt.timedelta(days=179),
        date_to=end,
        event_types=tuple(t for t in EVENT_TYPES if t != "Strategic developments"),
        max_geo_precision=2,
    )


def naive_map(incidents: pd.DataFrame) -> Any:
    """One folium CircleMarker with popup and tooltip per incident (the baseline)."""
    import folium

    from geo.render.maps import escape_text
    from geo.render.style import EVENT_TYPE_COLOURS, marker_radius

    m = folium.Map(location=[17.0, -4.0], zoom_start=5, tiles=None)
    columns = ["latitude", "longitude", "event_type", "fatalities", "event_date", "location"]
    columns += ["actor1", "actor2", "source", "notes", "event_id"]
    for row in incidents[columns].itertuples(index=False):
        popup = (
            f"<b>{escape_text(row.event_type)}</b><br>{row.event_date:%Y-%m-%d} · "
            f"{escape_text(row.location)}<br>{escape_text(row.actor1)} · {escape_text(row.actor2)}"
            f"<br>Fatalities: {row.fatalities}<br>{escape_text(row.source)}<br>"
            f"{escape_text(row.notes)}<br>{escape_text(row.event_id)}"
        )
        folium.CircleMarker(
            [row.latitude, row.longitude],
            radius=marker_radius(row.fatalities),
            color="#ffffff",
            weight=1,
            fill=True,
            fill_color=EVENT_TYPE_COLOURS.get(row.event_type, "#999999"),
            fill_opacity=0.85,
            popup=folium.Popup(popup, max_width=320),
            tooltip=escape_text(row.event_type),
        ).add_to(m)
    return m


# folium's default FastMarkerCluster callback gives each marker an
# ``L.AwesomeMarkers.icon()``. With the assets inlined the awesome-markers
# plugin is not loaded, so that page throws at its first marker and draws
# nothing (which made an empty page look fast). This is the same layer with
# Leaflet's own default marker, the icon a FastMarkerCluster user sees
# without the plugin.
FAST_CALLBACK = "function (row) { return L.marker(new L.LatLng(row[0], row[1])); }"

# Runs in a page after its load event: the time since navigation at which
# the last incident layer finished drawing (``GeoMap.pending()`` counts the
# chunks still to come; ``window.geoBeforeLeft`` is set by pages patched to
# count them another way), plus two animation frames. Pages with neither
# (FastMarkerCluster adds every marker before its script returns) are
# drawn two frames after load.
DRAWN_JS = """
async () => {
  const deadline = performance.now() + 120000;
  const busy = () =>
    window.GeoMap && GeoMap.pending ? GeoMap.pending() : (window.geoBeforeLeft || 0);
  while (busy() > 0 && performance.now() < deadline) {
    await new Promise(r => setTimeout(r, 5));
  }
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now();
}
"""


def fast_cluster_map(incidents: pd.DataFrame) -> Any:
    """folium's FastMarkerCluster of the same points: the fair per-incident baseline.

    It draws every incident, clustered in the browser, but with no popup
    and no colour by event type. Each marker is Leaflet's default marker
    (see ``FAST_CALLBACK``), and the map has our zoom limits: with no tile
    layer a map has no maximum zoom, and clustering needs one.
    """
    import folium
    from folium.plugins import FastMarkerCluster

    from geo.render.maps.view import MAX_ZOOM, MIN_ZOOM

    m = folium.Map(location=[17.0, -4.0], zoom_start=5, tiles=None)
    m.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)
    points = incidents[["latitude", "longitude"]].to_numpy(dtype=float).tolist()
    FastMarkerCluster(points, callback=FAST_CALLBACK).add_to(m)
    return m


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            names = [line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    import folium

    return (
        f"{cpu}, {os.cpu_count()} logical CPUs; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, pandas {pd.__version__}, folium {folium.__version__}"
    )


def _context() -> dict[str, Any]:
    """Boundaries, towns and a risk table, as the dashboard passes them to build_map."""
    from geo.analysis.pipeline import prepare
    from geo.analysis.risk import score_areas
    from geo.io.synthetic import synthetic_incidents
    from geo.reference.boundaries import load_admin0, load_admin1, load_borders
    from geo.reference.gazetteer import load_gazetteer

    areas, borders = load_admin1(), load_borders()
    sample = prepare(synthetic_incidents(10_000, seed=99), areas=areas, borders=borders)
    risk = score_areas(sample, areas, sample["event_date"].max())
    towns = load_gazetteer().towns()
    return {
        "areas": areas,
        "borders": borders,
        "admin0": load_admin0(),
        "towns": towns,
        "risk": risk,
    }


def _page(build: Callable[[], Any]) -> str:
    page: str = build().get_root().render()
    return page


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the benchmark and print the tables."""
    print(
        "SYNTHETIC incidents (geo.io.synthetic), generated in memory; nothing is written to data/."
    )
    print(f"Machine: {_machine()}")
    context = _context()
    main_rows, naive_rows = [], []
    browser = _Browser(args.browser) if args.browser else None
    try:
        for n in args.sizes:
            row, naive = _bench_size(n, args, context, browser)
            main_rows.append(row)
            if naive is not None:
                naive_rows.append(naive)
    finally:
        if browser is not None:
            browser.close()
    _print_tables(main_rows, naive_rows)
    if browser is not None:
        _print_browser(browser.results)
    if not args.no_cold_start:
        from geo.cli.bench_store import bench_cold_start

        sizes = args.cold_start or tuple(n for n in args.sizes if n >= COLD_START_MIN)
        if sizes:
            bench_cold_start(sizes, seed=args.seed)
    return 0


class _Browser:
    """Headless Chromium timing of saved map pages (assets inlined, no network)."""

    def __init__(self, executable: str):
        import tempfile

        from playwright.sync_api import sync_playwright

        self._play = sync_playwright().start()
        self._browser = self._play.chromium.launch(
            executable_path=executable, args=list(BROWSER_ARGS)
        )
        self._dir = tempfile.TemporaryDirectory(prefix="geo_bench_")
        self.results: list[tuple[str, int, float, float]] = []

    def time_page(self, label: str, n: int, page_html: str, repeat: int = 1) -> None:
        """Open ``page_html`` ``repeat`` times; keep the best time until drawn."""
        from pathlib import Path

        path = Path(self._dir.name) / f"{label}_{n}.html"
        path.write_text(page_html, encoding="utf-8")
        best = float("inf")
        for _ in range(max(repeat, 1)):
            page = self._browser.new_page(viewport={"width": 1280, "height": 800})
            try:
                page.goto(path.as_uri(), wait_until="load", timeout=600_000)
                # From navigation (the page's own clock) until the last chunk is drawn.
                best = min(best, float(page.evaluate(DRAWN_JS)) / 1000)
            finally:
                page.close()
        self.results.append((label, n, len(page_html.encode()) / MB, best))

    def close(self) -> None:
        self._browser.close()
        self._play.stop()
        self._dir.cleanup()


def _print_browser(results: Sequence[tuple[str, int, float, float]]) -> None:
    print()
    print(
        "Opening the saved page (assets inlined) in headless Chromium, from navigation until "
        "the last chunk is drawn (best of the runs):"
    )
    print()
    print("| map | incidents | HTML (MB) | drawn (s) |")
    print("|:--|---:|---:|---:|")
    for label, n, size, seconds in results:
        print(f"| {label} | {n:,} | {size:.2f} | {seconds:.2f} |")


def _bench_size(
    n: int, args: argparse.Namespace, context: dict[str, Any], browser: _Browser | None
) -> tuple[tuple[Any, ...], tuple[Any, ...] | None]:
    from geo.analysis.filters import apply_filters
    from geo.io.synthetic import synthetic_incidents
    from geo.render.maps import MapOptions, build_map

    start = time.perf_counter()
    incidents = synthetic_incidents(n, seed=args.seed)
    made = time.perf_counter() - start
    state = realistic_filter(incidents)

    def dashboard(frame: pd.DataFrame) -> str:
        return _page(lambda: build_map(frame, **context))

    t_filter, shown = _best(lambda: apply_filters(incidents, state), args.repeat)
    t_all, page_all = _best(lambda: dashboard(incidents), args.repeat)
    t_shown, page_shown = _best(lambda: dashboard(shown), args.repeat)
    print(f"  {n:>9,}: generated in {made:.1f} s, map of all {t_all:.2f} s", flush=True)
    row = (
        n,
        made,
        t_filter,
        len(shown),
        _mode(page_all),
        t_all,
        len(page_all.encode()),
        _mode(page_shown),
        t_shown,
        len(page_shown.encode()),
    )
    if browser is not None:
        inline = MapOptions(inline_assets=True)
        page = _page(lambda: build_map(incidents, options=inline, **context))
        browser.time_page("dashboard", n, page, args.repeat)
    if n > args.naive_max:
        return row, None
    return row, _bench_naive(n, incidents, args, browser)


def _bench_naive(
    n: int, incidents: pd.DataFrame, args: argparse.Namespace, browser: _Browser | None
) -> tuple[Any, ...]:
    """Our incident layer alone against a plain folium map of the same points."""
    from geo.render.maps import MapOptions, build_map

    def incident_layer() -> str:
        only = MapOptions(layers={"incidents"}, sync_url=False, legend=False)
        return _page(lambda: build_map(incidents, options=only))

    t_ours, ours = _best(incident_layer, args.repeat)
    t_naive, naive = _best(lambda: _page(lambda: naive_map(incidents)), args.repeat)
    t_fast, fast = _best(lambda: _page(lambda: fast_cluster_map(incidents)), args.repeat)
    if browser is not None:
        from geo.render.assets import apply_local_assets

        def naive_inline() -> str:
            m = naive_map(incidents)
            apply_local_assets(m, inline=True)
            return _page(lambda: m)

        inline_layer = MapOptions(layers={"incidents"}, inline_assets=True)
        alone = _page(lambda: build_map(incidents, options=inline_layer))
        browser.time_page("incident layer alone", n, alone, args.repeat)
        browser.time_page("naive", n, naive_inline(), args.repeat)
        fast_map = fast_cluster_map(incidents)
        apply_local_assets(fast_map, inline=True)
        browser.time_page("FastMarkerCluster", n, _page(lambda: fast_map), args.repeat)
    sizes = (len(ours.encode()), len(naive.encode()), len(fast.encode()))
    return (n, _mode(ours), t_ours, t_naive, t_fast, *sizes)


def _mode(page: str) -> str:
    for mode in ("points", "clusters"):
        if f'"mode":"{mode}"' in page:
            return mode
    return "grid" if "GeoMap.grid(" in page else "-"


def _print_tables(
    main_rows: Sequence[tuple[Any, ...]], naive_rows: Sequence[tuple[Any, ...]]
) -> None:
    print()
    print("Dashboard map (risk shading, incidents, borders, towns, country outlines);")
    print("build = build_map + render to HTML; best of the runs.")
    print()
    print(
        "| incidents | filter (s) | kept by filter | all: mode | all: build (s) | all: HTML (MB) "
        "| filtered: mode | filtered: build (s) | filtered: HTML (MB) |"
    )
    print("|---:|---:|---:|:--|---:|---:|:--|---:|---:|")
    for n, _made, tf, kept, m_all, t_all, b_all, m_sh, t_sh, b_sh in main_rows:
        print(
            f"| {n:,} | {tf:.3f} | {kept:,} | {m_all} | {t_all:.2f} | {b_all / MB:.2f} "
            f"| {m_sh} | {t_sh:.2f} | {b_sh / MB:.2f} |"
        )
    from geo.render.maps import MapOptions

    print()
    print(
        f"Above {MapOptions().aggregate_threshold:,} incidents our map draws a grid of counts "
        "per cell (mode grid), not every incident; below it, one circle per incident."
    )
    if naive_rows:
        print()
        print("Incident layer alone against the naive map (one folium CircleMarker with popup")
        print("and tooltip per incident) and folium's FastMarkerCluster (every point, no popup,")
        print("no colour: the fair baseline), same incidents, same run, same repeats:")
        print()
        print(
            "| incidents | ours: mode | ours: build (s) | ours: HTML (MB) | naive: build (s) "
            "| naive: HTML (MB) | FastMarkerCluster: build (s) | FastMarkerCluster: HTML (MB) "
            "| naive / ours (time) | FastMarkerCluster / ours (time) |"
        )
        print("|---:|:--|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n, mode, t_o, t_n, t_f, b_o, b_n, b_f in naive_rows:
            print(
                f"| {n:,} | {mode} | {t_o:.3f} | {b_o / MB:.2f} | {t_n:.2f} | {b_n / MB:.2f} "
                f"| {t_f:.3f} | {b_f / MB:.2f} | {t_n / t_o:.0f}x | {t_f / t_o:.2f}x |"
            )
