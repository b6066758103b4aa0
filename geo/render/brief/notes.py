"""What the analyst adds to the page: the handling marking, key judgements,
and the coverage caveat beside them.

Key judgements come first for a reader with a minute; without them the
space lists the deadliest incidents instead. The caveat says what the
numbers count, so that a map of reports is not read as a map of events.
"""

from __future__ import annotations

from geo.render.brief.content import Brief
from geo.render.brief.incident_list import draw_short_list
from geo.render.brief.layout import MUTED_COLOUR, Layout
from geo.render.brief.page import Page

# Traffic Light Protocol 2.0 colours (FIRST), for markings that name a TLP level.
_TLP_COLOURS = {
    "TLP:RED": "#d0021b",
    "TLP:AMBER+STRICT": "#c77c00",
    "TLP:AMBER": "#c77c00",
    "TLP:GREEN": "#2f8b2f",
    "TLP:CLEAR": "#1f1f1f",
}
_SHARE_LEFT = 0.64  # of the notes box, for the judgements


def marking_colour(marking: str) -> str:
    """Print colour of a handling marking: a TLP level's colour, else dark red."""
    upper = marking.upper()
    return next((c for tlp, c in _TLP_COLOURS.items() if upper.startswith(tlp)), "#8b0000")


def draw_marking(page: Page, brief: Brief, layout: Layout) -> None:
    """The handling marking centred at the top and the bottom of the page."""
    marking = brief.notes.marking
    if not marking:
        return
    size = layout.small_pt * 1.15
    colour = marking_colour(marking)
    text = page.fit(marking, size, page.w * 0.4, "bold")
    for y in (0.06 + size / 72, page.h - 0.07):
        page.text(page.w / 2, y, text, size, ha="center", color=colour, fontweight="bold")


def draw_notes(page: Page, brief: Brief, layout: Layout, more: str = "") -> None:
    """Key judgements (or key incidents) and the coverage caveat under the map;
    ``more`` ends the caveat (where the full list is)."""
    x, top, width, height = layout.notes_box
    bottom = top + height
    left_w = width * _SHARE_LEFT - 0.2
    y = top + layout.heading_pt / 72
    if brief.notes.judgements:
        _draw_judgements(page, brief, layout, x, y, left_w, bottom)
    else:
        draw_short_list(page, brief, layout, x, y, left_w, bottom)
    right = x + width * _SHARE_LEFT
    _draw_coverage(page, brief, layout, right, y, width - width * _SHARE_LEFT, bottom, more)


def _draw_judgements(
    page: Page, brief: Brief, layout: Layout, x: float, y: float, width: float, bottom: float
) -> None:
    """The analyst's key judgements as a bulleted list, wrapped to ``width``."""
    page.text(x, y, "Key judgements", layout.heading_pt, fontweight="bold")
    # A little over the small type: read first, yet many lines fit.
    size = layout.small_pt * 1.12
    line = size / 72 * 1.32
    y += line * 1.45
    indent = size / 72 * 1.3
    judgements = brief.notes.judgements
    for i, judgement in enumerate(judgements):
        lines = page.wrap(judgement, size, width - indent)
        if y + line * (len(lines) - 1) > bottom - size / 72 * 0.3:
            left = len(judgements) - i
            note = f"({left} more not shown: shorten the judgements)"
            page.text(x, y, note, size, color=MUTED_COLOUR)
            return
        page.text(x, y, "•", size, fontweight="bold")
        for text in lines:
            page.text(x + indent, y, text, size)
            y += line
        y += line * 0.25


def _draw_coverage(
    page: Page,
    brief: Brief,
    layout: Layout,
    x: float,
    y: float,
    width: float,
    bottom: float,
    more: str,
) -> None:
    """What the counts are counts of: incidents, sources, period."""
    page.text(x, y, "Coverage", layout.heading_pt, fontweight="bold")
    size = layout.small_pt
    line = size / 72 * 1.35
    y += line * 1.6
    text = f"{brief.coverage} {more}".strip()
    for part in page.wrap(text, size, width):
        if y > bottom:
            return
        page.text(x, y, part, size, color=MUTED_COLOUR)
        y += line
