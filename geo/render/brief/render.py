"""The briefing as a file: checks, risk, one page drawn and saved.

:func:`render_brief` composes what to show (:mod:`.content`), then lays the
page out: header, map (:mod:`.basemap`), the right-hand panel with the top
areas, the keys and (slide) the short list, the PDF's list of key incidents,
and the attribution at the foot. With the team's sites, the "Near our sites"
section (:mod:`.near_sites`) takes a band under a shortened map on the slide
and the top of page 2 of the PDF. rcParams are fixed for the duration and the
file is saved without timestamps, so the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import threading
from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from geo.analysis.filters import FilterState
from geo.render.brief.basemap import draw_map, fit_view
from geo.render.brief.content import Brief, Notes, compose, layers
from geo.render.brief.fonts import font_families
from geo.render.brief.incident_pages import draw_incident_pages
from geo.render.brief.layout import (
    FONT,
    MIN_PNG_WIDTH,
    MUTED_COLOUR,
    PDF_LAYOUT,
    PNG_LAYOUT,
    Format,
    Layout,
)
from geo.render.brief.legends import draw_legends
from geo.render.brief.near_sites import (
    MAX_NEAR_ROWS,
    MAX_SLIDE_NEAR_ROWS,
    NearSites,
    draw_near_sites,
    near_site_incidents,
    slide_layout,
)
from geo.render.brief.notes import draw_marking, draw_notes
from geo.render.brief.page import Page
from geo.render.brief.symbols import Cells
from geo.render.brief.tables import draw_table
from geo.render.brief.text import day_text

_RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],  # and the fallback fonts found (:mod:`.fonts`)
    "text.usetex": False,
    "svg.hashsalt": "geo-brief",
    "pdf.fonttype": 42,  # embedded TrueType: text stays text, extractable
    "pdf.compression": 6,
    "path.simplify": True,
    "axes.unicode_minus": True,
}
# rcParams are process-global: one briefing at a time per process.
_LOCK = threading.Lock()
_REQUIRED = ("event_date", "event_type", "latitude", "longitude", "fatalities", "iso3")


def render_brief(
    joined: pd.DataFrame,
    state: FilterState,
    *,
    risk: pd.DataFrame | None = None,
    areas: gpd.GeoDataFrame | None = None,
    borders: gpd.GeoDataFrame | None = None,
    admin0: gpd.GeoDataFrame | None = None,
    towns: pd.DataFrame | None = None,
    fmt: Format = "png",
    generated_at: dt.datetime | None = None,
    title: str | None = None,
    dpi: int | None = None,
    window_days: int = 90,
    judgements: Sequence[str] = (),
    marking: str = "",
    author: str = "",
    incident_pages: bool = True,
    sites: pd.DataFrame | None = None,
    near_km: float | None = None,
) -> bytes:
    """Render a briefing of ``state`` as PNG or PDF bytes.

    Parameters
    ----------
    joined : DataFrame
        Incidents joined to areas (:func:`geo.analysis.pipeline.prepare`), all of
        them: the filter is applied here, and risk needs the days before the
        period.
    state : FilterState
        Period, places, event types, as-of date.
    risk : DataFrame, optional
        Output of :func:`geo.analysis.risk.score_areas`; computed from all of
        ``joined`` (not only the filtered rows: risk belongs to the area, not
        to the view) at ``state.assessed_at`` over ``window_days``, with the
        analysts' overrides, when omitted.
    areas, borders, admin0 : GeoDataFrame, optional
        Admin-1 areas, international border lines and countries; the shipped
        layers by default.
    towns : DataFrame, optional
        Places with ``name, latitude, longitude, population, iso3``; the
        shipped gazetteer's towns of the countries on the map by default.
    fmt : {"png", "pdf"}
        PNG: 16:9 slide, 1920 px wide at the default dpi. PDF: one A4
        landscape page with the list of key incidents.
    generated_at : datetime, optional
        Printed generation time (now, UTC, by default); pin it for identical
        output.
    title : str, optional
        Replaces the default title.
    dpi : int, optional
        PNG resolution (default 120, at least 100 so the image stays 1600 px
        wide) or resolution of the raster parts of the PDF.
    window_days : int
        Risk window, used when ``risk`` is computed here and in the captions.
    judgements : sequence of str
        The analyst's key judgements, one per item, printed as a bulleted
        list under the map (:func:`draft_judgements` drafts some); without
        them the space lists the deadliest incidents.
    marking : str
        Handling marking printed at the top and bottom of every page, e.g.
        ``"TLP:AMBER"`` (a TLP level prints in its colour).
    author : str
        Printed under the generation time: who prepared the briefing.
    incident_pages : bool
        PDF only: follow the first page with every incident of the period
        (the deadliest :data:`MAX_LISTED_INCIDENTS` when more), with wrapped
        descriptions and sources, on as many pages as they need.
    sites : GeoDataFrame, optional
        The team's sites and routes (:func:`geo.io.sites.store_sites`).
        Sensitive: only when given does the briefing get its "Near our
        sites" section (:mod:`.near_sites`): the incidents on the map
        within their nearest site's radius (or ``near_km``), nearest first,
        each as "12 km NE of Ansongo base"; the slide shows the nearest
        :data:`MAX_SLIDE_NEAR_ROWS` in a band under the map, the PDF up to
        :data:`MAX_NEAR_ROWS` at the top of page 2. ``None`` or no sites:
        no section.
    near_km : float, optional
        With ``sites``: count incidents within this distance of a site
        instead of within each site's own radius.

    Returns
    -------
    bytes
        The PNG or PDF file.

    Raises
    ------
    ValueError
        When ``fmt`` or ``dpi`` is not usable, or ``joined`` lacks a column.
    """
    layout, out_dpi = _output(fmt, dpi)
    missing = [c for c in _REQUIRED if c not in joined.columns]
    if missing:
        raise ValueError(f"the incident frame lacks column(s) {', '.join(missing)}")

    areas, borders, admin0 = layers(areas, borders, admin0)
    if risk is None:
        from geo.analysis.risk import load_overrides, score_areas

        risk = score_areas(
            joined, areas, state.assessed_at, window_days=window_days, overrides=load_overrides()
        )
    notes = Notes(judgements=tuple(judgements), marking=marking, author=author)
    brief = compose(
        joined, state, risk, areas, borders, admin0, towns, title, generated_at, window_days, notes
    )
    near, band_top = _near(brief, sites, near_km), 0.0
    if near is not None and fmt == "png":
        layout, band_top = slide_layout(layout, near)
    rc = _RC | {"font.family": list(font_families())}
    with _LOCK, matplotlib.rc_context(rc):  # type: ignore[arg-type]
        pages: list[Page] = []

        def new_page() -> Page:
            fig = Figure(figsize=layout.size, dpi=layout.dpi if fmt == "pdf" else out_dpi)
            page = Page(fig, FigureCanvasAgg(fig).get_renderer(), layout)
            fig.patch.set_facecolor("white")
            draw_marking(page, brief, layout)
            pages.append(page)
            return page

        first = new_page()
        _draw(first, brief, layout, _more(fmt, incident_pages, near))
        if near is not None and fmt == "png":
            width = layout.map_box[2]
            draw_near_sites(first, near, layout, layout.margin, band_top, width,
                            MAX_SLIDE_NEAR_ROWS, compact=True)  # fmt: skip
        if fmt == "pdf":
            _draw_pdf_pages(brief, layout, new_page, near, incident_pages)
        _number_pages(pages, layout)
        return _save([page.fig for page in pages], fmt, out_dpi)


def _near(brief: Brief, sites: pd.DataFrame | None, near_km: float | None) -> NearSites | None:
    """The "Near our sites" section's content, or ``None`` without sites."""
    if sites is None or not len(sites):
        return None
    return near_site_incidents(brief.shown, sites, near_km)


def _more(fmt: str, incident_pages: bool, near: NearSites | None) -> str:
    """The first page's pointer to page 2 (PDF), or nothing."""
    if fmt != "pdf" or not (incident_pages or near is not None):
        return ""
    if near is None:
        return "Page 2 lists every incident with its source."
    if not incident_pages:
        return "Page 2 lists the incidents near our sites."
    return "Page 2 lists the incidents near our sites, then every incident with its source."


def _draw_pdf_pages(
    brief: Brief,
    layout: Layout,
    new_page: Callable[[], Page],
    near: NearSites | None,
    incident_pages: bool,
) -> None:
    """The PDF's pages after the first: near our sites, then every incident."""
    top, bottom = layout.margin, layout.size[1] - 0.45
    start = None
    if near is not None:
        page = new_page()
        width = page.w - 2 * layout.margin
        y = draw_near_sites(page, near, layout, layout.margin, top, width, MAX_NEAR_ROWS)
        start = (page, y + 0.3)
    if incident_pages:
        draw_incident_pages(brief, layout, new_page, top, bottom, start=start)


def _number_pages(pages: list[Page], layout: Layout) -> None:
    """ "Page 2 of 3" at the foot of each page, when there is more than one."""
    if len(pages) < 2:
        return
    for i, page in enumerate(pages, start=1):
        text = f"Page {i} of {len(pages)}"
        page.text(page.w - layout.margin, page.h - 0.07, text, layout.small_pt, ha="right",
                  color=MUTED_COLOUR)  # fmt: skip


def _output(fmt: str, dpi: int | None) -> tuple[Layout, int]:
    """The page layout of ``fmt`` and the resolution to save at."""
    if fmt not in ("png", "pdf"):
        raise ValueError(f"fmt must be 'png' or 'pdf', got {fmt!r}")
    layout = PNG_LAYOUT if fmt == "png" else PDF_LAYOUT
    out_dpi = int(dpi) if dpi is not None else layout.dpi
    if fmt == "png" and out_dpi * layout.size[0] < MIN_PNG_WIDTH:
        raise ValueError(
            f"dpi={out_dpi} makes a PNG {out_dpi * layout.size[0]:.0f} px wide; "
            f"use at least {math.ceil(MIN_PNG_WIDTH / layout.size[0])} for {MIN_PNG_WIDTH} px"
        )
    return layout, out_dpi


def _draw(page: Page, brief: Brief, layout: Layout, more: str) -> None:
    """Everything on the first page, top to bottom."""
    fig, renderer = page.fig, page.renderer
    _draw_header(page, brief, layout)
    left, top, width, height = layout.map_box
    ax = fig.add_axes((page.fx(left), page.fy(top + height), width / page.w, height / page.h))
    view = fit_view(brief.extent, width, height)
    cells = draw_map(ax, renderer, brief, view, layout)
    _draw_panel(page, brief, layout, cells)
    draw_notes(page, brief, layout, more)
    _draw_footer(page, brief, layout)


def _draw_header(page: Page, brief: Brief, layout: Layout) -> None:
    """Title and generation time, the period's numbers, the filters, a rule."""
    m = layout.margin
    usable = page.w - 2 * m
    top = 0.2 + layout.title_pt / 72
    page.text(
        m,
        top,
        page.fit(brief.title, layout.title_pt, usable * 0.8, "bold"),
        layout.title_pt,
        fontweight="bold",
    )
    page.text(page.w - m, top, brief.generated, layout.small_pt, ha="right", color=MUTED_COLOUR)
    if brief.notes.author:
        author = page.fit(f"Prepared by {brief.notes.author}", layout.small_pt, usable * 0.3)
        y_author = top + layout.small_pt / 72 * 1.5
        page.text(page.w - m, y_author, author, layout.small_pt, ha="right", color=MUTED_COLOUR)
    y = top + layout.subtitle_pt / 72 * 1.55
    page.text(
        m,
        y,
        page.fit(brief.subtitle, layout.subtitle_pt, usable),
        layout.subtitle_pt,
        color="#3a3a3a",
    )
    if brief.filters_line:
        y2 = y + layout.small_pt / 72 * 1.5
        page.text(
            m,
            y2,
            page.fit(brief.filters_line, layout.small_pt, usable),
            layout.small_pt,
            color=MUTED_COLOUR,
        )
    page.rule(m, page.w - m, layout.map_box[1] - 0.12, colour="#9a9a9a", lw=1.0)


def _draw_footer(page: Page, brief: Brief, layout: Layout) -> None:
    """Attribution on at most two lines at the foot of the page."""
    m = layout.margin
    width = page.w - 2 * m
    lines = page.wrap(brief.attribution, layout.small_pt, width)
    if len(lines) > 2:
        lines = [lines[0], page.fit(" ".join(lines[1:]), layout.small_pt, width)]
    step = layout.small_pt / 72 * 1.35
    # With a marking, the last line of the page is the marking's.
    foot = 0.16 + (layout.small_pt / 72 * 1.6 if brief.notes.marking else 0.0)
    y = page.h - foot - step * (len(lines) - 1)
    for line in lines:
        page.text(m, y, line, layout.small_pt, color=MUTED_COLOUR)
        y += step


def _draw_panel(page: Page, brief: Brief, layout: Layout, cells: Cells | None) -> None:
    """Top areas table and the legends, stacked in the right-hand column."""
    x, top, width, height = layout.panel_box
    pt = 1 / 72
    y = top + layout.heading_pt * pt
    page.text(x, y, "Highest-risk areas", layout.heading_pt, fontweight="bold")
    y += layout.small_pt * pt * 1.7
    caption = (
        f"Level and score (0–100): {brief.window_days}-day window to "
        f"{day_text(brief.state.assessed_at)}. Trend: its last 7 days against the 4 weeks "
        "before. Incidents and deaths: in the period."
    )
    for part in page.wrap(caption, layout.small_pt, width):
        page.text(x, y, part, layout.small_pt, color=MUTED_COLOUR)
        y += layout.small_pt * pt * 1.35
    y += layout.row_pt * pt * 0.5
    y = draw_table(page, brief, layout, x, y, width)
    y += layout.row_pt * pt * 0.9
    draw_legends(page, brief, layout, x, y, width, top + height, cells)


def _save(figures: list[Figure], fmt: str, dpi: int) -> bytes:
    """The page (PNG) or pages (PDF) as bytes, without the metadata that would vary."""
    buf = io.BytesIO()
    if fmt == "png":
        figures[0].savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
        return buf.getvalue()
    from matplotlib.backends.backend_pdf import PdfPages

    metadata = {"Creator": None, "Producer": None, "CreationDate": None, "Title": None}
    with PdfPages(buf, metadata=metadata) as pdf:
        for fig in figures:
            pdf.savefig(fig, dpi=dpi)
    return buf.getvalue()
