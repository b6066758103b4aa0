"""Security reports (prose) -> candidate incidents for an analyst to review.

Deterministic and offline: rules over the text plus the gazetteer and the
actor dictionary, no model. Each candidate is a row with the schema columns
filled as far as the text allows, plus the sentence it came from, a
confidence in 0-1 with the reasons, and a list of what it could not
resolve. Nothing here writes to the store; the analyst accepts candidates.

Steps (see ``docs/ingest.md`` for the full rules):

1. :func:`split_posts` cuts a file into posts at headings that carry a date
   ("Mali Security Update (22 February 2013)") or that a "Posted on" line
   follows; each post's date resolves its relative dates, and each post is
   read as English or French.
2. Paragraphs (list items are paragraphs of their own) are split into
   sentences (:func:`split_sentences`); a paragraph opening "Bahrain:" sets
   the country for its section.
3. Event words mark sentences that report an incident; speculation,
   denials, standing situations and trends drop them. A sentence reporting
   two events ("... died in car bombings just one day after fierce battles
   ...") or listing events on different days is cut into one part per
   event.
4. Each part adds to the event it is about (it points back at it, says
   more of it with no day or town of its own, or gives its toll) or starts
   a candidate (:mod:`~geo.io.extract.linking`): one candidate per event,
   not per sentence. Totals over several events are kept once, flagged.
5. Places are gazetteer matches of capitalised word runs and the words
   around them, nearest the event word, preferring the post's main country.

The steps live in their own modules: :mod:`~geo.io.extract.posts` (1, 2),
:mod:`~geo.io.extract.events` and :mod:`~geo.io.extract.french` (3),
:mod:`~geo.io.extract.linking` and :mod:`~geo.io.extract.candidates` (4),
:mod:`~geo.io.extract.places` and the placing modules (5),
:mod:`~geo.io.extract.textdates` (dates), :mod:`~geo.io.extract.figures`
and :mod:`~geo.io.extract.casualties` (tolls), :mod:`~geo.io.extract.victims`
(who was hit), :mod:`~geo.io.extract.roles` (actors),
:mod:`~geo.io.extract.records` (rows, confidence). This module reads a text
sentence by sentence and hands each part to them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from geo.io.extract.actors import ActorDictionary, Mention, load_actors
from geo.io.extract.background import is_background, without_protest_cause
from geo.io.extract.candidates import (
    Candidate,
    choose_date,
    choose_place,
    merge_into,
    referent,
    same_event,
    type_details,
    upgrade_type,
)
from geo.io.extract.choosing import settle_places
from geo.io.extract.events import (
    STANDING,
    Segment,
    Trigger,
    event_segments,
    find_triggers,
    is_back_reference,
    is_hedged,
    is_trend,
    lexicon,
)
from geo.io.extract.figures import find_figures
from geo.io.extract.language import paragraph_language
from geo.io.extract.linking import PartFacts, inherit, is_total, target_of
from geo.io.extract.places import (
    GazetteerLike,
    PlaceMention,
    find_places,
    main_country,
    unfound_places,
)
from geo.io.extract.posts import (
    Post,
    dateline_date,
    split_posts,
    split_sentences,
    strip_section,
    without_dateline_city,
)
from geo.io.extract.records import candidates_frame, report_publisher
from geo.io.extract.roles import UNCLAIMED, actor_roles
from geo.io.extract.textdates import DateMention, dated_years, find_dates, last_year_in
from geo.reference.countries import country_name
from geo.reference.names import fold


@dataclass
class _Sources:
    """What every sentence of a text is read against."""

    gaz: GazetteerLike
    actors: ActorDictionary
    lower_words: set[str]


@dataclass
class _Part:
    """One segment of a sentence (see :func:`event_segments`) and what is named in it."""

    span: Segment
    text: str
    triggers: list[Trigger]
    places: list[PlaceMention]
    dates: list[DateMention]
    mentions: list[Mention]

    @property
    def main_trigger(self) -> Trigger | None:
        return max(self.triggers, key=lambda t: (t.priority, -t.start), default=None)

    @property
    def own_place(self) -> bool:
        return any(not p.country_only for p in self.places)

    @property
    def own_date(self) -> bool:
        """A date of what happened: resolved or relative to another event, not a statement's."""
        return any((d.date is not None or d.offset is not None) and not d.statement
                   for d in self.dates)  # fmt: skip

    @property
    def exact_date(self) -> bool:
        return any(d.date is not None and d.precision == 1 and not d.statement for d in self.dates)


@dataclass
class _Scan:
    """A sentence being read: what it names, and the candidates it may add to.

    ``focus`` is the ISO3 of the section or the post's main country.
    ``earlier`` holds the candidates of the post's previous paragraphs,
    ``in_paragraph`` those of this paragraph's previous sentences, ``new``
    those this sentence starts; ``previous_date`` is the date of the
    sentence's last event, which "one day after" counts from. ``totals``
    collects the post's totals over several events.
    """

    sentence: str
    post: Post
    paragraph_no: int
    focus: str
    country_label: str
    mentions: list[Mention]
    places: list[PlaceMention]
    dates: list[DateMention]
    in_paragraph: list[Candidate]
    earlier: list[Candidate]
    totals: list[str]
    section: str = ""
    language: str = ""
    new: list[Candidate] = field(default_factory=list)
    previous_date: dt.date | None = None

    @property
    def lang(self) -> str:
        """The paragraph's language (see :func:`paragraph_language`)."""
        return self.language or self.post.language

    @property
    def so_far(self) -> list[Candidate]:
        """The post's candidates so far, in reading order."""
        return self.earlier + self.in_paragraph + self.new

    def part(self, span: Segment, live: list[Trigger]) -> _Part:
        """The segment ``span`` with the event words, places, dates and actors in it."""

        def inside(start: int) -> bool:
            return span.start <= start < span.end

        return _Part(
            span,
            self.sentence[span.start : span.end],
            [t for t in live if inside(t.start)],
            [p for p in self.places if inside(p.start)],
            [d for d in self.dates if inside(d.start)],
            [m for m in self.mentions if inside(m.start)],
        )

    def merge(self, target: Candidate, part: _Part, refers_back: bool) -> None:
        """Add what ``part`` says to an earlier candidate (see :func:`merge_into`)."""
        merge_into(
            target, part.text, part.places, part.dates, part.mentions, self.country_label,
            refers_back, part.span.start,
        )  # fmt: skip


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
    src = _Sources(gaz, actors, set(re.findall(r"\b[a-z][a-z'-]+\b", text)))
    candidates: list[Candidate] = []
    paragraph_no = 0
    posts = split_posts(text, post_date)
    for post in posts:
        post.date = dateline_date(post) or post.date
        paragraphs = [without_dateline_city(p) for p in post.paragraphs]
        main = main_country(paragraphs, gaz, src.lower_words, country)
        found, paragraph_no = _extract_post(post, src, main, paragraph_no)
        candidates += found
    publisher = report_publisher(text, (p.title for p in posts))
    return candidates_frame(candidates, source, publisher)


def _extract_post(
    post: Post, src: _Sources, main: str, paragraph_no: int
) -> tuple[list[Candidate], int]:
    """Candidates of one post, and the number of the last paragraph read."""
    out: list[Candidate] = []
    totals: list[str] = []
    section = ""
    year_hint = post.date.year if post.date else None
    for paragraph in post.paragraphs:
        paragraph_no += 1
        paragraph, section = strip_section(paragraph, section)
        focus = section or main
        lang = paragraph_language(paragraph, post.language)
        in_paragraph: list[Candidate] = []
        for sentence in split_sentences(paragraph):
            where = (paragraph_no, focus, section, year_hint, lang)
            in_paragraph += _sentence(sentence, src, post, where, in_paragraph, out, totals)
            year_hint = last_year_in(sentence) or year_hint
        out += in_paragraph
    _keep_totals(out, totals)
    return _drop_background(post, settle_places(out)), paragraph_no


def _keep_totals(candidates: list[Candidate], totals: list[str]) -> None:
    """A total over several events is kept once, on the post's first candidate, flagged."""
    if not candidates:
        return
    for total in totals:
        candidates[0].figure_notes.append(f"the report gives a total over several incidents "
                                          f"({total!r}): not added to any")  # fmt: skip
        candidates[0].flags.append(
            "a total over several incidents is stated: kept in the notes of this one only"
        )


def _drop_background(post: Post, candidates: list[Candidate]) -> list[Candidate]:
    """Leave out candidates dated more than a year before the post's year.

    Background history ("on 1 May 2003 ... after six weeks of fighting") is
    not a new incident of this report. An undated post is dated by the
    latest year its dates name.
    """
    years = [y for p in post.paragraphs for y in dated_years(p)]
    reference_year = post.date.year if post.date else max(years, default=None)
    if reference_year is None:
        return candidates
    return [c for c in candidates if c.date is None or c.date.year >= reference_year - 1]


def _sentence(
    sentence: str,
    src: _Sources,
    post: Post,
    where: tuple[int, str, str, int | None, str],
    in_paragraph: list[Candidate],
    earlier: list[Candidate],
    totals: list[str],
) -> list[Candidate]:
    """Candidates a sentence starts; a sentence about an earlier event adds to it instead."""
    paragraph_no, focus, section, year_hint, lang = where
    lex = lexicon(lang)
    triggers = find_triggers(sentence, lang)
    live = [t for t in triggers if not is_hedged(sentence, t, lang)]
    if triggers and not live:
        return []
    if not triggers and (lex.hedge.search(sentence) or lex.conditional_start.match(sentence)):
        return []
    mentions = src.actors.find(sentence)
    skip = [(m.start, m.end) for m in mentions]
    scan = _Scan(
        sentence, post, paragraph_no, focus, country_name(focus) if focus else "", mentions,
        find_places(sentence, src.gaz, focus, skip, src.lower_words),
        find_dates(sentence, post.date, year_hint, lang), in_paragraph, earlier, totals,
        section, lang,
    )  # fmt: skip
    for span in _split_lists(scan, event_segments(sentence, live, lang), live):
        _read_part(scan, scan.part(span, live))
    return scan.new


# "... near Ansongo and, on 4 March, abducted ...", "... on Monday; on
# Tuesday ...": where a sentence listing events moves on to the next one.
_LIST_CUT = re.compile(r",?\s+(?:and|et|while|puis|then)\b\s*,?\s*|;\s*|,\s+", re.I)
_COUNT_OR_DIGIT = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|un|deux"
                             r"|trois|quatre|cinq|six|sept|huit|neuf|dix)\b", re.I)  # fmt: skip


def _split_lists(scan: _Scan, segments: list[Segment], live: list[Trigger]) -> list[Segment]:
    """Cut a segment that lists events on different days ("X on 3 March and, on 4 March, Y").

    The cut is the last connector between two day-precise dates that
    differ. The part after it needs its own event word, or a figure and a
    town of its own; in the second case it shares the event word before it
    ("killed three villagers in X on Monday and five in Y on Tuesday").
    """
    out: list[Segment] = []
    for seg in segments:
        dates = [d for d in scan.dates if seg.start <= d.start < seg.end and d.date is not None
                 and d.precision == 1 and not d.statement]  # fmt: skip
        start, relation, days = seg.start, seg.relation, seg.days
        for left, right in zip(dates, dates[1:], strict=False):
            cuts = list(_LIST_CUT.finditer(scan.sentence, left.end, right.start))
            if left.date == right.date or not cuts:
                continue
            cut = cuts[-1]
            before = [t for t in live if start <= t.start < cut.start()]
            after = scan.sentence[cut.end() : seg.end]
            own = [t for t in live if cut.end() <= t.start < seg.end]
            if not before or not (own or _lists_more(scan, after, cut.end(), seg.end)):
                continue
            if not own:
                live.append(dataclasses.replace(max(before, key=lambda t: t.priority),
                                                start=cut.end(), end=cut.end()))  # fmt: skip
            out.append(Segment(start, cut.start(), relation, days))
            start, relation, days = cut.end(), "", 0
        out.append(Segment(start, seg.end, relation, days))
    return out


def _lists_more(scan: _Scan, after: str, start: int, end: int) -> bool:
    """True when the words after a list's connector name a count and a town of their own."""
    towns = [p for p in scan.places if start <= p.start < end and not p.country_only]
    return bool(towns) and bool(_COUNT_OR_DIGIT.search(after))


def _is_total(scan: _Scan, part: _Part) -> bool:
    figures = find_figures(part.text, [], scan.lang)
    return is_total(part.text, bool(figures.fatalities), part.exact_date)


def _read_part(scan: _Scan, part: _Part) -> None:
    """Start a candidate for the part, add it to the event it is about, or drop it."""
    lex = lexicon(scan.lang)
    if _is_total(scan, part):
        scan.totals.append(part.text.strip())
        return
    trig = part.main_trigger
    refers_back = trig is not None and is_back_reference(
        part.text, trig, part.span.start, scan.lang
    )
    if trig is None:
        refers_back = lex.incident_back.search(part.text) is not None
    facts = PartFacts(
        trig, part.dates, part.places, part.text, refers_back,
        lex.also.search(part.text) is not None, scan.section, part.span.start,
    )  # fmt: skip
    separate = lex.separate.search(scan.sentence) is not None
    if _added_to_earlier(scan, part, facts, separate):
        return
    if trig is None or not _stands_alone(scan, part, trig, refers_back):
        return
    _start_candidate(scan, part, trig, facts, separate)


def _added_to_earlier(scan: _Scan, part: _Part, facts: PartFacts, separate: bool) -> bool:
    """True when the part was added to the event it is about (see :mod:`linking`)."""
    if (separate or part.span.relation) and facts.trigger is not None:
        return False  # "Separately, ...", "X one day after Y": another event
    candidates, paragraph = scan.so_far, scan.in_paragraph + scan.new
    if facts.trigger is None:
        # No event word: it is about the event its date names, else the
        # latest of its paragraph, else the post's only one.
        target = referent(paragraph, part.dates) or (
            candidates[0] if len(candidates) == 1 else None
        )
    else:
        target = target_of(facts, candidates, paragraph)
    if target is None:
        return False
    if facts.trigger is not None:
        upgrade_type(target, facts.trigger)
    scan.merge(target, part, facts.refers_back)
    return True


def _stands_alone(scan: _Scan, part: _Part, trig: Trigger, refers_back: bool) -> bool:
    """True when a part that adds to no earlier event says enough to be one itself.

    A general event word ("killed", "the blast") needs its own town or
    day; a part pointing back at an event the post does not have needs its
    own town or date; a general statement ("a string of attacks since
    January") needs its own date.
    """
    if trig.priority < 0 and not (part.own_place or part.exact_date):
        return False
    if refers_back and not (part.own_place or part.own_date):
        return False
    if not part.own_date and is_trend(part.text, trig, scan.lang):
        return False
    if STANDING.search(scan.sentence):
        return False
    if is_background(scan.sentence, part.text, trig, scan.post.date, part.exact_date):
        return False
    if lexicon(scan.lang).also.search(part.text) and scan.so_far and trig.priority >= 0:
        return True  # "Rebels also held ...": on the day of the event before
    return not (lexicon(scan.lang).generic.search(scan.sentence) and not part.own_date)


def _start_candidate(
    scan: _Scan, part: _Part, trig: Trigger, facts: PartFacts, separate: bool
) -> None:
    cand = _new_candidate(scan, part, trig)
    inherit(cand, facts, scan.so_far)
    scan.previous_date = cand.date
    same = None if separate else same_event(cand, scan.so_far)
    if same is not None:
        scan.merge(same, part, True)
        return
    scan.new.append(cand)


def _new_candidate(scan: _Scan, part: _Part, trig: Trigger) -> Candidate:
    """A candidate for the part's event, with its date, place, figures and actors."""
    cand = Candidate(
        scan.post, scan.paragraph_no, scan.sentence, part.text, trig,
        trig.event_type, trig.sub_event_type, country_iso3=scan.focus, language=scan.lang,
    )  # fmt: skip
    cand.generic = bool(lexicon(scan.lang).generic.search(scan.sentence))
    span = part.span
    figures = find_figures(
        without_protest_cause(trig.event_type, part.text),
        [(d.start - span.start, d.end - span.start) for d in part.dates],
        scan.lang,
    )
    type_details(cand, part.text, figures)
    choose_date(cand, part.dates, span.relation, span.days, scan.previous_date, scan.so_far)
    choose_place(cand, part.places, part.text, scan.in_paragraph + scan.new)
    cand.named_places += [fold(p.text) for p in part.places if not p.country_only]
    cand.casualties.add(figures)
    label = country_name(cand.place.iso3) if cand.place else scan.country_label
    cand.actors += actor_roles(scan.sentence, part.mentions, label, 0, trig.start)
    cand.unidentified = bool(UNCLAIMED.search(part.text))
    cand.missing_places += unfound_places(part.text, part.places)
    return cand
