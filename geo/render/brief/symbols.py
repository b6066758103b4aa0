"""The incidents on the briefing's map: one symbol each, or counts per cell.

Symbols differ by shape as well as colour per event type and are sized by
fatalities on the web map's scale. Above :data:`DENSE_THRESHOLD` incidents
the map shows circles per grid cell instead, which stays readable and costs
the same for any number of incidents. Both return the drawn discs in display
pixels so labels can keep off them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes

from geo.render import style
from geo.render.brief.layout import (
    EVENT_MARKERS,
    FALLBACK_EVENT_COLOUR,
    FALLBACK_MARKER,
    KM_PER_DEGREE,
    MARKER_SCALE,
)

_MAX_SPREAD = 8  # larger stacks of incidents at one point are not fanned out
# Symbols are grouped by touching up to this many on the map; beyond it (only
# when one symbol each is forced on a dense map) only same-pixel stacks.
_PROXIMITY_LIMIT = 3000
# Above this many incidents on the map, draw counts per grid cell instead of
# one symbol per incident, on a grid this many cells across.
DENSE_THRESHOLD = 3000
DENSE_CELLS_ACROSS = 36
# Incident symbols sit on this layer (and only they: the animation swaps them by it).
INCIDENT_ZORDER = 6


@dataclass(frozen=True)
class Cells:
    """How a dense map was aggregated, for its legend."""

    cell_km: float
    max_count: int
    r_min: float  # points
    r_max: float


def marker_sizes(fatalities: np.ndarray) -> np.ndarray:
    """Marker radius in points from geo.render.style (same scale as the web map)."""
    values, inverse = np.unique(fatalities, return_inverse=True)
    radii = np.array([style.marker_radius(float(v)) for v in values], dtype=float)
    # style radii are CSS pixels (1/96 in); matplotlib sizes are points (1/72 in).
    # A slide is seen from further away than a screen: same scale, larger.
    return radii[inverse] * 72 / 96 * MARKER_SCALE


def draw_incidents(ax: Axes, filtered: pd.DataFrame) -> tuple[np.ndarray, Cells | None]:
    """Scatter the incidents, one call per event type; return marker discs.

    Returns an array of (x_px, y_px, radius_px) used to keep labels off the
    markers, and the aggregation used when there were too many to draw one
    by one (:func:`_draw_cells`).
    """
    if not len(filtered):
        return np.empty((0, 3)), None
    if len(filtered) > DENSE_THRESHOLD:
        return _draw_cells(ax, filtered)
    lon = filtered["longitude"].to_numpy(dtype=float)
    lat = filtered["latitude"].to_numpy(dtype=float)
    fat = filtered["fatalities"].to_numpy(dtype=float)
    radius = marker_sizes(fat)
    r_px = radius * ax.figure.dpi / 72
    xy = _spread(ax.transData.transform(np.column_stack([lon, lat])), r_px, fat)
    lon, lat = ax.transData.inverted().transform(xy).T
    types = filtered["event_type"].astype(str).to_numpy()
    whole = _country_level(filtered)
    for etype in sorted(set(types), key=event_order):
        idx = np.flatnonzero(types == etype)
        # Largest first, so small markers stay visible on top of big ones.
        idx = idx[np.argsort(-radius[idx], kind="stable")]
        shape, factor = EVENT_MARKERS.get(etype, FALLBACK_MARKER)
        colour = style.EVENT_TYPE_COLOURS.get(etype, FALLBACK_EVENT_COLOUR)
        for hollow in (False, True):
            part = idx[whole[idx] == hollow]
            if not part.size:
                continue
            # A country-level incident is hollow and dashed: its point stands
            # for the whole country, not a place in the region it falls in.
            ax.scatter(
                lon[part],
                lat[part],
                s=(2 * radius[part]) ** 2 * factor,
                marker=shape,
                c="white" if hollow else colour,
                edgecolors=colour if hollow else "white",
                linewidths=1.4 if hollow else 1.0,
                linestyles="--" if hollow else "solid",
                alpha=0.92,
                zorder=INCIDENT_ZORDER,
            )
    return np.column_stack([xy, r_px]), None


def _country_level(filtered: pd.DataFrame) -> np.ndarray:
    """Which rows the join left at country level (``country_level``; none without it)."""
    if "country_level" not in filtered.columns:
        return np.zeros(len(filtered), dtype=bool)
    return filtered["country_level"].fillna(False).to_numpy(dtype=bool)


def _draw_cells(ax: Axes, filtered: pd.DataFrame) -> tuple[np.ndarray, Cells]:
    """Many incidents: one circle per grid cell, sized by count, coloured by
    the cell's most frequent event type.

    Tens of thousands of symbols would bury the risk shading and each other;
    counts per cell keep both readable, and cost the same for any ``n``.
    """
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    k = math.cos(math.radians((y0 + y1) / 2))
    cell = (x1 - x0) / DENSE_CELLS_ACROSS
    cell_y = cell * k  # square on the ground
    lon = filtered["longitude"].to_numpy(dtype=float)
    lat = filtered["latitude"].to_numpy(dtype=float)
    grid = pd.DataFrame(
        {
            "i": np.floor((lon - x0) / cell).astype(np.int64),
            "j": np.floor((lat - y0) / cell_y).astype(np.int64),
            "t": filtered["event_type"].astype(str).to_numpy(),
        }
    )
    by_type = grid.groupby(["i", "j", "t"], sort=True).size().unstack("t", fill_value=0)
    counts = by_type.sum(axis=1).to_numpy()
    # Ties go to the type listed first in geo.render.style (columns are put in that order).
    ordered = by_type[sorted(by_type.columns, key=event_order)]
    dominant = ordered.columns.to_numpy()[np.argmax(ordered.to_numpy(), axis=1)]
    i = by_type.index.get_level_values("i").to_numpy()
    j = by_type.index.get_level_values("j").to_numpy()
    cx, cy = x0 + (i + 0.5) * cell, y0 + (j + 0.5) * cell_y
    px_per_deg = ax.transData.transform((x1, y0))[0] - ax.transData.transform((x0, y0))[0]
    cell_pt = cell * px_per_deg / (x1 - x0) * 72 / ax.figure.dpi
    r_min, r_max = 1.6, cell_pt * 0.62
    max_count = int(counts.max())
    radius = r_min + (r_max - r_min) * np.sqrt(counts / max_count)
    order = np.argsort(-radius, kind="stable")  # big first, small on top
    colours = [style.EVENT_TYPE_COLOURS.get(t, FALLBACK_EVENT_COLOUR) for t in dominant]
    ax.scatter(
        cx[order],
        cy[order],
        s=(2 * radius[order]) ** 2,
        c=[colours[n] for n in order],
        edgecolors="white",
        linewidths=0.6,
        alpha=0.85,
        zorder=INCIDENT_ZORDER,
    )
    xy = ax.transData.transform(np.column_stack([cx, cy]))
    discs = np.column_stack([xy, radius * ax.figure.dpi / 72])
    km = cell * KM_PER_DEGREE * k
    return discs, Cells(cell_km=km, max_count=max_count, r_min=r_min, r_max=r_max)


def _spread(xy: np.ndarray, r_px: np.ndarray, fatalities: np.ndarray) -> np.ndarray:
    """Fan out small groups of incidents whose symbols would overlap.

    Reports often place several incidents at one town, or a few kilometres
    apart; drawn on top of each other they read as one. Symbols whose discs
    touch form a group (chains included); groups of up to ``_MAX_SPREAD`` are
    laid on a ring around their centre (deadliest at the top), just wide
    enough for the symbols to sit side by side. Bigger groups are dense data
    and stay where they are.
    """
    group = _touching_groups(xy, r_px)
    cell = pd.DataFrame({"g": group, "order": -fatalities, "i": np.arange(len(xy))})
    size = cell.groupby("g")["g"].transform("size").to_numpy()
    spread = (size > 1) & (size <= _MAX_SPREAD)
    if not spread.any():
        return xy
    ranked = cell.sort_values(["order", "i"], kind="stable")
    rank = np.empty(len(cell), dtype=int)
    rank[ranked["i"].to_numpy()] = ranked.groupby("g", sort=False).cumcount().to_numpy()
    widest = pd.Series(r_px).groupby(group).transform("max").to_numpy()
    centre_x = pd.Series(xy[:, 0]).groupby(group).transform("mean").to_numpy()
    centre_y = pd.Series(xy[:, 1]).groupby(group).transform("mean").to_numpy()
    # Neighbours on a ring of n are 2 R sin(pi / n) apart: make that 2.1 widest radii.
    ring = widest * 1.05 / np.sin(np.pi / np.maximum(size, 2))
    angle = np.pi / 2 + 2 * np.pi * rank / np.maximum(size, 1)
    out = xy.copy()
    out[spread, 0] = (centre_x + ring * np.cos(angle))[spread]
    out[spread, 1] = (centre_y + ring * np.sin(angle))[spread]
    return out


def _touching_groups(xy: np.ndarray, r_px: np.ndarray) -> np.ndarray:
    """A group label per symbol: symbols whose discs touch share one.

    Pairs come from an STRtree of the discs (as squares of side 2 r, then
    checked by distance); labels settle by repeated minimum over the pairs,
    which is the connected components without a loop per symbol.
    """
    n = len(xy)
    labels = np.arange(n)
    if n < 2:
        return labels
    if n > _PROXIMITY_LIMIT:
        # Only when a caller forces one symbol each for a dense map: pairs
        # would run into millions, so only stacks at one pixel are grouped.
        return pd.factorize(pd.MultiIndex.from_arrays(np.round(xy / 2).T))[0]
    boxes = shapely.box(xy[:, 0] - r_px, xy[:, 1] - r_px, xy[:, 0] + r_px, xy[:, 1] + r_px)
    a, b = shapely.STRtree(boxes).query(boxes, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    near = np.hypot(*(xy[a] - xy[b]).T) < (r_px[a] + r_px[b]) * 0.95
    a, b = a[near], b[near]
    for _ in range(n):  # converges in at most the longest chain's length
        low = np.minimum(labels[a], labels[b])
        before = labels.copy()
        np.minimum.at(labels, a, low)
        np.minimum.at(labels, b, low)
        labels = labels[labels]
        if np.array_equal(labels, before):
            break
    return labels


def event_order(etype: str) -> int:
    """Sort key: event types in the order geo.render.style lists them, others last."""
    order = list(style.EVENT_TYPE_COLOURS)
    return order.index(etype) if etype in order else len(order)
