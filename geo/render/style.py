"""Colours and labels shared by the interactive map and the static briefing.

Keeping them in one module means a briefing image and the dashboard never
disagree about what a colour means.
"""

from __future__ import annotations

from geo.model.levels import LEVELS as LEVELS  # the order the colours follow

# Colours of the five risk levels (geo.model.levels): ColorBrewer YlOrRd
# (5 classes), a sequential scheme that stays ordered in greyscale print-outs.
LEVEL_COLOURS: dict[str, str] = {
    "Low": "#ffffb2",
    "Moderate": "#fecc5c",
    "Elevated": "#fd8d3c",
    "High": "#f03b20",
    "Extreme": "#bd0026",
}

# ACLED's six event types. Okabe-Ito based categorical colours: distinct for
# the common colour-vision deficiencies and distinct from the risk ramp.
EVENT_TYPE_COLOURS: dict[str, str] = {
    "Battles": "#d55e00",
    "Explosions/Remote violence": "#7b3294",
    "Violence against civilians": "#0072b2",
    "Protests": "#009e73",
    "Riots": "#e69f00",
    "Strategic developments": "#595959",
}

BORDER_COLOUR = "#1b2a6b"
ADMIN_LINE_COLOUR = "#6b6b6b"
TOWN_COLOUR = "#222222"

# Marker radius in pixels: grows with the square root of fatalities so that
# one mass-casualty event does not hide everything around it.
MARKER_MIN_RADIUS = 4.0
MARKER_MAX_RADIUS = 18.0


def marker_radius(fatalities: float) -> float:
    """Return a marker radius in pixels for a fatality count.

    >>> marker_radius(0)
    4.0
    >>> marker_radius(100) <= MARKER_MAX_RADIUS
    True
    """
    f = max(float(fatalities), 0.0)
    return min(MARKER_MIN_RADIUS + 1.4 * f**0.5, MARKER_MAX_RADIUS)


# Nouns whose plural is not the singular plus "s".
_PLURALS: dict[str, str] = {"fatality": "fatalities", "country": "countries"}


def counted(n: int | float, noun: str) -> str:
    """A count with its noun in the right number: "1 incident", "2,400 incidents".

    >>> counted(1, "incident"), counted(2400, "incident"), counted(0, "fatality")
    ('1 incident', '2,400 incidents', '0 fatalities')
    """
    word = noun if n == 1 else _PLURALS.get(noun, noun + "s")
    return f"{n:,.0f} {word}"
