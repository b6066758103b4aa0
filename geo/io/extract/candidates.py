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
from geo.io.extract.casualties import Casualties
from geo.io.extract.choosing import anchors, context_cost, nearest_homonym, refines
from geo.io.extract.events import Trigger
from geo.io.extract.figures import Figures, find_figures
from geo.io.extract.places import PlaceMention
from geo.io.extract.posts import Post
from geo.io.extract.roles import UNCLAIMED, Role, actor_roles
from geo.io.extract.textdates import DateMention
from geo.io.extract.victims import target_kind
from geo.reference.countries import country_name
from geo.reference.names import fold

LATER_START = re.compile(
    r"^\W*(?:(a|one|two|three|four|five|six|seven|\d+)\s+days?\s+later"
    r"|the\s+(?:next|following)\s+day)\b",
    re.I,
)
SAME_PLACE = re.compile(r"\b(?:the same|that)\s+(?:city|town|village|area|place|locality)\b", re.I)
IN_BEFORE = re.compile(r"\b(?:in|at|near|of|outside|into|from)\s+(?:the\s+)?(?:\w+\s+){0,3}$", re.I)
INTERVENTION = re.compile(
    r"tear ?gas|dispersed|rubber bullets|water cannon|stun grenades|broke up|break up"
    r"|fired (?:on|at) (?:the )?(?:crowd|protesters)|gaz lacrymog\u00e8nes?|dispers\u00e9e?s?"
    r"|balles en caoutchouc|canons? \u00e0 eau|grenades (?:lacrymog\u00e8nes|assourdissantes)",
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
    depend on it. ``named_places`` are the names of the towns its sentences
    name (a later sentence naming one of them is about the same event);
    ``flags`` what the analyst should check beyond the unresolved fields;
    ``unidentified`` is set when its sentences say the attack was unclaimed
    or the attackers unidentified (see :mod:`geo.io.extract.roles`).
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
    casualties: Casualties = field(default_factory=Casualties)
    figure_notes: list[str] = field(default_factory=list)
    actors: list[Role] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    missing_places: list[str] = field(default_factory=list)
    civilian: bool = False
    generic: bool = False
    named_places: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    unidentified: bool = False
    language: str = ""
    _said: str = field(default="", repr=False, compare=False)
    _said_parts: int = field(default=-1, repr=False, compare=False)

    def said(self) -> str:
        """Its sentence and context, folded (see :func:`fold`).

        Kept and extended as ``context`` grows, so each sentence is folded
        once: re-folding the whole merged text for every following sentence
        made a report of one repeated sentence quadratic.
        """
        if self._said_parts < 0:
            self._said, self._said_parts = fold(self.sentence), 0
        for piece in self.context[self._said_parts :]:
            self._said += " " + fold(piece)
        self._said_parts = len(self.context)
        return self._said

    @property
    def fatalities(self) -> int | None:
        """Every death its sentences state (see :class:`Casualties`), None when none."""
        return self.casualties.fatalities

    @property
    def injuries(self) -> int | None:
        return self.casualties.injuries

    @property
    def lang(self) -> str:
        """The language of the paragraph it came from, else its post's."""
        return self.language or self.post.language


def places_agree(cand: Candidate, other: Candidate) -> bool:
    """True when two candidates' places do not tell them apart.

    Either has none, both name the same town, or one's town is among the
    towns the other's sentences name ("between Dori and Sebba" ... "turned
    back to Dori").
    """
    if cand.place is None or other.place is None:
        return True
    mine, theirs = fold(cand.place.text), fold(other.place.text)
    return mine == theirs or mine in other.named_places or theirs in cand.named_places


def same_event(cand: Candidate, others: list[Candidate]) -> Candidate | None:
    """An earlier candidate of the post this one cannot be told apart from.

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
        if dates_ok and places_agree(cand, other):
            return other
    return None


def referent(candidates: list[Candidate], dates: list[DateMention]) -> Candidate | None:
    """The candidate a back-referring sentence is about.

    The one whose date its date words name ("today's attack", « l'attaque
    de samedi »), else the first candidate of the latest sentence that made
    any. A date that only says when something was said names no event.
    """
    if not candidates:
        return None
    for mention in dates:
        if mention.statement or mention.date is None:
            continue
        for cand in reversed(candidates):
            if cand.date == mention.date:
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
    offset: int = 0,
) -> None:
    """Add what a following sentence says to the candidate it is about.

    A sentence that names no event ("The incident occurred in the town of
    Tessalit") gives a missing place or date, its figures (see
    :class:`Casualties`) and actors said to be behind it; one that points
    back at the event ("this attack") gives its other actors too.
    ``offset`` is where ``text`` starts in the sentence ``dates`` were
    found in.
    """
    cand.context.append(text.strip())
    towns = [p for p in places if not p.country_only]
    cand.named_places += [fold(p.text) for p in towns]
    same = [p for p in towns if not cand.country_iso3 or p.iso3 == cand.country_iso3]
    better = [p for p in same if refines(cand.place, p)]  # a village beats its region
    if better:
        cand.place, cand.place_how = better[0], "neighbour"
        cand.country_iso3 = better[0].iso3
    if cand.date is None:
        known = [d for d in dates if d.date is not None and not d.statement]
        if known:
            cand.date, cand.time_precision, cand.date_how = (
                known[0].date,
                known[0].precision,
                "neighbour",
            )
    spans = [(d.start - offset, d.end - offset) for d in dates]
    figures = find_figures(text, spans, cand.lang)
    cand.casualties.add(figures)
    label = country_name(cand.place.iso3) if cand.place else country_label
    base = 100 * (len(cand.context) + 1)
    roles = actor_roles(text, mentions, label, base)
    cand.actors += roles if refers_back else [r for r in roles if r[1] > 0]
    cand.civilian = cand.civilian or civilians_targeted(figures.groups, target_kind(text))
    cand.unidentified = cand.unidentified or bool(UNCLAIMED.search(text))


# Event words that say someone was attacked or killed, not how: the victims
# decide between a battle and violence against civilians (ACLED).
_KILLING = re.compile(
    r"^(?:killed|killings?|killing|shot dead|murdered|died|deaths?|stormed|opened fire"
    r"|tu\w*|abattu\w*|morts?)$",
    re.I,
)


_AMBUSH = re.compile(r"ambush|embuscade", re.I)
_FIGHTING = re.compile(
    r"clash|fight|battle|combat|affront|accroch|exchange|skirmish|heurt|gunfight|firefight", re.I
)


def _victim_type(cand: Candidate, groups: set[str], target: str) -> None:
    """Battles when armed people were hit, violence against civilians when civilians were."""
    trig = cand.trigger
    attack_like = (trig.priority < 0 and trig.sub_event_type in ("Armed clash", "Attack")) or (
        trig.sub_event_type == "Attack" and _KILLING.match(trig.text) is not None
    )
    if (
        not attack_like
        and _AMBUSH.match(trig.text)
        and target == "civilian"
        and "armed" not in groups
    ):
        # An ambush of a bus or of villagers, with no armed side: one-sided.
        cand.event_type, cand.sub_event_type = "Violence against civilians", "Attack"
        return
    if not attack_like:
        return
    if "armed" in groups or (target == "armed" and "civilian" not in groups):
        cand.event_type, cand.sub_event_type = "Battles", "Armed clash"
    elif "civilian" in groups or target == "civilian":
        cand.event_type, cand.sub_event_type = "Violence against civilians", "Attack"
    elif groups == {"attacker"}:
        cand.event_type, cand.sub_event_type = "Battles", "Armed clash"
    elif groups and groups <= {"person", ""} and not _FIGHTING.search(trig.text):
        # Gunmen attacking and killing "14 men", with no armed side named and
        # no fighting said: a one-sided attack on people (ACLED's civilians).
        cand.event_type, cand.sub_event_type = "Violence against civilians", "Attack"


def type_details(cand: Candidate, text: str, figures: Figures | None = None) -> None:
    """Refine the event type by who was hit and by what the police did.

    "Gunmen killed six people" is violence against civilians, "gunmen shot
    dead two militiamen" and "attacked the army garrison" are battles
    (:mod:`geo.io.extract.victims`); a protest the police broke up with
    tear gas is a protest with intervention.
    """
    groups = figures.groups if figures is not None else set()
    target = target_kind(text)
    if not groups and CIVILIAN_WORDS.search(text) and cand.trigger.priority == -1:
        target = target or "civilian"
    _victim_type(cand, groups, target)
    if cand.event_type == "Protests" and INTERVENTION.search(text):
        cand.sub_event_type = "Protest with intervention"
    cand.civilian = civilians_targeted(groups, target)


def civilians_targeted(groups: set[str], target: str) -> bool:
    """True when civilians were what the event hit: its target, or its only victims.

    A bomb at an army camp that also killed a passer-by did not target
    civilians; one on a bus, or gunmen killing villagers, did.
    """
    if target:
        return target == "civilian"
    return "civilian" in groups and not groups & {"armed", "attacker"}


def upgrade_type(cand: Candidate, trig: Trigger) -> None:
    """A later sentence says what the event was ("a suicide car bomb exploded at the gate").

    An event first known only as "an attack" or "an explosion" takes the
    type of the first weapon said of it (a bomb, a shell, an air strike);
    what else the attackers did (« incendier des greniers ») does not
    change what the event was.
    """
    if (
        cand.trigger.priority < 0 <= trig.priority
        and trig.event_type == "Explosions/Remote violence"
    ):
        cand.trigger = trig
        cand.event_type, cand.sub_event_type = trig.event_type, trig.sub_event_type


def _anchor_date(cand: Candidate, best: DateMention, earlier: list[Candidate]) -> None:
    """ "two days earlier", "the following day": counted from the incident before."""
    ref = next((c for c in reversed(earlier) if c.date is not None), None)
    if ref is None or ref.date is None or best.offset is None:
        cand.date_note = "relative to a previous incident whose date is not resolved"
        return
    cand.date = ref.date + dt.timedelta(days=best.offset)
    cand.time_precision, cand.date_how = ref.time_precision or 1, "relative"
    cand.date_note = f"'{best.text}': {best.offset:+d} day(s) from the previous incident"


def choose_date(
    cand: Candidate,
    dates: list[DateMention],
    relation: str,
    days: int,
    previous: dt.date | None,
    earlier: list[Candidate],
) -> None:
    """Date the candidate: its own date words, else relative to another event.

    The event's own date words nearest the event word win over an anchor
    ("two days earlier": counted from the last candidate in ``earlier``)
    and over the date of a statement ("the ministry said on Wednesday"),
    which is used only when there is nothing else, at week precision.
    ``relation`` and ``days`` relate it to the sentence's previous event
    (dated ``previous``: "X one day after Y").
    """
    usable = [d for d in dates if d.date is not None or d.offset is not None]
    pool = [d for d in usable if not d.statement] or usable
    if pool:
        best = min(pool, key=lambda d: (d.offset is not None, abs(d.start - cand.trigger.start)))
        if best.offset is not None:
            _anchor_date(cand, best, earlier)
            if cand.date is not None:
                return
        else:
            cand.date, cand.time_precision, cand.date_note = best.date, best.precision, best.note
            cand.date_how = best.kind
            if best.statement:
                cand.time_precision = max(best.precision, 2)
                cand.date_note = f"'{best.text}' is when it was reported: the event is on or before"
            return
    unresolved = next((d for d in dates if d.date is None and d.offset is None), None)
    if unresolved is not None:
        cand.date_note, cand.time_precision = unresolved.note, unresolved.precision
    if relation and days and previous is not None:
        sign = -1 if relation == "before" else 1
        cand.date = previous + dt.timedelta(days=sign * days)
        cand.time_precision, cand.date_how = 1, "relative"
        cand.date_note = f"{days} day(s) {relation} the other event of the sentence"


def _holds_next(place: PlaceMention, towns: list[PlaceMention], sentence: str) -> bool:
    """True for X in "X's Y" when Y is a town too: Y is the place, X holds it."""
    if not re.match(r"['\u2019]s?\s", sentence[place.end : place.end + 3]):
        return False
    return any(0 < t.start - place.end <= 4 for t in towns)


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
            inside = 60 if _holds_next(p, towns, cand.sentence) else 0
            return distance + foreign + prep + backed + inside + context_cost(p, cand.sentence)

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
