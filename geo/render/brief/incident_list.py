"""Key incidents: the deadliest of the period, listed beside or under the map.

The slide lists as many as fit beside the map (at most
:data:`MAX_SLIDE_INCIDENTS`); the PDF page lists :data:`MAX_KEY_INCIDENTS`
with place, type, deaths and the report's note. Both headings say how many
of the period's incidents the list leaves out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.render import style
from geo.render.brief.content import Brief
from geo.render.brief.layout import (
    FALLBACK_EVENT_COLOUR,
    MAX_KEY_INCIDENTS,
    MAX_SLIDE_INCIDENTS,
    MUTED_COLOUR,
    Layout,
)
from geo.render.brief.page import Page
from geo.render.brief.tables import Column, columns, draw_headings
from geo.render.brief.text import clean, day_text

# The PDF list's columns: (header, share of the width, alignment).
_LIST_COLUMNS = (
    ("Date", 0.085, "left"),
    ("Place", 0.16, "left"),
    ("Type", 0.19, "left"),
    ("Deaths", 0.055, "right"),
    ("Description", 0.51, "left"),
)


def draw_short_list(
    page: Page, brief: Brief, layout: Layout, x: float, y: float, width: float, bottom: float
) -> None:
    """The slide's short list of key incidents (the deadliest), as many as fit."""
    pt = 1 / 72
    size = layout.small_pt * 1.08
    line = size * pt * 1.55
    # Rows are drawn on baselines from the first one down; the last one's
    # descenders must stay above the bottom of the panel.
    first = y + layout.heading_pt * pt * 1.45
    room = int((bottom - size * pt * 0.3 - first) / line) + 1
    key = key_incidents(brief.shown, limit=min(room, MAX_SLIDE_INCIDENTS))
    if room < 2 or not len(key):
        return
    heading = "Key incidents"
    if len(key) < len(brief.shown):
        # Say what the list leaves out, so a missing incident is not read as none.
        heading += f" ({len(key)} deadliest of {len(brief.shown):,})"
    page.text(x, y, heading, layout.heading_pt * 0.92, fontweight="bold")
    y += layout.heading_pt * pt * 1.45
    for _, row in key.iterrows():
        etype = str(row["event_type"])
        colour = style.EVENT_TYPE_COLOURS.get(etype, FALLBACK_EVENT_COLOUR)
        page.marker(x + size * pt * 0.6, y - size * pt * 0.35, etype, size * 0.9, colour)
        deaths = int(row["fatalities"])
        date = pd.Timestamp(row["event_date"])
        page.text(x + size * pt * 1.5, y, f"{date.day} {date:%b}", size, fontweight="bold")
        page.text(x + width, y, f"{deaths:,}", size, ha="right")
        what = f"{clean(row['location'])}: {clean(row['sub_event_type']) or etype}"
        left = x + size * pt * 1.5 + 0.62
        page.text(left, y, page.fit(what, size, x + width - 0.45 - left), size)
        y += line


def draw_key_incidents(page: Page, brief: Brief, layout: Layout) -> None:
    """The PDF's list: the deadliest incidents of the period, in date order."""
    assert layout.list_box is not None
    x, top, width, height = layout.list_box
    pt = 1 / 72
    size = layout.body_pt
    key = key_incidents(brief.shown)
    y = top + layout.heading_pt * pt
    n = len(brief.shown)
    heading = "Key incidents in the period"
    if n > len(key):
        heading += f" (the {len(key)} deadliest of {n:,})"
    page.text(x, y, heading, layout.heading_pt, fontweight="bold")
    y += size * pt * 2.0
    xs = columns(x, width, [(share, align) for _h, share, align in _LIST_COLUMNS], gap=0.1)
    draw_headings(page, xs, [head for head, _s, _a in _LIST_COLUMNS], y, layout.small_pt)
    page.rule(x, x + width, y + size * pt * 0.45, colour="#8a8a8a", lw=0.8)
    y += size * pt * 1.45
    if not len(key):
        page.text(x, y, "No incidents match the filters in this period.", size, color=MUTED_COLOUR)
        return
    for _, row in key.iterrows():
        _draw_key_row(page, row, xs, y, size)
        y += size * pt * 1.38


def _draw_key_row(page: Page, row: pd.Series, xs: Sequence[Column], y: float, size: float) -> None:
    """One incident of the PDF list on baseline ``y``; its symbol leads the type."""
    pt = 1 / 72
    etype = str(row["event_type"])
    for (x0, x1, align), value in zip(xs, _key_cells(row), strict=True):
        if (x0, x1, align) == xs[2]:
            page.marker(
                x0 + size * pt * 0.45,
                y - size * pt * 0.33,
                etype,
                size * 0.9,
                style.EVENT_TYPE_COLOURS.get(etype, FALLBACK_EVENT_COLOUR),
            )
            x0 += size * pt * 1.2
        text = page.fit(value, size, x1 - x0)
        page.text(x0 if align == "left" else x1, y, text, size, ha=align)


def _key_cells(row: pd.Series) -> tuple[str, str, str, str, str]:
    """Date, place, kind, deaths and description of one incident."""
    etype = str(row["event_type"])
    # The sub-event type says more ("Suicide bomb"); the symbol gives the type.
    kind = clean(row["sub_event_type"]) or etype
    place = clean(row["location"])
    area = clean(row["area"])
    if area and clean(area).casefold() != place.casefold():
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
    )


def key_incidents(filtered: pd.DataFrame, limit: int = MAX_KEY_INCIDENTS) -> pd.DataFrame:
    """The ``limit`` deadliest incidents (ties: earlier first), in date order.

    Parameters
    ----------
    filtered : DataFrame
        Incidents of the period (already filtered).
    limit : int
        How many to keep.

    Returns
    -------
    DataFrame
        The chosen rows sorted by date, then event id.
    """
    if not len(filtered):
        return filtered
    f = filtered.assign(_fat=filtered["fatalities"].fillna(0).astype("int64"))
    ids = f["event_id"] if "event_id" in f.columns else pd.Series(range(len(f)), index=f.index)
    f = f.assign(_id=ids.astype(str))
    chosen = f.sort_values(["_fat", "event_date", "_id"], ascending=[False, True, True]).head(limit)
    return chosen.sort_values(["event_date", "_id"]).drop(columns=["_fat", "_id"])
