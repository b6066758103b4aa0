"""Places read in their sentence: regions, qualifiers, relative places, unknown villages.

:func:`place_in_context` takes the gazetteer matches of a sentence
(:func:`geo.io.extract.places.find_places`) and reads what the words around
them say:

1. **Admin areas.** "the Gao region", « région de Tombouctou », "Bankass
   circle", "Soum province" name an area, not a town: a region stands for
   itself (its representative point, geo_precision 3), a circle for the
   region its seat town lies in.
2. **Villages the gazetteer lacks** that the text calls a place ("the
   village of X", "X, in the Y region", "near X") are kept as mentions
   without a point (``said``), so they are never replaced by another town.
3. **Qualifiers** after a name ("X, in the Ségou region", "X (Kidal)",
   "X, Mopti region", « X, dans la région de Y », "X, east of Y") pick
   between places of the same name; a village that is not in the named
   region, or not in the gazetteer at all, is placed at the region's
   representative point (precision 3, flagged), the location keeping the
   name as written.
4. **Relative places** (:mod:`geo.io.extract.relative`): an offset ("25 km
   south-east of Kidal") moves the point geodesically; "between A and B"
   takes the midpoint; "near X", "on the road to X", "in the X area" keep
   X's point; all at geo_precision 2 with a note on how the point was made.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from geo.io.extract import areas
from geo.io.extract.mentions import GazetteerLike, PlaceMention
from geo.io.extract.points import MadePoint, compass_label, made_from, midpoint, offset
from geo.io.extract.qualifiers import LEVEL_NAME, Qualifier, level_of, qualifier_after
from geo.io.extract.relative import Relation, joins_pair, relation_before, road_word_near
from geo.reference.countries import country_names
from geo.reference.names import fold

# Capitalised names the gazetteer did not match: one to three words, not
# glued to a word before them (the "A" of "d'Anéfis" starts a name).
_NAME = re.compile(r"(?<![\w-])[A-ZÀ-ÖØ-Þ][\w'’-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]*){0,2}")
_PLACE_NOUN_BEFORE = re.compile(
    r"\b(?:village|town|hamlet|locality|settlement|commune|localité|hameau|bourgade|ville)"
    r"\s+(?:of\s+|de\s+|d['’]\s*)$",
    re.I,
)
_BETWEEN_BEFORE = re.compile(
    r"\b(?:between|entre)\s+(?:(?:the\s+)?[\w'’-]+(?:\s+[\w'’-]+){0,2}\s+(?:and|et)\s+)?$",
    re.I,
)
_ADMIN_BEFORE = re.compile(
    r"\b(?P<level>region|province|circle|cercle|r[ée]gion|d[ée]partement|department|district"
    r"|prefecture|pr[ée]fecture)\s+(?:of\s+(?:the\s+)?|de\s+la\s+|de\s+l['’]\s*|du\s+|de\s+"
    r"|d['’]\s*)$",
    re.I,
)
_ADMIN_AFTER = re.compile(
    r"^\s+(?P<level>region|province|circle|cercle|district|department|prefecture)\b", re.I
)


@dataclass
class Sentence:
    """A sentence and what its places are read against."""

    text: str
    gaz: GazetteerLike
    focus: str
    skip: list[tuple[int, int]]
    is_name: Callable[[str], bool]

    def lookup(self, name: str, iso3: str = "", admin1: str | None = None) -> Any:
        """The gazetteer's place, in ``iso3`` (else the focus country) first."""
        country = iso3 or self.focus
        result = self.gaz.lookup(name, country=country, admin1=admin1) if country else None
        if result is None and not iso3:
            result = self.gaz.lookup(name)
        return result


@dataclass
class _Hints:
    """What a qualifier says: a country, a region, a place it is near, as words."""

    iso3: str = ""
    region: areas.AreaPoint | None = None
    anchor: Any = None
    words: str = ""
    relation: Relation | None = None


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(a < end and start < b for a, b in spans)


def _region_point(name: str, region: areas.AreaPoint, precision: int = 3) -> MadePoint:
    return MadePoint(name, region.latitude, region.longitude, region.iso3, region.area, precision)


# --------------------------------------------------------------------------
# 1. Admin areas


def _area_result(ctx: Sentence, name: str, level: str, result: Any) -> tuple[Any, str]:
    """The point for an admin area the text names, and how it was made."""
    iso3 = str(getattr(result, "iso3", "") or ctx.focus)
    if level_of(level) == 1:
        region = areas.region(name, iso3)
        if region is not None:
            return _region_point(region.area, region), (
                f"the {region.area} {level}: its representative point (precision 3)"
            )
    elif result is not None:
        region = areas.region_of_place(result)
        if region is not None:
            return _region_point(f"{name} {level}", region), (
                f"{name} {level} lies in {region.area}: the region's representative point"
                " (precision 3)"
            )
    if result is None:
        return None, ""
    return made_from(result, geo_precision=3), (
        f"the {name} {level} is not in the admin-1 layer: the point of its namesake town"
        " (precision 3)"
    )


def _mark_area(ctx: Sentence, mention: PlaceMention) -> None:
    """Turn a mention that names an admin area into a region-level place."""
    said = _ADMIN_AFTER.match(ctx.text[mention.end :]) or _ADMIN_BEFORE.search(
        ctx.text[max(0, mention.start - 40) : mention.start]
    )
    if said is None:
        return
    level = said.group("level").casefold()
    result, how = _area_result(ctx, mention.text, level, mention.result)
    if result is None:
        return
    mention.area = "region" if level_of(level) == 1 else "circle"
    mention.result, mention.how, mention.iso3, mention.near = result, how, result.iso3, False


def _area_mentions(ctx: Sentence, found: list[PlaceMention]) -> list[PlaceMention]:
    """Admin areas the gazetteer has no town for ("the Yagha province", "région de Mopti")."""
    out: list[PlaceMention] = []
    spans = [(p.start, p.end) for p in found] + ctx.skip
    for match in LEVEL_NAME.finditer(ctx.text):
        key = "1" if match.group("name1") else "2"
        start, end = match.span(f"name{key}")
        if _overlaps(start, end, spans):
            continue
        name, level = match.group(f"name{key}"), match.group(f"level{key}").casefold()
        if level_of(level) != 1 or not ctx.is_name(name):
            continue
        result, how = _area_result(ctx, name, level, None)
        if result is not None:
            mention = PlaceMention(start, end, name, result.iso3, result, area="region", how=how)
            out.append(mention)
    return out


# --------------------------------------------------------------------------
# 2. Villages the gazetteer lacks


def _said_place(ctx: Sentence, start: int, end: int, name: str) -> bool:
    """Whether the text calls an unmatched name a place."""
    before = ctx.text[max(0, start - 40) : start]
    if _PLACE_NOUN_BEFORE.search(before):
        return True
    qualifier = qualifier_after(ctx.text, end, unknown=True)
    if qualifier is not None and (qualifier.pairs or qualifier.anchor):
        return True
    # "near X", "30 km north of X", "between X and Y": an acronym there is
    # an organisation's camp, and "around" also comes before times and feasts.
    if name.isupper():
        return False
    if _BETWEEN_BEFORE.search(before):
        return True
    relation = relation_before(ctx.text, start, end)
    return relation is not None and not relation.phrase.casefold().startswith("around")


def _said_places(ctx: Sentence, found: list[PlaceMention]) -> list[PlaceMention]:
    spans = [(p.start, p.end) for p in found] + ctx.skip
    out: list[PlaceMention] = []
    for match in _NAME.finditer(ctx.text):
        start, end = match.span()
        name = match.group(0)
        if _overlaps(start, end, spans) or not ctx.is_name(name):
            continue
        if _said_place(ctx, start, end, name):
            out.append(PlaceMention(start, end, name, ctx.focus, None, said=True))
    return out


def _road_pairs(ctx: Sentence, found: list[PlaceMention]) -> list[PlaceMention]:
    """The two towns of a hyphenated road name ("the Dori-Sebba axis", « l'axe Gao-Ansongo »)."""
    spans = [(p.start, p.end) for p in found] + ctx.skip
    out: list[PlaceMention] = []
    for match in re.finditer(
        r"(?<![\w-])([A-ZÀ-ÖØ-Þ][\w'’]+)-([A-ZÀ-ÖØ-Þ][\w'’]+)(?![\w-])", ctx.text
    ):
        if _overlaps(match.start(), match.end(), spans):
            continue
        if not road_word_near(ctx.text, match.start(), match.end()):
            continue
        parts = []
        for k in (1, 2):
            result = ctx.lookup(match.group(k))
            iso3 = str(result.iso3) if result is not None else ctx.focus
            parts.append(
                PlaceMention(match.start(k), match.end(k), match.group(k), iso3, result,
                             said=result is None)
            )  # fmt: skip
        if any(p.result is not None for p in parts):
            out += parts
    return out


# --------------------------------------------------------------------------
# 3. Qualifiers


def _country_in(names: list[str]) -> str:
    countries = country_names()
    return next((countries[fold(n)] for n in names if fold(n) in countries), "")


def _qualifier_region(ctx: Sentence, q: Qualifier, iso3: str) -> areas.AreaPoint | None:
    """The region a qualifier names: its outermost region, else the region of its circle."""
    hint = iso3 or ctx.focus
    for level, name in reversed(q.pairs):
        if level_of(level) == 1:
            found = areas.region(name, hint)
            if found is not None:
                return found
    for level, name in q.pairs:
        if level_of(level) == 2:
            seat = ctx.lookup(name, iso3)
            if seat is not None:
                return areas.region_of_place(seat)
    countries = country_names()
    for name in q.bare:
        if fold(name) in countries:
            continue  # "in western Niger" is the country, not Nigeria's Niger State
        found = areas.region(name, hint)
        if found is not None:
            return found
    return None


def _hints(ctx: Sentence, q: Qualifier) -> _Hints:
    iso3 = _country_in(q.bare + [name for _, name in q.pairs])
    region = _qualifier_region(ctx, q, iso3)
    anchor = ctx.lookup(q.anchor, iso3) if q.anchor else None
    if region is None and anchor is None and len(q.bare) == 1 and not iso3:
        anchor = ctx.lookup(q.bare[0])  # "Tin-Essako (Kidal)": a town in brackets
    iso3 = iso3 or (region.iso3 if region else "") or str(getattr(anchor, "iso3", "") or "")
    return _Hints(iso3, region, anchor, q.text, q.relation)


def _fallback_to_region(mention: PlaceMention, hints: _Hints, why: str) -> None:
    """Place a village the gazetteer cannot place at its region's point, flagged."""
    region = hints.region
    if region is None:
        mention.result, mention.said = None, True
        mention.iso3 = hints.iso3 or mention.iso3
        mention.flags.append(f"place '{mention.text}' {why}: left without coordinates")
        return
    mention.result = _region_point(mention.text, region)
    mention.iso3, mention.said, mention.near = region.iso3, True, False
    mention.how = f"{mention.text} ({hints.words}) {why}: the {region.area} region's point"
    mention.flags.append(
        f"place '{mention.text}' {why}: placed at the {region.area} region's representative"
        " point (precision 3)"
    )


def _nearest_candidate(result: Any, lat: float, lon: float) -> Any:
    """The candidate place of ``result`` nearest a point (a homonym near the anchor)."""
    options = list(getattr(result, "candidates", None) or [])
    if len(options) < 2:
        return result
    best = min(options, key=lambda c: (c["latitude"] - lat) ** 2 + (c["longitude"] - lon) ** 2)
    return made_from(result, name=str(best["name"]), latitude=float(best["latitude"]),
                     longitude=float(best["longitude"]), iso3=str(best["iso3"]),
                     admin1=str(best.get("admin1") or ""))  # fmt: skip


def _from_anchor(mention: PlaceMention, anchor: Any, relation: Relation | None) -> None:
    """Place a village the gazetteer lacks where the text puts it relative to a town.

    "X, a village 30 km north of Gao": the offset from Gao; "X (Kidal)",
    "X, near Gao": Gao's point at precision 2.
    """
    stand_in = PlaceMention(mention.start, mention.end, str(anchor.name), str(anchor.iso3), anchor)
    _relate(stand_in, relation or Relation("near", mention.end, "near"))
    mention.result = made_from(stand_in.result, name=mention.text)
    mention.iso3, mention.rank, mention.said = str(anchor.iso3), stand_in.rank, True
    mention.how = f"{mention.text} is not in the gazetteer: {stand_in.how}"
    mention.flags.append(f"place '{mention.text}' is not in the gazetteer: {stand_in.how}")


def _apply_hints(ctx: Sentence, mention: PlaceMention, hints: _Hints) -> None:
    region = hints.region
    if mention.result is None:
        if region is not None or hints.anchor is None:
            _fallback_to_region(mention, hints, "is not in the gazetteer")
        else:
            _from_anchor(mention, hints.anchor, hints.relation)
        return
    admin1 = region.area if region is not None else None
    found = ctx.lookup(mention.text, hints.iso3, admin1) if hints.iso3 else mention.result
    if region is not None and (
        found is None or not areas.contains(region, float(found.latitude), float(found.longitude))
    ):
        _fallback_to_region(mention, hints, f"is not in the gazetteer in {region.area}")
        return
    if found is None:
        _fallback_to_region(mention, hints, "is not in the gazetteer in that country")
        return
    if hints.anchor is not None and region is None:
        found = _nearest_candidate(
            found, float(hints.anchor.latitude), float(hints.anchor.longitude)
        )
    elif region is not None and getattr(found, "ambiguous", False):
        # The region the text gives has settled which place of that name it is.
        found = made_from(found)
        mention.how = f"{mention.text}: the one in {region.area} ({hints.words})"
    mention.result, mention.iso3 = found, str(found.iso3)


def _qualify(ctx: Sentence, mention: PlaceMention, mentions: list[PlaceMention]) -> bool:
    """Read the qualifier after a mention, if any; True when there was one."""
    q = qualifier_after(ctx.text, mention.end, unknown=mention.result is None)
    if q is None:
        return False
    if q.relation is not None and relation_before(ctx.text, mention.start, mention.end):
        # "on the road to Ansongo, 25 km south-east of Gao": after a town
        # that is itself only a direction, such words place the incident.
        return False
    for other in mentions:
        if other is not mention and q.start <= other.start and other.end <= q.end:
            other.area = "qualifier"
    _apply_hints(ctx, mention, _hints(ctx, q))
    return True


def _qualify_all(ctx: Sentence, mentions: list[PlaceMention]) -> None:
    """Qualify each town; the same name said again in the sentence means the same place.

    "Gao (Ziro province): gunmen attacked the post in Gao": the second Gao
    is the first one, wherever the report's main country has a Gao.
    """
    settled: dict[str, PlaceMention] = {}
    for mention in mentions:
        if mention.country_only or mention.area:
            continue
        if _qualify(ctx, mention, mentions):
            settled.setdefault(fold(mention.text), mention)
    for mention in mentions:
        first = settled.get(fold(mention.text))
        if first is None or first is mention or mention.area or mention.country_only:
            continue
        mention.result, mention.iso3, mention.said = first.result, first.iso3, first.said
        mention.how, mention.flags = first.how, list(first.flags)


# --------------------------------------------------------------------------
# 4. Relative places


def _relate(mention: PlaceMention, rel: Relation) -> None:
    """Make the point a relation states, from the mention's own point."""
    mention.rank = rel.rank
    result = mention.result
    if result is None or int(getattr(result, "geo_precision", 1) or 1) >= 3:
        if result is None:
            mention.flags.append(f"'{rel.phrase} {mention.text}': {mention.text} has no point")
        return
    name = str(result.name)
    precision = max(2, int(getattr(result, "geo_precision", 1) or 1))
    mention.near = False
    km = f"{rel.km:.1f}".rstrip("0").rstrip(".") if rel.km is not None else ""
    if rel.kind == "offset" and rel.bearing is not None:
        lat, lon = offset(float(result.latitude), float(result.longitude), rel.bearing, rel.km or 0)
        mention.result = made_from(result, latitude=lat, longitude=lon, geo_precision=precision)
        mention.how = (
            f"{km} km {compass_label(rel.bearing)} of {name} (offset from the gazetteer point)"
        )
        return
    mention.result = made_from(result, geo_precision=precision)
    if rel.kind == "offset":
        mention.how = f"{km} km from {name}, direction not stated: {name}'s point"
    elif rel.kind == "direction":
        mention.how = f"{rel.words(name)}, distance not stated: {name}'s point"
    else:
        mention.how = f"{rel.words(name)}: {name}'s point"


def _pair(ctx: Sentence, a: PlaceMention, b: PlaceMention, start: int) -> PlaceMention:
    """One mention for "between A and B": the midpoint, or the end the gazetteer knows."""
    text = ctx.text[a.start : b.end]
    known = [p for p in (a, b) if p.result is not None and p.area == ""]
    if len(known) == 2:
        ra, rb = a.result, b.result
        lat, lon = midpoint(float(ra.latitude), float(ra.longitude),
                            float(rb.latitude), float(rb.longitude))  # fmt: skip
        name = f"between {ra.name} and {rb.name}"
        result = made_from(ra, name=name, latitude=lat, longitude=lon, geo_precision=2)
        how = f"{name}: midpoint of the two gazetteer points"
    elif known:
        result = made_from(known[0].result, geo_precision=2)
        other = b if known[0] is a else a
        how = f"between {a.text} and {b.text} ({other.text} has no point): {result.name}'s point"
    else:
        return PlaceMention(start, b.end, f"between {a.text} and {b.text}", a.iso3, None,
                            said=True, rank=2)  # fmt: skip
    return PlaceMention(a.start, b.end, text, str(result.iso3), result, rank=2, how=how)


def _join_pairs(ctx: Sentence, mentions: list[PlaceMention]) -> list[PlaceMention]:
    out: list[PlaceMention] = []
    i = 0
    while i < len(mentions):
        a = mentions[i]
        b = mentions[i + 1] if i + 1 < len(mentions) else None
        towns = b is not None and not (a.country_only or b.country_only or a.area or b.area)
        start = joins_pair(ctx.text, (a.start, a.end), (b.start, b.end)) if towns and b else None
        if b is not None and start is not None:
            out.append(_pair(ctx, a, b, start))
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def place_in_context(
    sentence: str,
    found: list[PlaceMention],
    gaz: GazetteerLike,
    focus: str,
    skip: list[tuple[int, int]],
    is_name: Callable[[str], bool],
) -> list[PlaceMention]:
    """The sentence's places once the words around them are read (see the module doc).

    ``is_name`` tells a capitalised word that may be a place name from a
    stop word ("Tuesday", "Security"); ``skip`` holds actors' spans.
    """
    ctx = Sentence(sentence, gaz, focus, skip, is_name)
    mentions = found + _road_pairs(ctx, found)
    mentions += _area_mentions(ctx, mentions)
    mentions += _said_places(ctx, mentions)
    mentions.sort(key=lambda p: p.start)
    for mention in mentions:
        if not mention.country_only and not mention.area:
            _mark_area(ctx, mention)
    _qualify_all(ctx, mentions)
    mentions = _join_pairs(ctx, mentions)
    for mention in mentions:
        if mention.country_only or mention.area or mention.rank:
            continue
        rel = relation_before(sentence, mention.start, mention.end)
        if rel is not None:
            _relate(mention, rel)
    return mentions
