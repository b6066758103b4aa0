"""Where a report puts an incident relative to a named place.

"25 km south-east of Kidal", "some 30 kilometres north of Gao", « à une
trentaine de kilomètres à l'est de Douentza », "near Ménaka", "outside
Tessalit", « près de Léré », "in the Gao area", "on the road to Ansongo",
"between Gao and Ansongo", « sur l'axe Dori-Sebba »: each is read into a
:class:`Relation` of the place mention it ends at (or, for "between", of a
pair of mentions). The point itself is made by
:mod:`geo.io.extract.placing`.

The patterns read the words just before a mention (anchored at its start),
or just after it for "the X area"; they are general phrasings of English
and French reports, not lists of places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from text_to_num import text2num

from geo.io.extract.points import DIRECTION, bearing, unit_km

# How strongly a relation says "the incident is here": an offset is the
# most specific, then a stretch of road between two towns, then a plain
# "near X". A place with no relation ranks 0.
RANK = {"offset": 3, "between": 2, "near": 1, "direction": 1, "area": 1, "road": 1}

_APPROX_FR = {
    "dizaine": 10,
    "douzaine": 12,
    "quinzaine": 15,
    "vingtaine": 20,
    "trentaine": 30,
    "quarantaine": 40,
    "cinquantaine": 50,
    "soixantaine": 60,
    "centaine": 100,
}
_NUMBER_WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-[a-z]+)?|one|two|three"
    r"|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    r"|seventeen|eighteen|nineteen|(?:a\s+)?hundred|deux|trois|quatre|cinq|six|sept|huit"
    r"|neuf|dix|onze|douze|treize|quatorze|quinze|seize|(?:vingt|trente|quarante|cinquante"
    r"|soixante)(?:-[a-z]+)?|cent)"
)
_NUMBER = rf"(?:\d+(?:[.,]\d+)?|une?\s+(?:{'|'.join(_APPROX_FR)})|{_NUMBER_WORD})"
_UNIT = r"(?:km|kms|kilom[eè]t(?:er|re)s?|miles?)"
_POINT = r"(?:north|south|east|west|nord|sud|est|ouest)"
_DIR_WORDS = rf"{_POINT}(?:[\s-]?{_POINT}){{0,2}}"
_APPROX_EN = (
    r"(?:(?:about|some|around|roughly|approximately|nearly|almost|just|at\s+least|more\s+than"
    r"|over|less\s+than|under|barely|only)\s+)?"
)
# "the (northern) town of", "la ville de": words between a relation and the name.
_NOUN_EN = (
    r"(?:the\s+)?(?:(?:[a-z-]+\s+){0,2}?(?:town|city|village|locality|commune|capital"
    r"|settlement|hamlet|camp)\s+of\s+)?"
)
_DE = r"(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*)"
_NOUN_FR = r"(?:(?:la\s+)?(?:ville|localité|commune|village|cité|bourgade)\s+(?:de\s+|d['’]\s*))?"

_BEFORE: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "offset",
        re.compile(
            rf"(?P<phrase>{_APPROX_EN}(?P<num>{_NUMBER})\s*-?\s*(?P<unit>{_UNIT})\s+"
            rf"(?:\(\s*[\d.,]+\s*(?:miles?|km)\s*\)\s+)?(?:to\s+the\s+)?"
            rf"(?:(?P<dir>{DIRECTION})\s+(?:of|from)|from|outside(?:\s+of)?|away\s+from|of)"
            rf"\s+{_NOUN_EN})$",
            re.I,
        ),
    ),
    (
        "offset",
        re.compile(
            rf"(?P<phrase>\b(?:à|a)\s+(?:environ\s+|quelque\s+|près\s+de\s+|moins\s+de\s+"
            rf"|plus\s+de\s+)?(?P<num>{_NUMBER})\s*(?:de\s+)?(?P<unit>{_UNIT})\s+(?:environ\s+)?"
            rf"(?:(?:(?:à|a)\s+l['’]\s*|au\s+)(?P<dir>{DIRECTION})\s+)?{_DE}{_NOUN_FR})$",
            re.I,
        ),
    ),
    (
        "direction",
        re.compile(
            rf"(?P<phrase>\b(?:just\s+|due\s+)?(?P<dir>{_DIR_WORDS})\s+of\s+{_NOUN_EN})$", re.I
        ),
    ),
    (
        "direction",
        re.compile(
            rf"(?P<phrase>\b(?:au|(?:à|a)\s+l['’])\s*(?P<dir>{_DIR_WORDS})\s+{_DE}{_NOUN_FR})$",
            re.I,
        ),
    ),
    (
        "near",
        re.compile(
            r"(?P<phrase>\b(?:near|nearby|outside|close\s+to|just\s+outside|(?:(?:in|on)\s+)?"
            r"the\s+outskirts\s+of|outskirts\s+of|(?:in\s+)?the\s+vicinity\s+of|not\s+far\s+from"
            r"|around|(?:in\s+)?the\s+surroundings\s+of|on\s+the\s+edge\s+of|on\s+the\s+way\s+to)"
            rf"\s+{_NOUN_EN})$",
            re.I,
        ),
    ),
    (
        # "a few kilometres from X", « à quelques kilomètres de X »: near, no number.
        "near",
        re.compile(
            rf"(?P<phrase>\b(?:(?:à|a)\s+)?(?:a\s+few|several|some|quelques|plusieurs)\s+"
            rf"{_UNIT}\s+(?:{_DE}|from\s+|outside\s+(?:of\s+)?|away\s+from\s+)"
            rf"(?:{_NOUN_EN}|{_NOUN_FR}))$",
            re.I,
        ),
    ),
    (
        "near",
        re.compile(
            r"(?P<phrase>\b(?:près|non\s+loin|(?:à|a)\s+proximité|(?:aux|dans\s+les)\s+environs"
            r"|(?:aux|dans\s+les)\s+alentours|aux\s+abords|(?:à|a|dans)\s+la\s+périphérie"
            r"|en\s+périphérie|(?:à|a)\s+la\s+sortie|autour)"
            rf"\s+{_DE}{_NOUN_FR})$",
            re.I,
        ),
    ),
    (
        "area",
        re.compile(
            r"(?P<phrase>\b(?:in|around|across)\s+the\s+(?:general\s+)?(?:area|sector|zone)\s+of"
            r"\s+|\b(?:dans|en)\s+(?:la\s+zone|le\s+secteur)\s+(?:de\s+|d['’]\s*)"
            r"|\b(?:la\s+|une\s+|de\s+la\s+)?commune\s+(?:rurale\s+|urbaine\s+)?(?:de\s+|d['’]\s*))$",
            re.I,
        ),
    ),
    (
        "road",
        re.compile(
            r"(?P<phrase>\b(?:on|along)\s+the\s+(?:main\s+|national\s+)?(?:road|highway|route"
            r"|track|axis)\s+(?:to|towards?|leading\s+to|out\s+of)\s+"
            r"|\bsur\s+(?:la\s+(?:route|piste)|l['’]\s*axe|le\s+tronçon)\s+"
            r"(?:(?:menant|allant)\s+(?:à|vers)\s+|vers\s+|de\s+|d['’]\s*|du\s+))$",
            re.I,
        ),
    ),
)
# "the Gao area", "in the Gao sector", "Ansongo town" is not one.
_AREA_AFTER = re.compile(r"^\s+(?:area|sector|zone|surroundings|environs|outskirts)\b", re.I)
# "Gao, 30 km to the south", « Gao, à 15 km au nord »: the offset after the name.
_OFFSET_AFTER = re.compile(
    rf"^,\s*(?P<phrase>(?:{_APPROX_EN}|(?:à|a)\s+(?:environ\s+)?)(?P<num>{_NUMBER})\s*-?\s*"
    rf"(?P<unit>{_UNIT})\s+(?:(?:to\s+the|(?:à|a)\s+l['’]\s*|au)\s*)?(?P<dir>{DIRECTION}))\b"
    r"(?!-|\s+(?:of|from|de|du|des|d['’]))",  # "X, 30 km south of Y" is about Y
    re.I,
)
# "in X", "at X", « à X », "the village of X": the name is where it happened.
_IN_PLACE = re.compile(
    r"\b(?:in|at|inside|à|a|dans|en)\s+(?:the\s+(?:\w+\s+)?(?:town|village|city|camp)\s+of\s+"
    r"|(?:la\s+)?(?:ville|localité|commune)\s+de\s+|le\s+village\s+de\s+)?$",
    re.I,
)
_THE_BEFORE = re.compile(r"\b(?:in|the|around|across)\s+$", re.I)

_BETWEEN_OPEN = re.compile(
    r"\b(?:between|entre)\s+(?:the\s+(?:towns?\s+of\s+)?|les\s+(?:villes|localités)\s+de\s+)?$",
    re.I,
)
_BETWEEN_JOIN = re.compile(r"^\s+(?:and|et)\s+(?:the\s+town\s+of\s+|de\s+)?$", re.I)
_ROAD_WORD = r"(?:road|highway|axis|route|corridor|track|axe|tronçon|piste)"
_FROM_OPEN = re.compile(rf"\b{_ROAD_WORD}\s+(?:\w+\s+){{0,2}}?(?:from|de|d['’])\s*$", re.I)
_FROM_JOIN = re.compile(r"^\s+(?:to|à|a|jusqu['’]\s*à)\s+$", re.I)
_DASH_JOIN = re.compile(r"^\s*[-–—/]\s*$")
_ROAD_BEFORE = re.compile(rf"\b{_ROAD_WORD}\s+(?:de\s+|d['’]\s*|du\s+)?$", re.I)
_ROAD_AFTER = re.compile(rf"^\s+{_ROAD_WORD}\b", re.I)
_WINDOW = 110


@dataclass
class Relation:
    """How the text places an incident relative to one mention.

    ``kind`` is one of :data:`RANK`'s keys; ``phrase`` the words as written
    ("about 40 km south-west of"), starting at ``start`` in the sentence.
    """

    kind: str
    start: int
    phrase: str
    km: float | None = None
    bearing: float | None = None
    after: bool = False

    @property
    def rank(self) -> int:
        return RANK[self.kind]

    def words(self, name: str) -> str:
        """The relation with the place's name, for a note: "near Gao", "the Gao area"."""
        if self.after:
            return f"the {name} {self.phrase}"
        phrase = re.sub(r"^(?:de\s+la|de\s+l['’]|du|de|d['’])\s*", "", self.phrase, flags=re.I)
        phrase = re.sub(r"\s+(?:the|la|le|les)$", "", phrase, flags=re.I)
        return f"{phrase} {name}"


def distance_value(text: str) -> float | None:
    """A distance number as written: "25", "2,5", "thirty", "une trentaine", "vingt-cinq"."""
    words = " ".join(text.casefold().split())
    if re.fullmatch(r"\d+(?:[.,]\d+)?", words):
        return float(words.replace(",", "."))
    approx = re.fullmatch(r"une?\s+(\w+)", words)
    if approx and approx.group(1) in _APPROX_FR:
        return float(_APPROX_FR[approx.group(1)])
    words = re.sub(r"^a\s+", "", words)
    for lang in ("en", "fr"):
        try:
            return float(text2num(words, lang))
        except ValueError:
            continue
    return None


def _offset(match: re.Match[str], start: int) -> Relation | None:
    km = distance_value(match.group("num"))
    per_unit = unit_km(match.group("unit"))
    if km is None or per_unit is None:
        return None
    direction = match.group("dir")
    degrees = bearing(direction) if direction else None
    if direction and degrees is None:
        return None  # "5 km s of": not a direction after all
    phrase = " ".join(match.group("phrase").split())
    return Relation("offset", start, phrase, km * per_unit, degrees)


def _relation_in(window: str, lo: int) -> Relation | None:
    """The relation the words of ``window`` (ending at a mention) state."""
    for kind, pattern in _BEFORE:
        match = pattern.search(window)
        if match is None:
            continue
        at = lo + match.start("phrase")
        if kind == "offset":
            found = _offset(match, at)
            if found is not None:
                return found
            continue
        phrase = " ".join(match.group("phrase").split())
        if kind == "direction":
            degrees = bearing(match.group("dir"))
            if degrees is None:
                continue
            return Relation(kind, at, phrase, None, degrees)
        return Relation(kind, at, phrase)
    return None


def _offset_after(sentence: str, start: int, end: int) -> Relation | None:
    """ "Gao, 30 km to the south": an offset with a direction written after the name."""
    if _IN_PLACE.search(sentence[max(0, start - 40) : start]):
        return None  # "in Konduga, 30 km to the south": Konduga is the place; the offset is its
    match = _OFFSET_AFTER.match(sentence[end:])
    found = _offset(match, start) if match else None
    if found is None or found.bearing is None:
        return None
    found.phrase = f"{found.phrase} of"  # reads "30 km to the south of Gao" in a note
    return found


def relation_before(sentence: str, start: int, end: int) -> Relation | None:
    """The relation the words before (or, for "the X area", after) a mention state.

    An offset written after the name ("near Gao, some 12 km west") is more
    specific than a plain relation before it, and wins over it.
    """
    lo = max(0, start - _WINDOW)
    found = _relation_in(sentence[lo:start], lo)
    if found is None or found.kind != "offset":
        found = _offset_after(sentence, start, end) or found
    if found is not None:
        return found
    after = _AREA_AFTER.match(sentence[end:])
    if after and _THE_BEFORE.search(sentence[lo:start]):
        return Relation("area", start, after.group(0).strip(), after=True)
    return None


def joins_pair(sentence: str, first: tuple[int, int], second: tuple[int, int]) -> int | None:
    """Where a "between A and B" phrase starts when the two spans are its A and B, else None.

    Also "the road from A to B", "the A-B road", « sur l'axe A-B ».
    """
    gap = sentence[first[1] : second[0]]
    before = sentence[max(0, first[0] - 60) : first[0]]
    opening = _BETWEEN_OPEN.search(before)
    if opening and _BETWEEN_JOIN.match(gap):
        return first[0] - len(before) + opening.start()
    opening = _FROM_OPEN.search(before)
    if opening and _FROM_JOIN.match(gap):
        return first[0] - len(before) + opening.start()
    if _DASH_JOIN.match(gap):
        road = _ROAD_BEFORE.search(before)
        if road:
            return first[0] - len(before) + road.start()
        if _ROAD_AFTER.match(sentence[second[1] :]):
            return first[0]
    return None


def road_word_near(sentence: str, start: int, end: int) -> bool:
    """Whether a road word stands just before or after the span ("axe Dori-Sebba", "X-Y road")."""
    before = sentence[max(0, start - 40) : start]
    return bool(_ROAD_BEFORE.search(before) or _ROAD_AFTER.match(sentence[end:]))
