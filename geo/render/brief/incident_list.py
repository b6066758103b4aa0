"""Key incidents: the deadliest of the period, listed under the map.

When the analyst gives no key judgements, the space under the map lists as
many of the deadliest incidents as fit (at most :data:`MAX_SLIDE_INCIDENTS`),
one line each; the heading says how many of the period's incidents the list
leaves out. The PDF's full list is in :mod:`.incident_pages`.
"""

from __future__ import annotations

import pandas as pd

from geo.render import style
from geo.render.brief.content import Brief
from geo.render.brief.layout import (
    FALLBACK_EVENT_COLOUR,
    MAX_KEY_INCIDENTS,
    MAX_SLIDE_INCIDENTS,
    Layout,
)
from geo.render.brief.page import Page
from geo.render.brief.text import clean


def draw_short_list(
    page: Page, brief: Brief, layout: Layout, x: float, y: float, width: float, bottom: float
) -> None:
    """The short list of key incidents (the deadliest), as many as fit."""
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
