"""Dates in report prose, in English and French, resolved against the post's date.

Finding and resolving are separate. Rules here find the date expressions
(regular expressions built from the month and weekday names of the
dateparser library's English and French locales); the dateparser library
resolves them ("dimanche 12 mai", "January 11, 2013", "yesterday", « il y a
trois jours », "last week") relative to the post, preferring the past.
Own rules remain for what dateparser does not do:

* a weekday or a day without a year is the latest such day *on or before*
  the post (dateparser would go back a week for the post's own weekday):
  it is resolved against the day after the post;
* with no post date, a day without a year takes the last year the text
  named ("year 2013 taken from the text");
* "late on Monday", "Wednesday's attack", « lundi soir », « samedi 14 »:
  the weekday or day is cut out of the phrase first;
* « dans la nuit de samedi à dimanche », "overnight Saturday to Sunday": the
  first day;
* "next Monday", « lundi prochain », "for Monday": future, not dated;
* anchors to another event ("two days earlier", "the following day", « le
  lendemain », « une semaine plus tôt »): an offset in days, resolved by
  :mod:`geo.io.extract.candidates` against the event before;
* a date that only says when something was said ("the ministry said on
  Wednesday", « a annoncé dimanche », « joint vendredi ») is marked
  ``statement``, so an event's own date wins over it.

Precision: a day 1, "N days ago" and weeks 2, a month alone 3 (the 1st).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import dateparser
from dateparser.languages.loader import default_loader

from geo.io.extract.figures import parse_number
from geo.reference.names import fold

_MONTH_KEYS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class DateMention:
    """One date expression found in a sentence.

    ``date`` is None when the expression could not be resolved (no post
    date, or no year known); ``note`` then says why. An anchor ("the
    following day") has no date but an ``offset`` in days from the event
    before it; ``statement`` marks the date of a statement or claim.
    """

    start: int
    end: int
    text: str
    date: dt.date | None
    precision: int
    kind: str
    note: str = ""
    offset: int | None = None
    statement: bool = False


def _full_names(names: list[str]) -> list[str]:
    """A locale's names without its abbreviations ("sept" of "september")."""
    longest = max(names, key=len)
    keep = {n for n in names if len(n) >= 4 and not any(o.startswith(n) and o != n for o in names)}
    keep.add(longest)
    return sorted(keep | {fold(n) for n in keep}, key=len, reverse=True)


@lru_cache(maxsize=4)
def _abbreviations(lang: str) -> dict[str, int]:
    """Short month names of the locale ("Nov", "Sept", « févr »): month (1-12).

    Briefs and sitreps head their items "08 NOV" or "17 Apr"; only used next
    to a day number, so "Jan" or "Mar" alone never reads as a month.
    """
    info = default_loader.get_locale(lang).info
    out: dict[str, int] = {}
    for i, key in enumerate(_MONTH_KEYS, 1):
        names = info[key]
        for n in names:
            if len(n) >= 3 and any(o.startswith(n) and o != n for o in names):
                out[n] = i
                out[fold(n)] = i
    return out


@lru_cache(maxsize=4)
def _names(lang: str) -> tuple[dict[str, int], dict[str, int]]:
    """Month and weekday names of dateparser's locale: name -> month (1-12) / weekday (0-6)."""
    info = default_loader.get_locale(lang).info
    months = {n: i for i, k in enumerate(_MONTH_KEYS, 1) for n in _full_names(info[k])}
    weekdays = {n: i for i, k in enumerate(_WEEKDAY_KEYS) for n in _full_names(info[k])}
    return months, weekdays


def _alternation(names: dict[str, int], capitalised: bool) -> str:
    """Names as a regex group; English ones capitalised ("May", "MAY": not the verb "may")."""
    words = sorted(names, key=len, reverse=True)
    forms = [f for w in words for f in (w.capitalize(), w.upper())] if capitalised else words
    return "(" + "|".join(forms) + ")"


_ORD = r"(?:st|nd|rd|th|er)?"
# Day first, as reports from the Sahel and the Middle East write them.
_NUMERIC = re.compile(
    r"(?<![\d/.\-])(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>\d{4}|\d{2})(?![\d/.])"
    r"|(?<![\d/.\-])(?P<iso>\d{4})-(?P<imonth>\d{2})-(?P<iday>\d{2})(?![\d-])"
    # "on 08/11", « le 8/11 », "08/11:" at the head of a brief's item: day and
    # month without a year; two digits each, or after a date word ("24/7" is not).
    r"|(?:(?<=\b(?:on|le|du|au)\s)|(?<=\b(?:since|until)\s)|(?<=\bdepuis\s)|^\s*"
    r"|(?<![\d/.\-])(?=\d\d/\d\d(?![\d/.])))"
    r"(?P<day2>\d{1,2})/(?P<month2>\d{1,2})(?![\d/.])",
    re.I,
)
_COUNT = r"(a|an|one|two|three|four|five|six|seven|\d+|une?|deux|trois|quatre|cinq|six|sept|huit)"


@dataclass(frozen=True)
class _Patterns:
    """The date patterns of one language."""

    explicit: tuple[re.Pattern[str], ...]  # groups: weekday, day, month, year (by name)
    day_range: re.Pattern[str]  # groups: first day, last day, month, year
    month_only: re.Pattern[str]
    weekday: re.Pattern[str]
    night: re.Pattern[str]
    today: re.Pattern[str]
    ago: re.Pattern[str]
    week: re.Pattern[str]
    anchor: re.Pattern[str]
    statement: re.Pattern[str]


@lru_cache(maxsize=4)
def _patterns(lang: str) -> _Patterns:
    return _french() if lang == "fr" else _english()


def _english() -> _Patterns:
    months, weekdays = _names("en")
    mo, wd = _alternation(months, True), _alternation(weekdays, True)
    # Full or short month ("November", "Nov.", "NOV"): short ones only beside a day.
    mx = f"{mo[1:-1]}|{_alternation(_abbreviations('en'), True)[1:-1]}"
    wd_opt = rf"(?:(?P<weekday>{wd[1:-1]}),?\s+)?"
    return _Patterns(
        explicit=(
            re.compile(
                rf"\b{wd_opt}(?P<day>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<month>{mx})(?:\.|\b)"
                rf"(?:,?\s+(?P<year>\d{{4}})\b)?"
            ),
            re.compile(
                rf"\b{wd_opt}(?P<month>{mx})\.?\s+(?P<day>\d{{1,2}}){_ORD}(?!\d)"
                rf"(?:,?\s+(?P<year>\d{{4}})\b)?"
            ),
        ),
        day_range=re.compile(
            rf"\b(?:(?:on|in|during)\s+the\s+night\s+of|overnight|between)\s+(\d{{1,2}}){_ORD}"
            rf"\s+(?:to|and|into|[-\u2013])\s+(\d{{1,2}}){_ORD}\s+{mo}(?:,?\s+(\d{{4}}))?"
            rf"|\b(\d{{1,2}})\s*[-\u2013]\s*(\d{{1,2}})\s+{mo}(?:,?\s+(\d{{4}}))?"
        ),
        month_only=re.compile(
            rf"\b(?:(?:early|mid|late|in|since|during)[\s-]+)?{mo}\b"
            r"(?:\s+of\s+(this|last)\s+year|,?\s+(\d{4})\b)?"
        ),
        weekday=re.compile(
            rf"\b(?:((?i:next|coming|for|until|by|last|this past|on|late on|early on))\s+)?{wd}"
            r"(?:['\u2019]s)?\b"
        ),
        night=re.compile(
            rf"\b(?:overnight(?:\s+from)?|(?:on|in|during)\s+the\s+night\s+of)\s+{wd}"
            rf"\s+(?:to|into)\s+{wd}\b"
        ),
        today=re.compile(
            r"\b(today['\u2019]s|today|this morning|this afternoon|tonight"
            r"|yesterday['\u2019]s|yesterday)\b",
            re.I,
        ),
        ago=re.compile(r"\b(\w+)\s+days?\s+ago\b", re.I),
        week=re.compile(
            r"\b(last week['\u2019]s|last week|this past week|this week|past week)\b", re.I
        ),
        anchor=re.compile(
            rf"\b(?:{_COUNT}\s+(days?|weeks?)\s+(earlier|later|before(?=\s*[,.;]|$)"
            r"|afterwards)|the\s+(following|next|previous|preceding)\s+(day|morning|evening"
            r"|night|week)|the\s+day\s+(before|after)(?=\s*[,.;]|$)|the\s+(same)\s+day"
            r"|later\s+(?:that|the\s+same)\s+day|that\s+(?:same\s+)?(?:evening|night|afternoon))\b",
            re.I,
        ),
        statement=re.compile(
            r"\b(?:said|says|told|announced|reported|added|stated|confirmed|statement|posted"
            r"|published|denied|claimed)\b[^.;,]{0,30}$",
            re.I,
        ),
    )


def _french() -> _Patterns:
    months, weekdays = _names("fr")
    mo, wd = _alternation(months, False), _alternation(weekdays, False)
    mx = f"{mo[1:-1]}|{_alternation(_abbreviations('fr'), False)[1:-1]}"
    return _Patterns(
        explicit=(
            re.compile(
                rf"\b(?:(?P<weekday>{wd[1:-1]})\s+)?(?:le\s+)?(?P<day>1er|\d{{1,2}})\s+"
                rf"(?P<month>{mx})(?:\.|\b)(?:\s+(?P<year>\d{{4}})\b)?",
                re.I,
            ),
        ),
        day_range=re.compile(
            rf"\b(?:dans\s+la\s+nuit\s+du|entre\s+le)\s+(1er|\d{{1,2}})\s+(?:au|et\s+le|\u00e0)\s+"
            rf"(\d{{1,2}})\s+{mo}(?:\s+(\d{{4}}))?",
            re.I,
        ),
        month_only=re.compile(
            rf"\b(?:(?:en|d\u00e9but|mi|fin|courant|depuis)[\s-]+)(?:mois\s+d['\u2019]\s*)?{mo}\b"
            r"(?:\s+(dernier))?(?:\s+(\d{4})\b)?",
            re.I,
        ),
        weekday=re.compile(
            rf"\b(?:(d['\u2019]ici|jusqu['\u2019]\u00e0|pour)\s+)?{wd}"
            r"(?:\s+(?:soir|matin|apr\u00e8s-midi|midi|\d{1,2}))?(?:\s+(prochain|dernier))?\b",
            re.I,
        ),
        night=re.compile(
            rf"\bdans\s+la\s+nuit\s+(?:du|de)\s+{wd}(?:\s+(1er|\d{{1,2}}))?(?:\s+{mo})?\s+"
            rf"(?:au|\u00e0)\s+{wd}(?:\s+(\d{{1,2}}))?(?:\s+{mo})?(?:\s+(\d{{4}}))?",
            re.I,
        ),
        today=re.compile(
            r"(?<![\w-])(aujourd['\u2019]hui|ce matin|cet apr\u00e8s-midi|ce soir|avant-hier"
            r"|hier(?: soir| matin)?)\b",
            re.I,
        ),
        ago=re.compile(r"\bil y a\s+(\w+)\s+jours?\b", re.I),
        week=re.compile(
            r"\b(la semaine derni\u00e8re|la semaine pass\u00e9e|cette semaine"
            r"|la semaine \u00e9coul\u00e9e)\b",
            re.I,
        ),
        anchor=re.compile(
            rf"\b(?:{_COUNT}\s+(jours?|semaines?)\s+(plus t\u00f4t|plus tard|auparavant"
            r"|apr\u00e8s(?=\s*[,.;]|$))|(le lendemain)|(la veille)|(le jour m\u00eame"
            r"|le m\u00eame jour|ce m\u00eame jour|plus tard dans la journ\u00e9e))\b",
            re.I,
        ),
        statement=re.compile(
            r"(?:\b(?:annonc\u00e9|indiqu\u00e9|d\u00e9clar\u00e9|affirm\u00e9|pr\u00e9cis\u00e9"
            r"|appris|jointe?s?|joint|publi\u00e9e?|communiqu\u00e9|revendiqu\u00e9e?)"
            r"|a-t-on appris)\b[^.;,]{0,30}$",
            re.I,
        ),
    )


@lru_cache(maxsize=4096)
def _parse(phrase: str, lang: str, base: dt.date) -> dt.date | None:
    """dateparser's reading of a phrase, relative to ``base``, preferring the past."""
    settings = {
        "RELATIVE_BASE": dt.datetime.combine(base, dt.time()),
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(phrase, languages=[lang], settings=settings)
    return parsed.date() if parsed is not None else None


def _day_after(post: dt.date) -> dt.date:
    # "The latest such day on or before the post" = dateparser's "latest
    # before the day after the post".
    return post + dt.timedelta(days=1)


class _Finder:
    """Finds and resolves the date expressions of one text."""

    def __init__(self, text: str, post: dt.date | None, year_hint: int | None, lang: str):
        self.text, self.post, self.year_hint, self.lang = text, post, year_hint, lang
        self.pat = _patterns(lang)
        self.months, self.weekday_names = _names(lang)

    def mention(
        self, m: re.Match[str], date: dt.date | None, precision: int, kind: str, note: str = ""
    ) -> DateMention:
        return DateMention(m.start(), m.end(), m.group(0), date, precision, kind, note)

    def day_month(self, day: str, month: str, year: str | None) -> tuple[dt.date | None, str]:
        """A day of a month, with the post's or the text's year when none is written."""
        phrase = f"{day.rstrip('er') or day} {month}" + (f" {year}" if year else "")
        if year:
            base = dt.date(int(year), 12, 31)
        elif self.post is not None:
            base = _day_after(self.post)
        elif self.year_hint is not None:
            base = dt.date(self.year_hint, 12, 31)
        else:
            return None, "year not known"
        date = _parse(phrase, self.lang, base)
        if date is None:
            return None, "not a real date"
        if year:
            return date, ""
        if self.post is None:
            return date, f"year {self.year_hint} taken from the text"
        return date, "year taken as the one before the post" if date.year < self.post.year else ""

    def explicit(self) -> list[DateMention]:
        out = []
        for pattern in self.pat.explicit:
            for m in pattern.finditer(self.text):
                date, note = self.day_month(m.group("day"), m.group("month"), m.group("year"))
                out.append(self.mention(m, date, 1, "explicit", note))
        return out

    def numeric(self) -> list[DateMention]:
        """Dates in digits: "12/05/2023", "12.05.23", "2023-05-12", "on 12/05" (day first)."""
        out = []
        for m in _NUMERIC.finditer(self.text):
            if m.group("iso"):
                day, month, year = m.group("iday"), m.group("imonth"), m.group("iso")
            elif m.group("day2"):
                day, month, year = m.group("day2"), m.group("month2"), None
            else:
                day, month, year = m.group("day"), m.group("month"), m.group("year")
            if not (1 <= int(day) <= 31 and 1 <= int(month) <= 12):
                continue
            if year and len(year) == 2:
                year = "20" + year
            name = max((n for n, k in self.months.items() if k == int(month)), key=len)
            date, note = self.day_month(day, name, year)
            out.append(self.mention(m, date, 1, "explicit", note))
        return out

    def ranges(self) -> list[DateMention]:
        """ "on the night of 12 to 13 May", « dans la nuit du 14 au 15 octobre »: the first day.

        A range of more than two days ("between 3 and 9 May") is dated to its
        first day at week precision.
        """
        out = []
        for m in self.pat.day_range.finditer(self.text):
            g = [x for x in m.groups()]
            first, last, month, year = (
                (g[0], g[1], g[2], g[3]) if g[0] else (g[4], g[5], g[6], g[7])
            )
            date, note = self.day_month(first, month, year)
            days = int(last) - int(first.rstrip("er") or 1)
            precision = 1 if 0 <= days <= 1 else 2
            out.append(self.mention(m, date, precision, "night" if days <= 1 else "range", note))
        return out

    def month_only(self) -> list[DateMention]:
        """Months alone ("in January", "January of this year"): the 1st, precision 3."""
        out = []
        for m in self.pat.month_only.finditer(self.text):
            month = self.months[m.group(1).casefold()]
            year = _month_year(m, month, self.post, self.year_hint)
            if year is None:
                out.append(self.mention(m, None, 3, "month", "year not known"))
                continue
            note = "month only: dated to its first day"
            if self.post is None and not m.group(3):
                note = f"month only, year {year} taken from the text"
            out.append(self.mention(m, dt.date(year, month, 1), 3, "month", note))
        return out

    def weekday_date(self, name: str) -> dt.date | None:
        if self.post is None:
            return None
        return _parse(name, self.lang, _day_after(self.post))

    def weekdays(self) -> list[DateMention]:
        """Weekdays: the latest such day on or before the post ("next Friday" is ignored)."""
        out = []
        for m in self.pat.weekday.finditer(self.text):
            lead = (m.group(1) or "").casefold()
            tail = (m.group(3) or "").casefold() if self.lang == "fr" else ""
            if lead in ("next", "coming", "for", "until", "by", "pour") or tail == "prochain":
                continue
            if lead.startswith(("d'", "d\u2019", "jusqu")):
                continue
            if self.post is None:
                out.append(self.mention(m, None, 1, "weekday", "weekday with no post date"))
                continue
            date = self.weekday_date(m.group(2))
            if date == self.post and (lead in ("last", "this past") or tail == "dernier"):
                # "last Friday" in a Friday post: the Friday before, not today.
                date -= dt.timedelta(days=7)
            out.append(self.mention(m, date, 1, "weekday"))
        return out

    def nights(self) -> list[DateMention]:
        """ "dans la nuit de samedi 14 au dimanche 15 octobre": the first day."""
        out = []
        for m in self.pat.night.finditer(self.text):
            groups = [g for g in m.groups()]
            date: dt.date | None = None
            if self.lang == "fr" and groups[1] and (groups[2] or groups[5]):
                date, _ = self.day_month(groups[1], groups[2] or groups[5], groups[6])
            if date is None:
                date = self.weekday_date(groups[0])
            note = "" if date else "weekday with no post date"
            out.append(self.mention(m, date, 1, "night", note))
        return out

    def relative(self) -> list[DateMention]:
        """Days and weeks counted from the post: "yesterday" (1), "N days ago", "last week" (2)."""
        out = []
        for pattern, precision, kind in (
            (self.pat.today, 1, "today"),
            (self.pat.ago, 2, "ago"),
            (self.pat.week, 2, "week"),
        ):
            for m in pattern.finditer(self.text):
                if kind == "ago" and parse_number(m.group(1), self.lang) is None:
                    continue
                if self.post is None:
                    note = f"relative {'week' if kind == 'week' else 'day'} with no post date"
                    out.append(self.mention(m, None, precision, kind, note))
                    continue
                phrase = re.sub(r"['\u2019]s$", "", m.group(0))
                out.append(self.mention(m, _parse(phrase, self.lang, self.post), precision, kind))
        return out

    def anchors(self) -> list[DateMention]:
        """ "two days earlier", "the following day", « le lendemain »: days from another event."""
        out = []
        for m in self.pat.anchor.finditer(self.text):
            out.append(
                DateMention(
                    m.start(),
                    m.end(),
                    m.group(0),
                    None,
                    1,
                    "anchor",
                    "relative to another event",
                    _anchor_offset(m.group(0), self.lang),
                )  # fmt: skip
            )
        return out


def _anchor_offset(text: str, lang: str) -> int:
    """Days from the event before: "two days earlier" -2, « le lendemain » +1."""
    t = text.casefold()
    if re.search(r"\b(?:same|m\u00eame|that|journ\u00e9e)\b", t):
        return 0
    back = bool(re.search(r"earlier|before|previous|preceding|plus t\u00f4t|auparavant|veille", t))
    count = re.match(r"(\w+)\s+(?:days?|weeks?|jours?|semaines?)", t)
    n = 1
    if count:
        n = (
            1
            if count.group(1) in ("a", "an", "one", "un", "une")
            else parse_number(count.group(1), lang) or 1
        )
    if re.search(r"\bweeks?\b|semaines?|\bweek\b", t):
        n *= 7
    return -n if back else n


def _month_year(
    m: re.Match[str], month: int, post: dt.date | None, year_hint: int | None
) -> int | None:
    """The year of a month-only date: written, "this/last year", else the latest before the post."""
    if m.group(3):
        return int(m.group(3))
    if post is None:
        return year_hint
    word = (m.group(2) or "").casefold()
    if word in ("this", "last"):
        return post.year - (word == "last")
    if word == "dernier":  # « en mai dernier »: the last May before this month
        return post.year if month < post.month else post.year - 1
    return post.year if month <= post.month else post.year - 1


def _mark_statements(text: str, found: list[DateMention], lang: str) -> list[DateMention]:
    """Dates right after "said", « a annoncé », « joint »: when it was said, not when it was."""
    pattern = _patterns(lang).statement
    out = []
    for d in found:
        before = text[max(0, d.start - 60) : d.start]
        if pattern.search(before):
            d = DateMention(d.start, d.end, d.text, d.date, d.precision, d.kind, d.note,
                            d.offset, True)  # fmt: skip
        out.append(d)
    return out


def find_dates(
    text: str, post_date: dt.date | None, year_hint: int | None = None, lang: str = "en"
) -> list[DateMention]:
    """Every date expression in ``text``, left to right, overlapping ones merged.

    Parameters
    ----------
    text : str
        A sentence or clause.
    post_date : date, optional
        The date the report was posted; relative dates need it.
    year_hint : int, optional
        A year to use for "10 February" when there is no post date.
    lang : str
        "en" or "fr".
    """
    finder = _Finder(text, post_date, year_hint, lang)
    found = [
        *finder.ranges(),
        *finder.numeric(),
        *finder.nights(),
        *finder.explicit(),
        *finder.month_only(),
        *finder.weekdays(),
        *finder.relative(),
        *finder.anchors(),
    ]
    # Where expressions overlap ("10 February" and "February") the one that
    # starts first, else the longest, is kept.
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    kept: list[DateMention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return _mark_statements(text, kept, lang)


def full_date_in(line: str) -> dt.date | None:
    """The first complete date (day, month and year) in ``line``, English or French."""
    for lang in ("en", "fr"):
        for m in find_dates(line, None, None, lang):
            if m.kind == "explicit" and m.date is not None and re.search(r"\d{4}", m.text):
                return m.date
    return None


def heading_date(line: str, post_date: dt.date | None) -> dt.date | None:
    """The date a heading line dates what follows it, if the line is a date.

    A full date anywhere in a short heading counts ("Mali Security Update
    (22 February 2013)"); a line that is nothing but a date without a year
    ("08 NOV", "Tuesday 12 Nov:", "13/02") — the day headings of daily
    briefs, whose bullets list that day's incidents — is resolved against
    the post's date.
    """
    full = full_date_in(line)
    if full is not None or post_date is None:
        return full
    for lang in ("en", "fr"):
        found = [m for m in find_dates(line, post_date, None, lang) if m.date is not None]
        if len(found) != 1 or found[0].kind != "explicit":
            continue
        rest = line[: found[0].start] + line[found[0].end :]
        _, weekdays = _names(lang)
        words = [w for w in re.findall(r"[^\W\d_]+", rest) if fold(w) not in weekdays]
        if not words:
            return found[0].date
    return None


def dated_years(text: str) -> list[int]:
    """Years written as part of a date ("January 2013", "11 January 2013", « 14 mai 2023 »).

    Bare years ("In 2004") are left out: they date background, not events.
    """
    years = []
    for lang in ("en", "fr"):
        months, _ = _names(lang)
        mo = _alternation(months, lang == "en")
        flags = re.I if lang == "fr" else 0
        pattern = re.compile(rf"{mo}(?:\s+\d{{1,2}}{_ORD})?,?\s+((?:19|20)\d\d)\b", flags)
        years += [(m.start(), int(m.group(2))) for m in pattern.finditer(text)]
    return [y for _, y in sorted(set(years))]


def last_year_in(text: str) -> int | None:
    """The last year written as part of a date in ``text`` (see :func:`dated_years`)."""
    years = dated_years(text)
    return years[-1] if years else None
