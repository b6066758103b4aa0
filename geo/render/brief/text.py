"""How the briefing words dates, counts and untrusted report text."""

from __future__ import annotations

import datetime as dt
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def clean(text: object) -> str:
    """Untrusted text on one line: control characters and runs of space folded."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())


def day_text(d: dt.date) -> str:
    """``d`` as "2 Feb 2013"."""
    return f"{d.day} {d:%b %Y}"


def period_text(a: dt.date, b: dt.date) -> str:
    """The days ``a`` to ``b`` in as few words as read unambiguously."""
    if a == b:
        return f"{a.day} {a:%B %Y}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%B %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%b} – {b.day} {b:%b %Y}"
    return f"{day_text(a)} – {day_text(b)}"


def short_count(n: int) -> str:
    """A count for a narrow column: 9,876 then 12.3k, 123k, 1.2M."""
    if n < 10_000:
        return f"{n:,}"
    if n < 100_000:
        return f"{n / 1000:.1f}k"
    if n < 1_000_000:
        return f"{n / 1000:.0f}k"
    return f"{n / 1e6:.1f}M"


def as_utc(when: dt.datetime | None) -> dt.datetime:
    """``when`` in UTC (now when None); a naive time is taken to be UTC already."""
    if when is None:
        return dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        return when
    return when.astimezone(dt.UTC)
