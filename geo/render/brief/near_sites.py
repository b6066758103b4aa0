"""The briefing's "Near our sites" section: incidents close to the team's sites.

A security manager reads a briefing for what happened near the team's own
people first. With sites given (:func:`render_brief`'s ``sites=``), the
briefing lists the incidents on its map that lie within each site's own
radius (or within a chosen distance), nearest first, each placed from its
nearest site or route the way a security update says it: "12 km NE of
Ansongo base". The measuring is :func:`geo.analysis.proximity.near_sites`
(vectorized, geodesic); only the rows printed are worded one by one.

With sites but nothing near, the section still prints and says so: silence
would leave the reader unsure whether the check was made. Without sites
(the default, and always for viewers: sites are sensitive) there is no
section at all.

The slide shows the nearest :data:`MAX_SLIDE_NEAR_ROWS` in a band under the
map; the PDF lists up to :data:`MAX_NEAR_ROWS` at the top of page 2. Both
say how many more were left off.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.analysis.proximity import describe, near_sites
from geo.render import style
from geo.render.brief.layout import FALLBACK_EVENT_COLOUR, MUTED_COLOUR, Layout
from geo.render.brief.page import Page
from geo.render.brief.tables import Column, columns, draw_headings
from geo.render.brief.text import clean, day_text

__all__ = [
    "MAX_NEAR_ROWS",
    "MAX_SLIDE_NEAR_ROWS",
    "NearSites",
    "draw_near_sites",
    "near_site_incidents",
    "slide_layout",
]

MAX_NEAR_ROWS = 25  # the PDF's list; more is a data export (python -m geo sites near)
MAX_SLIDE_NEAR_ROWS = 3  # the slide's band under the map
HEADING = "Near our sites"

# (header, share of the width, alignment)
_COLUMNS = (
    ("Date", 0.115, "left"),
    ("Place", 0.19, "left"),
    ("Type", 0.25, "left"),
    ("Deaths", 0.065, "right"),
    ("From the nearest site", 0.38, "left"),
)
_TYPE_COLUMN = 2
_GAP = 0.12  # inches between columns


@dataclass(frozen=True)
class NearSites:
    """The incidents near the team's sites, nearest first.

    ``incidents`` holds every such incident (the drawing caps them) with
    :data:`geo.analysis.proximity.RESULT_COLUMNS` joined on; ``reach`` words
    how near counts ("within a site's radius", "within 25 km of a site").
    """

    incidents: pd.DataFrame
    reach: str
    sites: int

    def __len__(self) -> int:
        return len(self.incidents)

    def table(self, limit: int) -> pd.DataFrame:
        """The printed cells of the nearest ``limit`` incidents: ``date``,
        ``place``, ``kind``, ``event_type``, ``deaths``, ``where`` and
        ``distance_km`` (only these rows are worded one by one)."""
        return _cells(self.incidents.head(limit))

    def summary(self, listed: int) -> str:
        """The line under the heading: how many, how near, how many left off."""
        n = len(self.incidents)
        if not n:
            return f"No incident in this briefing lies {self.reach}."
        text = f"{n:,} incident{'s' if n != 1 else ''} {self.reach}, nearest first"
        if listed < n:
            text += f"; the nearest {listed:,} listed, {n - listed:,} left off"
        return text + "."


def near_site_incidents(
    incidents: pd.DataFrame, sites: pd.DataFrame, within_km: float | None = None
) -> NearSites:
    """The incidents near ``sites``, nearest first, with where they are from the nearest.

    Parameters
    ----------
    incidents : DataFrame
        The briefing's incidents: ``event_date``, ``event_type``,
        ``latitude``, ``longitude``, ``fatalities``; ``location``, ``area``
        and ``sub_event_type`` when present.
    sites : GeoDataFrame
        The team's sites and routes (:func:`geo.io.sites.load_sites`).
    within_km : float, optional
        Count incidents within this distance of any site; ``None`` (the
        default) counts those within their nearest site's own ``radius_km``.

    Returns
    -------
    NearSites
        The rows sorted by distance, then date.

    Raises
    ------
    ValueError
        When ``within_km`` is negative or a site has no geometry.
    """
    near = near_sites(incidents, sites, max_km=within_km)
    if within_km is None:
        keep = near["within_radius"].to_numpy(bool)
        reach = "within a site's radius"
    else:
        keep = (near["site"] != "").to_numpy(bool)
        reach = f"within {within_km:g} km of a site"
    chosen = incidents.loc[keep].join(near.loc[keep])
    # Nearest first as printed (to 0.1 km), then the earliest: float noise
    # between two incidents at the same site must not decide their order.
    order = chosen.assign(_km=chosen["distance_km"].round(1))
    chosen = chosen.loc[order.sort_values(["_km", "event_date"], kind="stable").index]
    return NearSites(incidents=chosen, reach=reach, sites=len(sites))


def _cells(chosen: pd.DataFrame) -> pd.DataFrame:
    """The printed cells of each of ``chosen``."""
    blank = pd.Series("", index=chosen.index, dtype=object)
    place = chosen.get("location", blank).fillna("").map(clean)
    area = chosen.get("area", blank).fillna("").map(clean)
    differs = (area != "") & (area.str.casefold() != place.str.casefold())
    place = place.where(~differs, place + ", " + area)
    kind = chosen.get("sub_event_type", blank).fillna("").map(clean)
    kind = kind.where(kind != "", chosen["event_type"].astype(str))
    where = [
        describe(float(d), float(b), clean(s))
        for d, b, s in zip(
            chosen["distance_km"], chosen["bearing_deg"], chosen["site"], strict=True
        )
    ]
    deaths = pd.to_numeric(chosen["fatalities"], errors="coerce").fillna(0).astype("int64")
    return pd.DataFrame(
        {
            "date": [day_text(pd.Timestamp(d).date()) for d in chosen["event_date"]],
            "place": place.replace("", "–").to_numpy(object),
            "kind": kind.to_numpy(object),
            "event_type": chosen["event_type"].astype(str).to_numpy(object),
            "deaths": deaths.to_numpy(),
            "where": np.asarray(where, dtype=object),
            "distance_km": chosen["distance_km"].to_numpy(float),
        }
    )


def slide_layout(layout: Layout, near: NearSites) -> tuple[Layout, float]:
    """The slide's layout with its map shortened to free a band under it for
    the section, and the top of that band (inches)."""
    left, top, width, height = layout.map_box
    band = _height(layout, min(MAX_SLIDE_NEAR_ROWS, len(near)), compact=True)
    gap = 0.22
    height -= band + gap
    return dataclasses.replace(layout, map_box=(left, top, width, height)), top + height + gap


def _height(layout: Layout, rows: int, compact: bool) -> float:
    """Inches the section takes with ``rows`` rows (what :func:`draw_near_sites` draws)."""
    pt = 1 / 72
    summary = 0.0 if compact else layout.small_pt * pt * 1.6
    table = layout.small_pt * pt * 1.7 + layout.body_pt * pt * 1.5 * rows if rows else 0.0
    return layout.heading_pt * pt + summary + table


def draw_near_sites(
    page: Page,
    near: NearSites,
    layout: Layout,
    x: float,
    y: float,
    width: float,
    limit: int,
    compact: bool = False,
) -> float:
    """The section from ``y`` (inches, the heading's top) down; returns the y below it.

    At most ``limit`` rows, one line each (cells cut with an ellipsis to
    their column: the full list is ``python -m geo sites near``). ``compact``
    (the slide) puts the summary beside the heading instead of under it.
    """
    pt = 1 / 72
    size = layout.body_pt
    line = size * pt * 1.5
    listed = min(limit, len(near))
    y += layout.heading_pt * pt
    page.text(x, y, HEADING, layout.heading_pt, fontweight="bold")
    if compact:
        left = x + page.width_in(HEADING, layout.heading_pt, "bold") + 0.2
        summary = page.fit(near.summary(listed), layout.small_pt, x + width - left)
        page.text(left, y, summary, layout.small_pt, color=MUTED_COLOUR)
    else:
        y += layout.small_pt * pt * 1.6
        page.text(x, y, near.summary(listed), layout.small_pt, color=MUTED_COLOUR)
    if not listed:
        return y + layout.small_pt * pt * 0.6
    xs = columns(x, width, [(share, align) for _h, share, align in _COLUMNS], gap=_GAP)
    y += layout.small_pt * pt * 1.7
    draw_headings(page, xs, [h for h, _s, _a in _COLUMNS], y, layout.small_pt)
    right = xs[-1][1]
    page.rule(x, right, y + layout.small_pt * pt * 0.5, colour="#8a8a8a")
    y += line
    for row in near.table(listed).itertuples(index=False):
        _draw_row(page, row, xs, y, size)
        page.rule(x, right, y + line * 0.38, lw=0.5)
        y += line
    return y - line * 0.4


def _draw_row(page: Page, row: Any, xs: Sequence[Column], y: float, size: float) -> None:
    """One incident on baseline ``y``, its type's map symbol before the type."""
    pt = 1 / 72
    cells = (row.date, row.place, row.kind, f"{row.deaths:,}", row.where)
    for i, ((x0, x1, align), text) in enumerate(zip(xs, cells, strict=True)):
        if i == _TYPE_COLUMN:
            etype = str(row.event_type)
            colour = style.EVENT_TYPE_COLOURS.get(etype, FALLBACK_EVENT_COLOUR)
            page.marker(x0 + size * pt * 0.45, y - size * pt * 0.33, etype, size * 0.9, colour)
            x0 += size * pt * 1.2
        weight = "bold" if i == len(cells) - 1 else "normal"
        fitted = page.fit(str(text), size, x1 - x0, weight)
        page.text(x0 if align == "left" else x1, y, fitted, size, ha=align, fontweight=weight)
