"""A place named in a sentence, and what extraction needs from a gazetteer.

:class:`PlaceMention` is what :func:`geo.io.extract.places.find_places`
returns and what a candidate's place is: the words of the sentence, the
gazetteer result (or a point the extractor made from them, see
:mod:`geo.io.extract.placing`), and how that point was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class GazetteerLike(Protocol):
    """What extraction needs from :class:`geo.reference.gazetteer.Gazetteer`."""

    def lookup(self, name: object, country: object = None, admin1: object = None) -> Any: ...


@dataclass
class PlaceMention:
    """A gazetteer match (or a country name) in a sentence.

    ``result`` is a gazetteer result or a :class:`geo.io.extract.points.MadePoint`;
    it is None for a country name and for a place the text names that the
    gazetteer lacks (``said``). ``area`` is "region" or "circle" when the
    words name an admin area ("the Gao region", « cercle d'Ansongo »), and
    "qualifier" when they only say where another place is ("Tibiri (Dosso
    region)"). ``rank`` is how specific the text is about the incident
    being there (an offset 3, a road between towns 2, "near" 1, see
    :mod:`geo.io.extract.relative`). ``how`` says how the point was made,
    for the analyst's notes; ``flags`` what the analyst should check.
    """

    start: int
    end: int
    text: str
    iso3: str
    result: Any = None
    country_only: bool = False
    near: bool = False
    area: str = ""
    rank: int = 0
    said: bool = False
    how: str = ""
    flags: list[str] = field(default_factory=list)

    @property
    def unplaced(self) -> bool:
        """A place the text names that has no point (not a country name)."""
        return self.result is None and not self.country_only
