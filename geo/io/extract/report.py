"""Security reports (prose) -> candidate incidents for an analyst to review.

Deterministic and offline: rules over the text plus the gazetteer and the
actor dictionary, no model. Each candidate is a row with the schema columns
filled as far as the text allows, plus the sentence it came from, a
confidence in 0-1 with the reasons, and a list of what it could not
resolve. Nothing here writes to the store; the analyst accepts candidates.

Steps (see ``docs/ingest.md`` for the full rules):

1. :func:`split_posts` cuts a file into posts at headings that carry a date
   ("Mali Security Update (22 February 2013)") or that a "Posted on" line
   follows; each post's date resolves its relative dates.
2. Paragraphs are split into sentences (:func:`split_sentences`); a
   paragraph opening "Bahrain:" sets the country for its section.
3. Event words (:data:`TRIGGERS`) mark sentences that report an incident;
   words of speculation ("likely", "may", "will") in the same clause, or a
   sentence opening with "If", drop them. A sentence reporting two events
   ("... died in car bombings just one day after fierce battles ...") is cut
   at the connector into one candidate per event.
4. A sentence that refers back ("the incident", "this attack", "today's
   attack") or names no event adds its place, figures, actors and date to
   the candidate it refers to instead of making a new one.
5. Places are gazetteer matches of capitalised word runs (n-grams up to four
   words) nearest the event word, preferring the post's main country;
   country names and adjectives ("Malian army") are not places.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from geo.io.extract.actors import ActorDictionary, Mention, load_actors
from geo.io.extract.figures import find_figures
from geo.io.extract.textdates import (
    DateMention,
    dated_years,
    find_dates,
    full_date_in,
    last_year_in,
)
from geo.model.schema import CIVILIAN_TARGETING, COLUMNS, Problem, validate_frame
from geo.reference.countries import ADJECTIVES, country_name, country_names
from geo.reference.names import fold


class _Place(Protocol):
    name: str
    latitude: float
    longitude: float
    iso3: str
    admin1: str
    geo_precision: int
    ambiguous: bool


class GazetteerLike(Protocol):
    """What extraction needs from :class:`geo.reference.gazetteer.Gazetteer`."""

    def lookup(self, name: object, country: object = None, admin1: object = None) -> Any: ...


# (pattern, event type, sub-event type, priority). Priority decides the type
# when one clause holds several event words; 0-9 are primary (an event on
# their own), below 0 secondary (an event only with its own place or date).
TRIGGERS: tuple[tuple[str, str, str, int], ...] = (
    (
        r"(?:seized|confiscated|discovered|found|intercepted|defused|dismantled|uncovered"
        r"|recovered)\b[^.;]{0,60}?\b(?:explosives?|bombs?|weapons|arms|ammunition|IEDs?"
        r"|explosive belts?|caches?|rockets|landmines|mines|detonators)",
        "Strategic developments",
        "Disrupted weapons use",
        9,
    ),
    (
        r"(?:explosives?|bombs?|weapons|arms|ammunition|caches?)\s+(?:\w+\s+){0,3}?"
        r"(?:were|was|had been|have been)\s+(?:seized|confiscated|discovered|found|defused)",
        "Strategic developments",
        "Disrupted weapons use",
        9,
    ),
    (
        r"riots?|rioters|rioting|petrol bombs?|molotov cocktails?|looted|looting|torched",
        "Riots",
        "Violent demonstration",
        8,
    ),
    (r"mob violence|lynch(?:ed|ing)", "Riots", "Mob violence", 8),
    (
        r"suicide[- ](?:car[- ])?(?:bomb(?:s|er|ers|ing|ings)?|attacks?|blasts?)",
        "Explosions/Remote violence",
        "Suicide bomb",
        7,
    ),
    (
        r"car[- ]bomb(?:s|ing|ings)?|vehicle[- ]borne|VBIEDs?|IEDs?|roadside bombs?|landmines?"
        r"|improvised explosive devices?|explosive devices?",
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
        6,
    ),
    (
        r"air ?strikes?|air raids?|drone strikes?|bombing raids?|jets (?:attacked|struck|bombed)",
        "Explosions/Remote violence",
        "Air/drone strike",
        6,
    ),
    (
        r"shelling|shelled|mortars?|artillery|rockets? (?:fire|attacks?)",
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        6,
    ),
    (r"grenades?", "Explosions/Remote violence", "Grenade", 6),
    (
        r"kidnap(?:ped|ping|pings|pers)?|abduct(?:ed|ion|ions)?|hostages?",
        "Violence against civilians",
        "Abduction/forced disappearance",
        5,
    ),
    (
        r"assassinat(?:ed|ion|ions)|massacred?|murdered|shot dead|beheaded|executed",
        "Violence against civilians",
        "Attack",
        5,
    ),
    (
        r"protests?|protesters|protestors|protested|demonstrat(?:ion|ions|ors|ed)|rall(?:y|ies)"
        r"|marched|sit-ins?|poured into the streets",
        "Protests",
        "Peaceful protest",
        4,
    ),
    (
        r"clash(?:es|ed)?|fighting|battles?|gun ?battles?|firefights?|skirmish(?:es)?"
        r"|counter[- ]?offensives?|(?:an?|the|new|major|military|ground|their|its)\s+offensives?"
        r"|ambush(?:es|ed)?"
        r"|(?:(?:military|ground|air|security|joint|counter-?terrorism|an|the)\s+)operations?",
        "Battles",
        "Armed clash",
        3,
    ),
    (r"arrested|detained", "Strategic developments", "Arrests", 2),
    (
        r"(?:flood(?:ed|ing)|destroy(?:ed|ing)|demolish(?:ed|ing)|bulldoz(?:ed|ing)|razed"
        r"|(?:burn(?:ed|t|ing)|tore|torn|pull(?:ed|ing)) down|blew up|blown up)\b[^.;]{0,40}?"
        r"\b(?:tunnels?|houses?|homes?|buildings?|shops?|churches|mosques?|shrines?"
        r"|mausoleums?|tombs?|bridges?|property|properties)",
        "Strategic developments",
        "Looting/property destruction",
        2,
    ),
    (r"attack(?:s|ed)?|assaults?|raids?", "Battles", "Armed clash", -1),
    (
        r"explo(?:sion|sions|ded)|blasts?|bombings?|bomb attacks?",
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
        -1,
    ),
    (r"killed|killings?|died|deaths?", "Violence against civilians", "Attack", -2),
    (r"wounded|injured", "Violence against civilians", "Attack", -3),
)
_TRIGGER_RES = tuple(
    (re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.I), t, s, k) for p, t, s, k in TRIGGERS
)

HEDGE = re.compile(
    r"\b(?:may|might|could|would|will|shall|should|likely|unlikely|possible|possibly"
    r"|potential(?:ly)?|risk|threats?|fears?|expected|expects|plans? to|planning|advised|advises"
    r"|advice|warn(?:s|ed|ing)?|prepare|preparing|capable|if|whether|aimed at|in order to)\b",
    re.I,
)
CONDITIONAL_START = re.compile(r"^\W*(?:if|should|unless|whether|in case)\b", re.I)
GENERIC = re.compile(
    r"\b(?:a number of|string of|series of|increase (?:of|in)|increased|increasing(?:ly)?"
    r"|continued|continues|continuing|sporadic|over the past|in the past|since|frequent(?:ly)?"
    r"|regularly|often|numerous|many|several|years"
    r"|(?:are|is|remain|remains|still) (?:being )?held|in captivity"
    r"|(?:days|weeks|months|years) of)\b",
    re.I,
)
CONNECTOR = re.compile(
    r"(?:\b(?:just\s+)?(?:(one|a|two|three|four|five|six|seven|\d+)\s+days?\s+)?"
    r"(after|before|following)\b|\b(?:while|whereas|amid(?:st)?)\b|;)",
    re.I,
)
DETERMINER_BEFORE = re.compile(
    r"(?:^|\W)(the|this|that|these|those|today['\u2019]s|yesterday['\u2019]s|such|its|their"
    r"|same)\s+(?:[\w'\u2019-]+\s+){0,2}$",
    re.I,
)
NEW_BEFORE = re.compile(
    r"(?:^|\W)(?:another|a|an|new|second|fresh|further|separate|first|latest)\s+"
    r"(?:[\w'\u2019-]+\s+){0,2}$",
    re.I,
)
# "the assassination of X", "the attack at Y": a definite noun that brings
# its own details introduces an event rather than pointing back at one.
NEW_AFTER = re.compile(r"^\s+(?:of|in|at|on|near|against|outside)\b", re.I)
ORG_WORDS = re.compile(
    r"^\s+(?:Force|Forces|Brigade|Brigades|Party|Movement|Army|Front|Council|Ministry|Guard"
    r"|Guards|Corps|Battalion|Regiment|Committee|Organi[sz]ation|Group|Agency|Company)\b",
    re.I,
)
# "today's incident involved ...": no event word, but the sentence is about
# the event just reported, so every actor it names belongs to it.
INCIDENT_BACK = re.compile(
    r"\b(?:the|this|that|today['\u2019]s|yesterday['\u2019]s|same)\s+incidents?\b", re.I
)
LATER_START = re.compile(
    r"^\W*(?:(a|one|two|three|four|five|six|seven|\d+)\s+days?\s+later"
    r"|the\s+(?:next|following)\s+day)\b",
    re.I,
)
SAME_PLACE = re.compile(r"\b(?:the same|that)\s+(?:city|town|village|area|place|locality)\b", re.I)
NEAR_BEFORE = re.compile(
    r"(?:near|outside|close to|around|north of|south of|east of|west of|vicinity of"
    r"|(?:km|kilomet\w+|miles|metres) (?:from|of|outside))\s+(?:the\s+)?"
    r"(?:(?:city|town|village|locality|region) of\s+)?$",
    re.I,
)
IN_BEFORE = re.compile(r"\b(?:in|at|near|of|outside|into|from)\s+(?:the\s+)?(?:\w+\s+){0,3}$", re.I)
NAMED_PLACE = re.compile(
    r"\b(?:town|city|village|locality|commune) of ([A-Z][\w'\u2019-]+(?:\s[A-Z][\w'\u2019-]+)*)"
)
INTERVENTION = re.compile(
    r"tear ?gas|dispersed|rubber bullets|water cannon"
    r"|fired (?:on|at) (?:the )?(?:crowd|protesters)",
    re.I,
)
CIVILIAN_WORDS = re.compile(
    r"\b(?:civilians?|villagers|residents|market|worshippers|passengers|workers|hostages"
    r"|foreigners|targeting civilians|gas (?:plant|facility|complex|compound))\b",
    re.I,
)
PERP_AFTER = re.compile(
    r"^[^.;]{0,90}?\b(?:claimed responsibility|(?:is|are|was|were|be|been)\s+(?:\w+\s+){0,3}?behind"
    r"|carried out|launched|attacked|stormed|ambushed|kidnapped|abducted|seized|opened fire"
    r"|detonated|struck)\b",
    re.I,
)
PERP_BEFORE = re.compile(
    r"\b(?:led|launched|carried out|claimed|perpetrated|conducted|staged|mounted|orchestrated"
    r"|attacked|ambushed|kidnapped|abducted|killed|held|targeted)\s+(?:\w+\s+){0,5}?by\s+"
    r"(?:the\s+)?(?:[\w'\u2019-]+\s+){0,2}$",
    re.I,
)
# Characters from the event word within which an actor named with no role
# cue is taken as a party to the event.
NEUTRAL_ACTOR_REACH = 120
# "Malian soldiers faced ...", "French troops were ambushed": the actor
# just named is on the receiving end.
TARGET_AFTER = re.compile(
    r"^\s*(?:\([^)]*\)\s*)?(?:\w+\s+){0,2}?(?:faced|came under|suffered"
    r"|(?:were|was|are|is|have been|had been)\s+(?:\w+\s+){0,2}?(?:attacked|ambushed|targeted"
    r"|tested|hit|struck|killed|wounded|injured|kidnapped|abducted|shelled|bombed))\b",
    re.I,
)
TARGET_BEFORE = re.compile(
    r"\b(?:against|targeting|targeted|kidnapped|abducted|killed|attacked|ambushed|on|at|with)"
    r"\s+(?:the\s+|a\s+|an\s+)?(?:[\w'\u2019-]+\s+){0,3}$",
    re.I,
)
SECTION_PREFIX = re.compile(r"^\s*([A-Z][\w'\u2019]+(?:[ -][A-Z][\w'\u2019]+){0,3})\s*:\s+")
DATELINE = re.compile(
    r"^\s*[A-Z][A-Z' -]{2,},\s+([A-Z][a-z]+(?: [A-Z][a-z]+)*)\s+[\u2013\u2014-]\s+"
)
BOILERPLATE = re.compile(
    r"^\s*(?:posted on\b|leave a reply|please enter|this site uses|share this|related posts"
    r"|tags?:|filed under)",
    re.I,
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


@dataclass
class Post:
    """One post of a report file: its heading, date and paragraphs."""

    title: str
    date: dt.date | None
    paragraphs: list[str]


@dataclass
class PlaceMention:
    """A gazetteer match (or a country name) in a sentence."""

    start: int
    end: int
    text: str
    iso3: str
    result: Any = None
    country_only: bool = False
    near: bool = False


@dataclass
class _Trigger:
    start: int
    end: int
    text: str
    event_type: str
    sub_event_type: str
    priority: int


@dataclass
class _Candidate:
    post: Post
    paragraph: int
    sentence: str
    segment: str
    trigger: _Trigger
    event_type: str
    sub_event_type: str
    date: dt.date | None = None
    time_precision: int | None = None
    date_note: str = ""
    date_how: str = ""
    place: PlaceMention | None = None
    place_how: str = ""
    country_iso3: str = ""
    fatalities: int | None = None
    injuries: int | None = None
    figure_notes: list[str] = field(default_factory=list)
    actors: list[tuple[str, int, int, str]] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    missing_places: list[str] = field(default_factory=list)
    civilian: bool = False
    generic: bool = False


# --------------------------------------------------------------------------
# Posts, paragraphs and sentences


def _is_heading(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 14 and not re.search(r"[.!?\"\u201d:;,]\s*$", line)


def split_posts(text: str, post_date: dt.date | None = None) -> list[Post]:
    """Cut a report file into posts.

    A heading is a short line without closing punctuation that either holds
    a full date ("Mali Security Update (22 February 2013)") or is followed by
    a "Posted on" line. ``post_date`` dates the text before the first dated
    heading (and undated posts before it); posts under a dated heading use
    that date, undated posts after one have no date.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    next_nonblank = {a: b for a, b in zip(nonblank, nonblank[1:], strict=False)}
    posts = [Post("", post_date, [])]
    seen_dated = False
    block: list[str] = []

    def flush() -> None:
        if block:
            posts[-1].paragraphs.append(" ".join(s.strip() for s in block))
            block.clear()

    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if BOILERPLATE.match(stripped):
            flush()
            continue
        heading_date = full_date_in(stripped) if _is_heading(stripped) else None
        posted_next = i in next_nonblank and bool(
            re.match(r"^\s*posted on\b", lines[next_nonblank[i]], re.I)
        )
        if heading_date is not None or (posted_next and _is_heading(stripped)):
            flush()
            if heading_date is not None:
                seen_dated = True
            date = heading_date or (None if seen_dated else post_date)
            posts.append(Post(stripped, date, []))
            continue
        if _is_heading(stripped) and not block:
            continue  # a sub-heading inside a post: not prose
        block.append(stripped)
    flush()
    return [p for p in posts if p.paragraphs]


_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "gen", "col", "lt", "sgt", "capt", "maj", "st", "u.s", "u.n",
    "e.g", "i.e", "no", "vs", "inc", "co", "jr", "sr", "approx", "est", "km", "fig", "dept",
}  # fmt: skip
_SPLIT = re.compile(r"([.!?])([\"'\u201d\u2019)]*)\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph (abbreviations and initials do not end one)."""
    out = []
    start = 0
    for m in _SPLIT.finditer(paragraph):
        before = paragraph[start : m.start()].split()
        last = before[-1].casefold().rstrip(".") if before else ""
        if m.group(1) == "." and (last in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last)):
            continue
        out.append(paragraph[start : m.end()].strip())
        start = m.end()
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    return out


# --------------------------------------------------------------------------
# Places


_TOKEN = re.compile(r"[^\W\d_][\w'\u2019-]*")


def _lookup(gaz: GazetteerLike, name: str, main_iso3: str) -> Any:
    result = gaz.lookup(name, country=main_iso3) if main_iso3 else None
    return result if result is not None else gaz.lookup(name)


def find_places(
    sentence: str,
    gaz: GazetteerLike,
    main_iso3: str = "",
    skip: list[tuple[int, int]] | None = None,
    lower_words: set[str] | None = None,
) -> list[PlaceMention]:
    """Gazetteer matches and country names among the capitalised words of a sentence.

    Runs of capitalised words (with "des", "de", "el", ... inside) are
    looked up as n-grams of up to four words, longest first. A single word
    that the text also uses in lower case ("Security") or a stop word is not
    looked up; spans in ``skip`` (actor names) are not places. A name
    followed by a feature word ("the Ifoghas region") is retried with the
    feature words gazetteers use ("Ifoghas mountains").
    """
    skip = skip or []
    lower_words = lower_words or set()
    countries = country_names()
    tokens = []
    for m in _TOKEN.finditer(sentence):
        word = m.group(0)
        end = m.end()
        possessive = False
        if re.search(r"['\u2019]s$", word):
            word, end, possessive = word[:-2], end - 2, True
        word = word.rstrip("'\u2019-")
        end = m.start() + len(word)
        tokens.append((m.start(), end, word, possessive))
    runs: list[list[tuple[int, int, str, bool]]] = []
    current: list[tuple[int, int, str, bool]] = []
    for k, tok in enumerate(tokens):
        start, _, word, _ = tok
        joined = not current or sentence[current[-1][1] : start].strip() == ""
        capital = word[:1].isupper()
        connector = (
            word.casefold() in _CONNECT_TOKENS
            and bool(current)
            and k + 1 < len(tokens)
            and tokens[k + 1][2][:1].isupper()
        )
        if (capital or connector) and joined and not (current and current[-1][3]):
            current.append(tok)
        else:
            if current:
                runs.append(current)
            current = [tok] if capital else []
    if current:
        runs.append(current)

    found: list[PlaceMention] = []
    for run in runs:
        i = 0
        while i < len(run):
            matched = 0
            for n in range(min(4, len(run) - i), 0, -1):
                gram = run[i : i + n]
                if gram[-1][2].casefold() in _CONNECT_TOKENS:
                    continue
                start, end = gram[0][0], gram[-1][1]
                text = sentence[start:end]
                if any(a < end and start < b for a, b in skip):
                    continue
                words = [g[2].casefold() for g in gram]
                if all(w in STOPWORDS for w in words):
                    continue
                if n == 1 and (
                    words[0] in lower_words
                    or len(words[0]) < 3
                    or ORG_WORDS.match(sentence[end:])
                    or re.search(r"\b[A-Z]\.\s*$", sentence[max(0, start - 4) : start])
                    or any(
                        w not in STOPWORDS
                        for w in (t[2].casefold() for t in run if t is not gram[0])
                    )
                ):
                    continue
                key = fold(text)
                if key in countries:
                    found.append(PlaceMention(start, end, text, countries[key], None, True))
                    matched = n
                    break
                if n == 1 and text in ADJECTIVES:
                    matched = n
                    break
                result = _lookup(gaz, text, main_iso3)
                if result is None and i + n == len(run):
                    follow = re.match(r"\s+([a-z]+)", sentence[end:])
                    tries = [follow.group(1)] if follow else []
                    if follow and follow.group(1) in FEATURE_WORDS:
                        tries += ["mountains", "massif"]
                    for feature in tries:
                        result = _lookup(gaz, f"{text} {feature}", main_iso3)
                        if result is not None:
                            break
                if result is None:
                    continue
                country_level = fold(result.name) in countries and not result.admin1
                near = bool(NEAR_BEFORE.search(sentence[max(0, start - 45) : start]))
                found.append(
                    PlaceMention(start, end, text, result.iso3, result, country_level, near)
                )
                matched = n
                break
            i += matched or 1
    for m in re.finditer(r"\b[a-z]+ern ([A-Z][a-z]+)\b", sentence):
        key = fold(m.group(1))
        if key in countries and not any(p.start == m.start(1) for p in found):
            found.append(PlaceMention(m.start(1), m.end(1), m.group(1), countries[key], None, True))
    found.sort(key=lambda p: p.start)
    return found


def _main_country(
    paragraphs: list[str], gaz: GazetteerLike, lower_words: set[str], default: str
) -> str:
    """The country a post is mostly about: places count 2, country names 2, adjectives 1."""
    score: dict[str, int] = {}
    for paragraph in paragraphs:
        for place in find_places(paragraph, gaz, "", None, lower_words):
            score[place.iso3] = score.get(place.iso3, 0) + 2
        for adjective, iso3 in ADJECTIVES.items():
            hits = len(re.findall(rf"\b{adjective}s?\b", paragraph))
            if hits:
                score[iso3] = score.get(iso3, 0) + hits
    if not score:
        return default
    return max(sorted(score), key=lambda k: score[k])


# --------------------------------------------------------------------------
# Events in sentences


def find_triggers(sentence: str) -> list[_Trigger]:
    """Event words in a sentence; where two overlap the higher priority wins."""
    found = [
        _Trigger(m.start(), m.end(), m.group(0), etype, sub, prio)
        for pattern, etype, sub, prio in _TRIGGER_RES
        for m in pattern.finditer(sentence)
    ]
    found.sort(key=lambda t: (-t.priority, t.start))
    kept: list[_Trigger] = []
    for trig in found:
        if any(trig.start < k.end and k.start < trig.end for k in kept):
            continue
        kept.append(trig)
    return sorted(kept, key=lambda t: t.start)


def _clause(sentence: str, pos: int) -> tuple[int, int]:
    left = max(sentence.rfind(c, 0, pos) for c in ",;:()\u2013\u2014")
    rights = [i for i in (sentence.find(c, pos) for c in ",;:()\u2013\u2014") if i >= 0]
    return left + 1, min(rights) if rights else len(sentence)


def _hedged(sentence: str, trig: _Trigger) -> bool:
    if CONDITIONAL_START.match(sentence):
        return True
    a, b = _clause(sentence, trig.start)
    return bool(HEDGE.search(sentence[a:b]))


def _segments(sentence: str, triggers: list[_Trigger]) -> list[tuple[int, int, str, int]]:
    """Cut a sentence between events of different types at the connector between them.

    Returns (start, end, relation, days) per segment; relation is "before"
    when the segment happened ``days`` days before the previous one
    ("X one day after Y": Y is one day before X), "after" for the reverse,
    "" when unknown.
    """
    primary = [t for t in triggers if t.priority >= 0]
    cuts: list[tuple[int, int, str, int]] = []
    for left, right in zip(primary, primary[1:], strict=False):
        if (left.event_type, left.sub_event_type) == (right.event_type, right.sub_event_type):
            continue
        between = list(CONNECTOR.finditer(sentence, left.end, right.start))
        if not between:
            continue
        m = between[-1]
        word = (m.group(2) or "").casefold()
        days = 0
        if m.group(1):
            count = m.group(1).casefold()
            days = 1 if count in ("one", "a") else _small_number(count)
        relation = {"after": "before", "following": "before", "before": "after"}.get(word, "")
        cuts.append((m.start(), m.end(), relation, days))
    segments = []
    start, relation, days = 0, "", 0
    for cut_start, cut_end, rel, n in cuts:
        segments.append((start, cut_start, relation, days))
        start, relation, days = cut_end, rel, n
    segments.append((start, len(sentence), relation, days))
    return [(a, b, r, d) for a, b, r, d in segments]


def _small_number(word: str) -> int:
    from geo.io.extract.figures import parse_number

    value = parse_number(word)
    return value if value is not None else 0


def _is_back_reference(text: str, trig: _Trigger, offset: int) -> bool:
    """True when the event word points back ("this attack", "the incident occurred")."""
    before = text[max(0, trig.start - offset - 40) : trig.start - offset]
    if NEW_BEFORE.search(before):
        return False
    det = DETERMINER_BEFORE.search(before)
    if det is None:
        return False
    if det.group(1).casefold() in ("that", "those") and before[det.end(1) :].strip():
        # "believed that seven hostages": a conjunction, not "that attack".
        return False
    # Only a noun brings details ("the attack at ..."); after a verb ("the
    # explosives were confiscated in ...") the subject still points back.
    is_noun = not trig.text.casefold().endswith("ed")
    brings_details = is_noun and bool(NEW_AFTER.match(text[trig.end - offset :]))
    return not (det.group(1).casefold() == "the" and brings_details)


def _roles(
    sentence: str, mentions: list[Mention], country: str, base: int, anchor: int | None = None
) -> list[tuple[str, int, int, str]]:
    """(actor label, role score, order, kind) for mentions: +2 perpetrator cue, -2 target.

    With ``anchor`` (the event word's position), an actor with no role cue
    named far from it ("..., as well as X, leader of Ansar Dine, ...") is
    left out: it is mentioned in passing, not a party to the event.
    """
    out = []
    for k, mention in enumerate(mentions):
        far = (
            anchor is not None
            and min(abs(mention.start - anchor), abs(mention.end - anchor)) > NEUTRAL_ACTOR_REACH
        )
        # A cue belongs to the nearest actor: "signed by Ansaru ... owned by
        # Belmokhtar, whose group is behind ..." makes Belmokhtar's group
        # the perpetrator, not Ansaru.
        stop = mentions[k + 1].start if k + 1 < len(mentions) else len(sentence)
        after = sentence[mention.end : stop]
        begin = mentions[k - 1].end if k > 0 else 0
        before = sentence[max(begin, mention.start - 70) : mention.start]
        score = 0
        if TARGET_AFTER.match(after):
            score = -2
        elif PERP_AFTER.match(after) or PERP_BEFORE.search(before):
            score = 2
        elif TARGET_BEFORE.search(before):
            score = -2
        if far and score <= 0:
            continue
        for actor in mention.actors:
            kind_score = -3 if actor.kind == "civilian" else score
            out.append((actor.label(country), kind_score, base + k, actor.kind))
    return out


# --------------------------------------------------------------------------
# The extractor


def _default_gazetteer() -> GazetteerLike:
    from geo.reference.gazetteer import load_gazetteer

    return load_gazetteer()


def extract_candidates(
    text: str,
    post_date: dt.date | str | None = None,
    *,
    gazetteer: GazetteerLike | None = None,
    actors: ActorDictionary | None = None,
    source: str | None = None,
    country: str = "",
) -> pd.DataFrame:
    """Find candidate incidents in report prose.

    Parameters
    ----------
    text : str
        One or several posts (untrusted text).
    post_date : date or "YYYY-MM-DD", optional
        Date of the post, for relative dates; used for text before any
        dated heading (posts under a dated heading use their own date).
    gazetteer : Gazetteer, optional
        Defaults to :func:`geo.reference.gazetteer.load_gazetteer`.
    actors : ActorDictionary, optional
        Defaults to ``config/actors.toml``.
    source : str, optional
        Name for the ``source`` column (e.g. the file name); the post title
        is used when not given.
    country : str, optional
        ISO3 of the main country when the text does not make it clear.

    Returns
    -------
    DataFrame
        One row per candidate: the schema columns (``event_id`` empty,
        ``event_date`` NaT and coordinates NaN where unresolved) plus
        ``civilian_targeting``, ``injuries``, ``confidence``, ``why``,
        ``unresolved`` ("; "-separated), ``sentence``, ``context``,
        ``post_title``, ``post_date``, ``paragraph``.
    """
    if isinstance(post_date, str):
        post_date = dt.date.fromisoformat(post_date)
    gaz = gazetteer if gazetteer is not None else _default_gazetteer()
    actors = actors if actors is not None else load_actors()
    lower_words = set(re.findall(r"\b[a-z][a-z'-]+\b", text))
    candidates: list[_Candidate] = []
    paragraph_no = 0
    for post in split_posts(text, post_date):
        main = _main_country(post.paragraphs, gaz, lower_words, country)
        found, paragraph_no = _extract_post(post, gaz, actors, main, lower_words, paragraph_no)
        candidates += found
    return _frame([_row(c, source) for c in candidates])


def _extract_post(
    post: Post,
    gaz: GazetteerLike,
    actors: ActorDictionary,
    main: str,
    lower_words: set[str],
    paragraph_no: int,
) -> tuple[list[_Candidate], int]:
    out: list[_Candidate] = []
    section = ""
    year_hint = post.date.year if post.date else None
    years = [y for p in post.paragraphs for y in dated_years(p)]
    reference_year = post.date.year if post.date else max(years, default=None)
    for paragraph in post.paragraphs:
        paragraph_no += 1
        prefix = SECTION_PREFIX.match(paragraph)
        if prefix:
            parts = [fold(p) for p in re.split(r"[-/]", prefix.group(1))]
            named = [country_names().get(p, "") for p in parts]
            if all(named):
                section = named[0] if len(named) == 1 else ""
                paragraph = paragraph[prefix.end() :]
        dateline = DATELINE.match(paragraph)
        if dateline:
            paragraph = paragraph[dateline.end() :]
        focus = section or main
        in_paragraph: list[_Candidate] = []
        for sentence in split_sentences(paragraph):
            group = _sentence(
                sentence, post, paragraph_no, gaz, actors, focus, lower_words, year_hint,
                in_paragraph, out,
            )  # fmt: skip
            in_paragraph += group
            year_hint = last_year_in(sentence) or year_hint
        out += in_paragraph
    if reference_year is not None:
        # Background history ("on 1 May 2003 ... after six weeks of fighting")
        # is not a new incident of this report.
        out = [c for c in out if c.date is None or c.date.year >= reference_year - 1]
    return out, paragraph_no


def _sentence(
    sentence: str,
    post: Post,
    paragraph_no: int,
    gaz: GazetteerLike,
    actors: ActorDictionary,
    focus: str,
    lower_words: set[str],
    year_hint: int | None,
    in_paragraph: list[_Candidate],
    earlier: list[_Candidate],
) -> list[_Candidate]:
    """Candidates a sentence starts; a back-referring sentence feeds an earlier one."""
    triggers = find_triggers(sentence)
    live = [t for t in triggers if not _hedged(sentence, t)]
    if triggers and not live:
        return []
    if not triggers and (HEDGE.search(sentence) or CONDITIONAL_START.match(sentence)):
        return []
    mentions = actors.find(sentence)
    places = find_places(sentence, gaz, focus, [(m.start, m.end) for m in mentions], lower_words)
    dates = find_dates(sentence, post.date, year_hint)
    country_label = country_name(focus) if focus else ""
    new: list[_Candidate] = []
    previous_date: dt.date | None = None
    for seg_start, seg_end, relation, days in _segments(sentence, live):
        seg_triggers = [t for t in live if seg_start <= t.start < seg_end]
        seg_places = [p for p in places if seg_start <= p.start < seg_end]
        seg_dates = [d for d in dates if seg_start <= d.start < seg_end]
        seg_mentions = [m for m in mentions if seg_start <= m.start < seg_end]
        seg_text = sentence[seg_start:seg_end]
        main_trig = max(seg_triggers, key=lambda t: (t.priority, -t.start), default=None)
        own_place = any(not p.country_only for p in seg_places)
        own_date = any(d.date is not None for d in seg_dates)
        exact_date = any(d.date is not None and d.precision == 1 for d in seg_dates)
        if main_trig is None:
            target = _referent(in_paragraph + new, seg_dates)
            if target is not None:
                points_back = INCIDENT_BACK.search(seg_text) is not None
                _merge(
                    target, seg_text, seg_places, seg_dates, seg_mentions, country_label,
                    points_back,
                )  # fmt: skip
            continue
        refers_back = _is_back_reference(seg_text, main_trig, seg_start)
        weak = main_trig.priority < 0 and not (own_place or exact_date)
        if weak and not refers_back and HEDGE.search(sentence):
            # "analysts believe they will ... begin staging attacks": a
            # general word in a sentence of speculation adds nothing.
            continue
        if refers_back or weak:
            target = _referent(in_paragraph + new, seg_dates)
            if target is None and refers_back:
                target = next(
                    (c for c in reversed(earlier) if c.event_type == main_trig.event_type), None
                )
            if target is not None:
                _merge(target, seg_text, seg_places, seg_dates, seg_mentions, country_label, True)
                continue
            if weak or not (own_place or own_date):
                continue
        if GENERIC.search(sentence) and not own_date:
            continue
        cand = _Candidate(
            post, paragraph_no, sentence, seg_text, main_trig,
            main_trig.event_type, main_trig.sub_event_type, country_iso3=focus,
        )  # fmt: skip
        cand.generic = bool(GENERIC.search(sentence))
        _type_details(cand, seg_text)
        _choose_date(cand, seg_dates, relation, days, previous_date, in_paragraph + earlier)
        _choose_place(cand, seg_places, seg_text, in_paragraph + new)
        figures = find_figures(
            seg_text, [(d.start - seg_start, d.end - seg_start) for d in seg_dates]
        )
        cand.fatalities, cand.injuries = figures.fatalities, figures.injuries
        cand.figure_notes += figures.notes
        label = country_name(cand.place.iso3) if cand.place else country_label
        cand.actors += _roles(sentence, seg_mentions, label, 0, main_trig.start)
        cand.missing_places += [
            m.group(1)
            for m in NAMED_PLACE.finditer(seg_text)
            if not any(p.text.startswith(m.group(1).split()[0]) for p in seg_places)
        ]
        previous_date = cand.date
        same = _same_event(cand, in_paragraph + new)
        if same is not None:
            _merge(same, seg_text, seg_places, seg_dates, seg_mentions, country_label, True)
            continue
        new.append(cand)
    return new


def _same_event(cand: _Candidate, others: list[_Candidate]) -> _Candidate | None:
    """An earlier candidate of the paragraph this one cannot be told apart from.

    Same event type, and date and place each missing or equal: two
    sentences about one riot ("Rioters blocked roads ...", "Demonstrators
    threw petrol bombs ...") make one candidate.
    """
    for other in reversed(others):
        # Same sub-event type too: "hostages are held by MUJAO" after "the
        # attack on the gas plant" is another event, not more about it.
        if (other.event_type, other.sub_event_type) != (cand.event_type, cand.sub_event_type):
            continue
        dates_ok = cand.date is None or other.date is None or cand.date == other.date
        place_ok = cand.place is None or other.place is None or cand.place.text == other.place.text
        if dates_ok and place_ok:
            return other
    return None


def _referent(candidates: list[_Candidate], dates: list[DateMention]) -> _Candidate | None:
    """The candidate a back-referring sentence is about.

    The one whose date its date words name ("today's attack"), else the
    first candidate of the latest sentence that made any.
    """
    if not candidates:
        return None
    for mention in dates:
        for cand in reversed(candidates):
            if mention.date is not None and cand.date == mention.date:
                return cand
    last_sentence = candidates[-1].sentence
    return next(c for c in candidates if c.sentence == last_sentence)


def _merge(
    cand: _Candidate,
    text: str,
    places: list[PlaceMention],
    dates: list[DateMention],
    mentions: list[Mention],
    country_label: str,
    refers_back: bool,
) -> None:
    """Add what a following sentence says to the candidate it is about.

    A sentence that names no event ("The incident occurred in the town of
    Tessalit") gives a missing place, date or figures and actors said to be
    behind it; one that points back at the event ("this attack") gives its
    other actors too.
    """
    cand.context.append(text.strip())
    towns = [p for p in places if not p.country_only]
    if cand.place is None and towns:
        same = [p for p in towns if not cand.country_iso3 or p.iso3 == cand.country_iso3]
        if same:
            cand.place, cand.place_how = same[0], "neighbour"
            cand.country_iso3 = same[0].iso3
    if cand.date is None:
        known = [d for d in dates if d.date is not None]
        if known:
            cand.date, cand.time_precision, cand.date_how = (
                known[0].date,
                known[0].precision,
                "neighbour",
            )
    figures = find_figures(text, [])
    if cand.fatalities is None and figures.fatalities is not None:
        cand.fatalities = figures.fatalities
        cand.figure_notes += [n for n in figures.notes if "death" in n or "lower" in n]
    if cand.injuries is None and figures.injuries is not None:
        cand.injuries = figures.injuries
        cand.figure_notes += [n for n in figures.notes if n not in cand.figure_notes]
    label = country_name(cand.place.iso3) if cand.place else country_label
    base = 100 * (len(cand.context) + 1)
    roles = _roles(text, mentions, label, base)
    cand.actors += roles if refers_back else [r for r in roles if r[1] > 0]
    if CIVILIAN_WORDS.search(text):
        cand.civilian = True


def _type_details(cand: _Candidate, text: str) -> None:
    trig = cand.trigger
    if trig.priority == -1 and trig.event_type == "Battles" and CIVILIAN_WORDS.search(text):
        cand.event_type, cand.sub_event_type = "Violence against civilians", "Attack"
    if cand.event_type == "Protests" and INTERVENTION.search(text):
        cand.sub_event_type = "Protest with intervention"
    cand.civilian = bool(CIVILIAN_WORDS.search(text))


def _choose_date(
    cand: _Candidate,
    dates: list[DateMention],
    relation: str,
    days: int,
    previous: dt.date | None,
    earlier: list[_Candidate],
) -> None:
    if dates:
        best = min(dates, key=lambda d: (d.date is None, abs(d.start - cand.trigger.start)))
        cand.date, cand.time_precision, cand.date_note = best.date, best.precision, best.note
        cand.date_how = best.kind
        if best.date is not None:
            return
    if relation and days and previous is not None:
        sign = -1 if relation == "before" else 1
        cand.date = previous + dt.timedelta(days=sign * days)
        cand.time_precision, cand.date_how = 1, "relative"
        cand.date_note = f"{days} day(s) {relation} the other event of the sentence"
        return
    later = LATER_START.match(cand.sentence)
    if later and earlier and cand.sentence is not earlier[-1].sentence:
        ref = earlier[-1]
        count = later.group(1)
        n = 1 if not count or count.casefold() in ("a", "one") else _small_number(count)
        if ref.date is not None:
            cand.date = ref.date + dt.timedelta(days=n)
            cand.time_precision, cand.date_how = ref.time_precision or 1, "relative"
            cand.date_note = f"{n} day(s) after the previous incident"
        else:
            cand.date_note = "relative to a previous incident whose date is not resolved"


def _choose_place(
    cand: _Candidate, places: list[PlaceMention], text: str, earlier: list[_Candidate]
) -> None:
    towns = [p for p in places if not p.country_only]
    stated_countries = {
        p.iso3
        for p in places
        if p.country_only and IN_BEFORE.search(cand.sentence[max(0, p.start - 30) : p.start])
    }
    if towns:

        def cost(p: PlaceMention) -> float:
            distance = abs(p.start - cand.trigger.start)
            foreign = 80 if cand.country_iso3 and p.iso3 != cand.country_iso3 else 0
            prep = -40 if IN_BEFORE.search(cand.sentence[max(0, p.start - 30) : p.start]) else 0
            backed = -60 if p.iso3 in stated_countries else 0
            return distance + foreign + prep + backed

        cand.place = min(towns, key=cost)
        cand.place_how = "sentence"
        cand.country_iso3 = cand.place.iso3
        return
    if earlier and (SAME_PLACE.search(text) or LATER_START.match(cand.sentence)):
        ref = next((c for c in reversed(earlier) if c.place is not None), None)
        if ref is not None and ref.place is not None:
            cand.place, cand.place_how = ref.place, "previous"
            cand.country_iso3 = ref.place.iso3
            return
    named = [p for p in places if p.country_only]
    stated = [p for p in named if IN_BEFORE.search(cand.sentence[max(0, p.start - 30) : p.start])]
    if stated:
        cand.country_iso3 = min(stated, key=lambda p: abs(p.start - cand.trigger.start)).iso3
    elif named and not cand.country_iso3:
        cand.country_iso3 = named[0].iso3


# --------------------------------------------------------------------------
# Rows


def _actor_pair(cand: _Candidate, country: str) -> tuple[str, str]:
    # One actor named several times ("Malian soldiers faced attacks when
    # bombers targeted Malian army bases") takes its clearest role: a
    # perpetrator cue wins, else a target cue, else neutral.
    role: dict[str, tuple[int, int]] = {}
    for name, score, order, kind in cand.actors:
        if kind == "civilian":
            continue
        old_score, old_order = role.get(name, (0, order))
        pick = max if score > 0 or old_score > 0 else min
        role[name] = (pick(score, old_score), min(order, old_order))
    ranked = sorted(cand.actors, key=lambda a: (-a[1], a[2]))
    names = sorted(role, key=lambda n: (-role[n][0], role[n][1]))
    civilians = [a[0] for a in ranked if a[3] == "civilian"]
    actor1 = names[0] if names else ""
    actor2 = names[1] if len(names) > 1 else ""
    if names and role[names[0]][0] < 0:
        # Only targets are named: the attacker is not known.
        actor1, actor2 = "", names[0]
    if cand.event_type == "Protests":
        protesters = next((a for a in civilians if a.startswith("Protesters")), "")
        actor1 = protesters or (f"Protesters ({country})" if country else "Protesters")
        actor2 = names[0] if names else ""
    elif cand.event_type == "Riots":
        rioters = next((a for a in civilians if a.startswith("Rioters")), "")
        actor1 = rioters or (f"Rioters ({country})" if country else "Rioters")
        actor2 = names[0] if names else ""
    elif civilians and not actor2 and (cand.civilian or cand.event_type.startswith("Violence")):
        actor2 = next((a for a in civilians if a.startswith("Civilians")), civilians[0])
    return actor1, actor2


def _row(cand: _Candidate, source: str | None) -> dict[str, Any]:
    if cand.date is None and not cand.date_note and cand.post.date and cand.post.title:
        # No date words at all ("Rioters have blocked roads ...") in a dated
        # update ("MENA Update (16 February 2013)"): it reports its week, so
        # the post's date at week precision, flagged for the analyst (the
        # store's convention for such reports). Undated articles, and text
        # dated only by --date / the page, may look back weeks: left open.
        cand.date, cand.time_precision, cand.date_how = cand.post.date, 2, "post"
        cand.date_note = "no date stated: the post's week assumed"
    place = cand.place
    result = place.result if place is not None else None
    iso3 = place.iso3 if place is not None else cand.country_iso3
    country = country_name(iso3) if iso3 else ""
    unresolved: list[str] = []
    why: list[str] = []
    score = 0.0

    if cand.trigger.priority >= 0:
        score += 0.25
        why.append(f"event words '{cand.trigger.text}' (+0.25)")
    else:
        score += 0.1
        why.append(f"only general event words '{cand.trigger.text}' (+0.10)")

    geo_precision: int | None = None
    if result is not None and place is not None:
        geo_precision = int(result.geo_precision)
        if place.near:
            geo_precision = max(geo_precision, 2)
        gain = {"sentence": 0.3, "neighbour": 0.2, "previous": 0.15}.get(cand.place_how, 0.1)
        if geo_precision == 3:
            gain -= 0.05
        where = {
            "sentence": "in the sentence",
            "neighbour": "in a following sentence",
            "previous": "from the previous incident",
        }.get(cand.place_how, "")
        why.append(f"place {place.text} {where} (+{gain:.2f})")
        score += gain
        if getattr(result, "ambiguous", False):
            score -= 0.1
            unresolved.append(f"place name '{place.text}' is ambiguous: check the coordinates")
            why.append("ambiguous place name (-0.10)")
    else:
        for name in cand.missing_places:
            unresolved.append(f"place '{name}' not found in the gazetteer")
        if country:
            unresolved.append(f"no place named (only the country, {country})")
            score += 0.05
            why.append("country only (+0.05)")
        else:
            unresolved.append("no place named")

    if cand.date_how == "post":
        score += 0.05
        why.append("no date stated, the post's week (+0.05)")
        unresolved.append(cand.date_note)
    elif cand.date is not None:
        gain = {1: 0.25, 2: 0.15, 3: 0.1}.get(cand.time_precision or 1, 0.1)
        if cand.date_how in ("relative", "neighbour"):
            gain -= 0.05
        score += gain
        why.append(f"date from '{cand.date_how}' (+{gain:.2f})")
    else:
        unresolved.append("date not resolved" + (f" ({cand.date_note})" if cand.date_note else ""))

    if cand.fatalities is not None or cand.injuries is not None:
        score += 0.1
        why.append("casualty figures stated (+0.10)")
    actor1, actor2 = _actor_pair(cand, country)
    if actor1 or actor2:
        score += 0.05
        why.append("actor named (+0.05)")
    if cand.generic:
        score -= 0.15
        why.append("reads like a general statement (-0.15)")
    confidence = round(min(max(score, 0.0), 1.0), 2)

    extra = list(cand.figure_notes)
    if cand.fatalities is None:
        extra.append("no deaths stated")
    if cand.injuries:
        extra.append(f"injuries: {cand.injuries}")
    if cand.date_note and cand.date is not None:
        extra.append(cand.date_note)
    if place is not None and place.near:
        extra.append(f"near {place.text}: geo_precision 2")
    notes = cand.sentence + (" [extraction: " + "; ".join(extra) + "]" if extra else "")

    title = cand.post.title
    label = source or title or "report"
    if cand.post.date is not None and cand.post.date.strftime("%Y") not in label:
        label += f" ({cand.post.date:%d %B %Y})"

    return {
        "event_id": "",
        "event_date": pd.Timestamp(cand.date) if cand.date else pd.NaT,
        "time_precision": cand.time_precision if cand.date else None,
        "event_type": cand.event_type,
        "sub_event_type": cand.sub_event_type,
        "actor1": actor1,
        "actor2": actor2,
        "country": country,
        "iso3": iso3,
        "admin1": str(getattr(result, "admin1", "") or "") if result is not None else "",
        "admin2": "",
        "location": str(result.name) if result is not None else "",
        "latitude": float(result.latitude) if result is not None else float("nan"),
        "longitude": float(result.longitude) if result is not None else float("nan"),
        "geo_precision": geo_precision,
        "fatalities": cand.fatalities if cand.fatalities is not None else 0,
        "source": label,
        "notes": notes,
        "civilian_targeting": CIVILIAN_TARGETING
        if cand.civilian and cand.event_type == "Violence against civilians"
        else "",
        "injuries": cand.injuries if cand.injuries is not None else 0,
        "confidence": confidence,
        "why": "; ".join(why),
        "unresolved": "; ".join(unresolved),
        "sentence": cand.sentence,
        "context": " ".join(cand.context),
        "post_title": title,
        "post_date": pd.Timestamp(cand.post.date) if cand.post.date else pd.NaT,
        "paragraph": cand.paragraph,
    }


# What the extractor found out about a candidate rather than what it claims
# happened: shown to the analyst for review, never edited.
PROVENANCE_COLUMNS: tuple[str, ...] = (
    "confidence",
    "why",
    "unresolved",
    "sentence",
    "context",
    "post_title",
    "post_date",
    "paragraph",
)
CANDIDATE_COLUMNS: tuple[str, ...] = (
    *COLUMNS,
    "civilian_targeting",
    "injuries",
    *PROVENANCE_COLUMNS,
)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS))
    for col in ("event_date", "post_date"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    for col in ("time_precision", "geo_precision", "fatalities", "injuries", "paragraph"):
        frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    for col in ("latitude", "longitude", "confidence"):
        frame[col] = frame[col].astype("float64")
    text_cols = [c for c in CANDIDATE_COLUMNS if frame[c].dtype == object]
    for col in text_cols:
        frame[col] = frame[col].astype("string").fillna("")
    return frame


def candidates_to_incidents(candidates: pd.DataFrame) -> pd.DataFrame:
    """The schema part of candidate rows (what the store keeps), ready to append."""
    keep = [*COLUMNS, "civilian_targeting"]
    return candidates[[c for c in keep if c in candidates.columns]].copy()


def candidates_to_records(candidates: pd.DataFrame) -> list[dict[str, Any]]:
    """Candidates as JSON-ready dicts (dates as YYYY-MM-DD, missing values as None)."""
    out = candidates.copy()
    for col in ("event_date", "post_date"):
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    records = out.astype(object).where(out.notna(), None).to_dict(orient="records")
    for record in records:
        record["unresolved"] = [u for u in str(record["unresolved"] or "").split("; ") if u]
    return records


def check_candidates(candidates: pd.DataFrame) -> list[Problem]:
    """Validation problems of candidate rows as they would be stored.

    ``row`` in each problem is the candidate's position + 1 (the number the
    review table shows), so the analyst can find and fix it. ``event_id``
    may be empty: the store assigns one.
    """
    from geo.io.store import to_csv_frame

    text = to_csv_frame(candidates_to_incidents(candidates).reset_index(drop=True))
    text["event_id"] = [f"candidate {i + 1}" for i in range(len(text))]
    return [
        Problem(p.file, p.row - 1, p.column, p.value, p.expected)
        for p in validate_frame(text, file="candidate")
    ]


def fill_coordinates(candidates: pd.DataFrame, gazetteer: GazetteerLike) -> pd.DataFrame:
    """Place rows that have a location name but no coordinates, using the gazetteer.

    Rows that already have coordinates are left as they are; rows whose name
    the gazetteer does not know keep empty coordinates. The country (ISO3)
    of the row, when set, restricts the lookup.
    """
    out = candidates.copy()
    todo = out["latitude"].isna() & (out["location"].astype("string").fillna("").str.strip() != "")
    for i in out.index[todo]:
        iso3 = str(out.at[i, "iso3"] or "")
        result = gazetteer.lookup(str(out.at[i, "location"]), country=iso3 or None)
        if result is None:
            continue
        out.at[i, "latitude"] = float(result.latitude)
        out.at[i, "longitude"] = float(result.longitude)
        out.at[i, "location"] = str(result.name)
        out.at[i, "iso3"] = str(result.iso3)
        out.at[i, "country"] = country_name(str(result.iso3)) or out.at[i, "country"]
        out.at[i, "admin1"] = str(result.admin1 or "")
        if pd.isna(out.at[i, "geo_precision"]):
            out.at[i, "geo_precision"] = int(result.geo_precision)
    return out
