"""Fatality and injury figures in report prose, in English and French.

A number counts as deaths when a death word follows it closely ("five people
died", "two soldiers were killed", « sept soldats ont été tués ») or comes
just before it ("killing 3", "the deaths of at least twenty", « tuant
quatre personnes »); likewise for injuries. The numbers themselves come
from the text2num library (``text_to_num.find_numbers``: "twenty-one",
« vingt et un », « douze ») and from digits; the approximate counts it does
not read are rules here, with ACLED's conventions ("dozens" 12, "several"
3, "many" 10, « une vingtaine » 20, « une dizaine » 10).

What the rules add to a plain count:

* a list shares its death word ("eight soldiers and 28 rebels were killed"
  is 36; "killing an officer and three conscripts" is 4);
* numbers in an "including ..." / « dont ... » aside are a subset and are
  not added;
* attackers' deaths are counted, as ACLED counts them, and kept apart
  (:attr:`Figures.attackers`) with a note: "four attackers", « vingt
  assaillants neutralisés », a suicide bomber who "blew himself up", « en
  plus du kamikaze »;
* a revised toll ("bringing the toll to twenty-one", « le bilan est passé à
  quatorze ») is the final figure (:attr:`Figures.toll`); a first toll
  ("had initially given a toll of fourteen", « un premier bilan ») is not
  counted;
* "seven more bodies", "two other attackers", "were also killed" add to what
  an earlier sentence counted (:attr:`Figures.more`) rather than repeat it;
* units ("500 metres", "a hundred head of cattle") and years are not figures;
  with no number, "was killed" counts 1 and "nobody was killed" states 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from text_to_num import find_numbers, text2num

from geo.io.extract.victims import noun_kind

QUALIFIER = re.compile(
    r"(at least|more than|over|upwards of|some|about|around|approximately|nearly|almost"
    r"|up to|as many as|at most|au moins|plus de|pr\u00e8s de|environ|quelque|jusqu'\u00e0"
    r"|une? (?:bonne )?(?:moins de))\s*[\"\u00ab\u201c]?\s*$",
    re.I,
)
UNIT_AFTER = re.compile(
    r"^\s*(?:-?\s*)?(?:de\s+|d['\u2019])?(?:metres?|meters?|m\b|km|kilom\w+|miles?|tons?|tonnes?|kg|kilo(?:gram)?s?"
    r"|per ?cent|percent|pour ?cent|years?|ans?\b|ann\u00e9es?|days?|jours?|weeks?|semaines?"
    r"|months?|mois\b|hours?|heures?|minutes?|million|billion|milliards?|vehicles?|v\u00e9hicules?"
    r"|cars?|trucks?|camions?|motorbikes?|motorcycles?|motos?|bags?|times|fois|%|st\b|nd\b"
    r"|rd\b|th\b|er\b|e\b|head of|t\u00eates|houses?|maisons?|shops?|boutiques?|cattle"
    r"|b\u00e9tail|rounds?|obus|rockets?|roquettes?|CFA|francs?|dollars?|euros?)",
    re.I,
)
DEATH = (
    r"(?:killed|dead|died|deaths?|lives|fatalities|slain|perished|executed|massacred"
    r"|shot dead|bodies|corpses|neutrali[sz]ed|succumbed|tu\u00e9e?s?|morts?"
    r"|d\u00e9c\u00e9d\u00e9e?s?|perdu la vie|abattue?s?|ex\u00e9cut\u00e9e?s?|neutralis\u00e9e?s?"
    r"|cadavres|corps sans vie|p\u00e9ri|p\u00e9rissent|trouv\u00e9 la mort|succomb\u00e9"
    r"|KIA|killed in action)"
)
INJURY = (
    r"(?:wounded|injured|injuries|hurt|wounding|injuring|bless\u00e9e?s?|blessant|blessures"
    r"|WIA|wounded in action)"
)
DEATH_BEFORE = re.compile(
    r"(?:deaths? of|killing(?: of)?|killed|shot dead|claimed the lives of|death toll (?:\w+ )?"
    r"(?:of|to|at)|toll of|left|lost(?: only)?|neutrali[sz]ed|executed|massacred|tuant|tu\u00e9"
    r"|ont tu\u00e9|a tu\u00e9|abattu|neutralis\u00e9|ex\u00e9cut\u00e9|perdu"
    r"|co\u00fbt\u00e9 la vie \u00e0"
    r"|(?:est |a )?(?:pass\u00e9|mont\u00e9|port\u00e9) \u00e0|s'\u00e9l\u00e8ve \u00e0"
    r"|fait \u00e9tat d[e'\u2019])\s*[\"\u00ab\u00bb\u201c\u201d]?\s*$",
    re.I,
)
INJURY_BEFORE = re.compile(
    r"(?:wounding|injuring|wounded|injured|blessant|bless\u00e9|ont bless\u00e9|a bless\u00e9)\s*$",
    re.I,
)
# "bringing the toll to twenty-one", « le bilan ... est passé à quatorze »:
# the final figure; « un premier bilan », "initially gave a toll of": not.
TOLL_BEFORE = re.compile(
    r"(?:toll|bilan)\b[^.;]{0,120}?\b(?:to|at|reached|rose to|risen to|stands at|\u00e0)\s*$", re.I
)
INITIAL_BEFORE = re.compile(
    r"\b(?:initially|initial|first|earlier|premier|pr\u00e9c\u00e9dent|initialement)\b"
    r"[^.;]{0,40}$",
    re.I,
)
MORE_AFTER = re.compile(r"^\s*(?:more|other|others|additional|autres|suppl\u00e9mentaires)\b", re.I)
MORE_IN = re.compile(r"\b(?:also|too|as well|aussi|\u00e9galement)\b", re.I)
INCLUDING = re.compile(
    r",?\s+(?:including|among them|among whom|dont|parmi lesquels|parmi lesquelles|y compris)"
    r"\s+[^,;.]*(?:,|(?=;|\.|$))",
    re.I,
)
SINGLE_DEATH = re.compile(
    r"\b(?:was|has been|had been|being)\s+(?:shot dead|killed|assassinated|executed|murdered"
    r"|beheaded)\b|\bassassination of\b|\ba \u00e9t\u00e9\s+(?:tu\u00e9e?|abattue?|assassin\u00e9e?"
    r"|ex\u00e9cut\u00e9e?)\b|\bassassinat de\b",
    re.I,
)
NO_DEATHS = re.compile(
    r"\b(?:nobody|no one|no-one|none)\s+(?:\w+\s+){0,2}?(?:was|were|had been)\s+(?:killed|hurt)"
    r"|\bno (?:one died|deaths|casualties|fatalities|losses)\b|\bwithout (?:causing )?(?:any )?"
    r"(?:casualties|loss of life)\b|\bno casualties\b|\baucune victime\b|\baucun mort\b"
    r"|\bsans faire de victimes?\b|\bpas fait de victimes?\b",
    re.I,
)
# A suicide bomber's own death, stated without a number: "blew himself up",
# "killing only himself", « s'est fait exploser », « en plus du kamikaze ».
BOMBER_DEATH = re.compile(
    r"\bblew (?:himself|herself) up\b|\bdetonated (?:his|her) (?:vest|belt|explosives)\b"
    r"|\bkilling only (?:himself|herself)\b|\b(?:the|a) (?:suicide )?(?:bomber|attacker"
    r"|assailant|kamikaze)\b[^.;]{0,30}?\b(?:died|was killed|was the only person killed)\b"
    r"|\bs['\u2019](?:est|\u00e9tait) fait(?:e)? exploser\b|\ben plus (?:du kamikaze"
    r"|d['\u2019]elle-m\u00eame|de lui-m\u00eame)\b|\b(?:plus|besides|as well as) the bomber\b",
    re.I,
)
# ACLED's conventions for counts given in words only.
_VAGUE = {
    "dozens": 12, "a dozen": 12, "hundreds": 100, "several": 3, "a few": 3, "many": 10,
    "numerous": 10, "une dizaine": 10, "une douzaine": 12, "une quinzaine": 15,
    "une vingtaine": 20, "une trentaine": 30, "une quarantaine": 40, "une cinquantaine": 50,
    "une soixantaine": 60, "une centaine": 100, "des dizaines": 12, "des centaines": 100,
    "plusieurs": 3, "de nombreux": 10, "de nombreuses": 10, "quelques": 3,
}  # fmt: skip
_VAGUE_RE = re.compile(
    r"(?<![\w-])[\"\u00ab\u201c]?\s*("
    + "|".join(sorted((re.escape(k) for k in _VAGUE), key=len, reverse=True))
    + r")\s*[\"\u00bb\u201d]?(?![\w-])",
    re.I,
)
_DIGITS = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?![\w%]|[.,]\d)")
_WORD_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_LIST_JOIN = re.compile(
    r"^[\s\"\u00bb\u201d]*(?:[\w'\u2019-]+\s+){0,4}?(?:and|et|,|as well as|plus)\s*"
    r"(?:the\s+|les\s+|their\s+|leurs\s+|his\s+|her\s+|ses\s+|sa\s+|son\s+)?$",
    re.I,
)
_STOP = re.compile(
    r"[;:.]|\b(?:and|et)\s+(?=(?:others?|they|he|she|it|the rest|many|some)\s+(?:were|was))",
    re.I,
)
_BOUNDS = {
    "at least": "a lower bound",
    "au moins": "a lower bound",
    "more than": "a lower bound (strictly more)",
    "plus de": "a lower bound (strictly more)",
    "over": "a lower bound (strictly more)",
    "upwards of": "a lower bound",
    "up to": "an upper bound",
    "as many as": "an upper bound",
    "at most": "an upper bound",
}
_ONE_WORDS = {"one", "un", "une", "a", "an"}


def parse_number(word: str, lang: str = "en") -> int | None:
    """A number written in digits or words (text2num), or None.

    >>> parse_number("twenty-five"), parse_number("1,800"), parse_number("douze", "fr")
    (25, 1800, 12)
    """
    w = word.strip().casefold()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", w):
        return int(w.replace(",", ""))
    if w in _VAGUE:
        return _VAGUE[w]
    w = re.sub(r"^(?:a|one)\s+(?=hundred|thousand)", "", w)
    try:
        return int(text2num(w, lang))
    except ValueError:
        return None


class _Number(NamedTuple):
    start: int
    end: int
    value: int
    text: str
    vague: bool  # "dozens", « une vingtaine »: ACLED's convention, noted
    single: bool  # "an officer", « un civil »: 1 only when people follow


class _Token:
    """A word for ``text_to_num.find_numbers`` (which reads a stream of tokens)."""

    def __init__(self, text: str) -> None:
        self._text = text

    def text(self) -> str:
        return self._text

    def nt_separated(self, previous: object) -> bool:
        return False

    def not_a_number_part(self) -> bool:
        return False


def _word_numbers(text: str, lang: str) -> list[_Number]:
    """Numbers written in words, found by text2num; articles count 1 only before people."""
    words = list(_WORD_TOKEN.finditer(text))
    out = []
    for occ in find_numbers([_Token(m.group(0)) for m in words], lang, threshold=0):
        if occ.is_ordinal:
            continue
        start, end = words[occ.start].start(), words[occ.end - 1].end()
        single = text[start:end].casefold() in _ONE_WORDS
        out.append(_Number(start, end, int(occ.value), text[start:end], False, single))
    articles = re.finditer(r"(?<![\w'\u2019-])(an?)\s+(?=\w)", text, re.I) if lang == "en" else ()
    for m in articles:
        out.append(_Number(m.start(1), m.end(1), 1, m.group(1), False, True))
    return out


def _numbers(text: str, lang: str) -> list[_Number]:
    """Every number in digits, words or ACLED's vague words, left to right, no overlaps."""
    found = [_Number(m.start(), m.end(), parse_number(m.group(1)) or 0, m.group(1), False, False)
             for m in _DIGITS.finditer(text)]  # fmt: skip
    found += [
        _Number(m.start(1), m.end(1), _VAGUE[m.group(1).casefold()], m.group(1), True, False)
        for m in _VAGUE_RE.finditer(text)
    ]
    found += _word_numbers(text, lang)
    found.sort(key=lambda n: (n.start, -(n.end - n.start)))
    kept: list[_Number] = []
    for number in found:
        if kept and number.start < kept[-1].end:
            continue
        kept.append(number)
    return kept


@dataclass
class Figures:
    """Deaths and injuries found in one clause (None where none were stated).

    ``fatalities`` is every death counted, attackers included (ACLED);
    ``attackers`` the attackers' share of it; ``toll`` a revised toll the
    text gives as final; ``more`` is True when the deaths are said to be in
    addition to others ("seven more bodies", "were also killed"); ``groups``
    holds who the dead and wounded were (see :mod:`geo.io.extract.victims`).
    """

    fatalities: int | None = None
    injuries: int | None = None
    notes: list[str] = field(default_factory=list)
    attackers: int | None = None
    toll: int | None = None
    more: bool = False
    groups: set[str] = field(default_factory=set)

    @property
    def others(self) -> int | None:
        """Deaths that are not attackers' (None when none were stated)."""
        if self.fatalities is None:
            return None
        rest = self.fatalities - (self.attackers or 0)
        return rest if rest or self.attackers is None else None


class _Read(NamedTuple):
    """What the words around one number say about it."""

    kind: str  # "death", "injury" or ""
    group: str  # see geo.io.extract.victims
    toll: bool
    initial: bool


# "five gunmen killed three villagers", « une quarantaine d'assaillants ont tué
# une dizaine de civils »: a number before an active killing verb with an object
# counts the killers, not the dead.
_ACTIVE_KILL = re.compile(
    r"(?<![\w-])(?P<verb>killed|massacred|executed|shot dead|ont tu\u00e9|a tu\u00e9|tuent"
    r"|ont abattu|a abattu|ont ex\u00e9cut\u00e9|ont massacr\u00e9)(?![\w-])",
    re.I,
)
_PASSIVE_AUX = re.compile(r"\b(?:were|was|been|being|are|is|get|got)\s+(?:\w+\s+)?$", re.I)
_OBJECT = re.compile(
    r"^\s+(?:\d|(?:a|an|the|at least|some|about|around|more than|over|nearly|his|her|their"
    r"|its|several|dozens|many|one|two|three|four|five|six|seven|eight|nine|ten|une?|des|les"
    r"|le|la|l['\u2019]|au moins|plus de|pr\u00e8s de|leurs?|ses|sa|son|deux|trois|quatre"
    r"|cinq|sept|huit|neuf|dix|plusieurs|quelques)\b(?!\s+(?:day|night|morning|evening|week"
    r"|month|year|jour|nuit|veille|lendemain|matin|soir)))",
    re.I,
)


def _is_subject(rest: str) -> bool:
    """True when the number before ``rest`` is the subject of an active killing verb."""
    clause = rest[: m.start()] if (m := _STOP.search(rest)) else rest
    verb = _ACTIVE_KILL.search(clause)
    if verb is None or len(clause[: verb.start()].split()) > 6:
        return False
    if _PASSIVE_AUX.search(clause[: verb.start()]):
        return False
    return bool(_OBJECT.match(rest[verb.end() :]))


def _kind(head: str, after: str) -> str:
    """ "death", "injury" or "" for a number, from the words before and after it.

    ``head`` is the text before the number (without its qualifier), ``after``
    the text up to the next number; only its first clause and ten words count.
    """
    if DEATH_BEFORE.search(head):
        return "death"
    if INJURY_BEFORE.search(head):
        return "injury"
    cut = _STOP.search(after)
    window = after[: cut.start()] if cut else after
    window = " ".join(window.split()[:10])
    d = re.search(rf"(?<![\w-]){DEATH}(?![\w-])", window, re.I)
    i = re.search(rf"(?<![\w-]){INJURY}(?![\w-])", window, re.I)
    if d and (not i or d.start() < i.start()):
        return "death"
    return "injury" if i else ""


def _read(cleaned: str, numbers: list[_Number], k: int) -> _Read | None:
    """The kind and group of number ``k``, or None when it is no figure at all."""
    m = numbers[k]
    after_all = cleaned[m.end :]
    before = cleaned[max(0, m.start - 60) : m.start]
    if UNIT_AFTER.match(after_all) or re.fullmatch(r"(19|20)\d\d", m.text):
        return None
    if re.search(r"\b(?:no|aucun|aucune)\s*$", before, re.I):
        return None  # "no one was killed" is NO_DEATHS' business
    group = noun_kind(after_all)
    qual = QUALIFIER.search(before)
    head = before[: qual.start()] if qual else before
    stop = numbers[k + 1].start if k + 1 < len(numbers) else len(cleaned)
    kind = _kind(head, cleaned[m.end : stop])
    if kind == "death" and _is_subject(after_all):
        kind = ""
    first_death = re.search(rf"(?<![\w-]){DEATH}(?![\w-])", cleaned[m.end : stop], re.I)
    neutralised = re.search(r"neutrali[sz]\w*[\s\"\u00ab\u00bb\u201c\u201d]*$", head, re.I) or (
        first_death is not None and first_death.group(0).casefold().startswith("neutrali")
    )
    if neutralised and kind == "death":
        group = "attacker"  # a military euphemism for killing enemy fighters
    toll = bool(TOLL_BEFORE.search(head))
    if toll:
        kind = "death"
    initial = not toll and bool(INITIAL_BEFORE.search(head))
    return _Read(kind, group, toll, initial)


def _share_list_kinds(cleaned: str, numbers: list[_Number], reads: list[_Read | None]) -> None:
    """Numbers of one list share its death or injury word (see module docstring)."""
    for k in range(len(numbers) - 1):
        a, b = reads[k], reads[k + 1]
        if a is None or b is None or bool(a.kind) == bool(b.kind):
            continue
        between = cleaned[numbers[k].end : numbers[k + 1].start]
        if not _LIST_JOIN.match(between) or re.search(rf"{DEATH}|{INJURY}", between, re.I):
            continue
        kind = a.kind or b.kind
        reads[k], reads[k + 1] = a._replace(kind=kind), b._replace(kind=kind)


def _note_bound(out: Figures, cleaned: str, m: _Number) -> None:
    qual = QUALIFIER.search(cleaned[max(0, m.start - 60) : m.start])
    if qual:
        words = qual.group(1)
        bound = _BOUNDS.get(words.casefold(), "approximate")
        out.notes.append(f"'{words} {m.text}' read as {m.value} ({bound})")
    if m.vague:
        out.notes.append(f"'{m.text}' read as {m.value} (ACLED's convention for vague counts)")


def _add(out: Figures, cleaned: str, m: _Number, read: _Read) -> None:
    """Add one read number to the deaths or injuries."""
    _note_bound(out, cleaned, m)
    out.groups.add(read.group)
    if read.kind == "injury":
        out.injuries = (out.injuries or 0) + m.value
        return
    if read.initial:
        out.notes.append(f"first toll '{m.text}' superseded, not counted")
        return
    if read.toll:
        out.toll = m.value
        out.notes.append(f"revised toll: {m.value} (the final figure)")
    if read.group == "attacker":
        out.attackers = (out.attackers or 0) + m.value
    out.fatalities = (out.fatalities or 0) + m.value
    if MORE_AFTER.match(cleaned[m.end :]):
        out.more = True


def _count_without_numbers(out: Figures, cleaned: str) -> None:
    """ "nobody was killed" states 0; "was shot dead" one death, unless a number says more."""
    no_deaths = NO_DEATHS.search(cleaned)
    if no_deaths:
        out.notes.append(f"'{no_deaths.group(0)}': no deaths")
        if out.fatalities is None:
            out.fatalities = 0
        return
    bomber = BOMBER_DEATH.search(cleaned)
    if bomber and not out.attackers:
        out.attackers = 1
        out.groups.add("attacker")
        out.fatalities = (out.fatalities or 0) + 1
        out.notes.append(f"'{bomber.group(0).strip()}': the bomber's death counted")
        return
    single = SINGLE_DEATH.search(cleaned)
    if single is not None and out.fatalities is None:
        out.fatalities = 1
        out.notes.append(f"'{single.group(0).strip()}' counted as 1 death")


def find_figures(text: str, skip: list[tuple[int, int]] | None = None, lang: str = "en") -> Figures:
    """Deaths and injuries stated in ``text``.

    Parameters
    ----------
    text : str
        A clause or sentence.
    skip : list of (start, end)
        Spans (dates) whose numbers are not figures.
    lang : str
        "en" or "fr": the language of the number words.
    """
    # An "including ..." aside is a subset of the figure before it: blanked
    # out (same length, so positions in ``skip`` still hold).
    cleaned = INCLUDING.sub(lambda m: " " * len(m.group(0)), text)
    out = Figures()
    numbers = [
        n
        for n in _numbers(cleaned, lang)
        if not any(a <= n.start < b for a, b in skip or [])
        and not (n.single and not noun_kind(cleaned[n.end :]))
    ]
    reads = [_read(cleaned, numbers, k) for k in range(len(numbers))]
    _share_list_kinds(cleaned, numbers, reads)
    for number, read in zip(numbers, reads, strict=True):
        if read is not None and read.kind:
            _add(out, cleaned, number, read)
    if out.toll is not None:
        # The revised toll sums up the sentence's other figures.
        out.fatalities, out.attackers = out.toll, None
    _count_without_numbers(out, cleaned)
    if out.fatalities is not None and MORE_IN.search(cleaned):
        out.more = True
    return out
