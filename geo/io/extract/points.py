"""Points a report describes rather than names: offsets, midpoints, area points.

A report often places an incident relative to a town ("25 km south-east of
Kidal", "between Gao and Ansongo") or only in a region. The extractor then
makes the point itself: a :class:`MadePoint` carries it with the same
attributes as a gazetteer result, so the rest of extraction treats both
alike. Distances are geodesic on the WGS84 ellipsoid (pyproj).

Compass directions (8 and 16 points, English and French, words and
abbreviations) and distance units are read here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pyproj import Geod

from geo.reference.names import fold

_GEOD = Geod(ellps="WGS84")

KM_PER_UNIT = {"km": 1.0, "kms": 1.0, "kilometre": 1.0, "kilometer": 1.0, "mile": 1.609344}

# The 16 compass points clockwise from north, in English and in French.
_POINTS_EN = (
    "north", "north-north-east", "north-east", "east-north-east",
    "east", "east-south-east", "south-east", "south-south-east",
    "south", "south-south-west", "south-west", "west-south-west",
    "west", "west-north-west", "north-west", "north-north-west",
)  # fmt: skip
_POINTS_FR = (
    "nord", "nord-nord-est", "nord-est", "est-nord-est",
    "est", "est-sud-est", "sud-est", "sud-sud-est",
    "sud", "sud-sud-ouest", "sud-ouest", "ouest-sud-ouest",
    "ouest", "ouest-nord-ouest", "nord-ouest", "nord-nord-ouest",
)  # fmt: skip
_ABBREV_EN = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
              "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")  # fmt: skip
_ABBREV_FR = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
              "S", "SSO", "SO", "OSO", "O", "ONO", "NO", "NNO")  # fmt: skip
_BEARING_BY_WORD: dict[str, float] = {}
for _k, _names in enumerate(zip(_POINTS_EN, _POINTS_FR, strict=True)):
    for _name in _names:
        _BEARING_BY_WORD[_name.replace("-", "")] = 22.5 * _k
_BEARING_BY_ABBREV = {
    a: 22.5 * k for abbrevs in (_ABBREV_EN, _ABBREV_FR) for k, a in enumerate(abbrevs)
}
# Words of a direction, for the patterns that read them: "south-east",
# "south east", "southeast", "sud-ouest", and upper-case abbreviations.
_WORD = r"(?:north|south|east|west|nord|sud|est|ouest)"
DIRECTION = rf"(?:{_WORD}(?:[\s-]?{_WORD}){{0,2}}|[NSEWO]{{1,3}})"
_ABBREV_SHAPE = re.compile(r"[NSEWO]{1,3}")


def bearing(direction: str) -> float | None:
    """Degrees clockwise from north of a compass direction, or None.

    Words are read case-insensitively ("South-East", "sud-ouest",
    "north north east"); abbreviations only in capitals ("SE", "NNO").
    """
    text = direction.strip()
    if _ABBREV_SHAPE.fullmatch(text):
        return _BEARING_BY_ABBREV.get(text)
    return _BEARING_BY_WORD.get(re.sub(r"[\s-]+", "", text.casefold()))


def compass_label(degrees: float) -> str:
    """The English abbreviation of the nearest of the 16 compass points ("SE")."""
    return _ABBREV_EN[round((degrees % 360) / 22.5) % 16]


def unit_km(unit: str) -> float | None:
    """Kilometres per one ``unit`` ("km", "kilomètres", "miles"), or None."""
    key = fold(unit).rstrip("s")
    if key in ("mi", "mile"):
        return KM_PER_UNIT["mile"]
    if key in ("km", "kilometre", "kilometer"):
        return 1.0
    return None


def offset(lat: float, lon: float, degrees: float, km: float) -> tuple[float, float]:
    """The point ``km`` from (lat, lon) on bearing ``degrees``: (lat, lon), geodesic."""
    lon2, lat2, _ = _GEOD.fwd(lon, lat, degrees, km * 1000.0)
    return float(lat2), float(lon2)


def midpoint(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    """The geodesic midpoint of two points: (lat, lon)."""
    (lon, lat), *_ = _GEOD.npts(lon1, lat1, lon2, lat2, 1)
    return float(lat), float(lon)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in km."""
    _, _, metres = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(metres) / 1000.0


@dataclass
class MadePoint:
    """A point the extractor made, shaped like a gazetteer result.

    ``name`` is what the location column shows (the place as the text
    names it); ``geo_precision`` follows ACLED (2 near or between towns, 3
    a region or a country).
    """

    name: str
    latitude: float
    longitude: float
    iso3: str
    admin1: str
    geo_precision: int
    ambiguous: bool = False
    candidates: list[dict[str, Any]] = field(default_factory=list)
    source: str = "extraction"


def made_from(result: Any, **changes: Any) -> MadePoint:
    """A :class:`MadePoint` copying a gazetteer result, with ``changes`` applied."""
    values: dict[str, Any] = {
        "name": str(result.name),
        "latitude": float(result.latitude),
        "longitude": float(result.longitude),
        "iso3": str(result.iso3),
        "admin1": str(getattr(result, "admin1", "") or ""),
        "geo_precision": int(getattr(result, "geo_precision", 1) or 1),
    }
    values.update(changes)
    return MadePoint(**values)
