"""The digest's small static map: the week's incidents, the areas that alerted, sites.

Drawn with matplotlib (Agg) from the local boundary layers, like the
briefing (:mod:`geo.render.brief`), whose view fitting, colours and page
colours it shares: no tiles, no network. Incidents are coloured by event
type and sized by fatalities; areas with an alert are shaded; the team's
sites are drawn only when the digest carries them.
"""

from __future__ import annotations

import io
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.path import Path

from geo.analysis.watch import WeekDigest
from geo.render import style
from geo.render.brief.basemap import fit_view
from geo.render.brief.layout import (
    ADMIN0_LINE_COLOUR,
    DEFAULT_ISO3,
    FALLBACK_EVENT_COLOUR,
    MUTED_COLOUR,
    NOT_ASSESSED_COLOUR,
    SEA_COLOUR,
)
from geo.render.brief.text import clean

__all__ = ["ALERT_FILL", "draw_week_map", "map_layers", "map_png"]

ALERT_FILL = "#fdbb84"  # an area with an alert this week
_PAD_DEG = 2.5
_PLACE_LABELS = 8  # the most deadly incidents' places are named
_SIZE_IN = (7.0, 4.6)


def map_layers(
    digest: WeekDigest,
    areas: gpd.GeoDataFrame | None = None,
    admin0: gpd.GeoDataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Admin-1 areas of the week's countries and the country outlines (shipped by default)."""
    from geo.reference import boundaries

    if areas is None:
        codes = sorted(set(digest.incidents["iso3"].dropna()) - {""}) or [DEFAULT_ISO3]
        areas = boundaries.load_admin1(iso3=codes)
    if admin0 is None:
        admin0 = boundaries.load_admin0()
    return areas, admin0


def map_png(
    digest: WeekDigest,
    areas: gpd.GeoDataFrame | None = None,
    admin0: gpd.GeoDataFrame | None = None,
    dpi: int = 110,
) -> bytes:
    """The map as PNG bytes (7 x 4.6 in)."""
    areas, admin0 = map_layers(digest, areas, admin0)
    fig = Figure(figsize=_SIZE_IN, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    draw_week_map(ax, digest, areas, admin0, _SIZE_IN)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def draw_week_map(
    ax: Axes,
    digest: WeekDigest,
    areas: gpd.GeoDataFrame,
    admin0: gpd.GeoDataFrame,
    size_in: tuple[float, float],
) -> None:
    """Draw the week's map on ``ax`` (``size_in``: the axes' size, for the aspect)."""
    points = _points(digest)
    view = fit_view(_bounds(points, areas, digest), *size_in)
    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(SEA_COLOUR)
    _polygons(ax, admin0, facecolor=NOT_ASSESSED_COLOUR, edgecolor="none", zorder=1)
    alerted = set(digest.alerts["area"]) if len(digest.alerts) else set()
    hit = areas[areas["area"].isin(alerted)]
    _polygons(ax, areas, facecolor="none", edgecolor=style.ADMIN_LINE_COLOUR, lw=0.4, zorder=3)
    _polygons(ax, hit, facecolor=ALERT_FILL, edgecolor="none", zorder=2)
    _polygons(ax, admin0, facecolor="none", edgecolor=ADMIN0_LINE_COLOUR, lw=0.9, zorder=4)
    for _, row in hit.iterrows():  # the alerted areas: a handful
        spot = row.geometry.representative_point()
        ax.text(
            spot.x,
            spot.y,
            clean(row["area"]),
            fontsize=8,
            color="#7a3300",
            ha="center",
            zorder=6,
            parse_math=False,
        )
    _incidents(ax, points)
    _place_labels(ax, points)
    _sites(ax, digest)
    ax.text(
        0.01,
        0.01,
        "Boundaries: Natural Earth (public domain)",
        transform=ax.transAxes,
        fontsize=6,
        color=MUTED_COLOUR,
        zorder=8,
        bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.5},
        parse_math=False,
    )


def _points(digest: WeekDigest) -> pd.DataFrame:
    rows = digest.incidents
    lon = pd.to_numeric(rows["longitude"], errors="coerce")
    lat = pd.to_numeric(rows["latitude"], errors="coerce")
    ok = lon.notna() & lat.notna()
    return pd.DataFrame(
        {
            "lon": lon[ok],
            "lat": lat[ok],
            "event_type": rows.loc[ok, "event_type"].astype(str),
            "location": rows.loc[ok, "location"].astype(str),
            "fatalities": pd.to_numeric(rows.loc[ok, "fatalities"]).fillna(0),
        }
    )


def _bounds(
    points: pd.DataFrame, areas: gpd.GeoDataFrame, digest: WeekDigest
) -> tuple[float, float, float, float]:
    """The week's incidents (and sites) with a margin; else the areas drawn."""
    xs, ys = list(points["lon"]), list(points["lat"])
    if digest.sites is not None and len(digest.sites) and xs:
        cx, cy = np.mean(xs), np.mean(ys)
        near = digest.sites.geometry.representative_point()
        close = (abs(near.x - cx) < 5) & (abs(near.y - cy) < 5)
        xs += list(near.x[close])
        ys += list(near.y[close])
    if not xs:
        x0, y0, x1, y1 = (float(v) for v in areas.total_bounds)
        return x0, y0, x1, y1
    return (min(xs) - _PAD_DEG, min(ys) - _PAD_DEG, max(xs) + _PAD_DEG, max(ys) + _PAD_DEG)


def _incidents(ax: Axes, points: pd.DataFrame) -> None:
    if points.empty:
        return
    colours = [style.EVENT_TYPE_COLOURS.get(t, FALLBACK_EVENT_COLOUR) for t in points["event_type"]]
    sizes = [(style.marker_radius(f) * 1.6) ** 2 for f in points["fatalities"]]
    order = np.argsort(-points["fatalities"].to_numpy(), kind="stable")  # small ones on top
    ax.scatter(
        points["lon"].to_numpy()[order],
        points["lat"].to_numpy()[order],
        s=np.asarray(sizes)[order],
        c=np.asarray(colours)[order],
        edgecolors="white",
        linewidths=0.8,
        alpha=0.9,
        zorder=5,
    )
    present = [t for t in style.EVENT_TYPE_COLOURS if t in set(points["event_type"])]
    handles = [
        Line2D([], [], marker="o", ls="", color=style.EVENT_TYPE_COLOURS[t], label=t)
        for t in present
    ]
    if handles:
        ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.85)


def _place_labels(ax: Axes, points: pd.DataFrame) -> None:
    """Names of the places of the deadliest incidents (the list is sorted that way)."""
    named = points.drop_duplicates("location").head(_PLACE_LABELS)
    for place, x, y in zip(named["location"], named["lon"], named["lat"], strict=True):
        ax.annotate(
            clean(place),
            (x, y),
            xytext=(6, 4),
            textcoords="offset points",
            fontsize=7.5,
            color="#1f1f1f",
            zorder=7,
            annotation_clip=True,
            parse_math=False,
        )


def _sites(ax: Axes, digest: WeekDigest) -> None:
    sites = digest.sites
    if sites is None or not len(sites):
        return
    where = sites.geometry.representative_point()
    ax.scatter(where.x, where.y, marker="^", s=60, c="black", edgecolors="white", zorder=7)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for name, x, y in zip(sites["name"], where.x, where.y, strict=True):
        if x0 <= x <= x1 and y0 <= y <= y1:
            # Below-right of the triangle: incident names sit above-right.
            ax.annotate(
                clean(name),
                (x, y),
                xytext=(6, -5),
                textcoords="offset points",
                va="top",
                fontsize=7,
                fontstyle="italic",
                zorder=7,
                parse_math=False,
            )


def _polygons(ax: Axes, frame: gpd.GeoDataFrame, **kw: Any) -> None:
    """Polygon rings as one collection (one path per polygon part)."""
    if not len(frame):
        return
    parts = shapely.get_parts(frame.geometry.to_numpy())
    parts = parts[shapely.get_type_id(parts) == 3]
    paths = []
    for part in parts:  # polygon parts of the layers: hundreds at most
        rings = [part.exterior, *part.interiors]
        verts = np.concatenate([np.asarray(r.coords)[:, :2] for r in rings])
        codes = np.concatenate(
            [[Path.MOVETO] + [Path.LINETO] * (len(r.coords) - 2) + [Path.CLOSEPOLY] for r in rings]
        )
        paths.append(Path(verts, codes.astype(np.uint8)))
    ax.add_collection(PathCollection(paths, **kw), autolim=False)
