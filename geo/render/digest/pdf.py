"""The digest as a PDF (A4 portrait, as many pages as it needs), drawn with matplotlib.

Same approach as the briefing (:mod:`geo.render.brief`): Agg, the DejaVu
font that ships with matplotlib with the briefing's fallback for Chinese,
Japanese and Korean (:func:`geo.render.brief.fonts.font_families`, so a
note in those scripts prints instead of empty boxes), TrueType embedded so
the text can be searched and copied, math parsing off so a ``$`` in a note
stays a dollar, and no timestamps in the file, so the same digest gives the
same bytes. Lines are wrapped by display width: a CJK character takes about
two Latin letters' room, and CJK text may break between any two characters.
"""

from __future__ import annotations

import io
import textwrap
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from geo.analysis.watch import WeekDigest
from geo.render.brief.fonts import font_families
from geo.render.brief.layout import FONT, MUTED_COLOUR, TEXT_COLOUR
from geo.render.digest.content import Document, Section, Table
from geo.render.digest.map import draw_week_map, map_layers

__all__ = ["to_pdf"]

_PAGE = (8.27, 11.69)  # A4, inches
_MARGIN = 0.6
_MAP = (7.07, 4.2)
_RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "text.usetex": False,
    "pdf.fonttype": 42,
    "pdf.compression": 6,
    "svg.hashsalt": "geo-digest",
}
_LOCK = threading.Lock()  # rcParams are process-wide
_MONO = "DejaVu Sans Mono"


@dataclass(frozen=True)
class _Line:
    text: str
    size: float = 9.0
    bold: bool = False
    indent: float = 0.0
    colour: str = TEXT_COLOUR
    gap: float = 0.0  # extra space above, inches
    mono: bool = False


def to_pdf(
    doc: Document,
    digest: WeekDigest,
    areas: gpd.GeoDataFrame | None = None,
    admin0: gpd.GeoDataFrame | None = None,
) -> bytes:
    """The digest as PDF bytes: title, map, then every section, flowing over pages."""
    areas, admin0 = map_layers(digest, areas, admin0)
    lines = _flow(doc)
    buf = io.BytesIO()
    meta = {"Creator": None, "Producer": None, "CreationDate": None}
    families = font_families()
    rc = _RC | {"font.family": list(families)}
    mono = [_MONO, *families[1:]]  # the tables' font, with the same fallback
    with _LOCK, matplotlib.rc_context(rc), PdfPages(buf, metadata=meta) as pdf:  # type: ignore[arg-type]
        fig, y = _first_page(doc, digest, areas, admin0)
        for line in lines:
            step = line.gap + line.size / 72 * 1.45
            keep = 0.6 if line.bold and line.size > 10 else 0.0  # a heading keeps a few lines
            if y + step + keep > _PAGE[1] - _MARGIN:
                pdf.savefig(fig)
                fig, y = _page(), _MARGIN
            y += step
            fig.text(
                (_MARGIN + line.indent) / _PAGE[0],
                1 - y / _PAGE[1],
                line.text,
                fontsize=line.size,
                fontweight="bold" if line.bold else "normal",
                family=mono if line.mono else None,
                color=line.colour,
                parse_math=False,
            )
        pdf.savefig(fig)
    return buf.getvalue()


def _page() -> Figure:
    fig = Figure(figsize=_PAGE)
    FigureCanvasAgg(fig)
    return fig


def _first_page(
    doc: Document, digest: WeekDigest, areas: gpd.GeoDataFrame, admin0: gpd.GeoDataFrame
) -> tuple[Figure, float]:
    """Title, figures and the map; returns the page and where the text goes on."""
    fig = _page()
    y = _MARGIN + 0.25
    fig.text(
        _MARGIN / _PAGE[0],
        1 - y / _PAGE[1],
        doc.title,
        fontsize=16,
        fontweight="bold",
        parse_math=False,
    )
    for text, colour in (
        (f"{doc.subtitle}. {doc.figures}", TEXT_COLOUR),
        (doc.generated, MUTED_COLOUR),
    ):
        if text:
            y += 0.25
            fig.text(
                _MARGIN / _PAGE[0],
                1 - y / _PAGE[1],
                text,
                fontsize=9.5,
                color=colour,
                parse_math=False,
            )
    y += 0.2
    ax = fig.add_axes(
        (_MARGIN / _PAGE[0], 1 - (y + _MAP[1]) / _PAGE[1], _MAP[0] / _PAGE[0], _MAP[1] / _PAGE[1])
    )
    draw_week_map(ax, digest, areas, admin0, _MAP)
    return fig, y + _MAP[1] + 0.1


def _flow(doc: Document) -> list[_Line]:
    """Every section as wrapped lines."""
    out: list[_Line] = []
    for section in doc.sections:
        out += _section(section)
    return out


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` Latin letters' room."""
    if text.isascii() or not any(_wide(c) for c in text):
        return textwrap.wrap(text, width=width, break_long_words=True) or [""]
    return _wrap_wide(text, width)


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _wrap_wide(text: str, width: int) -> list[str]:
    """Greedy wrap counting a wide character as two cells; breaks at spaces,
    beside wide characters, and inside a word only when it is longer than a line."""
    lines: list[str] = []
    line, used = "", 0
    for token, spaced in _tokens(text, width):
        cost = sum(2 if _wide(c) else 1 for c in token)
        gap = 1 if spaced and line else 0
        if line and used + gap + cost > width:
            lines.append(line)
            line, used, gap = "", 0, 0
        line += " " * gap + token
        used += gap + cost
    return [*lines, line] if line else lines or [""]


def _tokens(text: str, width: int) -> list[tuple[str, bool]]:
    """(token, whether a space comes before it): words, each wide character
    on its own, and the pieces of a word longer than ``width``."""
    out: list[tuple[str, bool]] = []
    for word in text.split():
        spaced, chunk = True, ""
        for char in word:
            if _wide(char) or len(chunk) == width:
                if chunk:
                    out.append((chunk, spaced))
                    spaced, chunk = False, ""
                if _wide(char):
                    out.append((char, spaced))
                    spaced = False
                    continue
            chunk += char
        if chunk:
            out.append((chunk, spaced))
    return out


def _section(section: Section) -> list[_Line]:
    out = [_Line(section.title, size=12, bold=True, gap=0.18)]
    if section.note:
        out += [_Line(t, colour=MUTED_COLOUR) for t in _wrap(section.note, 110)]
    for item in section.items:
        first, *rest = _wrap(f"{item.lead}: {item.text}", 105)
        out.append(_Line("• " + first, gap=0.05))
        out += [_Line(t, indent=0.15) for t in rest]
        for detail in item.details:
            wrapped = _wrap(detail, 105)
            out.append(_Line("– " + wrapped[0], size=8.5, indent=0.3, colour="#3a3a3a"))
            out += [_Line(t, size=8.5, indent=0.42, colour="#3a3a3a") for t in wrapped[1:]]
    if section.table is not None:
        out += _table(section.table)
    return out


def _table(table: Table) -> list[_Line]:
    """A table in a fixed-width font, numbers right-aligned."""
    cells = [table.columns, *table.rows]
    widths = [min(max(len(row[i]) for row in cells), 28) for i in range(len(table.columns))]

    def fmt(row: tuple[str, ...]) -> str:
        parts = [
            (v[:w].rjust(w) if n else v[:w].ljust(w))
            for v, w, n in zip(row, widths, table.numeric, strict=True)
        ]
        return "  ".join(parts)

    out = [_Line(fmt(table.columns), size=8.5, bold=True, mono=True, gap=0.05)]
    out += [_Line(fmt(row), size=8.5, mono=True) for row in table.rows]
    return out
