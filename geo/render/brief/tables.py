"""The "Highest-risk areas" table, and column helpers shared with the lists.

Pages are laid out in inches from the top-left (:class:`Page`); a table is
columns with a left and right edge each, a header row in small bold grey, a
rule, and rows on baselines going down.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from geo.render import style
from geo.render.brief.content import Brief
from geo.render.brief.layout import MIN_PT, MUTED_COLOUR, TEXT_COLOUR, Layout
from geo.render.brief.page import Page
from geo.render.brief.text import clean, short_count

# A column's left and right edges in inches, and its alignment.
Column = tuple[float, float, str]

# Table columns: (key, header, share of the panel width, alignment)
_TABLE_COLUMNS = (
    ("area", "Area", 0.24, "left"),
    ("level", "Level", 0.20, "left"),
    ("score", "Score", 0.08, "right"),
    ("trend", "Trend", 0.27, "right"),  # room for "▲ Moderate increase" (a smaller size)
    ("incidents", "Incid.", 0.10, "right"),
    ("deaths", "Deaths", 0.11, "right"),
)


def columns(
    x: float, width: float, spec: Iterable[tuple[float, str]], gap: float = 0.0
) -> list[Column]:
    """Edges of columns side by side from ``x``, each ``share`` of ``width``
    wide less ``gap`` inches on its right; ``spec`` is (share, alignment)."""
    xs = []
    cursor = x
    for share, align in spec:
        xs.append((cursor, cursor + share * width - gap, align))
        cursor += share * width
    return xs


def draw_headings(
    page: Page, xs: Sequence[Column], heads: Iterable[str], y: float, size: float
) -> None:
    """Column headings on baseline ``y``, aligned as their columns."""
    for (x0, x1, align), head in zip(xs, heads, strict=True):
        page.text(
            x0 if align == "left" else x1,
            y,
            head,
            size,
            color=MUTED_COLOUR,
            ha=align,
            fontweight="bold",
        )


def draw_table(page: Page, brief: Brief, layout: Layout, x: float, y: float, width: float) -> float:
    """The top areas table from baseline ``y`` down; returns the y below it."""
    pt = 1 / 72
    row_h = layout.row_pt * pt
    size = layout.body_pt
    xs = columns(x, width, [(share, align) for _k, _h, share, align in _TABLE_COLUMNS])
    draw_headings(page, xs, [head for _k, head, _s, _a in _TABLE_COLUMNS], y, layout.small_pt)
    page.rule(x, x + width, y + row_h * 0.35, colour="#8a8a8a", lw=0.9)
    y += row_h
    table = brief.table
    if not len(table):
        page.text(
            x,
            y,
            "No area has incidents in the risk window or the period.",
            size,
            color=MUTED_COLOUR,
        )
        return y + row_h * 0.4
    for _, row in table.iterrows():
        _draw_row(page, row, xs, y, size)
        page.rule(x, x + width, y + row_h * 0.35, lw=0.5)
        y += row_h
    if brief.override_notes or (table["final_level"] != table["level"]).any():
        y = _draw_override_notes(page, brief, layout, x, y - row_h * 0.3, width)
    return y - row_h * 0.4


def _draw_override_notes(
    page: Page, brief: Brief, layout: Layout, x: float, y: float, width: float
) -> float:
    """Under the table, each override's levels and the analyst's reason, in full."""
    size = layout.small_pt
    line = size / 72 * 1.3
    notes = brief.override_notes or ["level set by an analyst override"]
    indent = page.width_in("* ", size)
    for note in notes:
        page.text(x, y, "*", size, color=MUTED_COLOUR)
        for part in page.wrap(note, size, width - indent):
            page.text(x + indent, y, part, size, color=MUTED_COLOUR)
            y += line
        y += line * 0.2
    return y + line * 0.6


def _draw_row(page: Page, row: pd.Series, xs: Sequence[Column], y: float, size: float) -> None:
    """One area's row on baseline ``y``."""
    pt = 1 / 72
    cells = _table_cells(row)
    for (x0, x1, align), (key, *_rest) in zip(xs, _TABLE_COLUMNS, strict=True):
        value, colour = cells[key]
        if key == "level":
            # A colour chip of the level before its name.
            chip = size * pt * 0.95
            page.rect(
                x0,
                y - chip * 0.9,
                chip,
                chip,
                style.LEVEL_COLOURS.get(str(row["final_level"]), "white"),
                edge="#7a7a7a",
            )
            page.text(x0 + chip + 0.06, y, value, size, color=colour)
            continue
        # The trend classes are long phrases: a slightly smaller size fits them whole.
        cell_size = max(size * 0.82, MIN_PT) if key == "trend" else size
        text = page.fit(value, cell_size, x1 - x0 - 0.08, "bold" if key == "area" else "normal")
        page.text(
            x0 if align == "left" else x1,
            y,
            text,
            cell_size,
            ha=align,
            color=colour,
            fontweight="bold" if key == "area" else "normal",
        )


def _table_cells(row: pd.Series) -> dict[str, tuple[str, str]]:
    """Display text and colour of each table cell for one risk row."""
    final = str(row["final_level"])
    overridden = str(row.get("level", final)) != final
    trend, trend_colour = trend_cell(row.get("trend"), row.get("trend_pct"))
    score = row.get("score")
    return {
        "area": (clean(row["area"]), TEXT_COLOUR),
        "level": (final + (" *" if overridden else ""), TEXT_COLOUR),
        "score": ("–" if score is None or pd.isna(score) else f"{float(score):.0f}", TEXT_COLOUR),
        "trend": (trend, trend_colour),
        "incidents": (short_count(int(row["incidents"])), TEXT_COLOUR),
        "deaths": (short_count(int(row["deaths"])), TEXT_COLOUR),
    }


def trend_cell(label: object, pct: object) -> tuple[str, str]:
    """The risk module's trend class (ACLED's words) with an arrow and a colour.

    The class already applies the low-baseline rule, so a jump from one event
    to three reads "Limited change", as it does in the dashboard's risk
    table. A row without a class (a risk frame from elsewhere) is classed
    from its percentage with the same thresholds; with neither it is "–".
    """
    text = label.strip() if isinstance(label, str) else ""
    if not text:
        number = None if pct is None or pd.isna(pct) else float(pct)  # type: ignore[arg-type]
        if number is None:
            return "–", MUTED_COLOUR
        text = (
            "Large increase"
            if number > 25
            else "Moderate increase"
            if number > 10
            else "Large decrease"
            if number < -25
            else "Limited change"
        )
    if "increase" in text.lower():
        return f"▲ {text}", "#b2182b"
    if "decrease" in text.lower():
        return f"▼ {text}", "#2166ac"
    return text, MUTED_COLOUR
