"""The briefing's map: risk shading, borders, incidents, furniture and names.

The map is drawn in longitude/latitude on a matplotlib axes whose x axis is
shrunk by the cosine of the centre latitude (:func:`fit_view`), from the
local layers only: no tiles and no network. Polygons and lines go in as one
collection each, which keeps a map of hundreds of areas fast.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.path import Path

from geo.render import style
from geo.render.brief.content import Brief
from geo.render.brief.furniture import draw_north_arrow, draw_scale_bar
from geo.render.brief.labels import (
    Placer,
    label_countries,
    label_features,
    label_regions,
    label_towns,
)
from geo.render.brief.layout import (
    ADMIN0_LINE_COLOUR,
    NOT_ASSESSED_COLOUR,
    SEA_COLOUR,
    Layout,
)
from geo.render.brief.symbols import Cells, draw_incidents


def fit_view(
    bounds: tuple[float, float, float, float], width_in: float, height_in: float
) -> tuple[float, float, float, float]:
    """Pad ``bounds`` and widen one side so the map fills its box undistorted.

    The map is drawn in longitude/latitude with the x axis shrunk by the
    cosine of the centre latitude, which keeps shapes true near that latitude.
    """
    minx, miny, maxx, maxy = bounds
    w = max(maxx - minx, 1.0)
    h = max(maxy - miny, 1.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w, h = w * 1.1, h * 1.1
    k = math.cos(math.radians(cy))
    if w * k / h < width_in / height_in:
        w = h * (width_in / height_in) / k
    else:
        h = w * k / (width_in / height_in)
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def draw_map(
    ax: Axes,
    renderer: RendererBase,
    brief: Brief,
    view: tuple[float, float, float, float],
    layout: Layout,
) -> Cells | None:
    """Draw the map of ``brief`` showing ``view`` on ``ax``.

    Returns
    -------
    Cells or None
        How the incidents were counted per cell, when there were too many
        to draw one by one (the legend explains the circles).
    """
    _set_up_axes(ax, view)
    countries = _draw_layers(ax, brief, view)
    markers, cells = draw_incidents(ax, brief.shown)
    # Furniture first, then names by importance: each takes the room it gets.
    placer = Placer(ax, renderer, markers)
    draw_north_arrow(ax, placer, layout)
    draw_scale_bar(ax, placer, view, layout)
    label_towns(ax, placer, brief.towns, layout, incident_towns=True)
    if cells is None:
        label_features(ax, placer, brief.features, layout)
    label_countries(ax, placer, countries, layout)
    label_regions(ax, placer, brief.region_labels, layout)
    label_towns(ax, placer, brief.towns, layout, incident_towns=False)
    return cells


def _set_up_axes(ax: Axes, view: tuple[float, float, float, float]) -> None:
    """Limits, sea colour and a thin frame; no ticks."""
    minx, miny, maxx, maxy = view
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("auto")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(SEA_COLOUR)
    for spine in ax.spines.values():
        spine.set_edgecolor("#8a8a8a")
        spine.set_linewidth(0.8)


def _draw_layers(
    ax: Axes, brief: Brief, view: tuple[float, float, float, float]
) -> gpd.GeoDataFrame:
    """Countries, risk shading, admin-0 outlines and borders; returns the
    countries clipped to the view, for their labels."""
    minx, miny, maxx, maxy = view
    pad_x, pad_y = (maxx - minx) * 0.05, (maxy - miny) * 0.05
    clip = (minx - pad_x, miny - pad_y, maxx + pad_x, maxy + pad_y)
    countries = _clip(brief.countries, clip)
    shading = _clip(brief.shading, clip)
    borders = _clip(brief.borders, clip)

    _add_polygons(ax, countries, facecolor=NOT_ASSESSED_COLOUR, edgecolor="none", zorder=1)
    _add_polygons(
        ax,
        shading,
        facecolor=shading["colour"].tolist(),
        edgecolor=style.ADMIN_LINE_COLOUR,
        linewidth=0.45,
        zorder=2,
    )
    _add_polygons(
        ax, countries, facecolor="none", edgecolor=ADMIN0_LINE_COLOUR, linewidth=0.9, zorder=3
    )
    # A wide pale casing under a dash-dot line: borders read as borders on
    # every fill colour, and differ from admin-0 outlines by style.
    _add_lines(ax, borders, color="white", linewidth=4.2, alpha=0.8, zorder=4)
    _add_lines(
        ax,
        borders,
        color=style.BORDER_COLOUR,
        linewidth=2.0,
        linestyle=(0, (7, 2, 1.5, 2)),
        zorder=5,
    )
    return countries


def _add_polygons(ax: Axes, frame: gpd.GeoDataFrame, facecolor: str | list[str], **kw: Any) -> None:
    """Draw polygon geometries as one collection (one path per polygon part).

    Built here rather than with GeoDataFrame.plot, which redraws the whole
    figure after every call and sets axis labels.
    """
    if not len(frame):
        return
    parts, owner = shapely.get_parts(frame.geometry.to_numpy(), return_index=True)
    polygon = shapely.get_type_id(parts) == 3
    parts, owner = parts[polygon], owner[polygon]
    paths = []
    for part in parts:  # one per polygon part: hundreds, not one per incident
        rings = [np.asarray(part.exterior.coords)[:, :2]]
        rings += [np.asarray(r.coords)[:, :2] for r in part.interiors]
        codes = [
            np.r_[Path.MOVETO, np.full(len(r) - 2, Path.LINETO), Path.CLOSEPOLY] for r in rings
        ]
        paths.append(Path(np.concatenate(rings), np.concatenate(codes).astype(np.uint8)))
    colours = facecolor if isinstance(facecolor, str) else [facecolor[i] for i in owner]
    ax.add_collection(PathCollection(paths, facecolors=colours, **kw), autolim=False)


def _add_lines(ax: Axes, frame: gpd.GeoDataFrame, **kw: Any) -> None:
    """Draw line geometries as one LineCollection."""
    if not len(frame):
        return
    parts = shapely.get_parts(frame.geometry.to_numpy())
    lines = parts[shapely.get_type_id(parts) == 1]
    segments = [np.asarray(line.coords)[:, :2] for line in lines]
    ax.add_collection(LineCollection(segments, **kw), autolim=False)


def _clip(frame: gpd.GeoDataFrame, box: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """The rows of ``frame`` that reach into ``box``, cut to it."""
    hit = frame.cx[box[0] : box[2], box[1] : box[3]]
    if not len(hit):
        return hit
    out = hit.copy()
    out["geometry"] = shapely.clip_by_rect(hit.geometry.to_numpy(), *box)
    return out[~out.geometry.is_empty]
