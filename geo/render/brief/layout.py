"""Page geometry, limits and the colours of the briefing's map furniture.

Everything here is a fixed number the drawing modules share: changing one
changes every briefing, so they sit in one place rather than beside the code
that happens to read them first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Format = Literal["png", "pdf"]
HAlign = Literal["left", "center", "right"]
VAlign = Literal["bottom", "center", "top"]

FONT = "DejaVu Sans"  # ships with matplotlib, so every machine renders the same glyphs
PNG_DPI = 120  # 16 x 9 in at 120 dpi = 1920 x 1080 px, a full-HD slide
MIN_PNG_WIDTH = 1600
DEFAULT_ISO3 = "MLI"  # the project's focus country: the map when nothing else says where
TOP_AREAS = 8
MAX_KEY_INCIDENTS = 12
# The PDF's incident pages list at most this many (the deadliest); more would
# be a data export, not a briefing.
MAX_LISTED_INCIDENTS = 100
# The slide's short list beside the map (the PDF lists MAX_KEY_INCIDENTS).
MAX_SLIDE_INCIDENTS = 6
MAX_TOWN_LABELS = 10  # populous towns labelled besides the towns with incidents
TOWN_MIN_POPULATION = 10_000  # smaller places are labelled only when incidents name them
MIN_PT = 8.0  # smallest type on an A4 page (print legibility)
MARKER_SCALE = 1.5  # briefing markers relative to the web map's

# Map furniture colours (risk and event colours come from geo.render.style).
SEA_COLOUR = "#e3ebf1"
NOT_ASSESSED_COLOUR = "#ecebe6"
ADMIN0_LINE_COLOUR = "#505050"
TEXT_COLOUR = "#1f1f1f"
MUTED_COLOUR = "#666666"
COUNTRY_LABEL_COLOUR = "#8a8a8a"
RULE_COLOUR = "#c9c9c9"

# Marker shape and a size factor per event type, so that types differ by shape
# as well as colour (greyscale prints, colour-vision deficiencies). Factors
# even out how large the shapes look at the same nominal size.
EVENT_MARKERS: dict[str, tuple[str, float]] = {
    "Battles": ("o", 1.0),
    "Explosions/Remote violence": ("*", 2.0),
    "Violence against civilians": ("^", 1.3),
    "Protests": ("s", 0.8),
    "Riots": ("D", 0.7),
    "Strategic developments": ("P", 1.0),
}
FALLBACK_MARKER = ("o", 1.0)
FALLBACK_EVENT_COLOUR = "#7f7f7f"

KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Layout:
    """Page geometry in inches (from the top-left) and type sizes in points."""

    size: tuple[float, float]
    dpi: int
    margin: float
    map_box: tuple[float, float, float, float]  # left, top, width, height
    panel_box: tuple[float, float, float, float]
    # Under the map: key judgements (or key incidents) and the coverage caveat.
    notes_box: tuple[float, float, float, float]
    title_pt: float
    subtitle_pt: float
    heading_pt: float
    body_pt: float
    small_pt: float
    town_pt: float
    country_pt: float
    row_pt: float  # table row pitch
    table_rows: int
    towns: int


PNG_LAYOUT = Layout(
    size=(16.0, 9.0),
    dpi=PNG_DPI,
    margin=0.4,
    map_box=(0.4, 1.3, 9.9, 4.9),
    panel_box=(10.75, 1.3, 4.85, 7.05),
    notes_box=(0.4, 6.45, 9.9, 1.9),
    title_pt=25,
    subtitle_pt=13,
    heading_pt=13,
    body_pt=11,
    small_pt=9,
    town_pt=10.5,
    country_pt=12.5,
    row_pt=22,
    table_rows=TOP_AREAS,
    towns=MAX_TOWN_LABELS,
)
PDF_LAYOUT = Layout(
    size=(11.69, 8.27),  # A4 landscape
    dpi=200,
    margin=0.4,
    map_box=(0.4, 1.1, 6.45, 4.1),
    panel_box=(7.1, 1.1, 4.19, 6.45),
    notes_box=(0.4, 5.4, 6.45, 2.15),
    # Nothing under 8 pt: the page is read printed, at arm's length.
    title_pt=18,
    subtitle_pt=10,
    heading_pt=10,
    body_pt=8.5,
    small_pt=8,
    town_pt=8.5,
    country_pt=9.5,
    row_pt=15.5,
    table_rows=TOP_AREAS,
    towns=8,
)
