"""How the map's layers look: colours, opacities and small HTML symbols.

Shared by the layers (styles, tooltips) and the legend, so that a legend
swatch always shows what the map draws.
"""

from __future__ import annotations

from geo.render.style import LEVEL_COLOURS

__all__ = [
    "AREA_LINE_COLOUR",
    "COUNTRY_LINE_COLOUR",
    "HEAT_GRADIENT",
    "LEVEL_OPACITY",
    "NOT_ASSESSED",
    "OTHER_TYPE_COLOUR",
    "country_ring",
    "dot",
    "legend_row",
    "level_opacity",
    "level_swatch",
    "line",
    "swatch",
]

NOT_ASSESSED = "Not assessed"
OTHER_TYPE_COLOUR = "#9e9e9e"
COUNTRY_LINE_COLOUR = "#7d8790"
AREA_LINE_COLOUR = "#5c6670"
# Blues to purples: a ramp that cannot be confused with the risk levels (yellow to red).
HEAT_GRADIENT = {0.2: "#c6dbef", 0.4: "#6baed6", 0.6: "#2171b5", 0.8: "#6a51a3", 1.0: "#3f007d"}

# Fill opacity by level: low risk is a light tint so that the eye goes to the
# areas that matter; the ramp's colours stay distinct at these opacities.
LEVEL_OPACITY: dict[str, float] = {
    "Low": 0.32,
    "Moderate": 0.5,
    "Elevated": 0.58,
    "High": 0.64,
    "Extreme": 0.7,
}


def level_opacity(level: str, plain: bool) -> float:
    """Fill opacity of an area at ``level`` (a little lighter over map tiles)."""
    return round(LEVEL_OPACITY.get(level, 0.0) * (1.0 if plain else 0.85), 3)


def level_swatch(level: str) -> str:
    """Legend swatch showing the level's colour as it looks on the map (over white)."""
    colour = LEVEL_COLOURS[level].lstrip("#")
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return swatch(f"background:rgba({red},{green},{blue},{level_opacity(level, True)})")


def legend_row(symbol: str, label: str, layer: str | None = None) -> str:
    """One legend line; ``layer`` ties it to a layer so it hides with that layer."""
    data = f' data-layer="{layer}"' if layer else ""
    return f'<div class="geo-row"{data}>{symbol}{label}</div>'


def swatch(style: str) -> str:
    """A filled square (an area's look)."""
    return f'<span class="geo-swatch" style="{style}"></span>'


def dot(colour: str, size: int | None = None) -> str:
    """A round dot (a marker's look)."""
    extra = f";width:{size}px;height:{size}px" if size else ""
    return f'<span class="geo-dot" style="background:{colour}{extra}"></span>'


def line(colour: str, width: float) -> str:
    """A short line (a border's or outline's look)."""
    return (
        f'<span class="geo-line" style="border-top-width:{width}px;border-color:{colour}"></span>'
    )


def country_ring(colour: str) -> str:
    """A dashed ring: the symbol of a country-level incident (``geo-country-level``)."""
    return (
        '<span class="geo-dot" style="background:#fff;border:1.6px dashed '
        f'{colour};box-shadow:none"></span>'
    )
