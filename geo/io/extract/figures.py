"""Fatality and injury figures in report prose.

A number counts as deaths when a death word follows it closely ("five people
died", "two soldiers were killed") or comes just before it ("the deaths of
at least twenty", "killing 3"); likewise for injuries ("two civilians were
wounded"). Numbers in an "including ..." aside are a subset of the figure
before them and are not added ("five people, including two suicide
bombers, died" is 5). Bounds are kept as their number with a note: "at
least twenty" -> 20, "more than twenty" -> 20 (a lower bound). Units
("500 metres", "two tons") and years are not figures. With no number, a
single victim ("was killed", "the assassination of") counts as 1, and
"nobody was killed" / "no casualties" states 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "a dozen": 12, "dozen": 12,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four"
    r"|five|six|seven|eight|nine))?|a dozen|a hundred|one hundred|zero|one|two|three|four|five"
    r"|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen"
    r"|eighteen|nineteen|dozen)"
)
NUMBER = re.compile(rf"(?<![\w.,])(\d{{1,3}}(?:,\d{{3}})+|\d+|{_WORD})(?![\w%]|[.,]\d)", re.I)
QUALIFIER = re.compile(
    r"(at least|more than|over|upwards of|some|about|around|approximately|nearly|almost"
    r"|up to|as many as|at most)\s+$",
    re.I,
)
UNIT_AFTER = re.compile(
    r"^\s*(?:-?\s*)?(?:metres?|meters?|m\b|km|kilomet(?:re|er)s?|miles?|tons?|tonnes?|kg"
    r"|kilo(?:gram)?s?|per ?cent|percent|years?|days?|weeks?|months?|hours?|minutes?"
    r"|million|billion|vehicles?|cars?|trucks?|bags?|times|%|st\b|nd\b|rd\b|th\b)",
    re.I,
)
DEATH = r"(?:killed|dead|died|deaths?|lives|fatalities|slain|perished|executed|massacred|shot dead)"
INJURY = r"(?:wounded|injured|injuries|hurt|wounding|injuring)"
DEATH_BEFORE = re.compile(
    r"(?:deaths? of|killing|killed|claimed the lives of|death toll (?:\w+ )?(?:of|to|at)|left)\s+$",
    re.I,
)
INJURY_BEFORE = re.compile(r"(?:wounding|injuring|wounded|injured)\s+$", re.I)
INCLUDING = re.compile(r",?\s+(?:including|among them|among whom)\s+[^,;.]*(?:,|(?=;|\.|$))", re.I)
SINGLE_DEATH = re.compile(
    r"\b(?:was|has been|had been|being)\s+(?:shot dead|killed|assassinated|executed|murdered"
    r"|beheaded)\b|\bassassination of\b",
    re.I,
)
NO_DEATHS = re.compile(
    r"\b(?:nobody|no one|no-one|none)\s+(?:\w+\s+){0,2}?(?:was|were|had been)\s+(?:killed|hurt)"
    r"|\bno (?:one died|deaths|casualties|fatalities)\b|\bwithout (?:casualties|loss of life)\b",
    re.I,
)
_STOP = re.compile(r"[;:.]|\band\s+(?=\S+\s+(?:were|was))", re.I)


def parse_number(word: str) -> int | None:
    """A number written in digits or English words, or None.

    >>> parse_number("twenty-five"), parse_number("1,800"), parse_number("five")
    (25, 1800, 5)
    """
    w = word.strip().casefold()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", w):
        return int(w.replace(",", ""))
    if w in ("a hundred", "one hundred"):
        return 100
    if w in _UNITS:
        return _UNITS[w]
    parts = re.split(r"[- ]", w)
    if parts[0] in _TENS:
        extra = _UNITS.get(parts[1]) if len(parts) > 1 else 0
        return None if extra is None else _TENS[parts[0]] + extra
    return None


@dataclass
class Figures:
    """Deaths and injuries found in one clause (None where none were stated)."""

    fatalities: int | None = None
    injuries: int | None = None
    notes: list[str] = field(default_factory=list)


_BOUNDS = {
    "at least": "a lower bound",
    "more than": "a lower bound (strictly more)",
    "over": "a lower bound (strictly more)",
    "upwards of": "a lower bound",
    "up to": "an upper bound",
    "as many as": "an upper bound",
    "at most": "an upper bound",
}


def _figure_numbers(cleaned: str, skip: list[tuple[int, int]]) -> list[re.Match[str]]:
    """Numbers that may be figures: not in a skipped span, not a year, not a measure."""
    return [
        m
        for m in NUMBER.finditer(cleaned)
        if not any(a <= m.start() < b for a, b in skip)
        and not re.fullmatch(r"(19|20)\d\d", m.group(1))
        and not UNIT_AFTER.match(cleaned[m.end() :])
    ]


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
    d = re.search(rf"\b{DEATH}\b", window, re.I)
    i = re.search(rf"\b{INJURY}\b", window, re.I)
    if d and (not i or d.start() < i.start()):
        return "death"
    return "injury" if i else ""


def _count(out: Figures, cleaned: str, numbers: list[re.Match[str]], k: int) -> None:
    """Add number ``k`` to the deaths or injuries when the words around it say which."""
    m = numbers[k]
    value = parse_number(m.group(1))
    if value is None:
        return
    before = cleaned[max(0, m.start() - 60) : m.start()]
    qual = QUALIFIER.search(before)
    head = before[: qual.start()] if qual else before
    stop = numbers[k + 1].start() if k + 1 < len(numbers) else len(cleaned)
    kind = _kind(head, cleaned[m.end() : stop])
    if not kind:
        return
    if qual:
        bound = _BOUNDS.get(qual.group(1).casefold(), "approximate")
        out.notes.append(f"'{qual.group(1)} {m.group(1)}' read as {value} ({bound})")
    if kind == "death":
        out.fatalities = (out.fatalities or 0) + value
    else:
        out.injuries = (out.injuries or 0) + value


def _count_without_numbers(out: Figures, cleaned: str) -> None:
    """ "nobody was killed" states 0; "was shot dead" one death, unless a number says more."""
    no_deaths = NO_DEATHS.search(cleaned)
    if no_deaths:
        out.notes.append(f"'{no_deaths.group(0)}': no deaths")
        if out.fatalities is None:
            out.fatalities = 0
        return
    single = SINGLE_DEATH.search(cleaned)
    if single is None:
        return
    preceding = cleaned[max(0, single.start() - 40) : single.start()]
    if not NUMBER.search(preceding) or out.fatalities is None:
        out.fatalities = (out.fatalities or 0) + 1
        out.notes.append(f"'{single.group(0).strip()}' counted as 1 death")


def find_figures(text: str, skip: list[tuple[int, int]] | None = None) -> Figures:
    """Deaths and injuries stated in ``text``.

    Parameters
    ----------
    text : str
        A clause or sentence.
    skip : list of (start, end)
        Spans (dates) whose numbers are not figures.
    """
    # An "including ..." aside is a subset of the figure before it: blanked
    # out (same length, so positions in ``skip`` still hold).
    cleaned = INCLUDING.sub(lambda m: " " * len(m.group(0)), text)
    out = Figures()
    numbers = _figure_numbers(cleaned, skip or [])
    for k in range(len(numbers)):
        _count(out, cleaned, numbers, k)
    _count_without_numbers(out, cleaned)
    return out
