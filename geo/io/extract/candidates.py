"""A candidate incident and the steps that fill it from the sentences about it.

A candidate starts at an event word (:class:`Candidate`); its date, place,
figures and actors are chosen from its own segment of the sentence, and a
following sentence that refers back to it adds what it says
(:func:`merge_into`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from geo.io.extract.actors import Mention
from geo.io.extract.choosing import anchors, context_cost, nearest_homonym
from geo.io.extract.events import Trigger, small_number
from geo.io.extract.figures import find_figures
from geo.io.extract.places import PlaceMention
from geo.io.extract.posts import Post
from geo.io.extract.roles import Role, actor_roles
from geo.io.extract.textdates import DateMention
from geo.reference.countries import country_name

LATER_START = re.compile(
    r"^\W*(?:(a|one|two|three|four|five|six|seven|\d+)\s+days?\s+later"
    r"|the\s+(?:next|following)\s+day)\b",
    re.I,
)
SAME_PLACE = re.compile(r"\b(?:the same|that)\s+(?:city|town|village|area|place|locality)\b", re.I)
IN_BEFORE = re.compile(r"\b(?:in|at|near|of|outside|into|from)\s+(?:the\s+)?(?:\w+\s+){0,3}$", re.I)
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


@dataclass
class Candidate:
    """One incident the text reports, as far as the extractor has resolved it.

    ``date_how`` and ``place_how`` say where the date and place came from
    ("explicit", "relative", "neighbour", "post", ...; "sentence",
    "neighbour", "previous"): the confidence score and the analyst's notes
    depend on it.
    """

    post: Post
    paragraph: int
    sentence: str
    segment: str
    trigger: Trigger
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
    actors: list[Role] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    missing_places: list[str] = field(default_factory=list)
    civilian: bool = False
    generic: bool = False


def same_event(cand: Candidate, others: list[Candidate]) -> Candidate | None:
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


def referent(candidates: list[Candidate], dates: list[DateMention]) -> Candidate | None:
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


def merge_into(
    cand: Candidate,
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
    roles = actor_roles(text, mentions, label, base)
    cand.actors += roles if refers_back else [r for r in roles if r[1] > 0]
    if CIVILIAN_WORDS.search(text):
        cand.civilian = True


def type_details(cand: Candidate, text: str) -> None:
    """Refine the event type by what the segment says about victims and the police."""
    trig = cand.trigger
    if trig.priority == -1 and trig.event_type == "Battles" and CIVILIAN_WORDS.search(text):
        cand.event_type, cand.sub_event_type = "Violence against civilians", "Attack"
    if cand.event_type == "Protests" and INTERVENTION.search(text):
        cand.sub_event_type = "Protest with intervention"
    cand.civilian = bool(CIVILIAN_WORDS.search(text))


def choose_date(
    cand: Candidate,
    dates: list[DateMention],
    relation: str,
    days: int,
    previous: dt.date | None,
    earlier: list[Candidate],
) -> None:
    """Date the candidate: its own date words, else relative to another event.

    ``relation`` and ``days`` relate it to the sentence's previous event
    (dated ``previous``); a sentence opening "Two days later" counts from
    the last candidate in ``earlier``.
    """
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
        n = 1 if not count or count.casefold() in ("a", "one") else small_number(count)
        if ref.date is not None:
            cand.date = ref.date + dt.timedelta(days=n)
            cand.time_precision, cand.date_how = ref.time_precision or 1, "relative"
            cand.date_note = f"{n} day(s) after the previous incident"
        else:
            cand.date_note = "relative to a previous incident whose date is not resolved"


def choose_place(
    cand: Candidate, places: list[PlaceMention], text: str, earlier: list[Candidate]
) -> None:
    """Place the candidate: the town nearest its event word, else the previous place.

    Towns in an "in/at/near" phrase, or in a country the sentence names
    that way, are preferred, towns outside the post's country avoided; a
    place the text states precisely (an offset, a road between towns, "near
    X") beats a bare name, a region stands back for any town, and a town
    people went to or spoke from is avoided (:func:`context_cost`). Of
    several places of one name, the one near the report's other places is
    taken (:func:`nearest_homonym`). "The same town" or "a day later" takes
    the place of the last candidate in ``earlier``. With no town, a named
    country sets the country only.
    """
    towns = [p for p in places if not p.country_only and p.area != "qualifier"]
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
            return distance + foreign + prep + backed + context_cost(p, cand.sentence)

        chosen = min(towns, key=cost)
        others = [p for p in places if p is not chosen] + [c.place for c in earlier]
        cand.place = nearest_homonym(chosen, anchors(others))
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
