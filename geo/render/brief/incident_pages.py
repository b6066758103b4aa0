"""The PDF's incident pages: every incident of the period with its source.

Descriptions and sources are wrapped, never cut: a director may quote them.
The table flows over as many A4 pages as it needs, each with the column
headings again. Above :data:`MAX_LISTED_INCIDENTS` incidents it lists the
deadliest that many and its heading says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from geo.render import style
from geo.render.brief.content import Brief
from geo.render.brief.incident_list import key_incidents
from geo.render.brief.layout import (
    FALLBACK_EVENT_COLOUR,
    MAX_LISTED_INCIDENTS,
    MUTED_COLOUR,
    Layout,
)
from geo.render.brief.page import Page
from geo.render.brief.tables import Column, columns, draw_headings
from geo.render.brief.text import clean, day_text

# (header, share of the width, alignment)
_COLUMNS = (
    ("Date", 0.08, "left"),
    ("Place", 0.13, "left"),
    ("Type", 0.14, "left"),
    ("Deaths", 0.055, "right"),
    ("Description", 0.415, "left"),
    ("Source", 0.18, "left"),
)
_TYPE_COLUMN = 2
_GAP = 0.12  # inches between columns


def listed_incidents(shown: pd.DataFrame) -> pd.DataFrame:
    """The incidents the pages list: all of them in date order, or the
    deadliest :data:`MAX_LISTED_INCIDENTS` when there are more."""
    return key_incidents(shown, limit=MAX_LISTED_INCIDENTS)


def draw_incident_pages(
    brief: Brief,
    layout: Layout,
    new_page: Callable[[], Page],
    top: float,
    bottom: float,
    start: tuple[Page, float] | None = None,
) -> int:
    """Draw the incident table from ``top`` to ``bottom`` (inches) on pages
    made by ``new_page``; returns how many pages it took (new ones).

    ``start``: begin on this page at this y (under what is already on it)
    instead of on a new page.
    """
    rows = listed_incidents(brief.shown)
    page, first_top = start if start is not None else (new_page(), top)
    pages = 0 if start is not None else 1
    xs = _columns(page, layout)
    y = _heading(page, brief, layout, xs, first_top, len(rows))
    size = layout.body_pt
    line = size / 72 * 1.3
    if not len(rows):
        page.text(xs[0][0], y, "No incidents match the filters in this period.", size)
        return pages
    for _, row in rows.iterrows():
        cells = [
            page.wrap(text, size, x1 - x0 - (_marker_room(size) if i == _TYPE_COLUMN else 0))
            or [""]
            for i, ((x0, x1, _a), text) in enumerate(zip(xs, _cells(row), strict=True))
        ]
        height = max(len(c) for c in cells) * line
        if y + height > bottom:
            page = new_page()
            pages += 1
            y = _heading(page, brief, layout, xs, top, len(rows), continued=True)
        _draw_row(page, row, xs, cells, y, size)
        y += height + line * 0.35
        page.rule(xs[0][0], xs[-1][1], y - line * 0.9, lw=0.5)
    return pages


def _columns(page: Page, layout: Layout) -> list[Column]:
    """Column edges across the page between the margins."""
    m = layout.margin
    spec = [(share, align) for _h, share, align in _COLUMNS]
    return columns(m, page.w - 2 * m, spec, gap=_GAP)


def _heading(
    page: Page,
    brief: Brief,
    layout: Layout,
    xs: Sequence[Column],
    top: float,
    listed: int,
    continued: bool = False,
) -> float:
    """The table's title and column headings; returns the first row's baseline."""
    pt = 1 / 72
    n = len(brief.shown)
    title = "Incidents in the period" + (" (continued)" if continued else "")
    if n > listed:
        title += f": the {listed:,} deadliest of {n:,}"
    y = top + layout.heading_pt * pt
    page.text(xs[0][0], y, title, layout.heading_pt, fontweight="bold")
    y += layout.small_pt * pt * 1.5
    for part in page.wrap(brief.coverage, layout.small_pt, xs[-1][1] - xs[0][0]):
        page.text(xs[0][0], y, part, layout.small_pt, color=MUTED_COLOUR)
        y += layout.small_pt * pt * 1.35
    y += layout.small_pt * pt * 0.85
    draw_headings(page, xs, [h for h, _s, _a in _COLUMNS], y, layout.small_pt)
    page.rule(xs[0][0], xs[-1][1], y + layout.small_pt * pt * 0.5, colour="#8a8a8a")
    return y + layout.body_pt * pt * 1.6


def _marker_room(size: float) -> float:
    """Inches the event symbol takes before the type's text."""
    return size / 72 * 1.2


def _draw_row(
    page: Page,
    row: pd.Series,
    xs: Sequence[Column],
    cells: Sequence[Sequence[str]],
    y: float,
    size: float,
) -> None:
    """One incident, each cell's lines from baseline ``y`` down."""
    line = size / 72 * 1.3
    etype = str(row["event_type"])
    for i, ((x0, x1, align), lines) in enumerate(zip(xs, cells, strict=True)):
        if i == _TYPE_COLUMN:
            colour = style.EVENT_TYPE_COLOURS.get(etype, FALLBACK_EVENT_COLOUR)
            page.marker(x0 + size / 72 * 0.45, y - size / 72 * 0.33, etype, size * 0.9, colour)
            x0 += _marker_room(size)
        for k, text in enumerate(lines):
            page.text(x0 if align == "left" else x1, y + k * line, text, size, ha=align)


def _cells(row: pd.Series) -> tuple[str, str, str, str, str, str]:
    """Date, place, kind, deaths, description and source of one incident."""
    etype = str(row["event_type"])
    # The sub-event type says more ("Suicide bomb"); the symbol gives the type.
    kind = clean(row["sub_event_type"]) or etype
    place = clean(row["location"])
    area = clean(row["area"])
    if area and area.casefold() != place.casefold():
        place = f"{place}, {area}"
    elif row.get("country_level", False) is True or row.get("country_level") is np.True_:
        # Coded only to its country: say so rather than suggest a place.
        place = f"{place} (country-level)"
    return (
        day_text(pd.Timestamp(row["event_date"]).date()),
        place,
        kind,
        f"{int(row['fatalities']):,}",
        clean(row["notes"]) or "–",
        clean(row["source"]) or "–",
    )
