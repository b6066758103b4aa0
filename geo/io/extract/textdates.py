"""Dates in report prose, resolved against the post's date.

Handled forms (case-insensitive):

* explicit: "10 February", "11 January 2013", "January 11", "1 May 2003";
  without a year the post's year is used (the year before when that would
  put the date after the post), else the last year the post mentioned;
* month only: "in January", "January 2013", "January of this year"
  (time precision 3, dated to the 1st of the month);
* weekdays: "On Friday", "launched on Monday", "Saturday" -> the most recent
  such day on or before the post date ("next Monday" / "for Monday" are
  future and ignored);
* "today", "today's", "this morning" -> the post date; "yesterday" -> the day
  before; "N days ago" -> N days before (precision 2);
* "last week('s)" -> 7 days before, "this week" / "this past week" -> the
  post date, both at week precision (2).

Relative phrases that need another event's date ("one day after", "a day
later") are resolved by :mod:`geo.io.extract.candidates`, which knows the events.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from geo.io.extract.figures import parse_number

MONTHS = {
    m.casefold(): i
    for i, m in enumerate(
        (
            "January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December",
        ),
        start=1,
    )
}  # fmt: skip
WEEKDAYS = {
    d.casefold(): i
    for i, d in enumerate(
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    )
}
_MONTH = "(" + "|".join(m.capitalize() for m in MONTHS) + ")"
_WEEKDAY = "(" + "|".join(d.capitalize() for d in WEEKDAYS) + ")"
_ORD = r"(?:st|nd|rd|th)?"

DAY_MONTH = re.compile(rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH}\b(?:,?\s+(\d{{4}})\b)?")
MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}){_ORD}(?!\d)(?:,?\s+(\d{{4}})\b)?")
MONTH_ONLY = re.compile(
    rf"\b(?:(?:early|mid|late|in|since|during)[\s-]+)?{_MONTH}\b"
    r"(?:\s+of\s+(this|last)\s+year|,?\s+(\d{4})\b)?"
)
WEEKDAY = re.compile(rf"\b(?:((?i:next|coming|for|until|by|last|this past|on))\s+)?{_WEEKDAY}\b")
TODAY = re.compile(
    r"\b(today['\u2019]s|today|this morning|this afternoon|tonight"
    r"|yesterday['\u2019]s|yesterday)\b",
    re.I,
)
DAYS_AGO = re.compile(r"\b(\w+)\s+days?\s+ago\b", re.I)
WEEK = re.compile(r"\b(last week['\u2019]s|last week|this past week|this week|past week)\b", re.I)
YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


@dataclass(frozen=True)
class DateMention:
    """One date expression found in a sentence.

    ``date`` is None when the expression could not be resolved (no post
    date, or no year known); ``note`` then says why.
    """

    start: int
    end: int
    text: str
    date: dt.date | None
    precision: int
    kind: str
    note: str = ""


def _last_on_or_before(post: dt.date, weekday: int) -> dt.date:
    return post - dt.timedelta(days=(post.weekday() - weekday) % 7)


def _with_year(
    day: int, month: int, year: int | None, post: dt.date | None, year_hint: int | None
) -> tuple[dt.date | None, str]:
    note = ""
    if year is None:
        if post is not None:
            year = post.year
            try:
                if dt.date(year, month, day) > post + dt.timedelta(days=1):
                    year -= 1
                    note = "year taken as the one before the post"
            except ValueError:
                pass
        elif year_hint is not None:
            year, note = year_hint, f"year {year_hint} taken from the text"
        else:
            return None, "year not known"
    try:
        return dt.date(year, month, day), note
    except ValueError:
        return None, "not a real date"


def _mention(
    m: re.Match[str], date: dt.date | None, precision: int, kind: str, note: str = ""
) -> DateMention:
    return DateMention(m.start(), m.end(), m.group(0), date, precision, kind, note)


def _explicit(text: str, post_date: dt.date | None, year_hint: int | None) -> list[DateMention]:
    """Day and month, with or without the year ("10 February", "January 11, 2013")."""
    out = []
    for pattern, day, month in ((DAY_MONTH, 1, 2), (MONTH_DAY, 2, 1)):
        for m in pattern.finditer(text):
            year = int(m.group(3)) if m.group(3) else None
            date, note = _with_year(
                int(m.group(day)), MONTHS[m.group(month).casefold()], year, post_date, year_hint
            )
            out.append(_mention(m, date, 1, "explicit", note))
    return out


def _month_year(
    m: re.Match[str], month: int, post_date: dt.date | None, year_hint: int | None
) -> tuple[int | None, str]:
    """The year of a month-only date, and the note saying how it was dated."""
    year: int | None
    if m.group(3):
        year = int(m.group(3))
    elif m.group(2) and post_date is not None:
        year = post_date.year - (1 if m.group(2) == "last" else 0)
    else:
        year = None
    note = "month only: dated to its first day"
    if year is None and post_date is not None:
        year = post_date.year if month <= post_date.month else post_date.year - 1
    elif year is None and year_hint is not None:
        year, note = year_hint, f"month only, year {year_hint} taken from the text"
    return year, note


def _months(text: str, post_date: dt.date | None, year_hint: int | None) -> list[DateMention]:
    """Months alone ("in January", "January of this year"): the 1st, precision 3."""
    out = []
    for m in MONTH_ONLY.finditer(text):
        month = MONTHS[m.group(1).casefold()]
        year, note = _month_year(m, month, post_date, year_hint)
        date = dt.date(year, month, 1) if year else None
        out.append(_mention(m, date, 3, "month", note if year else "year not known"))
    return out


def _weekdays(text: str, post_date: dt.date | None) -> list[DateMention]:
    """Weekdays: the latest such day on or before the post ("next Friday" is ignored)."""
    out = []
    for m in WEEKDAY.finditer(text):
        lead = (m.group(1) or "").casefold()
        if lead in ("next", "coming", "for", "until", "by"):
            continue
        if post_date is None:
            out.append(_mention(m, None, 1, "weekday", "weekday with no post date"))
        else:
            day = _last_on_or_before(post_date, WEEKDAYS[m.group(2).casefold()])
            out.append(_mention(m, day, 1, "weekday"))
    return out


def _relative_days(text: str, post_date: dt.date | None) -> list[DateMention]:
    """Days counted from the post: "today", "yesterday" (precision 1), "N days ago" (2)."""
    out = []
    for m in TODAY.finditer(text):
        back = 1 if m.group(1).casefold().startswith("yesterday") else 0
        if post_date is None:
            out.append(_mention(m, None, 1, "today", "relative day with no post date"))
        else:
            out.append(_mention(m, post_date - dt.timedelta(days=back), 1, "today"))
    for m in DAYS_AGO.finditer(text):
        n = parse_number(m.group(1))
        if n is None:
            continue
        if post_date is None:
            out.append(_mention(m, None, 2, "ago", "relative day with no post date"))
        else:
            out.append(_mention(m, post_date - dt.timedelta(days=n), 2, "ago"))
    return out


def _weeks(text: str, post_date: dt.date | None) -> list[DateMention]:
    """Weeks: "last week" (7 days before the post), "this week", at week precision."""
    out = []
    for m in WEEK.finditer(text):
        last = m.group(1).casefold().startswith("last")
        if post_date is None:
            out.append(_mention(m, None, 2, "week", "relative week with no post date"))
        else:
            out.append(_mention(m, post_date - dt.timedelta(days=7 if last else 0), 2, "week"))
    return out


def find_dates(
    text: str, post_date: dt.date | None, year_hint: int | None = None
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
    """
    found = [
        *_explicit(text, post_date, year_hint),
        *_months(text, post_date, year_hint),
        *_weekdays(text, post_date),
        *_relative_days(text, post_date),
        *_weeks(text, post_date),
    ]
    # Where expressions overlap ("10 February" and "February") the one that
    # starts first, else the longest, is kept.
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    kept: list[DateMention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def full_date_in(line: str) -> dt.date | None:
    """The first complete date (day, month and year) in ``line``, if any."""
    for pattern, d, mo, y in ((DAY_MONTH, 1, 2, 3), (MONTH_DAY, 2, 1, 3)):
        for m in pattern.finditer(line):
            if m.group(y):
                try:
                    return dt.date(int(m.group(y)), MONTHS[m.group(mo).casefold()], int(m.group(d)))
                except ValueError:
                    continue
    return None


_DATED_YEAR = re.compile(rf"{_MONTH}(?:\s+\d{{1,2}}{_ORD})?,?\s+((?:19|20)\d\d)\b")


def dated_years(text: str) -> list[int]:
    """Years written as part of a date ("January 2013", "11 January 2013", "May 2, 2003").

    Bare years ("In 2004") are left out: they date background, not events.
    """
    return [int(m.group(2)) for m in _DATED_YEAR.finditer(text)]


def last_year_in(text: str) -> int | None:
    """The last year written as part of a date in ``text`` (see :func:`dated_years`)."""
    years = dated_years(text)
    return years[-1] if years else None
