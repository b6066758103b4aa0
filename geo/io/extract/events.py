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
# "today's incident involved ...": no event word, but the sentence is about
# the event just reported, so every actor it names belongs to it.
INCIDENT_BACK = re.compile(
    r"\b(?:the|this|that|today['\u2019]s|yesterday['\u2019]s|same)\s+incidents?\b", re.I
)


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


def find_triggers(sentence: str) -> list[Trigger]:
    """Event words in a sentence; where two overlap the higher priority wins."""
    found = [
        Trigger(m.start(), m.end(), m.group(0), etype, sub, prio)
        for pattern, etype, sub, prio in _TRIGGER_RES
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


def is_hedged(sentence: str, trig: Trigger) -> bool:
    """True when the event word is only speculated about ("may attack", "If ...")."""
    if CONDITIONAL_START.match(sentence):
        return True
    a, b = _clause(sentence, trig.start)
    return bool(HEDGE.search(sentence[a:b]))


def small_number(word: str) -> int:
    """A count written in digits or words ("one", "3"), 0 when it is not one."""
    value = parse_number(word)
    return value if value is not None else 0


class _Cut(NamedTuple):
    start: int  # the connector's span, left out of both segments
    end: int
    relation: str  # of the segment after the cut to the one before it
    days: int


def _cut(sentence: str, left: Trigger, right: Trigger) -> _Cut | None:
    """Where to cut between two event words: the last connector between them, if any."""
    if (left.event_type, left.sub_event_type) == (right.event_type, right.sub_event_type):
        return None
    between = list(CONNECTOR.finditer(sentence, left.end, right.start))
    if not between:
        return None
    m = between[-1]
    word = (m.group(2) or "").casefold()
    days = 0
    if m.group(1):
        count = m.group(1).casefold()
        days = 1 if count in ("one", "a") else small_number(count)
    relation = {"after": "before", "following": "before", "before": "after"}.get(word, "")
    return _Cut(m.start(), m.end(), relation, days)


def event_segments(sentence: str, triggers: list[Trigger]) -> list[Segment]:
    """Cut a sentence between events of different types at the connector between them.

    Each cut's relation and days describe the segment after it (see
    :class:`Segment`); the first segment has none.
    """
    primary = [t for t in triggers if t.priority >= 0]
    cuts = [
        cut
        for left, right in zip(primary, primary[1:], strict=False)
        if (cut := _cut(sentence, left, right)) is not None
    ]
    segments = []
    start, relation, days = 0, "", 0
    for cut in cuts:
        segments.append(Segment(start, cut.start, relation, days))
        start, relation, days = cut.end, cut.relation, cut.days
    segments.append(Segment(start, len(sentence), relation, days))
    return segments


def is_back_reference(text: str, trig: Trigger, offset: int) -> bool:
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
