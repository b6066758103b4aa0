"""The map's furniture: a scale bar and a north arrow.

Both take their room from the label placer first, so no name is printed
over them.
"""

from __future__ import annotations

import math

from matplotlib.axes import Axes
from matplotlib.patches import Polygon as MplPolygon
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from geo.render.brief.labels import Placer, map_text
from geo.render.brief.layout import KM_PER_DEGREE, TEXT_COLOUR, Layout

# Scale bar lengths a reader takes in at a glance.
_NICE_KM = (5, 10, 20, 25, 50, 100, 150, 200, 250, 300, 400, 500, 750, 1000, 1500, 2000)


def _nice_km(target: float) -> int:
    """The longest round length not over ``target`` km (the shortest one at least)."""
    fits = [k for k in _NICE_KM if k <= target]
    return fits[-1] if fits else _NICE_KM[0]


def draw_scale_bar(
    ax: Axes, placer: Placer, view: tuple[float, float, float, float], layout: Layout
) -> None:
    """A four-segment scale bar, true at the map's centre latitude."""
    minx, miny, maxx, maxy = view
    lat0 = (miny + maxy) / 2
    km_per_deg = KM_PER_DEGREE * math.cos(math.radians(lat0))
    width_km = (maxx - minx) * km_per_deg
    length = _nice_km(width_km * 0.22)
    deg = length / km_per_deg
    x0 = minx + (maxx - minx) * 0.035
    y0 = miny + (maxy - miny) * 0.045
    bar_h = (maxy - miny) * 0.009
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (x0 + i * deg / 4, y0),
                deg / 4,
                bar_h,
                facecolor=TEXT_COLOUR if i % 2 == 0 else "white",
                edgecolor=TEXT_COLOUR,
                linewidth=0.8,
                zorder=10,
            )
        )
    size = layout.small_pt
    for frac, label in ((0.0, "0"), (0.5, f"{length / 2:g}"), (1.0, f"{length:g} km")):
        map_text(
            ax,
            x0 + deg * frac,
            y0 + bar_h * 1.8,
            label,
            size,
            TEXT_COLOUR,
            zorder=10,
            halo_width=2.4,
            ha="center",
            va="bottom",
        )
    lo = ax.transData.transform((x0, y0))
    hi = ax.transData.transform((x0 + deg, y0 + bar_h * 5))
    k = placer.px_per_pt()
    frame = Bbox.from_extents(lo[0] - 9 * k, lo[1] - 5 * k, hi[0] + 22 * k, hi[1] + 3 * k)
    # A pale card keeps the bar legible on any risk colour.
    to_data = ax.transData.inverted()
    (bx0, by0), (bx1, by1) = to_data.transform([(frame.x0, frame.y0), (frame.x1, frame.y1)])
    ax.add_patch(
        Rectangle(
            (bx0, by0),
            bx1 - bx0,
            by1 - by0,
            facecolor="white",
            alpha=0.75,
            edgecolor="none",
            zorder=9,
        )
    )
    placer.take(frame)


def draw_north_arrow(ax: Axes, placer: Placer, layout: Layout) -> None:
    """A north arrow in the top-right corner (the map is north-up everywhere)."""
    frame = placer.frame
    k = placer.px_per_pt()
    cx = frame.x1 - 26 * k
    top = frame.y1 - 14 * k
    h, w = 26 * k, 8 * k
    to_axes = ax.transAxes.inverted()

    def ax_xy(x: float, y: float) -> tuple[float, float]:
        p = to_axes.transform((x, y))
        return float(p[0]), float(p[1])

    tip, base_y = (cx, top - 12 * k), top - 12 * k - h
    left_half = [ax_xy(*tip), ax_xy(cx - w, base_y), ax_xy(cx, base_y + h * 0.28)]
    right_half = [ax_xy(*tip), ax_xy(cx + w, base_y), ax_xy(cx, base_y + h * 0.28)]
    ax.add_patch(
        MplPolygon(
            left_half,
            closed=True,
            transform=ax.transAxes,
            facecolor=TEXT_COLOUR,
            edgecolor=TEXT_COLOUR,
            linewidth=0.8,
            zorder=10,
        )
    )
    ax.add_patch(
        MplPolygon(
            right_half,
            closed=True,
            transform=ax.transAxes,
            facecolor="white",
            edgecolor=TEXT_COLOUR,
            linewidth=0.8,
            zorder=10,
        )
    )
    nx, ny = ax_xy(cx, top - 10 * k)
    map_text(
        ax,
        nx,
        ny,
        "N",
        layout.body_pt,
        TEXT_COLOUR,
        zorder=10,
        halo_width=2.4,
        transform=ax.transAxes,
        fontweight="bold",
        ha="center",
        va="bottom",
    )
    placer.take(Bbox.from_extents(cx - w - 6 * k, base_y - 4 * k, cx + w + 6 * k, top + 4 * k))
