"""Dates in English and French, resolved by dateparser against the post (extract.textdates)."""

from __future__ import annotations

import datetime as dt

from geo.io.extract import find_dates
from geo.io.extract.textdates import full_date_in

THURSDAY = dt.date(2021, 9, 16)


def _dates(text: str, lang: str = "en", post: dt.date | None = THURSDAY) -> dict[str, object]:
    return {d.text: d.date for d in find_dates(text, post, None, lang)}


def test_weekdays_are_the_latest_such_day_on_or_before_the_post():
    found = _dates("late on Thursday, and Monday's raid, and overnight on Saturday")
    assert found == {
        "late on Thursday": THURSDAY,  # the post's own weekday is the post's day
        "Monday's": dt.date(2021, 9, 13),
        "on Saturday": dt.date(2021, 9, 11),
    }


def test_french_weekdays_dates_and_nights():
    found = _dates(
        "mercredi soir, puis le 2 septembre, puis dimanche 5 septembre 2021, "
        "dans la nuit de vendredi à samedi",
        "fr",
    )
    assert found == {
        "mercredi soir": dt.date(2021, 9, 15),
        "le 2 septembre": dt.date(2021, 9, 2),
        "dimanche 5 septembre 2021": dt.date(2021, 9, 5),
        "dans la nuit de vendredi à samedi": dt.date(2021, 9, 10),
    }


def test_digits_ranges_and_capitals():
    found = {d.text: (d.date, d.precision) for d in find_dates(
        "on 02/09/2021, then 2021-09-03, then ON 4 SEPTEMBER, on the night of 5 to 6 September "
        "and between 7 and 12 September", THURSDAY
    )}  # fmt: skip
    assert found == {
        "02/09/2021": (dt.date(2021, 9, 2), 1),  # day first
        "2021-09-03": (dt.date(2021, 9, 3), 1),
        "4 SEPTEMBER": (dt.date(2021, 9, 4), 1),
        "on the night of 5 to 6 September": (dt.date(2021, 9, 5), 1),
        "between 7 and 12 September": (dt.date(2021, 9, 7), 2),  # a week: its first day
    }
    [night] = find_dates("dans la nuit du 10 au 11 septembre", THURSDAY, None, "fr")
    assert night.date == dt.date(2021, 9, 10)
    assert find_dates("a 3/4 majority, open 24/7", THURSDAY) == []


def test_future_days_are_not_dated():
    assert _dates("talks resume next Monday") == {}
    assert _dates("une marche est prévue lundi prochain", "fr") == {}


def test_anchors_count_from_another_event():
    [earlier] = find_dates("Three days earlier, gunmen had raided the market.", THURSDAY)
    assert (earlier.kind, earlier.offset, earlier.date) == ("anchor", -3, None)
    [lendemain] = find_dates("Le lendemain, les assaillants sont revenus.", THURSDAY, None, "fr")
    assert lendemain.offset == 1
    same_day = "Later that day, and plus tard dans la journée"
    assert [d.offset for d in find_dates(same_day, THURSDAY)] == [0]
    assert [d.offset for d in find_dates(same_day, THURSDAY, None, "fr")] == [0]


def test_the_date_of_a_statement_is_marked():
    dates = find_dates("The ambush happened on Tuesday, the governor said on Wednesday.", THURSDAY)
    assert [(d.text, d.statement) for d in dates] == [
        ("on Tuesday", False),
        ("on Wednesday", True),
    ]
    [joint] = find_dates("selon un notable joint mardi", THURSDAY, None, "fr")
    assert joint.statement


def test_without_a_post_date_the_texts_year_is_used():
    [day] = find_dates("on 9 July", None, 2014)
    assert day.date == dt.date(2014, 7, 9) and "2014" in day.note
    [unknown] = find_dates("le 9 juillet", None, None, "fr")
    assert unknown.date is None and unknown.note == "year not known"


def test_headings_with_french_dates_start_posts():
    assert full_date_in("Bulletin sécuritaire du 3 février 2020") == dt.date(2020, 2, 3)
    assert full_date_in("Nothing dated here") is None
