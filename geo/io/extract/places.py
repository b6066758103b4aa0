"""Places named in a sentence: gazetteer matches of capitalised word runs, and country names.

Runs of capitalised words ("Adrar des Ifoghas", "In Amenas") are looked up
as n-grams of up to four words, longest first, with the post's main
country as the hint first. Country names and adjectives ("Malian army",
"northern Mali") are countries, not places.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from geo.io.extract.mentions import GazetteerLike, PlaceMention
from geo.io.extract.placing import place_in_context
from geo.reference.countries import ADJECTIVES, country_names
from geo.reference.names import fold

__all__ = [
    "FEATURE_WORDS",
    "NAMED_PLACE",
    "NEAR_BEFORE",
    "ORG_WORDS",
    "STOPWORDS",
    "GazetteerLike",
    "PlaceMention",
    "find_places",
    "main_country",
    "unfound_places",
]


class _Place(Protocol):
    """The attributes of a gazetteer result that extraction reads."""

    name: str
    latitude: float
    longitude: float
    iso3: str
    admin1: str
    geo_precision: int
    ambiguous: bool


# "Quds Force": a single word before an organisation word
# names the organisation, not a place.
ORG_WORDS = re.compile(
    r"^\s+(?:Force|Forces|Brigade|Brigades|Party|Movement|Army|Front|Council|Ministry|Guard"
    r"|Guards|Corps|Battalion|Regiment|Committee|Organi[sz]ation|Group|Agency|Company)\b",
    re.I,
)
# "near Kidal", "10 km from the town of Gao": the event is not at the place
# itself, so its geo_precision is at best 2.
NEAR_BEFORE = re.compile(
    r"(?:near|outside|close to|around|north of|south of|east of|west of|vicinity of"
    r"|(?:km|kilomet\w+|miles|metres) (?:from|of|outside))\s+(?:the\s+)?"
    r"(?:(?:city|town|village|locality|region) of\s+)?$",
    re.I,
)
NAMED_PLACE = re.compile(
    r"\b(?:town|city|village|locality|commune) of ([A-Z][\w'\u2019-]+(?:\s[A-Z][\w'\u2019-]+)*)"
)
FEATURE_WORDS = ("region", "mountains", "massif", "valley", "plateau", "desert", "hills", "area")
_CONNECT_TOKENS = {"des", "de", "du", "el", "al", "la", "le", "n", "ag", "ben", "bin", "ould"}
# Capitalised words that are never place names here (sentence openers,
# weekdays, months, titles, group and ethnic names).
_STOP_TEXT = (
    "A An The This That These Those On In At Of For From By With Without Within About After"
    " Before Since During Although Though However Meanwhile Furthermore Moreover Also And"
    " But Or Nor So Yet If As While Whereas When Where Which Who Whom Whose What Why How It"
    " Its Their They He She We You I Our Today Yesterday Tomorrow Monday Tuesday Wednesday"
    " Thursday Friday Saturday Sunday January February March April May June July August"
    " September October November December President Prime Minister General Colonel Sergeant"
    " Staff Captain Lieutenant Brigadier Commander Chief Mr Mrs Ms Dr Sir King Queen Prince"
    " Sheikh Imam Islamic Islamist Islamists Muslim Muslims Christian Western Eastern Northern"
    " Southern Central North South East West Mission Operation Forces Force Army Military"
    " Government Ministry Interior Security Update Report Blog Guidance Specific Region"
    " Regions Posted Uncategorized Al Qaeda Al-Qaeda Jihad Jihadist Movement Party Union"
    " European African International United Nations Special Foreign Legion Tuareg Tuaregs"
    " Arab Arabs Berber Fulani Peul Songhai Sahel Sahara Saharan Maghreb Azawad Hajj Quran"
    " Hadith Sunni Shia Shi'ia Wahabi Wahabism Wahabist Wahabists Ansar Boko Haram Hamas"
    " Mission Accomplished Union EU UN US UK NCO AU ECOWAS BP GDP"
)
STOPWORDS = {w.casefold() for w in _STOP_TEXT.split()}


_TOKEN = re.compile(r"[^\W\d_][\w'\u2019-]*")
_ELISION = re.compile(r"(?:[dlsnjmtc]|qu|jusqu|lorsqu|puisqu)['\u2019](?=[^\W\d_])")
# "Ifoghas region" -> "Ifoghas mountains": gazetteers name features differently.
_FEATURE_RETRIES = ("mountains", "massif")
_DIRECTIONAL_COUNTRY = re.compile(r"\b[a-z]+ern ([A-Z][a-z]+)\b")


class _Token(NamedTuple):
    start: int
    end: int
    word: str
    possessive: bool


@dataclass
class _PlaceSearch:
    """What one :func:`find_places` call looks in and leaves out."""

    sentence: str
    gaz: GazetteerLike
    main_iso3: str
    skip: list[tuple[int, int]]
    lower_words: set[str]
    countries: dict[str, str]


def _lookup(gaz: GazetteerLike, name: str, main_iso3: str) -> Any:
    result = gaz.lookup(name, country=main_iso3) if main_iso3 else None
    return result if result is not None else gaz.lookup(name)


def _tokens(sentence: str) -> list[_Token]:
    """Words of the sentence, possessive "'s" and trailing apostrophes or hyphens cut off.

    A French elided article is not part of the name: "d'Aguelhok" is
    "Aguelhok", "l'Azawad" "Azawad".
    """
    tokens = []
    for m in _TOKEN.finditer(sentence):
        word, start = m.group(0), m.start()
        elided = _ELISION.match(word)
        if elided:
            word, start = word[elided.end() :], start + elided.end()
        possessive = False
        if re.search(r"['\u2019]s$", word):
            word, possessive = word[:-2], True
        word = word.rstrip("'\u2019-")
        tokens.append(_Token(start, start + len(word), word, possessive))
    return tokens


def _capitalised_runs(sentence: str, tokens: list[_Token]) -> list[list[_Token]]:
    """Runs of adjacent capitalised words, "des", "de", "el", ... allowed inside.

    A possessive ends a run: "Mali's army" does not join "Mali" to what follows.
    """
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    for k, tok in enumerate(tokens):
        joined = not current or sentence[current[-1].end : tok.start].strip() == ""
        capital = tok.word[:1].isupper()
        connector = (
            tok.word.casefold() in _CONNECT_TOKENS
            and bool(current)
            and k + 1 < len(tokens)
            and tokens[k + 1].word[:1].isupper()
        )
        if (capital or connector) and joined and not (current and current[-1].possessive):
            current.append(tok)
        else:
            if current:
                runs.append(current)
            current = [tok] if capital else []
    if current:
        runs.append(current)
    return runs


def _lone_word_excluded(search: _PlaceSearch, run: list[_Token], tok: _Token) -> bool:
    """A single word that is no place name: "Security", "Quds Force", "W.", "Francois Hollande"."""
    word = tok.word.casefold()
    sentence = search.sentence
    return bool(
        word in search.lower_words
        or len(word) < 3
        or ORG_WORDS.match(sentence[tok.end :])
        or re.search(r"\b[A-Z]\.\s*$", sentence[max(0, tok.start - 4) : tok.start])
        or any(w not in STOPWORDS for w in (t.word.casefold() for t in run if t is not tok))
    )


def _excluded(search: _PlaceSearch, run: list[_Token], gram: list[_Token]) -> bool:
    """True when the n-gram is not looked up at all."""
    if gram[-1].word.casefold() in _CONNECT_TOKENS:
        return True
    start, end = gram[0].start, gram[-1].end
    if any(a < end and start < b for a, b in search.skip):
        return True  # an actor's name
    if all(g.word.casefold() in STOPWORDS for g in gram):
        return True
    return len(gram) == 1 and _lone_word_excluded(search, run, gram[0])


def _lookup_with_feature(search: _PlaceSearch, text: str, end: int) -> Any:
    """Retry a name with the word after it, or with the gazetteers' feature words."""
    follow = re.match(r"\s+([a-z]+)", search.sentence[end:])
    tries = [follow.group(1)] if follow else []
    if follow and follow.group(1) in FEATURE_WORDS:
        tries += list(_FEATURE_RETRIES)
    for feature in tries:
        result = _lookup(search.gaz, f"{text} {feature}", search.main_iso3)
        if result is not None:
            return result
    return None


def _match(
    search: _PlaceSearch, gram: list[_Token], at_run_end: bool
) -> tuple[bool, PlaceMention | None]:
    """Whether the n-gram names a place or country, and the mention it makes.

    An adjective ("Malian") matches, so its words are used up, but makes no
    mention.
    """
    start, end = gram[0].start, gram[-1].end
    text = search.sentence[start:end]
    key = fold(text)
    if key in search.countries:
        return True, PlaceMention(start, end, text, search.countries[key], None, True)
    if len(gram) == 1 and text in ADJECTIVES:
        return True, None
    result = _lookup(search.gaz, text, search.main_iso3)
    if result is None and at_run_end:
        result = _lookup_with_feature(search, text, end)
    if result is None:
        return False, None
    country_level = fold(result.name) in search.countries and not result.admin1
    near = bool(NEAR_BEFORE.search(search.sentence[max(0, start - 45) : start]))
    return True, PlaceMention(start, end, text, result.iso3, result, country_level, near)


def _places_in_run(search: _PlaceSearch, run: list[_Token]) -> list[PlaceMention]:
    """Longest n-grams first; a matched n-gram's words are not looked up again."""
    found: list[PlaceMention] = []
    i = 0
    while i < len(run):
        matched = 0
        for n in range(min(4, len(run) - i), 0, -1):
            gram = run[i : i + n]
            if _excluded(search, run, gram):
                continue
            ok, mention = _match(search, gram, at_run_end=i + n == len(run))
            if not ok:
                continue
            if mention is not None:
                found.append(mention)
            matched = n
            break
        i += matched or 1
    return found


def _directional_countries(
    sentence: str, countries: dict[str, str], found: list[PlaceMention]
) -> list[PlaceMention]:
    """Countries after a direction ("northern Mali") that the runs did not find."""
    out: list[PlaceMention] = []
    for m in _DIRECTIONAL_COUNTRY.finditer(sentence):
        key = fold(m.group(1))
        if key in countries and not any(p.start == m.start(1) for p in found):
            out.append(PlaceMention(m.start(1), m.end(1), m.group(1), countries[key], None, True))
    return out


def _gazetteer_places(
    sentence: str,
    gaz: GazetteerLike,
    main_iso3: str,
    skip: list[tuple[int, int]],
    lower_words: set[str],
) -> list[PlaceMention]:
    """Gazetteer matches and country names, before the words around them are read."""
    search = _PlaceSearch(sentence, gaz, main_iso3, skip, lower_words, country_names())
    found: list[PlaceMention] = []
    for run in _capitalised_runs(sentence, _tokens(sentence)):
        found += _places_in_run(search, run)
    found += _directional_countries(sentence, search.countries, found)
    found.sort(key=lambda p: p.start)
    return _at_home_or_named(sentence, found, main_iso3)


def _at_home_or_named(
    sentence: str, found: list[PlaceMention], main_iso3: str
) -> list[PlaceMention]:
    """Places in the report's country, or in a country the sentence names.

    A name the gazetteer knows only abroad (a homonym, or the reporter's
    city) is not where an incident of this report happened unless the
    sentence says which country it is in ("Niamey, Niger", "the Nigerien
    town of ...").
    """
    if not main_iso3:
        return found
    named = {p.iso3 for p in found if p.country_only}
    named |= {
        iso3 for adjective, iso3 in ADJECTIVES.items() if re.search(rf"\b{adjective}s?\b", sentence)
    }
    home = [p for p in found if p.country_only or p.iso3 in (main_iso3, *named)]
    return home if any(not p.country_only for p in home) else found


def _name_test(lower_words: set[str]) -> Callable[[str], bool]:
    """Whether capitalised words may be a place's name: no stop word, country or common word."""
    countries = country_names()

    def is_name(name: str) -> bool:
        words = name.split()
        if not words or any(w.casefold() in STOPWORDS for w in words):
            return False
        if fold(name) in countries or name in ADJECTIVES:
            return False
        return not (len(words) == 1 and (len(name) < 3 or name.casefold() in lower_words))

    return is_name


def find_places(
    sentence: str,
    gaz: GazetteerLike,
    main_iso3: str = "",
    skip: list[tuple[int, int]] | None = None,
    lower_words: set[str] | None = None,
) -> list[PlaceMention]:
    """Places named in a sentence, read with the words around them.

    Runs of capitalised words (with "des", "de", "el", ... inside) are
    looked up as n-grams of up to four words, longest first. A single word
    that the text also uses in lower case ("Security") or a stop word is not
    looked up; spans in ``skip`` (actor names) are not places. A name
    followed by a feature word ("the Ifoghas region") is retried with the
    feature words gazetteers use ("Ifoghas mountains"). Then
    :func:`geo.io.extract.placing.place_in_context` reads regions,
    qualifiers, relative places and villages the gazetteer lacks.
    """
    skip = skip or []
    lower_words = lower_words or set()
    found = _gazetteer_places(sentence, gaz, main_iso3, skip, lower_words)
    return place_in_context(sentence, found, gaz, main_iso3, skip, _name_test(lower_words))


def main_country(
    paragraphs: list[str], gaz: GazetteerLike, lower_words: set[str], default: str
) -> str:
    """The country a post is mostly about: places count 2, country names 2, adjectives 1."""
    score: dict[str, int] = {}
    for paragraph in paragraphs:
        for place in _gazetteer_places(paragraph, gaz, "", [], lower_words):
            score[place.iso3] = score.get(place.iso3, 0) + 2
        for adjective, iso3 in ADJECTIVES.items():
            hits = len(re.findall(rf"\b{adjective}s?\b", paragraph))
            if hits:
                score[iso3] = score.get(iso3, 0) + hits
    if not score:
        return default
    return max(sorted(score), key=lambda k: score[k])


def unfound_places(text: str, places: list[PlaceMention]) -> list[str]:
    """Names the text calls a place that have no point.

    The places of ``places`` the gazetteer lacks and that got no region
    either, then names after "the town of X" that no placed mention covers.
    """
    placed = [p for p in places if not p.unplaced]
    names = [p.text for p in places if p.unplaced]
    names += [
        m.group(1)
        for m in NAMED_PLACE.finditer(text)
        if not any(p.text.startswith(m.group(1).split()[0]) for p in placed)
    ]
    return list(dict.fromkeys(names))
