"""Drawing on the briefing's page in inches from its top-left corner.

Page furniture (titles, tables, legends, lists) is laid out like print, in
inches down the page, while matplotlib's figure coordinates run from 0 to 1
upwards; :class:`Page` does that conversion and measures text, so the layout
code reads like the page it draws. Every text is created with math parsing
and TeX off: report text is untrusted and a ``$`` is a dollar sign.
"""

from __future__ import annotations

import math
from typing import Any

from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from geo.render.brief.layout import (
    EVENT_MARKERS,
    FALLBACK_MARKER,
    RULE_COLOUR,
    TEXT_COLOUR,
    Layout,
)


class Page:
    """Figure helpers working in inches from the top-left corner."""

    def __init__(self, fig: Figure, renderer: RendererBase, layout: Layout) -> None:
        self.fig = fig
        self.renderer = renderer
        self.w, self.h = layout.size
        self._widths: dict[tuple[str, float], float] = {}
        self._fonts: dict[tuple[float, str], FontProperties] = {}

    def fx(self, x_in: float) -> float:
        """Figure x (0 to 1) of ``x_in`` inches from the left edge."""
        return x_in / self.w

    def fy(self, y_in: float) -> float:
        """Figure y (0 to 1) of ``y_in`` inches down from the top edge."""
        return 1.0 - y_in / self.h

    def text(self, x_in: float, y_in: float, s: str, size: float, **kw: Any) -> Text:
        """Print ``s`` literally, baseline at ``y_in`` (``kw``: matplotlib Text options)."""
        kw.setdefault("color", TEXT_COLOUR)
        kw.setdefault("va", "baseline")
        return self.fig.text(
            self.fx(x_in), self.fy(y_in), s, fontsize=size, parse_math=False, usetex=False, **kw
        )

    def width_in(self, s: str, size: float, weight: str = "normal") -> float:
        """Width of ``s`` in inches as it would print.

        Measured by the renderer directly (a Text artist per measurement
        costs several times more, and the incident pages measure thousands).
        """
        key = (size, weight)
        if key not in self._fonts:
            self._fonts[key] = FontProperties(size=size, weight=weight)
        width, _h, _d = self.renderer.get_text_width_height_descent(
            s, self._fonts[key], ismath=False
        )
        return float(width) / self.fig.dpi

    def fit(self, s: str, size: float, width: float, weight: str = "normal") -> str:
        """``s`` cut with an ellipsis so it fits ``width`` inches."""
        if self.width_in(s, size, weight) <= width:
            return s
        lo, hi = 0, len(s)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.width_in(s[:mid].rstrip() + "…", size, weight) <= width:
                lo = mid
            else:
                hi = mid - 1
        return s[:lo].rstrip(" ,;:-") + "…"

    def wrap(self, s: str, size: float, width: float) -> list[str]:
        """Greedy word wrap of ``s`` to lines of at most ``width`` inches.

        A line's width is the sum of its words' and spaces' widths, each word
        measured once per size: an incident list wraps hundreds of notes, and
        measuring every growing line would cost a text layout per word.
        """
        space = self._measure("x x", size) - self._measure("xx", size)
        lines: list[str] = []
        used = 0.0
        for word in s.split():
            w = self._measure(word, size)
            if lines and used + space + w <= width:
                lines[-1] = f"{lines[-1]} {word}"
                used += space + w
            else:
                lines.append(word)
                used = w
        return lines

    def _measure(self, word: str, size: float) -> float:
        """:meth:`width_in` of ``word``, remembered per size."""
        key = (word, size)
        if key not in self._widths:
            self._widths[key] = self.width_in(word, size)
        return self._widths[key]

    def rule(
        self, x0: float, x1: float, y: float, colour: str = RULE_COLOUR, lw: float = 0.8
    ) -> None:
        """A horizontal line from ``x0`` to ``x1`` at ``y`` (inches)."""
        self.fig.add_artist(
            Line2D(
                [self.fx(x0), self.fx(x1)],
                [self.fy(y), self.fy(y)],
                transform=self.fig.transFigure,
                color=colour,
                linewidth=lw,
            )
        )

    def rect(self, x: float, y: float, w: float, h: float, colour: str, edge: str = "none") -> None:
        """A filled box with its top-left corner at (``x``, ``y``) inches."""
        self.fig.add_artist(
            Rectangle(
                (self.fx(x), self.fy(y + h)),
                w / self.w,
                h / self.h,
                transform=self.fig.transFigure,
                facecolor=colour,
                edgecolor=edge,
                linewidth=0.5,
            )
        )

    def marker(self, x: float, y: float, etype: str, size_pt: float, colour: str) -> None:
        """The map symbol of event type ``etype`` centred at (``x``, ``y``) inches."""
        shape, factor = EVENT_MARKERS.get(etype, FALLBACK_MARKER)
        self.fig.add_artist(
            Line2D(
                [self.fx(x)],
                [self.fy(y)],
                transform=self.fig.transFigure,
                marker=shape,
                markersize=size_pt * math.sqrt(factor),
                markerfacecolor=colour,
                markeredgecolor="white",
                markeredgewidth=0.6,
                linestyle="none",
            )
        )
