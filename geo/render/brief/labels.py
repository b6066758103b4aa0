"""Names on the briefing's map, placed greedily so that none overlap.

Labels go in a fixed order of importance (towns with incidents, deadly
places that are not towns, countries, regions, other towns); each takes the
first candidate spot clear of the labels and furniture already placed and,
for most, of the incident markers. :func:`place_label` is that rule, once,
for every kind of label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from geo.render import style
from geo.render.brief.layout import COUNTRY_LABEL_COLOUR, HAlign, Layout, VAlign
from geo.render.brief.text import clean

# Moves a label to one candidate spot.
Spot = Callable[[], object]

_DOT_PT = 3.4  # radius of a town's dot, in points

# (ha, va, dx, dy) offsets in points from the town, in order of preference.
_TOWN_SLOTS: tuple[tuple[HAlign, VAlign, float, float], ...] = (
    ("left", "center", 6, 0),
    ("right", "center", -6, 0),
    ("left", "bottom", 4, 4),
    ("left", "top", 4, -4),
    ("right", "bottom", -4, 4),
    ("right", "top", -4, -4),
    ("center", "bottom", 0, 7),
    ("center", "top", 0, -7),
    ("left", "center", 14, 0),
    ("right", "center", -14, 0),
)


class Placer:
    """Greedy label placement: a label goes where it hits no other label,
    no map furniture, and (where possible) no incident marker."""

    def __init__(self, ax: Axes, renderer: RendererBase, discs: np.ndarray) -> None:
        self.ax = ax
        self.renderer = renderer
        self.discs = discs
        self.frame = ax.get_window_extent(renderer)
        self.taken: list[Bbox] = []

    def free(self, box: Bbox, pad: float = 2.0) -> bool:
        """Whether ``box`` lies ``pad`` px inside the map and overlaps nothing taken."""
        f = self.frame
        if box.x0 < f.x0 + pad or box.x1 > f.x1 - pad or box.y0 < f.y0 + pad or box.y1 > f.y1 - pad:
            return False
        grown = box.expanded(1.0, 1.0)
        return not any(grown.overlaps(t) for t in self.taken)

    def hits(self, box: Bbox) -> int:
        """How many incident markers ``box`` covers."""
        if not len(self.discs):
            return 0
        d = self.discs
        cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        near = (np.abs(d[:, 0] - cx) < box.width / 2 + d[:, 2]) & (
            np.abs(d[:, 1] - cy) < box.height / 2 + d[:, 2]
        )
        return int(near.sum())

    def take(self, box: Bbox) -> None:
        """Reserve ``box`` (display pixels): later labels keep off it."""
        self.taken.append(box)

    def px_per_pt(self) -> float:
        """Display pixels per typographic point."""
        return float(self.ax.figure.dpi) / 72


def halo(width: float = 2.6) -> list[patheffects.AbstractPathEffect]:
    """A white outline that keeps map text legible on any fill."""
    return [patheffects.withStroke(linewidth=width, foreground="white", alpha=0.9)]


def map_text(
    ax: Axes,
    x: float,
    y: float,
    s: str,
    size: float,
    colour: str,
    *,
    zorder: float,
    halo_width: float = 2.6,
    **kw: Any,
) -> Text:
    """Text on the map with a halo, printed literally (no math, no TeX)."""
    return ax.text(
        x,
        y,
        s,
        fontsize=size,
        color=colour,
        zorder=zorder,
        parse_math=False,
        usetex=False,
        path_effects=halo(halo_width),
        **kw,
    )


def place_label(
    placer: Placer, text: Text, spots: Iterable[Spot], *, accept_hits: bool = False
) -> Bbox | None:
    """Move ``text`` through ``spots`` in order and keep it at the first clear one.

    A spot is usable when the label there overlaps no label or furniture
    already placed; it is clear when it also covers no incident marker. With
    ``accept_hits`` a label that has no clear spot goes to the usable spot
    covering fewest markers (the first of those). A label without a spot is
    removed from the map.

    Returns
    -------
    Bbox or None
        The label's box in display pixels, now taken; None when removed.
    """
    best: tuple[int, Bbox, Spot] | None = None
    for spot in spots:
        spot()
        box = text.get_window_extent(placer.renderer)
        if not placer.free(box):
            continue
        hits = placer.hits(box)
        if best is None or hits < best[0]:
            best = (hits, box, spot)
        if hits == 0:
            break
    if best is None or (best[0] > 0 and not accept_hits):
        text.remove()
        return None
    _hits, box, spot = best
    spot()  # the best spot need not be the last one tried
    placer.take(box)
    return box


def _move(ax: Axes, text: Text, ha: HAlign, va: VAlign, x_px: float, y_px: float) -> None:
    """Anchor ``text`` at display point (x_px, y_px) with the given alignment."""
    text.set_horizontalalignment(ha)
    text.set_verticalalignment(va)
    x, y = ax.transData.inverted().transform((x_px, y_px))
    text.set_position((float(x), float(y)))


def _offsets(
    ax: Axes,
    text: Text,
    x_px: float,
    y_px: float,
    k: float,
    slots: Iterable[tuple[HAlign, VAlign, float, float]],
) -> Iterable[Spot]:
    """Spots at ``slots`` (alignment and offset in points) around a display point."""
    return (
        partial(_move, ax, text, ha, va, x_px + dx * k, y_px + dy * k) for ha, va, dx, dy in slots
    )


def label_towns(
    ax: Axes, placer: Placer, towns: pd.DataFrame, layout: Layout, *, incident_towns: bool
) -> None:
    """Name towns with a dot: those incidents name (bold, each that has room),
    or the others, best first, up to ``layout.towns`` clear of the markers."""
    if not len(towns):
        return
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    on_map = towns["longitude"].between(x0, x1) & towns["latitude"].between(y0, y1)
    sel = towns[on_map & (towns["incident"] == incident_towns)]
    if not incident_towns:
        sel = sel.head(layout.towns * 3)
    placed = 0
    for name, lon, lat in zip(sel["name"], sel["longitude"], sel["latitude"], strict=True):
        if not incident_towns and placed >= layout.towns:
            break
        if _label_town(ax, placer, name, lon, lat, layout, incident_towns=incident_towns):
            placed += 1


def _label_town(
    ax: Axes,
    placer: Placer,
    name: object,
    lon: float,
    lat: float,
    layout: Layout,
    *,
    incident_towns: bool,
) -> bool:
    """Label one town and draw its dot; False when there is no room."""
    k = placer.px_per_pt()
    x, y = ax.transData.transform((lon, lat))
    dot = Bbox.from_bounds(x - _DOT_PT * k, y - _DOT_PT * k, 2 * _DOT_PT * k, 2 * _DOT_PT * k)
    if not placer.free(dot, pad=0):
        return False
    if not incident_towns and placer.hits(dot) > 0:
        return False
    text = map_text(
        ax,
        lon,
        lat,
        clean(name),
        layout.town_pt,
        style.TOWN_COLOUR,
        zorder=9,
        fontweight="bold" if incident_towns else "normal",
    )
    spots = _offsets(ax, text, x, y, k, _TOWN_SLOTS)
    if place_label(placer, text, spots, accept_hits=incident_towns) is None:
        return False
    ax.plot(
        [lon],
        [lat],
        marker="o",
        markersize=_DOT_PT * 1.3,
        markerfacecolor=style.TOWN_COLOUR,
        markeredgecolor="white",
        markeredgewidth=0.8,
        linestyle="none",
        zorder=5.5 if incident_towns else 8,  # incident markers sit on their town
    )
    placer.take(dot)
    return True


def label_features(ax: Axes, placer: Placer, features: pd.DataFrame, layout: Layout) -> None:
    """Name the deadliest incident places that are not towns ("Adrar des Ifoghas").

    The label sits beside the incident's own marker, in italics so it does
    not read as a town.
    """
    k = placer.px_per_pt()
    for name, lon, lat in zip(
        features["location"], features["longitude"], features["latitude"], strict=True
    ):
        x, y = ax.transData.transform((lon, lat))
        d = placer.discs
        near = d[np.argmin(np.hypot(d[:, 0] - x, d[:, 1] - y))] if len(d) else (x, y, 0.0)
        x, y, r = float(near[0]), float(near[1]), float(near[2]) / k
        text = map_text(
            ax,
            lon,
            lat,
            clean(name),
            layout.town_pt * 0.95,
            "#2b2b2b",
            zorder=9,
            fontstyle="italic",
        )
        slots: tuple[tuple[HAlign, VAlign, float, float], ...] = (
            ("left", "center", r + 4, 0),
            ("right", "center", -r - 4, 0),
            ("center", "bottom", 0, r + 3),
            ("center", "top", 0, -r - 3),
        )
        place_label(placer, text, _offsets(ax, text, x, y, k, slots))


def label_countries(ax: Axes, placer: Placer, countries: gpd.GeoDataFrame, layout: Layout) -> None:
    """Country names in spaced capitals, inside the visible part of each country."""
    if not len(countries):
        return
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1)
    view_area = view.area
    c = countries.assign(_vis=countries.geometry.intersection(view))
    c = c.assign(_a=shapely.area(c["_vis"].to_numpy())).sort_values(
        ["_a", "iso3"], ascending=[False, True]
    )
    for name, vis, area in zip(c["name"], c["_vis"], c["_a"], strict=True):
        if area < view_area * 0.02:
            continue
        label = "  ".join(" ".join(w) for w in clean(name).upper().split())
        text = map_text(
            ax,
            0,
            0,
            label,
            layout.country_pt,
            COUNTRY_LABEL_COLOUR,
            zorder=7,
            halo_width=2.0,
            ha="center",
            va="center",
        )
        place_label(placer, text, _spots_inside(ax, placer, text, vis))


def _spots_inside(ax: Axes, placer: Placer, text: Text, vis: Any) -> list[Spot]:
    """Points of a grid over the map where ``text`` fits inside ``vis`` with a
    margin, nearest the middle of ``vis`` first."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    dpx, dpy = ax.transData.transform((x1, y1)) - ax.transData.transform((x0, y0))
    sx, sy = (x1 - x0) / dpx, (y1 - y0) / dpy  # data units per pixel
    ext = text.get_window_extent(placer.renderer)
    hw, hh = ext.width / 2 * sx, ext.height / 2 * sy
    gx = np.linspace(x0, x1, 25)[1:-1]
    gy = np.linspace(y0, y1, 25)[1:-1]
    px, py = (a.ravel() for a in np.meshgrid(gx, gy))
    boxes = shapely.box(px - hw * 1.1, py - hh * 1.3, px + hw * 1.1, py + hh * 1.3)
    ok = shapely.contains(vis, boxes)
    if not ok.any():
        return []
    centre = vis.representative_point()
    cand = np.flatnonzero(ok)
    cand = cand[np.argsort(np.hypot(px[cand] - centre.x, py[cand] - centre.y), kind="stable")]
    return [partial(text.set_position, (px[i], py[i])) for i in cand]


def label_regions(ax: Axes, placer: Placer, regions: pd.DataFrame, layout: Layout) -> None:
    """Admin-1 names in italics at the middle of their visible part, where clear."""
    if not len(regions):
        return
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1)
    for name, geom in zip(regions["area"], regions["geometry"], strict=True):
        vis = geom.intersection(view)
        if vis.is_empty:
            continue
        p = vis.representative_point()
        text = map_text(
            ax,
            p.x,
            p.y,
            clean(name),
            layout.town_pt * 0.95,
            "#4a3b2a",
            zorder=7,
            halo_width=2.2,
            fontstyle="italic",
            ha="center",
            va="center",
        )
        # One spot: where it was created.
        place_label(placer, text, [partial(text.set_position, (p.x, p.y))])
