"""Event words in a sentence: which events it reports, and which it only speculates about.

Keyword rules (:data:`TRIGGERS`) mark the words that report an incident and
give its ACLED event type; words of speculation in the same clause drop
them (:func:`is_hedged`). A sentence reporting two events of different
types is cut at the connector between them (:func:`event_segments`), and an
event word that points back at an earlier event ("this attack") is told
apart from one that introduces a new one (:func:`is_back_reference`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from geo.io.extract import french
from geo.io.extract.figures import parse_number

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
        r"riots?|rioters|rioting|petrol bombs?|molotov cocktails?|looted|looting|torched"
        r"|(?:threw|throwing|hurled|hurling) stones|stone[- ]throwing"
        r"|(?:set|setting) (?:\w+ ){0,2}tyres (?:on fire|alight|ablaze)|burn(?:ed|t|ing) tyres",
        "Riots",
        "Violent demonstration",
        8,
    ),
    (r"mob violence|lynch(?:ed|ing)", "Riots", "Mob violence", 8),
    (
        r"suicide[- ](?:car[- ])?(?:bomb(?:s|er|ers|ing|ings)?|attacks?|blasts?)|kamikazes?"
        r"|blew (?:himself|herself|themselves) up|(?:suicide|explosive) (?:vests?|belts?)"
        r"|detonated (?:his|her|their) (?:vests?|belts?|explosives)",
        "Explosions/Remote violence",
        "Suicide bomb",
        7,
    ),
    (
        r"car[- ]bomb(?:s|ing|ings)?|vehicle[- ]borne|VBIEDs?|IEDs?|roadside bombs?|landmines?"
        r"|improvised explosive devices?|explosive devices?|road bombs?|bombs? planted"
        r"|planted (?:an? )?(?:bomb|device|explosives?)|(?:hit|struck|set off) (?:an? )?mines?"
        r"|(?:killed|wounded|injured) by an? (?:land)?mine|mines? (?:exploded|went off)"
        r"|mine blasts?",
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
        6,
    ),
    (
        r"air ?strikes?|air raids?|(?:drone|UAV|uav) (?:strikes?|attacks?)|bombing raids?"
        r"|(?:jets|warplanes|war planes|aircraft|helicopters?|gunships?|drones?)"
        r" (?:attacked|struck|bombed|fired on|hit|targeted|strafed)",
        "Explosions/Remote violence",
        "Air/drone strike",
        6,
    ),
    (
        r"shelling|shelled|mortars?|artillery|rockets? (?:fire|attacks?|struck|hit|landed|fell)"
        r"|missiles?(?: (?:strikes?|attacks?|fire))?"
        r"|fired (?:\w+ ){0,3}(?:rockets|shells|mortar rounds)|shells? (?:struck|hit|landed|fell)"
        r"|indirect fire",
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        6,
    ),
    # Stun and tear-gas grenades are the police's answer to a protest, not an explosion.
    (r"(?<!stun )(?<!sound )(?<!gas )grenades?", "Explosions/Remote violence", "Grenade", 6),
    (
        r"kidnap(?:ped|ping|pings|pers)?|abduct(?:ed|ion|ions)?|hostages?"
        r"|held (?:\w+\s+){1,8}?(?:captive|for (?:several |a few )?(?:hours|days)"
        r"|before releasing)",
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
        r"|marched|(?-i:march(?:es)?)|sit-ins?|poured into the streets|took to the streets",
        "Protests",
        "Peaceful protest",
        4,
    ),
    (
        r"clash(?:es|ed)?|fighting|battles?|gun ?battles?|firefights?|skirmish(?:es)?"
        r"|counter[- ]?offensives?|(?:an?|the|new|major|military|ground|their|its)\s+offensives?"
        r"|ambush(?:es|ed)?|overr[au]n|came under (?:fire|attack)|exchang(?:ed|ing) (?:gun)?fire"
        r"|returned fire|repelled|repulsed|fought|gunfights?|fired on (?:\w+ ){0,3}?(?:patrols?"
        r"|convoys?|positions?|posts?|troops|soldiers|checkpoints?)"
        r"|(?:(?:military|ground|air|security|joint|counter-?terrorism|an|the)\s+)operations?",
        "Battles",
        "Armed clash",
        3,
    ),
    # A place changing hands: taking one back ("recaptured", « repris le
    # contrôle ») is the government's, taking one the armed group's.
    (
        r"(?:recaptured|retook|regained control of|took back|reclaimed)",
        "Battles",
        "Government regains territory",
        3,
    ),
    (
        r"(?:seized|took|taken|gained) (?:full )?control of|captured the (?:town|city|village)"
        r"|fell (?:in)?to (?:the )?(?:hands of )?(?:rebels|militants|jihadists|insurgents)",
        "Battles",
        "Non-state actor overtakes territory",
        3,
    ),
    (r"arrested|detained", "Strategic developments", "Arrests", 2),
    (
        r"(?:flood(?:ed|ing)|destroy(?:ed|ing)|demolish(?:ed|ing)|bulldoz(?:ed|ing)|razed"
        r"|(?:burn(?:ed|t|ing)|tore|torn|pull(?:ed|ing)) down|blew up|blown up|set fire to"
        r"|(?:set|setting) (?:\w+ ){0,2}(?:on fire|alight|ablaze)|burn(?:ed|t))\b[^.;]{0,40}?"
        r"\b(?:tunnels?|houses?|homes?|buildings?|shops?|churches|mosques?|shrines?"
        r"|mausoleums?|tombs?|bridges?|property|properties|stalls|granaries|schools?)",
        "Strategic developments",
        "Looting/property destruction",
        2,
    ),
    (r"attack(?:s|ed)?|assaults?|raids?|stormed|opened fire", "Battles", "Armed clash", -1),
    (
        r"explo(?:sion|sions|ded)|blasts?|bombings?|bomb attacks?",
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
        -1,
    ),
    (
        r"killed|killings?|died|deaths?|(?:found|discovered) (?:\w+ ){0,3}?bodies"
        r"|bodies (?:\w+ ){0,2}(?:were|was) (?:found|discovered)",
        "Violence against civilians",
        "Attack",
        -2,
    ),
    (r"wounded|injured", "Violence against civilians", "Attack", -3),
)
HEDGE = re.compile(
    r"\b(?:(?-i:may)|might|could|would|will|shall|should|likely|unlikely|possible|possibly"
    r"|potential(?:ly)?|risk|threats?|fears?|expected|expects|plans? to|planning|advised|advises"
    r"|advice|warn(?:s|ed|ing)?|prepare|preparing|capable|if|whether|aimed at|in order to)\b",
    re.I,
)
# After the event word only the clause's own predicate hedges it ("clashes
# are likely to occur"); "suspected of planning attacks" hedges the attacks,
# not the arrest before it. "may" is the verb only in lower case ("on 3 May").
HEDGE_AFTER = re.compile(
    r"\b(?:(?-i:may)|might|could|would|will|shall|should|likely|unlikely|expected|possible"
    r"|feared|planned|threaten(?:s|ed)?)\b",
    re.I,
)
CONDITIONAL_START = re.compile(r"^\W*(?:if|should|unless|whether|in case)\b", re.I)
# "no new fighting", "without any clashes", « aucune attaque », « pas de
# combats »: an event word that says nothing happened.
NEGATED_BEFORE = re.compile(
    r"\b(?:no|without|nor|never|aucune?|pas d['\u2019e]|sans|ni)\s+(?:\w+\s+)?$", re.I
)
# "hostages are still held", « toujours détenus »: a standing situation, not
# an event of the report.
STANDING = re.compile(
    r"\b(?:(?:are|is|remain|remains|still) (?:being )?held|in captivity|(?:still|remain) missing"
    r"|toujours (?:d\u00e9tenue?s?|retenue?s?|aux mains)|en captivit\u00e9)\b",
    re.I,
)
# English perfect and progressive tenses ("attacks have displaced thousands",
# "protesters are holding the square"): a situation that began at a time the
# text does not give.
ONGOING = re.compile(
    r"\b(?:have|has)\s+(?:been\s+)?(?:\w+\s+)?\w+ed\b|\b(?:are|is)\s+\w+ing\b", re.I
)
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
# its own details introduces an event rather than pointing back at one
# ("the bombing in a statement" does not: a statement is no detail of it).
NEW_AFTER = re.compile(
    r"^\s+(?:of|in|at|on|near|against|outside)\b"
    r"(?!\s+(?:a|an|the)\s+(?:statement|message|video|communiqu\w+|interview|press))",
    re.I,
)
# "today's incident involved ...": no event word, but the sentence is about
# the event just reported, so every actor it names belongs to it.
INCIDENT_BACK = re.compile(
    r"\b(?:the|this|that|today['\u2019]s|yesterday['\u2019]s|same)\s+incidents?\b", re.I
)
# "Separately, ...", "In a separate incident": what follows is another event.
SEPARATE = re.compile(
    r"\b(?:separately|in (?:a|another) separate (?:incident|attack)|in another (?:incident"
    r"|attack)|elsewhere|meanwhile)\b",
    re.I,
)
# "Rebels also held ...": one more event of the same day and place.
ALSO = re.compile(r"\b(?:also|too|as well|in addition)\b", re.I)
# "the explosives were seized": a verb after a passive auxiliary still has
# the earlier noun as its subject.
PASSIVE_BEFORE = re.compile(
    r"\b(?:was|were|been|being|a \u00e9t\u00e9|ont \u00e9t\u00e9|\u00e9t\u00e9)\s+"
    r"(?:\w+\s+)?$",
    re.I,
)
_VERB_FORM = re.compile(r"(?:ed|\u00e9|\u00e9e|\u00e9s|\u00e9es|ant)$", re.I)
_DEFINITE = ("the", "l'", "l\u2019", "la", "le", "les")


def _compile_triggers(
    table: tuple[tuple[str, str, str, int], ...],
) -> tuple[tuple[re.Pattern[str], str, str, int], ...]:
    return tuple(
        (re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.I), t, s, k) for p, t, s, k in table
    )


@dataclass(frozen=True)
class Lexicon:
    """The words of one language that the event rules read (see the module docstring)."""

    triggers: tuple[tuple[re.Pattern[str], str, str, int], ...]
    hedge: re.Pattern[str]
    hedge_after: re.Pattern[str]
    conditional_start: re.Pattern[str]
    generic: re.Pattern[str]
    connector: re.Pattern[str]
    determiner_before: re.Pattern[str]
    new_before: re.Pattern[str]
    new_after: re.Pattern[str]
    incident_back: re.Pattern[str]
    separate: re.Pattern[str]
    also: re.Pattern[str]


ENGLISH = Lexicon(
    _compile_triggers(TRIGGERS), HEDGE, HEDGE_AFTER, CONDITIONAL_START, GENERIC, CONNECTOR,
    DETERMINER_BEFORE, NEW_BEFORE, NEW_AFTER, INCIDENT_BACK, SEPARATE, ALSO,
)  # fmt: skip


def _fr(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


FRENCH = Lexicon(
    _compile_triggers(french.TRIGGERS_FR),
    _fr(french.HEDGE_FR),
    _fr(french.HEDGE_AFTER_FR),
    _fr(french.CONDITIONAL_START_FR),
    _fr(french.GENERIC_FR),
    _fr(french.CONNECTOR_FR),
    _fr(french.DETERMINER_BEFORE_FR),
    _fr(french.NEW_BEFORE_FR),
    _fr(french.NEW_AFTER_FR),
    _fr(french.INCIDENT_BACK_FR),
    _fr(french.SEPARATE_FR),
    _fr(french.ALSO_FR),
)


def lexicon(lang: str) -> Lexicon:
    """The event words of a language ("en" or "fr"; anything else reads as English)."""
    return FRENCH if lang == "fr" else ENGLISH


@dataclass
class Trigger:
    """An event word found in a sentence, with the event type it gives."""

    start: int
    end: int
    text: str
    event_type: str
    sub_event_type: str
    priority: int


class Segment(NamedTuple):
    """The part of a sentence that reports one event.

    ``relation`` is "before" when the segment happened ``days`` days before
    the previous one ("X one day after Y": Y is one day before X), "after"
    for the reverse, "" when unknown.
    """

    start: int
    end: int
    relation: str
    days: int


def find_triggers(sentence: str, lang: str = "en") -> list[Trigger]:
    """Event words in a sentence; where two overlap the higher priority wins."""
    found = [
        Trigger(m.start(), m.end(), m.group(0), etype, sub, prio)
        for pattern, etype, sub, prio in lexicon(lang).triggers
        for m in pattern.finditer(sentence)
    ]
    found.sort(key=lambda t: (-t.priority, t.start))
    kept: list[Trigger] = []
    for trig in found:
        if any(trig.start < k.end and k.start < trig.end for k in kept):
            continue
        kept.append(trig)
    return sorted(kept, key=lambda t: t.start)


def _clause(sentence: str, pos: int) -> tuple[int, int]:
    left = max(sentence.rfind(c, 0, pos) for c in ",;:()\u2013\u2014")
    rights = [i for i in (sentence.find(c, pos) for c in ",;:()\u2013\u2014") if i >= 0]
    return left + 1, min(rights) if rights else len(sentence)


def is_hedged(sentence: str, trig: Trigger, lang: str = "en") -> bool:
    """True when the event word is only speculated about ("may attack", "If ...") or denied.

    "no new fighting was reported", « aucune attaque n'a été signalée »: the
    event did not happen.

    A word of speculation counts before the event word in its clause
    ("warn that further attacks", "planning attacks"); after it, only the
    clause's predicate does ("clashes are likely to occur"): "arrested four
    men suspected of planning attacks" reports the arrest.
    """
    lex = lexicon(lang)
    if lex.conditional_start.match(sentence):
        return True
    if NEGATED_BEFORE.search(sentence[max(0, trig.start - 30) : trig.start]):
        return True
    a, b = _clause(sentence, trig.start)
    return bool(lex.hedge.search(sentence[a : trig.end])) or bool(
        lex.hedge_after.search(sentence[trig.end : b])
    )


def small_number(word: str, lang: str = "en") -> int:
    """A count written in digits or words ("one", "3", « deux »), 0 when it is not one."""
    value = parse_number(word, lang)
    return value if value is not None else 0


class _Cut(NamedTuple):
    start: int  # the connector's span, left out of both segments
    end: int
    relation: str  # of the segment after the cut to the one before it
    days: int


_RELATION = {
    "after": "before",
    "following": "before",
    "before": "after",
    "apr\u00e8s": "before",
    "avant": "after",
}


def _cut(sentence: str, left: Trigger, right: Trigger, lang: str) -> _Cut | None:
    """Where to cut between two event words: the last connector between them, if any."""
    if (left.event_type, left.sub_event_type) == (right.event_type, right.sub_event_type):
        return None
    between = list(lexicon(lang).connector.finditer(sentence, left.end, right.start))
    if not between:
        return None
    m = between[-1]
    word = (m.group(2) or "").casefold()
    days = 0
    if m.group(1):
        count = m.group(1).casefold()
        days = 1 if count in ("one", "a", "un", "une") else small_number(count, lang)
    return _Cut(m.start(), m.end(), _RELATION.get(word, ""), days)


def event_segments(sentence: str, triggers: list[Trigger], lang: str = "en") -> list[Segment]:
    """Cut a sentence between events of different types at the connector between them.

    Each cut's relation and days describe the segment after it (see
    :class:`Segment`); the first segment has none.
    """
    primary = [t for t in triggers if t.priority >= 0]
    cuts = [
        cut
        for left, right in zip(primary, primary[1:], strict=False)
        if (cut := _cut(sentence, left, right, lang)) is not None
    ]
    segments = []
    start, relation, days = 0, "", 0
    for cut in cuts:
        segments.append(Segment(start, cut.start, relation, days))
        start, relation, days = cut.end, cut.relation, cut.days
    segments.append(Segment(start, len(sentence), relation, days))
    return segments


_EVENT_PLURAL = re.compile(
    r"(?:attacks|clashes|raids|ambushes|bombings|killings|kidnappings|abductions|explosions"
    r"|blasts|strikes|protests|demonstrations|riots|battles|skirmishes|assaults)$",
    re.I,
)


def is_trend(text: str, trig: Trigger, lang: str = "en") -> bool:
    """True for a trend, not an incident: "attacks on villages have displaced thousands".

    A bare plural event noun ("clashes between armed groups", no "the",
    "two" or "these" before it) with a verb in the perfect or progressive.
    """
    if lang != "en" or not _EVENT_PLURAL.search(trig.text):
        return False
    before = text[max(0, trig.start - 12) : trig.start]
    if re.search(r"\b(?:the|these|those|two|three|several|its|their|\d+)\s+$", before, re.I):
        return False
    return bool(ONGOING.search(text))


def is_back_reference(text: str, trig: Trigger, offset: int, lang: str = "en") -> bool:
    """True when the event word points back ("this attack", « l'attaque », "the incident").

    A verb ("the same group ambushed ...") points back only after a passive
    auxiliary ("the explosives were seized"): otherwise the determiner is
    the subject's, not the event's.
    """
    lex = lexicon(lang)
    before = text[max(0, trig.start - offset - 40) : trig.start - offset]
    if lex.new_before.search(before):
        return False
    det = lex.determiner_before.search(before)
    if det is None:
        return False
    word = det.group(1).casefold()
    if word in ("that", "those") and before[det.end(1) :].strip():
        # "believed that seven hostages": a conjunction, not "that attack".
        return False
    is_noun = not _VERB_FORM.search(trig.text)
    if not is_noun and not PASSIVE_BEFORE.search(before):
        return False
    # Only a noun brings details ("the attack at ..."); after a verb ("the
    # explosives were confiscated in ...") the subject still points back.
    brings_details = is_noun and bool(lex.new_after.match(text[trig.end - offset :]))
    return not (word in _DEFINITE and brings_details)
