"""Report files cut into posts, paragraphs and sentences.

A file may hold several posts of a blog or several updates of a bulletin;
each post's date resolves the relative dates in it ("yesterday", "on
Friday"), so finding where one post ends and the next begins comes first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from geo.io.extract.language import language_of
from geo.io.extract.textdates import heading_date
from geo.reference.countries import country_names
from geo.reference.names import fold

BOILERPLATE = re.compile(
    r"^\s*(?:posted on\b|leave a reply|please enter|this site uses|share this|related posts"
    r"|tags?:|filed under)",
    re.I,
)
# "Bahrain: Protesters ...": a paragraph opening with a country and a colon
# sets the country of its section.
SECTION_PREFIX = re.compile(r"^\s*([A-Z][\w'\u2019]+(?:[ -][A-Z][\w'\u2019]+){0,3})\s*:\s+")
# "TIMBUKTU, Mali - ...", "BAMAKO (AFP) - ...", "CAIRO, Oct 16 (Wire) - ...",
# "Aden (Reuters) — ...", "MOGADISHU, Somalia, Nov. 3, 2024 — ...": a wire
# dateline says where the story was filed, not where anything happened;
# dropped. A city in capitals, or in title case when an agency or a country
# follows; then an optional country, an optional date and an optional agency.
_CAPS_CITY = r"[A-Z\u00c0-\u00de][A-Z\u00c0-\u00de'\u2019.\- ]*[A-Z\u00c0-\u00de]"
_TITLE_CITY = (
    r"(?!(?:On|In|At|The|An?|Le|La|Les|Une?|En|Au|Dans)\b)"
    r"[A-Z][\w'\u2019-]+(?:\s+[A-Z][\w'\u2019-]+)?(?=\s*\(|,\s+[A-Z])"
)
_DATELINE_DATE = (
    r"(?:[A-Z][a-z\u00e9\u00fb]{2,8}\.?\s+\d{1,2}|\d{1,2}(?:er)?\s+[A-Za-z\u00e9\u00fb]{3,9}\.?)"
    r"(?:,?\s+\d{4})?"
)
DATELINE = re.compile(
    rf"^\s*(?P<city>{_CAPS_CITY}|{_TITLE_CITY})"
    r"(?:,\s+([A-Z][\w.'\u2019]*(?:\s+[A-Z][\w.'\u2019]*){0,3}))?"
    rf"(?:,?\s+(?P<date>{_DATELINE_DATE}))?"
    r"\s*(?:\([^()]{1,30}\))?\s*[\u2013\u2014-]\s+"
)
# "- ...", "* ...", "2. ...": a list item is a paragraph of its own (blogs and
# sitreps list one incident per item).
BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013\u2014]|\d{1,2}[.)])\s+")

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "gen", "col", "lt", "sgt", "capt", "maj", "st", "u.s", "u.n",
    "e.g", "i.e", "no", "vs", "inc", "co", "jr", "sr", "approx", "est", "km", "fig", "dept",
    "m", "mme", "mgr", "cdt", "env", "av", "lt-col", "art", "n\u00b0",
}  # fmt: skip
# A sentence ends at . ! ? (after closing quotes or brackets) before a capital,
# a digit or an opening quote; French capitals carry accents ("\u00c0 Gao").
_SPLIT = re.compile(
    r"([.!?])([\"'\u201d\u2019)\u00bb]*)\s+"
    r"(?=[\"'\u201c\u2018(\u00ab]?\s?[A-Z0-9\u00c0-\u00d6\u00d8-\u00de])"
)
_POSTED_ON = re.compile(r"^\s*posted on\b", re.I)
# "08 NOV:", "**13/02**": a short line ending in a colon may still be a day heading.
_DATE_LINE = re.compile(r"^[\W\w]{0,30}:$")


@dataclass
class Post:
    """One post of a report file: its heading, date and paragraphs.

    ``headings`` holds, for each paragraph, the sub-heading it stands under
    ("Kidal region", "R\u00e9gion de Tombouctou"; "" when none), which may name
    the region of the places in it; ``language`` is "en" or "fr"
    (:func:`~geo.io.extract.language.language_of`).
    """

    title: str
    date: dt.date | None
    paragraphs: list[str]
    headings: list[str] = field(default_factory=list)
    language: str = "en"


def _is_heading(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 14 and not re.search(r"[.!?\"\u201d:;,]\s*$", line)


class _PostBuilder:
    """Posts collected line by line, with the paragraph being read."""

    def __init__(self, post_date: dt.date | None) -> None:
        self.post_date = post_date
        self.posts = [Post("", post_date, [])]
        self.seen_dated = False
        self.block: list[str] = []
        self.heading = ""

    def flush(self) -> None:
        """End the paragraph being read, if any."""
        if self.block:
            self.posts[-1].paragraphs.append(" ".join(s.strip() for s in self.block))
            self.posts[-1].headings.append(self.heading)
            self.block.clear()

    def start_post(self, title: str, heading_date: dt.date | None) -> None:
        """Open a post under ``title``; undated posts after a dated one stay undated."""
        self.flush()
        if heading_date is not None:
            self.seen_dated = True
        date = heading_date or (None if self.seen_dated else self.post_date)
        self.posts.append(Post(title, date, []))
        self.heading = ""

    def add_line(self, line: str, heading: bool) -> None:
        """Add a prose line; a heading with no prose before it is a sub-heading, not prose.

        A list item starts a paragraph of its own, without its bullet.
        """
        bullet = BULLET.match(line)
        if bullet:
            self.flush()
            line = line[bullet.end() :]
        elif heading and not self.block:
            self.heading = line
            return
        self.block.append(line)


def split_posts(text: str, post_date: dt.date | None = None) -> list[Post]:
    """Cut a report file into posts.

    A heading is a short line without closing punctuation that either holds
    a full date ("Mali Security Update (22 February 2013)") or is followed by
    a "Posted on" line. ``post_date`` dates the text before the first dated
    heading (and undated posts before it); posts under a dated heading use
    that date, undated posts after one have no date.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    next_nonblank = {a: b for a, b in zip(nonblank, nonblank[1:], strict=False)}
    builder = _PostBuilder(post_date)
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or BOILERPLATE.match(stripped):
            builder.flush()
            continue
        heading = _is_heading(stripped)
        dated = heading_date(stripped, post_date) if heading or _DATE_LINE.match(stripped) else None
        posted_next = i in next_nonblank and bool(_POSTED_ON.match(lines[next_nonblank[i]]))
        if dated is not None or (posted_next and heading):
            builder.start_post(stripped, dated)
        else:
            builder.add_line(stripped, heading)
    builder.flush()
    posts = [p for p in builder.posts if p.paragraphs]
    for post in posts:
        post.language = language_of(" ".join(post.paragraphs))
    return posts


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph (abbreviations and initials do not end one)."""
    out = []
    start = 0
    for m in _SPLIT.finditer(paragraph):
        before = paragraph[start : m.start()].split()
        last = before[-1].casefold().rstrip(".") if before else ""
        if m.group(1) == "." and (last in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last)):
            continue
        out.append(paragraph[start : m.end()].strip())
        start = m.end()
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    return out


def strip_section(paragraph: str, section: str) -> tuple[str, str]:
    """The paragraph without its "Country:" prefix or dateline, and the section's country.

    A prefix naming one country ("Bahrain: ...") sets the section's country
    (ISO3) for this and the following paragraphs; one naming several
    ("Israel/Gaza: ...") clears it; any other prefix is prose and stays.
    """
    prefix = SECTION_PREFIX.match(paragraph)
    if prefix:
        parts = [fold(p) for p in re.split(r"[-/]", prefix.group(1))]
        named = [country_names().get(p, "") for p in parts]
        if all(named):
            section = named[0] if len(named) == 1 else ""
            paragraph = paragraph[prefix.end() :]
    dateline = DATELINE.match(paragraph)
    if dateline:
        paragraph = paragraph[dateline.end() :]
    return paragraph, section


def dateline_date(post: Post) -> dt.date | None:
    """The date a wire story's dateline gives ("CAIRO, Oct 16 (Wire) -"), if any.

    A story is filed on its dateline's day, which may be a day or more
    before the page that carries it: "on Monday" and "yesterday" count
    from the filing. Only a date up to a week before the post's is taken.
    """
    if not post.paragraphs or post.date is None:
        return None
    dateline = DATELINE.match(post.paragraphs[0])
    if dateline is None or not dateline.group("date"):
        return None
    filed = heading_date(dateline.group("date"), post.date)
    if filed is None or not 0 <= (post.date - filed).days <= 7:
        return None
    return filed


def without_dateline_city(paragraph: str) -> str:
    """The paragraph without its dateline's city ("CAIRO, Oct 16 (Wire) -").

    The reporter's city says nothing about the country a report is about;
    a country in the dateline ("ADEN, Yemen \u2014") does, and stays.
    """
    dateline = DATELINE.match(paragraph)
    if dateline is None:
        return paragraph
    return paragraph[: dateline.start("city")] + paragraph[dateline.end("city") :]
