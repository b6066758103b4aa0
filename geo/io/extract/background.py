"""Sentences that give context, not a new incident.

Reports put their incident among background: tallies over a period ("since
January, more than 40 attacks have been recorded"), earlier years ("In
2023, 120 civilians were killed"), and reactions to the incident ("the
government condemned the attack on Tuesday"). Each of those uses event
words, and none is an incident of its own. The rules are about the shape
of such sentences in wire news, sitreps and French local press, not about
any one report.
"""

from __future__ import annotations

import datetime as dt
import re

from geo.io.extract.events import Trigger

# "40 attacks", "dozens of incidents", « une trentaine d'attaques »: events counted
# in the plural are a tally, not one incident.
_TALLY = re.compile(
    r"\b(?:\d[\d,]*|dozens|hundreds|scores|numerous|several|many|a (?:series|string|wave) of"
    r"|des dizaines|plusieurs|de nombreu(?:x|ses)|une? (?:\w+aine|s\u00e9rie|vague))\s+"
    r"(?:of\s+|d['\u2019]\s*|de\s+)?(?:\w+\s+)?(?:attacks|incidents|clashes|killings|raids"
    r"|explosions|strikes|abductions|kidnappings|attaques|affrontements|enl\u00e8vements"
    r"|assassinats|frappes|explosions)\b",
    re.I,
)
# "In 2023,", "since 2019", "last year", « l'an dernier », « en 2022 »: an earlier year.
_YEAR = re.compile(
    r"\b(?:in|since|during|throughout|by|en|depuis|durant|au cours de)\s+((?:19|20)\d\d)\b",
    re.I,
)
_LAST_YEAR = re.compile(
    r"\b(?:last year|the previous year|l['\u2019]an dernier|l['\u2019]ann\u00e9e derni\u00e8re)\b",
    re.I,
)
# Reactions to an event named with a definite article: "condemned the attack",
# « a dénoncé l'attaque ».
_REACTION = re.compile(
    r"\b(?:condemn(?:s|ed)?|denounc(?:es|ed)|deplor(?:es|ed)|mourn(?:s|ed)|vow(?:s|ed)"
    r"|pledg(?:es|ed)|promis(?:es|ed)|call(?:s|ed) for|offered condolences|investigat\w+"
    r"|an inquiry|responded to|reacted to|in response to|following|after"
    r"|condamn\u00e9|d\u00e9nonc\u00e9|d\u00e9plor\u00e9|condol\u00e9ances|enqu\u00eate"
    r"|r\u00e9agi|suite \u00e0|apr\u00e8s)\b",
    re.I,
)
_DEFINITE = re.compile(
    r"\b(?:the|this|that|these|those|last\s+\w+['\u2019]s|l['\u2019]|la|le|les|cette|cet|ces)"
    r"\s*(?:\w+\s+)?$",
    re.I,
)


def is_tally(text: str, exact_date: bool) -> bool:
    """True for events counted over a period with no day of their own."""
    return not exact_date and bool(_TALLY.search(text))


def is_earlier_year(text: str, post_date: dt.date | None, exact_date: bool) -> bool:
    """True when the text is about a year before the post's and gives no day."""
    if exact_date or post_date is None:
        return False
    if _LAST_YEAR.search(text):
        return True
    return any(int(m.group(1)) < post_date.year for m in _YEAR.finditer(text))


def is_reaction(sentence: str, trig: Trigger) -> bool:
    """True when the event word is what someone reacted to ("condemned the attack")."""
    before = sentence[: trig.start]
    if not _DEFINITE.search(before[-30:]):
        return False
    return bool(_REACTION.search(before[-80:]))


def is_background(
    sentence: str, text: str, trig: Trigger, post_date: dt.date | None, exact_date: bool
) -> bool:
    """True when a part that adds to no earlier event is context, not an incident.

    Parameters
    ----------
    sentence, text : str
        The sentence, and the part of it about the event.
    trig : Trigger
        The event word, positioned in ``sentence``.
    post_date : date, optional
        The post's date, against which a year is "earlier".
    exact_date : bool
        Whether the part gives a day of its own (then it is an incident).
    """
    return (
        is_tally(text, exact_date)
        or is_earlier_year(text, post_date, exact_date)
        or is_reaction(sentence, trig)
    )


# "protested in Gao against the killing of 12 passengers", « manifesté pour
# dénoncer l'assassinat de ... »: the deaths a protest is about are another
# event's.
_PROTEST_CAUSE = re.compile(
    r"\b(?:against|over|to (?:denounce|protest|condemn|demand)|denouncing|condemning"
    r"|in protest (?:at|against|over)|after|following|contre|pour (?:d\u00e9noncer|protester"
    r"|exiger|r\u00e9clamer)|d\u00e9non\u00e7ant|suite \u00e0|apr\u00e8s)\b.*",
    re.I | re.S,
)


def without_protest_cause(event_type: str, text: str) -> str:
    """A protest's text with what it protests against blanked out (same length).

    Deaths a protest or riot is about belong to the event that caused them,
    not to the protest; other events keep their text as it is.
    """
    if event_type not in ("Protests", "Riots"):
        return text
    return _PROTEST_CAUSE.sub(lambda m: " " * len(m.group(0)), text, count=1)
