"""What a report says about where a named place is: its region, circle or country.

"Kassa, Bankass circle, Mopti region", "Tibiri (Dosso region)", "Bamba, a
village in the Bourem circle of the Gao region", « Fafa, dans le cercle
d'Ansongo (région de Gao) », "Ayorou in western Niger", "Inékar, east of
Ménaka": the words right after a name say which of several places of that
name is meant, and where a village the gazetteer lacks lies. This module
reads them into a :class:`Qualifier` (the words' span and the names they
give, by level); :mod:`geo.io.extract.placing` resolves the names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from geo.io.extract.relative import Relation, relation_before

# Admin levels as reports write them. Level-1 words name a region or
# province; level-2 words a circle, department or commune, named after its
# seat town.
_LEVEL1 = r"(?i:region|province|state|governorate|wilaya|gouvernorat|r[ée]gion)"
_LEVEL2 = r"(?i:circle|cercle|district|department|d[ée]partement|prefecture|pr[ée]fecture|commune)"
_LEVEL = rf"(?:{_LEVEL1}|{_LEVEL2})"
_UPPER = r"[A-ZÀ-ÖØ-Þ]"
# A name's apostrophe may not start a possessive: "Egypt's North Sinai province".
_NAME = rf"{_UPPER}(?:[\w-]|['’](?!s\b))*(?:\s+{_UPPER}(?:[\w-]|['’](?!s\b))*){{0,2}}"
_DE = r"(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*|of\s+(?:the\s+)?)"
_LINK = (
    r"(?:of|the|in|de|du|des|la|le|les|l['’]|d['’]|dans|en|and|et|a|an|un|une"
    r"|(?:north|south|east|west|centr)\w*|(?:nord|sud|est|ouest|centre)\w*|'s|’s)"
)
# The level-name pairs inside a qualifier: "Mopti region", "région de Gao",
# "the region of Mopti", "cercle d'Ansongo".
LEVEL_NAME = re.compile(
    rf"(?P<name1>{_NAME})\s+(?P<level1>{_LEVEL})\b|\b(?P<level2>{_LEVEL})\s+{_DE}(?P<name2>{_NAME})"
)
# Words a qualifier may run through: names, level words, links, commas,
# brackets and possessives; it ends at anything else.
_CHAIN = re.compile(rf"(?:\s|[,()]|{_LEVEL}\b|{_LINK}\b|{_NAME})+")
_PLACE_NOUN = (
    r"(?:(?:a|an|the|un|une|le|la)\s+)?(?:(?:small|remote|rural|border|petit|petite)\s+)?"
    r"(?:village|town|hamlet|locality|commune|settlement|localité|hameau|ville|site|camp)"
)
_OPENERS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^\s*\(\s*(?P<body>[^()]{2,60}?)\s*\)"),
    re.compile(
        rf"^\s*,\s*(?:{_PLACE_NOUN}\s+)?(?:(?:located|situated|situé\w*)\s+)?"
        r"(?:in|of|dans|en)\s+(?P<body>.{2,90})",
        re.I,
    ),
    re.compile(rf"^\s*,\s*(?P<body>{_NAME}\s+{_LEVEL}\b.{{0,60}})"),
    re.compile(rf"^\s*,\s*(?P<body>{_LEVEL}\s+{_DE}.{{2,60}})", re.I),
    re.compile(
        rf"^\s+in\s+(?P<body>(?:(?:the|northern|southern|eastern|western|central)\s+)?{_UPPER}.{{1,60}})"
    ),
    re.compile(r"^\s+dans\s+(?P<body>(?:le|la|les|l['’])\s*.{2,60})"),
)
# ", east of Ménaka", ", a village 30 km north of Gao", « , à 20 km de Dori »:
# the place is said to lie relative to another named place.
_TO_ANCHOR = re.compile(
    rf"^\s*(?P<comma>,)?\s*(?:{_PLACE_NOUN}\s+)?(?:(?:located|situated|lying|situé\w*)\s+)?"
    rf"(?P<rest>.{{0,80}}?)(?P<anchor>{_NAME})",
)
_WINDOW = 120


@dataclass
class Qualifier:
    """The words after a place name that say where it is.

    ``pairs`` are (level word, name) as written, outermost last ("circle",
    "Bankass"), ("region", "Mopti"); ``bare`` a name given alone, e.g. in
    brackets ("Kidal") or after "in" ("western Niger"); ``anchor`` a place
    it is said to lie relative to, as ``relation`` says ("east of",
    "30 km north of", "near"). ``start``-``end`` is the qualifier's span in
    the sentence.
    """

    start: int
    end: int
    pairs: list[tuple[str, str]] = field(default_factory=list)
    bare: list[str] = field(default_factory=list)
    anchor: str = ""
    relation: Relation | None = None

    @property
    def text(self) -> str:
        named = [f"{name} {level}" for level, name in self.pairs] + self.bare
        return ", ".join(named) or self.anchor


def level_of(word: str) -> int:
    """1 for a region-like level word, 2 for a circle-like one, 0 otherwise."""
    if re.fullmatch(_LEVEL1, word, re.I):
        return 1
    return 2 if re.fullmatch(_LEVEL2, word, re.I) else 0


def _chain(body: str) -> str:
    """The start of ``body`` made of names, level words and links only."""
    match = _CHAIN.match(body)
    return match.group(0) if match else ""


def _parse(body: str, offset: int, bracketed: bool) -> Qualifier | None:
    chain = _chain(body).rstrip(" ,(")
    if not chain.strip():
        return None
    pairs: list[tuple[str, str]] = []
    for match in LEVEL_NAME.finditer(chain):
        if match.group("name1"):
            pairs.append((match.group("level1").casefold(), match.group("name1")))
        else:
            pairs.append((match.group("level2").casefold(), match.group("name2")))
    bare: list[str] = []
    if not pairs:
        bare = [m.group(0) for m in re.finditer(_NAME, chain)]
        if not bracketed and len(bare) != 1:
            return None
    if not pairs and not bare:
        return None
    end = offset + len(chain.rstrip())
    if bracketed:
        end += 1  # the closing bracket
    return Qualifier(offset, end, pairs, bare)


def qualifier_after(sentence: str, end: int, unknown: bool = False) -> Qualifier | None:
    """The qualifier that follows a place name ending at ``end``, or None.

    Without a comma, "X near Y" qualifies X only when X is ``unknown`` to
    the gazetteer ("the village of X near Y"); after a known town the
    words place the incident ("clashes in Gao near the airport").
    """
    rest = sentence[end : end + _WINDOW]
    to_anchor = _TO_ANCHOR.match(rest)
    if to_anchor and (unknown or to_anchor.group("comma")):
        start, stop = end + to_anchor.start("anchor"), end + to_anchor.end("anchor")
        relation = relation_before(sentence, start, stop)
        if relation is not None and relation.start == end + to_anchor.start("rest"):
            return Qualifier(end, stop, anchor=to_anchor.group("anchor"), relation=relation)
    for k, opener in enumerate(_OPENERS):
        match = opener.match(rest)
        if match is None:
            continue
        body_start = end + match.start("body")
        found = _parse(match.group("body"), body_start, bracketed=k == 0)
        if found is not None:
            found.start = end
            return found
    return None
