"""Candidate rows for review: notes from the event's own words, the source as the store writes it.

Reports written for these tests, read against the tiny made-up gazetteer.
"""

from __future__ import annotations

from geo.io.extract.records import report_publisher
from tests.io.extract.extract_support import read

TWO_EVENTS = (
    "Sahel Monitor\n\n"
    "Gao Weekly (14 June 2021)\n\n"
    "On Friday, four people died in a car bombing near Gao, one day after fierce clashes "
    "between soldiers and militants killed at least twelve fighters near Bourem.\n"
)


def test_each_event_of_a_sentence_keeps_its_own_clause_as_notes() -> None:
    rows = read(TWO_EVENTS, None).to_dict("records")
    assert len(rows) == 2
    bombing, clashes = rows
    assert "car bombing" in bombing["notes"] and "fierce clashes" not in bombing["notes"]
    assert clashes["notes"].startswith("Fierce clashes between soldiers")
    assert "car bombing" not in clashes["notes"]
    # The whole sentence stays in the review columns.
    assert "car bombing" in clashes["sentence"]


def test_the_source_is_publisher_title_and_date() -> None:
    row = read(TWO_EVENTS, None).iloc[0]
    assert row["source"] == "Sahel Monitor, Gao Weekly, 14 June 2021"


def test_a_publisher_is_a_short_first_line_that_is_no_title_and_no_prose() -> None:
    assert report_publisher("MS Risk Blog\n\nMali Update (1 May 2013)\n") == "MS Risk Blog"
    assert report_publisher("Mali Update (1 May 2013)\n\nText.", ["Mali Update (1 May 2013)"]) == ""
    assert report_publisher("Gunmen attacked Gao on Friday.") == ""
    assert report_publisher("\n\n") == ""
