"""Which of a sentence's places is the incident's, and places settled across a post.

:func:`geo.io.extract.candidates.choose_place` weighs each place by its
distance to the event word; :func:`context_cost` adds what the words around
it say (a stated offset or road beats a bare name, a region stands back for
any town, a town people fled to or a source spoke from is not where it
happened). :func:`nearest_homonym` picks, among places of one name, the one
near the other places of the report; :func:`settle_places` gives a
candidate with only a country its country-level point once the whole post
is read.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from geo.io.extract import areas
from geo.io.extract.mentions import PlaceMention
from geo.io.extract.points import MadePoint, distance_km, made_from

# Weights in characters of distance to the event word: how much closer a
# bare town must be to beat a place the text states more precisely.
RANK_WEIGHT = 50
AREA_COST = 150
ELSEWHERE_COST = 80

# "fled towards Bankass", "flown to Gao", « vers Dori »: where people went.
_MOVED_TO = re.compile(
    r"\b(?:towards?|fled(?:\s+to)?|flown\s+to|taken\s+to|evacuated\s+to|transferred\s+to"
    r"|moved\s+to|returned\s+to|back\s+to|heading\s+(?:\w+\s+)?(?:to|towards?)|bound\s+for"
    r"|vers|en\s+direction\s+(?:de|d['’]))\s+(?:the\s+|la\s+|le\s+)?(?:\w+\s+)?$",
    re.I,
)
# "a military source in Gao", "the governor in Dori said": where it was said.
_SAID_FROM = re.compile(
    r"\b(?:sources?|officials?|spokes(?:man|woman|person)|correspondents?|reporters?"
    r"|journalists?|authorities|governor|statement|communiqué|source)\s+(?:\w+\s+)?"
    r"(?:in|at|from|based\s+in|à)\s+$",
    re.I,
)
# Places of one name farther apart than this are told apart by the report's
# other places; a switch needs the other candidate to be clearly nearer.
_HOMONYM_SWITCH = 0.5


def context_cost(place: PlaceMention, sentence: str) -> float:
    """What the words around a place add to its cost as the incident's place."""
    before = sentence[max(0, place.start - 40) : place.start]
    cost = -RANK_WEIGHT * place.rank
    if place.area:
        cost += AREA_COST
    if _MOVED_TO.search(before) or _SAID_FROM.search(before):
        cost += ELSEWHERE_COST
    return cost


def anchors(places: Iterable[PlaceMention | None]) -> list[tuple[float, float]]:
    """Points of the unambiguous gazetteer places among ``places``."""
    out = []
    for place in places:
        if place is None or place.result is None or place.country_only or place.area:
            continue
        if getattr(place.result, "ambiguous", False):
            continue
        out.append((float(place.result.latitude), float(place.result.longitude)))
    return out


def _closest(lat: float, lon: float, points: list[tuple[float, float]]) -> float:
    return min(distance_km(lat, lon, a, b) for a, b in points)


def nearest_homonym(place: PlaceMention, points: list[tuple[float, float]]) -> PlaceMention:
    """Among places of the mention's name, the one near the report's other places.

    Only a gazetteer result marked ambiguous, with candidates, changes; the
    other candidate must be less than half as far from the nearest other
    place as the gazetteer's choice.
    """
    result = place.result
    options = list(getattr(result, "candidates", None) or [])
    if not points or isinstance(result, MadePoint) or len(options) < 2:
        return place
    if not getattr(result, "ambiguous", False):
        return place
    current = _closest(float(result.latitude), float(result.longitude), points)
    best = min(options, key=lambda c: _closest(c["latitude"], c["longitude"], points))
    if _closest(best["latitude"], best["longitude"], points) >= _HOMONYM_SWITCH * current:
        return place
    chosen = made_from(
        result, name=str(best["name"]), latitude=float(best["latitude"]),
        longitude=float(best["longitude"]), iso3=str(best["iso3"]),
        admin1=str(best.get("admin1") or ""),
    )  # fmt: skip
    how = (
        f"{place.text}: of {len(options)} places of that name, the one nearest the report's"
        " other places"
    )
    return dataclasses.replace(place, result=chosen, iso3=chosen.iso3, how=how)


def refines(current: PlaceMention | None, offered: PlaceMention) -> bool:
    """Whether a place a later sentence names should replace the candidate's.

    Any place does when the candidate has none; a village the text names
    with that region or circle ("an attack on a village of the Bankass
    circle", then "the village of X, Bankass circle, Mopti region") does
    when the candidate has only the region: X, kept with its own name and
    flags. A town merely named in a later sentence ("access to the
    Bandiagara plateau") does not.
    """
    if current is None:
        return True
    if current.area not in ("region", "circle") or not offered.said or offered.area:
        return False
    if offered.iso3 != current.iso3 or current.result is None:
        return False
    if offered.result is None:
        return True  # a village the gazetteer lacks: its name at least
    region = areas.region_of_place(offered.result)
    return region is not None and region.area == str(current.result.admin1)


def _country_level(iso3: str) -> PlaceMention | None:
    point = areas.country(iso3)
    if point is None:
        return None
    result = MadePoint(point.area, point.latitude, point.longitude, iso3, "", 3)
    return PlaceMention(
        0, 0, point.area, iso3, result,
        how=f"country-level: only the country ({point.area}) is known; its representative point",
        flags=[f"country-level: only the country ({point.area}) is known; placed at its"
               " representative point (precision 3)"],
    )  # fmt: skip


def settle_places(candidates: list[Any]) -> list[Any]:
    """Settle the places of a post's candidates once the whole post is read.

    Of several places of one name, the one near the post's other places is
    kept (:func:`nearest_homonym`). A candidate with a country but no place
    gets its country-level point: run after the post is read, so that a
    place a following sentence gives is taken first; a village the
    gazetteer lacks stays unplaced for review.
    """
    for cand in candidates:
        if cand.place is not None:
            points = anchors(c.place for c in candidates if c is not cand)
            cand.place = nearest_homonym(cand.place, points)
            continue
        if not cand.country_iso3 or cand.missing_places:
            continue
        place = _country_level(cand.country_iso3)
        if place is not None:
            cand.place, cand.place_how = place, "country"
    return candidates
