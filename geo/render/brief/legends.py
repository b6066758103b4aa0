"""The map's keys: risk levels, incidents by type, and symbol sizes.

They stack under the top areas table in the right-hand panel, each under a
bold heading; the size key explains fatalities or, on a dense map, the
incidents counted per grid cell.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from geo.model.levels import LEVELS
from geo.render import style
from geo.render.brief.content import Brief
from geo.render.brief.layout import (
    FALLBACK_EVENT_COLOUR,
    MUTED_COLOUR,
    NOT_ASSESSED_COLOUR,
    TEXT_COLOUR,
    Layout,
)
from geo.render.brief.page import Page
from geo.render.brief.symbols import Cells, event_order, marker_sizes
from geo.render.brief.text import short_count


def draw_legends(
    page: Page,
    brief: Brief,
    layout: Layout,
    x: float,
    y: float,
    width: float,
    bottom: float,
    cells: Cells | None,
) -> float:
    """The three keys from baseline ``y`` down; returns the y below them.

    The size key's note is dropped below ``bottom`` (the end of the panel).
    """
    y = _draw_risk_key(page, brief, layout, x, y, width)
    y = _draw_type_key(page, brief, layout, x, y, width, cells)
    return _draw_size_key(page, brief, layout, x, y, width, bottom, cells)


def _draw_risk_key(
    page: Page, brief: Brief, layout: Layout, x: float, y: float, width: float
) -> float:
    """Risk level ramp: five equal boxes with the names under them (grey
    when no area on the map has that level), then the not-assessed fill."""
    pt = 1 / 72
    size = layout.body_pt
    line = size * pt * 1.75
    page.text(x, y, "Area risk level", layout.heading_pt * 0.92, fontweight="bold")
    y += line * 0.55
    box_w = width / len(LEVELS)
    box_h = size * pt * 1.3
    present = set(brief.shading["level"])
    for i, lvl in enumerate(LEVELS):
        page.rect(x + i * box_w, y, box_w, box_h, style.LEVEL_COLOURS[lvl], edge="#7a7a7a")
        page.text(
            x + (i + 0.5) * box_w,
            y + box_h + size * pt * 1.2,
            lvl,
            layout.small_pt,
            ha="center",
            color=TEXT_COLOUR if lvl in present else MUTED_COLOUR,
        )
    y += box_h + size * pt * 1.3 + line * 0.7
    page.rect(
        x,
        y - size * pt * 0.85,
        size * pt * 1.3,
        size * pt * 0.9,
        NOT_ASSESSED_COLOUR,
        edge="#7a7a7a",
    )
    page.text(
        x + size * pt * 1.6,
        y,
        "No incidents in the data (not assessed)",
        layout.small_pt,
        color=MUTED_COLOUR,
    )
    return y + line * 1.25


def _draw_type_key(
    page: Page,
    brief: Brief,
    layout: Layout,
    x: float,
    y: float,
    width: float,
    cells: Cells | None,
) -> float:
    """Event types present, with counts, in two columns when they fit."""
    pt = 1 / 72
    size = layout.body_pt
    line = size * pt * 1.75
    page.text(x, y, "Incidents by type", layout.heading_pt * 0.92, fontweight="bold")
    y += line * 0.95
    counts = brief.shown["event_type"].astype(str).value_counts()
    types = sorted(counts.index, key=event_order)
    if not types:
        page.text(x, y, "No incidents match the filters.", size, color=MUTED_COLOUR)
        y += line
    type_labels = {t: f"{t} ({short_count(int(counts[t]))})" for t in types}
    label_pt = layout.small_pt * 1.08
    widest = max((page.width_in(v, label_pt) for v in type_labels.values()), default=0.0)
    columns = 2 if widest + size * pt * 1.8 <= width / 2 else 1
    col_w = width / columns
    for i, etype in enumerate(types):
        cx = x + (i % columns) * col_w
        cy = y + (i // columns) * line
        colour = style.EVENT_TYPE_COLOURS.get(etype, FALLBACK_EVENT_COLOUR)
        shape = "Battles" if cells is not None else etype  # cells are all circles
        page.marker(cx + size * pt * 0.6, cy - size * pt * 0.35, shape, size * 0.95, colour)
        page.text(
            cx + size * pt * 1.5,
            cy,
            page.fit(type_labels[etype], label_pt, col_w - size * pt * 1.8),
            label_pt,
        )
    y += -(-len(types) // columns) * line + line * 0.35
    return y


def _size_key(brief: Brief, cells: Cells | None) -> tuple[str, np.ndarray, list[str], str]:
    """Title, sample radii (points), their labels and a note for the size key.

    Fatalities on the same square-root scale as the web map, or incidents
    per cell when the map shows counts.
    """
    if cells is None:
        samples: tuple[int, ...] = (0, 5, 25, 100)
        radii = marker_sizes(np.array(samples, dtype=float))
        note = "Symbol area grows with the square root of reported fatalities."
        return "Fatalities", radii, ["0", "5", "25", "100+"], note
    samples = _cell_samples(cells.max_count)
    radii = cells.r_min + (cells.r_max - cells.r_min) * np.sqrt(
        np.array(samples, dtype=float) / cells.max_count
    )
    note = (
        f"{len(brief.shown):,} incidents, too many for one symbol each: circles count "
        "them per cell; colour = the cell's most frequent type."
    )
    title = f"Incidents per {cells.cell_km:.0f} km cell"
    return title, radii, [short_count(v) for v in samples], note


def _draw_size_key(
    page: Page,
    brief: Brief,
    layout: Layout,
    x: float,
    y: float,
    width: float,
    bottom: float,
    cells: Cells | None,
) -> float:
    """Grey sample circles in a row with their values, and a short note."""
    pt = 1 / 72
    size = layout.body_pt
    title, radii, labels, note = _size_key(brief, cells)
    page.text(x, y, title, layout.heading_pt * 0.92, fontweight="bold")
    max_r = float(radii.max()) * pt
    cy = y + max_r + size * pt * 0.7
    cursor = x + float(radii[0]) * pt
    for label, r in zip(labels, radii, strict=True):
        r_in = float(r) * pt
        cursor += r_in
        page.fig.add_artist(
            Line2D(
                [page.fx(cursor)],
                [page.fy(cy)],
                transform=page.fig.transFigure,
                marker="o",
                markersize=2 * float(r),
                markerfacecolor="#9e9e9e",
                markeredgecolor="white",
                markeredgewidth=0.7,
                linestyle="none",
            )
        )
        page.text(
            cursor + r_in + 0.05,
            cy + size * pt * 0.35,
            label,
            layout.small_pt,
        )
        cursor += r_in + 0.45
    y = cy + max_r + layout.small_pt * pt * 1.6
    for part in page.wrap(note, layout.small_pt, width)[:2]:
        if y <= bottom + 0.05:
            page.text(x, y, part, layout.small_pt, color=MUTED_COLOUR)
        y += layout.small_pt * pt * 1.35
    return y


def _cell_samples(max_count: int) -> tuple[int, ...]:
    """Three round counts for the cell-size key, the largest at most ``max_count``."""
    nice = [m * 10**e for e in range(7) for m in (1, 2, 5)]
    top = max([v for v in nice if v <= max_count] or [max(max_count, 1)])
    picks = [v for v in nice if v <= top // 4]
    low = max([v for v in picks if v <= top // 16] or [1])
    mid = max(picks or [1])
    return tuple(sorted({low, mid, top}))
