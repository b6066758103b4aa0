"""Which event a sentence is about: one candidate per event, not per sentence.

Reports spread one event over several sentences ("A suicide bomber rammed
... killing four soldiers." "The attacker also died in the blast." "Nobody
claimed the bombing.") and put several events in one report. A part of a
sentence (see :func:`geo.io.extract.events.event_segments`) adds to an
event already read when

* it points back at it ("this attack", « l'attaque », "JNIM claimed the
  ambush"): the event its date names, else the latest of its type, else
  the latest;
* its only event words are general ones ("killed", "wounded", "the
  blast", « tués ») and neither its date nor its town tell it apart from
  the latest event; a toll or the victims' bodies ("their bodies were found
  the next morning", "bringing the toll to twenty-one") belong to the
  latest event whatever day they name;
* it names another kind of event but no day or town of its own and does not
  say it is another ("the camp's defences returned fire"; « un véhicule
  piégé a d'abord explosé à l'entrée du camp », which also says what the
  "attack" was).

It starts a new event when it says so ("Separately", "In a separate
incident", « Par ailleurs »), or with "also" ("Rebels also held thirty civil
servants"), which keeps the day and place of the event before.

A total over several events ("In all, at least 16 people died in incidents
this week", « Au total, douze personnes ont perdu la vie ... au cours de la
semaine ») is no event and no event's toll: it is kept once, on the post's
first candidate, flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.io.extract.candidates import Candidate
from geo.io.extract.events import Trigger
from geo.io.extract.mentions import PlaceMention
from geo.io.extract.textdates import DateMention
from geo.reference.names import fold

TOTAL = re.compile(
    r"\b(?:in all|in total|all told|altogether|overall|so far|this year|this week|this month"
    r"|since the (?:start|beginning) of the year|our (?:tally|count)|the week['\u2019]s"
    r"|au total|en tout|au cours de la semaine|cette semaine|cette ann\u00e9e"
    r"|depuis le d\u00e9but de l['\u2019]ann\u00e9e|notre d\u00e9compte)\b",
    re.I,
)
_PLURAL_EVENTS = re.compile(
    r"\b(?:incidents|attacks|violence|events|clashes|attaques|violences|incidents"
    r"|\u00e9v\u00e9nements|affrontements)\b",
    re.I,
)
# The toll of an event, or its victims found later, belong to it whatever
# day the sentence names.
FOLLOW_UP = re.compile(
    r"\b(?:toll|bilan|more bodies|(?:their|the|his|her|leurs?|les) (?:bodies|corps)"
    r"|(?:their|the) remains)\b",
    re.I,
)
# "the attackers arrived on motorbikes", "two other attackers were shot
# dead", « les assaillants ont incendié des greniers »: the people of the
# event just reported, doing or suffering more of it.
ATTACKERS_BACK = re.compile(
    r"\b(?:the|these|those|other|les|ces|autres)\s+(?:attackers|assailants|gunmen|raiders|kidnappers"
    r"|assaillants|agresseurs|ravisseurs|hommes arm\u00e9s|individus arm\u00e9s)\b",
    re.I,
)
# "flown to Gao", "fled towards Ansongo", "a military source in Gao": a town
# people went to or spoke from, not one that tells the event apart.
_NOT_WHERE = re.compile(
    r"(?:\b(?:to|towards?|vers|into|for)\s+(?:the\s+|la\s+|le\s+)?(?:town\s+of\s+)?"
    r"|\b(?:sources?|officials?|spokes\w+|governor|authorities|statement|reporters?|residents?"
    r"|correspondents?|communiqu\w+)\s+(?:\w+\s+)?(?:in|at|from|based in|\u00e0|de)\s+)$",
    re.I,
)
# A place the sentence names only by pointing back at the event's: "the
# town", « la ville », "the camp".
SAME_PLACE = re.compile(
    r"\b(?:the|this|that) (?:city|town|village|area|camp|base|locality)\b|\bthere\b"
    r"|\b(?:la|cette) (?:ville|localit\u00e9|zone)\b|\b(?:le|ce) (?:village|camp)\b"
    r"|\bles lieux\b",
    re.I,
)


@dataclass
class PartFacts:
    """What one part of a sentence says that tells its event apart from others."""

    trigger: Trigger | None
    dates: list[DateMention]
    places: list[PlaceMention]
    text: str
    refers_back: bool
    also: bool
    section: str = ""
    offset: int = 0  # where ``text`` starts in the sentence the places were found in

    @property
    def event_dates(self) -> list[DateMention]:
        """Dates of what happened (not when it was said), resolved or relative."""
        return [
            d
            for d in self.dates
            if not d.statement and (d.date is not None or d.offset is not None)
        ]

    @property
    def towns(self) -> list[PlaceMention]:
        return [p for p in self.places if not p.country_only and p.area != "qualifier"]

    @property
    def own_time_or_town(self) -> bool:
        return bool(self.event_dates or self.towns)


def is_total(text: str, has_deaths: bool, has_exact_date: bool) -> bool:
    """True for a death toll summed over several events of a period (see module docstring)."""
    if not has_deaths or has_exact_date:
        return False
    return bool(TOTAL.search(text)) and bool(_PLURAL_EVENTS.search(text))


def _dates_agree(facts: PartFacts, target: Candidate) -> bool:
    if FOLLOW_UP.search(facts.text):
        return True
    if any(d.offset for d in facts.event_dates):
        return False  # "a week earlier", « le lendemain »: another day than the event before
    resolved = [d.date for d in facts.event_dates if d.date is not None]
    return target.date is None or all(d == target.date for d in resolved)


def _towns_agree(facts: PartFacts, target: Candidate) -> bool:
    """True when every town the part places its event in is one the target's sentences name."""
    if target.place is None:
        return True
    said, own = target.said(), fold(target.place.text)
    for place in facts.towns:
        if _NOT_WHERE.search(
            facts.text[max(0, place.start - facts.offset - 45) : place.start - facts.offset]
        ):
            continue
        name = fold(place.text)
        if name != own and name not in target.named_places and name not in said:
            return False
    return True


def _country_agrees(facts: PartFacts, target: Candidate) -> bool:
    """A part of another country's section ("Tunisia: ...") is another event.

    A country merely named ("close to the border with Mali", « la zone du
    lac Tchad ») does not tell events apart.
    """
    return not (facts.section and target.country_iso3 and facts.section != target.country_iso3)


def _back_target(
    facts: PartFacts, candidates: list[Candidate], paragraph: list[Candidate]
) -> Candidate:
    """The event a part pointing back is about.

    The one its date names, else the latest sentence's of its paragraph
    ("this attack" right after it), else the post's latest of its kind
    ("JNIM claimed the ambush"), else the post's latest.
    """
    for mention in facts.event_dates:
        match = next((c for c in reversed(candidates) if c.date == mention.date), None)
        if match is not None:
            return match
    if paragraph:
        last_sentence = paragraph[-1].sentence
        return next(c for c in paragraph if c.sentence == last_sentence)
    trig = facts.trigger
    if trig is not None and trig.priority >= 0:
        same = [c for c in candidates if c.sub_event_type == trig.sub_event_type]
        if same:
            return same[-1]
    return candidates[-1]


_CROWD = ("Protests", "Riots")
_PROTESTERS = re.compile(r"\b(?:protest\w*|demonstr\w*|rioters?|manifest\w*|\u00e9meut\w*)", re.I)


def _compatible(facts: PartFacts, candidates: list[Candidate]) -> list[Candidate]:
    """The candidates a part may add to: violence never adds to a protest.

    A killing, an ambush or a toll ("the bus attack left 12 dead") is about
    the violent event before, not the protest held over it the next day,
    unless the part speaks of the protesters themselves.
    """
    trig = facts.trigger
    if trig is None or trig.event_type in _CROWD or _PROTESTERS.search(facts.text):
        return candidates
    return [c for c in candidates if c.event_type not in _CROWD]


def target_of(
    facts: PartFacts, candidates: list[Candidate], paragraph: list[Candidate]
) -> Candidate | None:
    """The candidate that a part adds to, or None.

    ``candidates`` are the post's so far, in reading order; ``paragraph``
    those of the part's paragraph. Another kind of event is taken as part of
    the latest only within its paragraph.
    """
    candidates, paragraph = _compatible(facts, candidates), _compatible(facts, paragraph)
    if not candidates:
        return None
    if facts.refers_back:
        target = _back_target(facts, candidates, paragraph)
        return target if _country_agrees(facts, target) else None
    latest = candidates[-1]
    if not _country_agrees(facts, latest):
        return None
    trig = facts.trigger
    if trig is None or trig.priority < 0:
        if _dates_agree(facts, latest) and _towns_agree(facts, latest):
            return latest
        return None
    same_kind = (trig.event_type, trig.sub_event_type) == (latest.event_type, latest.sub_event_type)
    if same_kind and not facts.also and _dates_agree(facts, latest) and _towns_agree(facts, latest):
        return latest  # more about the same fighting, protest, bombing ...
    if _part_of(facts, trig, latest, paragraph):
        return latest
    return None


def _part_of(
    facts: PartFacts, trig: Trigger, latest: Candidate, paragraph: list[Candidate]
) -> bool:
    """True when another kind of event word with no day or town of its own belongs to the latest.

    The same attackers doing more (« les assaillants ont incendié des
    greniers »), what an event "only known as an attack" was (« un véhicule
    piégé a d'abord explosé »), or fire exchanged after a bomb or shelling
    ("the camp's defences returned fire"), in the same paragraph.
    """
    if facts.own_time_or_town or (trig.event_type, trig.sub_event_type) == (
        latest.event_type, latest.sub_event_type,
    ):  # fmt: skip
        return False
    if ATTACKERS_BACK.search(facts.text):
        return _dates_agree(facts, latest)
    if facts.also or latest not in paragraph:
        return False
    response = trig.event_type == "Battles" and latest.event_type == "Explosions/Remote violence"
    return latest.trigger.priority < 0 or response


def inherit(cand: Candidate, facts: PartFacts, candidates: list[Candidate]) -> None:
    """An event said to come "also" or "the same town" takes the day and place before it."""
    previous = candidates[-1] if candidates else None
    if previous is None:
        return
    if cand.date is None and facts.also and not cand.date_note:
        cand.date, cand.time_precision = previous.date, previous.time_precision
        cand.date_how, cand.date_note = "previous", "same day as the event before ('also')"
    pointed = facts.also or SAME_PLACE.search(facts.text) is not None
    if cand.place is None and previous.place is not None and pointed:
        cand.place, cand.place_how = previous.place, "previous"
        cand.country_iso3 = previous.place.iso3
        cand.named_places += previous.named_places
