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
_SHARE_LEFT = 0.7  # of the notes box, for the judgements


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
    """The analyst's key judgements as a bulleted list, wrapped to ``width``.

    They start a little over the small type and step down (not below the
    small type) until they fit; what still does not fit is counted in a
    last line, so nothing is lost silently.
    """
    page.text(x, y, "Key judgements", layout.heading_pt, fontweight="bold")
    judgements = brief.notes.judgements
    size = layout.small_pt * 1.12
    while True:
        wrapped = _wrapped(page, judgements, size, width)
        if _height(wrapped, size) <= bottom - y or size <= layout.small_pt:
            break
        size = max(size - 0.5, layout.small_pt)
    line = size / 72 * 1.32
    y += line * 1.45
    indent = size / 72 * 1.3
    for i, lines in enumerate(wrapped):
        # Room for this judgement and, when more follow, for the closing note.
        need = line * (len(lines) - 1) + (line * 1.25 if i < len(wrapped) - 1 else 0)
        if y + need > bottom - size / 72 * 0.3 and i < len(wrapped) - 1 or y > bottom:
            note = f"({len(wrapped) - i} more not shown: shorten the judgements)"
            page.text(x, y, note, size, color=MUTED_COLOUR)
            return
        page.text(x, y, "•", size, fontweight="bold")
        for text in lines:
            page.text(x + indent, y, text, size)
            y += line
        y += line * 0.25


def _wrapped(page: Page, judgements: tuple[str, ...], size: float, width: float) -> list[list[str]]:
    """Each judgement's lines at ``size`` beside its bullet."""
    indent = size / 72 * 1.3
    return [page.wrap(j, size, width - indent) for j in judgements]


def _height(wrapped: list[list[str]], size: float) -> float:
    """Inches the heading gap and the wrapped judgements take."""
    line = size / 72 * 1.32
    lines = sum(len(w) for w in wrapped)
    return line * (1.45 + lines + 0.25 * (len(wrapped) - 1)) + size / 72 * 0.3


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
