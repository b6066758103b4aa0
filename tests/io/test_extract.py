"""Report extraction on short snippets written for these tests, plus the seed reports."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from geo.io.extract import (
    candidates_to_records,
    extract_candidates,
    find_dates,
    find_figures,
    parse_number,
    split_posts,
    split_sentences,
)
from geo.reference.names import fold

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@dataclass
class Place:
    name: str
    latitude: float
    longitude: float
    iso3: str
    admin1: str
    geo_precision: int = 1
    ambiguous: bool = False


class FakeGazetteer:
    """A handful of places with made-up round coordinates, looked up by folded name."""

    def __init__(self) -> None:
        towns = [
            Place("Gao", 16.3, 0.0, "MLI", "Gao"),
            Place("Kidal", 18.4, 1.4, "MLI", "Kidal"),
            Place("Tessalit", 20.2, 1.0, "MLI", "Kidal"),
            Place("Timbuktu", 16.8, -3.0, "MLI", "Timbuktu"),
            Place("Menaka", 15.9, 2.4, "MLI", "Gao"),
            Place("Adrar des Ifoghas", 19.1, 1.8, "MLI", "Kidal", 3),
            Place("In Amenas", 28.0, 9.6, "DZA", "Illizi"),
            Place("Manama", 26.2, 50.6, "BHR", "Capital"),
            Place("Mali", 17.0, -4.0, "MLI", "", 3),
        ]
        alternates = {"tombouctou": "Timbuktu", "ifoghas mountains": "Adrar des Ifoghas",
                      "ain amenas": "In Amenas"}  # fmt: skip
        self.index = {fold(p.name): p for p in towns}
        for alias, name in alternates.items():
            self.index[alias] = self.index[fold(name)]
        self.asked: list[str] = []

    def lookup(self, name, country=None, admin1=None):
        self.asked.append(str(name))
        place = self.index.get(fold(name))
        if place is not None and country and place.iso3 != country:
            return None
        return place


@pytest.fixture
def gaz() -> FakeGazetteer:
    return FakeGazetteer()


def run(text: str, date: str | None, gaz: FakeGazetteer) -> pd.DataFrame:
    return extract_candidates(text, date, gazetteer=gaz)


# -- dates ---------------------------------------------------------------------


def test_weekdays_resolve_to_the_latest_such_day_on_or_before_the_post():
    post = dt.date(2013, 3, 6)  # a Wednesday
    found = {d.text: d.date for d in find_dates("On Sunday and on Wednesday and today", post)}
    assert found == {
        "On Sunday": dt.date(2013, 3, 3),
        "on Wednesday": dt.date(2013, 3, 6),
        "today": post,
    }


def test_explicit_dates_with_and_without_year():
    post = dt.date(2013, 3, 6)
    found = find_dates("on 28 February, on 2 January 2012 and on March 1", post)
    assert [d.date for d in found] == [
        dt.date(2013, 2, 28),
        dt.date(2012, 1, 2),
        dt.date(2013, 3, 1),
    ]
    later = find_dates("on 20 December", post)[0]
    assert later.date == dt.date(2012, 12, 20)  # not after the post: the year before


def test_future_weekdays_and_unknown_years_are_not_guessed():
    assert find_dates("talks are scheduled for Monday", dt.date(2013, 3, 6)) == []
    [mention] = find_dates("on 4 March", None)
    assert mention.date is None and mention.note == "year not known"


# -- figures ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "deaths", "injuries"),
    [
        ("seven people, including three gunmen, died in the raid", 7, None),
        ("the ambush left at least twelve soldiers dead", 12, None),
        ("the deaths of more than thirty fighters", 30, None),
        ("three traders were wounded", None, 3),
        ("killing 4 and wounding 9 others", 4, 9),
        ("a convoy of 40 trucks travelled 300 km", None, None),
        ("a customs officer was killed", 1, None),
    ],
)
def test_figures(text, deaths, injuries):
    got = find_figures(text)
    assert (got.fatalities, got.injuries) == (deaths, injuries)


def test_bounds_are_noted():
    got = find_figures("at least twenty-five rebels were killed")
    assert got.fatalities == 25
    assert got.notes == ["'at least twenty-five' read as 25 (a lower bound)"]
    assert parse_number("ninety-nine") == 99


# -- text structure ----------------------------------------------------------------


def test_sentences_do_not_break_on_initials_or_titles():
    text = "Gen. Ould met U.S. envoys in Gao. They left on Monday. Mr. X stayed."
    assert split_sentences(text) == ["Gen. Ould met U.S. envoys in Gao.", "They left on Monday.",
                                     "Mr. X stayed."]  # fmt: skip


def test_posts_are_split_at_dated_headings():
    text = (
        "Preface line that is a full sentence about nothing much.\n\n"
        "Sahel Weekly (4 March 2013)\n\nFirst post text here, written plainly.\n\n"
        "Sahel Weekly (11 March 2013)\n\nSecond post text here, written plainly.\n"
    )
    posts = split_posts(text, dt.date(2013, 3, 1))
    assert [(p.title, p.date) for p in posts] == [
        ("", dt.date(2013, 3, 1)),
        ("Sahel Weekly (4 March 2013)", dt.date(2013, 3, 4)),
        ("Sahel Weekly (11 March 2013)", dt.date(2013, 3, 11)),
    ]


# -- candidates ---------------------------------------------------------------------

SNIPPET = (Path(__file__).resolve().parents[1] / "data" / "ingest_report.txt").read_text(
    encoding="utf-8"
)


def test_candidates_from_a_post(gaz):
    df = run(SNIPPET, None, gaz)
    assert len(df) == 3
    menaka, gao, ifoghas = (df.iloc[i] for i in range(3))

    assert menaka["location"] == "Menaka"
    assert menaka["event_date"] == pd.Timestamp("2013-03-05")  # Tuesday before 6 March
    assert (menaka["event_type"], menaka["sub_event_type"]) == (
        "Explosions/Remote violence", "Suicide bomb",
    )  # fmt: skip
    assert (menaka["fatalities"], menaka["injuries"]) == (7, 4)  # 4 from the next sentence
    assert menaka["actor1"].startswith("MUJAO")
    assert menaka["source"] == "Sahel Watch, 6 March 2013"
    assert menaka["sentence"].startswith("On Tuesday, seven people")
    assert "Officials said" in menaka["context"]

    assert gao["location"] == "Gao" and gao["geo_precision"] == 2  # "near Gao"
    assert gao["event_date"] == pd.Timestamp("2013-03-03")
    assert (gao["fatalities"], gao["injuries"]) == (0, 3)

    assert ifoghas["location"] == "Adrar des Ifoghas"
    assert ifoghas["event_type"] == "Battles"
    assert ifoghas["event_date"] == pd.Timestamp("2013-03-02")
    assert ifoghas["fatalities"] == 10
    assert "lower bound" in ifoghas["notes"]
    assert {ifoghas["actor1"][:4], ifoghas["actor2"][:5]} == {"MNLA", "MUJAO"}
    assert df["unresolved"].tolist() == ["", "", ""]
    assert ((df["confidence"] > 0.5) & (df["confidence"] <= 1)).all()


def test_speculation_is_not_an_incident(gaz):
    df = run("Analysts warn that further suicide attacks will likely follow in Timbuktu.",
             "2013-03-06", gaz)  # fmt: skip
    assert df.empty


def test_two_events_in_one_sentence_and_a_day_before(gaz):
    text = (
        "On Monday, two people died in a car bombing in Kidal, one day after heavy "
        "fighting in Gao resulted in the deaths of at least fifteen militants."
    )
    df = run(text, "2013-03-06", gaz)
    assert df[["location", "event_type", "fatalities"]].values.tolist() == [
        ["Kidal", "Explosions/Remote violence", 2],
        ["Gao", "Battles", 15],
    ]
    assert df["event_date"].tolist() == [pd.Timestamp("2013-03-04"), pd.Timestamp("2013-03-03")]


def test_a_battle_with_no_place_says_so(gaz):
    df = run("Fierce fighting broke out on Saturday, killing six soldiers.", "2013-03-06", gaz)
    [row] = df.to_dict("records")
    assert row["event_type"] == "Battles" and row["fatalities"] == 6
    assert "no place named" in row["unresolved"]
    assert pd.isna(row["latitude"])
    assert row["confidence"] < 0.7


def test_relative_dates_without_a_post_date_are_unresolved(gaz):
    df = run("On Friday, a kidnapping was reported in Kidal.", None, gaz)
    [row] = df.to_dict("records")
    assert row["event_type"] == "Violence against civilians"
    assert row["sub_event_type"] == "Abduction/forced disappearance"
    assert "date not resolved" in row["unresolved"]


def test_country_adjectives_are_not_places_and_alternate_spellings_match(gaz):
    text = "Malian troops clashed with rebels in Tombouctou on 3 March."
    df = run(text, "2013-03-06", gaz)
    [row] = df.to_dict("records")
    assert row["location"] == "Timbuktu"
    assert row["actor1"] == "Military Forces of Mali"
    assert "Malian" not in gaz.asked and "Mali" not in gaz.asked


def test_protests_riots_and_seizures(gaz):
    text = (
        "Bahrain: On Saturday, demonstrators marched through Manama. "
        "Rioters threw petrol bombs at police, who fired tear gas.\n\n"
        "Egypt: On Friday, police seized a cache of explosives at a farm."
    )
    df = run(text, "2013-02-16", gaz)
    types = df[["event_type", "sub_event_type", "country"]].values.tolist()
    assert types == [
        ["Protests", "Peaceful protest", "Bahrain"],
        ["Riots", "Violent demonstration", "Bahrain"],
        ["Strategic developments", "Disrupted weapons use", "Egypt"],
    ]
    assert df.iloc[0]["actor1"] == "Protesters (Bahrain)"
    assert df.iloc[2]["event_date"] == pd.Timestamp("2013-02-15")
    assert "only the country" in df.iloc[2]["unresolved"]


def test_an_actor_named_only_as_target_is_actor2(gaz):
    text = (
        "Malian soldiers came under attack on Sunday when gunmen "
        "targeted Malian army posts in the town of Menaka."
    )
    [row] = run(text, "2013-03-06", gaz).to_dict("records")
    assert (row["actor1"], row["actor2"]) == ("", "Military Forces of Mali")


def test_the_group_said_to_be_behind_an_attack_is_actor1(gaz):
    text = (
        "Leaflets signed by Ansaru turned up in a house in Gao owned by Mokhtar "
        "Belmokhtar, whose group is thought to be behind the raid on a pumping "
        "station at In Amenas on 2 March, in which four guards were shot dead."
    )
    df = run(text, "2013-03-06", gaz)
    row = df[df["location"] == "In Amenas"].iloc[0]
    assert row["actor1"].startswith("Al Mulathamun")
    assert "Ansaru" not in (row["actor1"], row["actor2"])


def test_actors_mentioned_in_passing_far_from_the_event_are_left_out(gaz):
    text = (
        "Gunmen carried out an assault on a convoy near Kidal on 1 March, and the "
        "regional governor, who once negotiated with commanders from several armed "
        "factions on behalf of Ansar Dine, left the town."
    )
    [row] = run(text, "2013-03-06", gaz).to_dict("records")
    assert "Ansar Dine" not in (row["actor1"], row["actor2"])


def test_a_conjunction_that_is_not_a_back_reference(gaz):
    text = (
        "On 2 March a grenade attack hit a market in Gao. "
        "Officials think that nine foreign hostages are still held by MUJAO "
        "in the desert north of Kidal."
    )
    df = run(text, "2013-03-06", gaz)
    assert len(df) == 1  # hostages still held: a standing situation, not an incident
    assert df.iloc[0]["sub_event_type"] == "Grenade"
    assert df.iloc[0]["actor1"] == ""  # MUJAO is not said to be behind the grenade


def test_incident_back_reference_adds_every_actor_named(gaz):
    text = (
        "On Sunday, a car bomb exploded at a checkpoint in Kidal, killing two. "
        "Witnesses said the incident involved a pickup targeting MNLA fighters. "
        "MUJAO claimed responsibility."
    )
    [row] = run(text, "2013-03-06", gaz).to_dict("records")
    assert row["actor1"].startswith("MUJAO")
    assert row["actor2"].startswith("MNLA")


def test_speculative_sentence_with_a_general_word_adds_nothing(gaz):
    text = (
        "On 2 March a suicide bomber struck a checkpoint in Gao. "
        "While French troops may have pushed the militants back, analysts think "
        "they will keep up hit and run attacks."
    )
    [row] = run(text, "2013-03-06", gaz).to_dict("records")
    assert row["context"] == ""
    assert "France" not in row["actor1"] + row["actor2"]


def test_destruction_of_property(gaz):
    text = "On Thursday, soldiers demolished a row of smuggling tunnels near Gao."
    [row] = run(text, "2013-03-06", gaz).to_dict("records")
    assert (row["event_type"], row["sub_event_type"]) == (
        "Strategic developments", "Looting/property destruction",
    )  # fmt: skip
    assert row["event_date"] == pd.Timestamp("2013-02-28")
    assert row["location"] == "Gao" and row["geo_precision"] == 2


def test_undated_incident_in_a_dated_update_takes_the_post_week(gaz):
    text = (
        "Sahel Weekly (9 March 2013)\n\n"
        "Protesters have occupied the main square of Gao, demanding the return of "
        "the governor."
    )
    [row] = run(text, None, gaz).to_dict("records")
    assert row["event_date"] == pd.Timestamp("2013-03-09")
    assert row["time_precision"] == 2
    assert "no date stated: the post's week assumed" in row["unresolved"]
    # Without a dated heading (only the page's post date) it stays open.
    [row] = run(text.split("\n\n", 1)[1], "2013-03-09", gaz).to_dict("records")
    assert pd.isna(row["event_date"])
    assert "date not resolved" in row["unresolved"]


def test_records_are_json_ready(gaz):
    records = candidates_to_records(run(SNIPPET, None, gaz))
    text = json.dumps(records)
    assert records[0]["event_date"] == "2013-03-05"
    assert records[0]["unresolved"] == []
    assert "Menaka" in text


def test_extraction_is_deterministic(gaz):
    a = run(SNIPPET, None, gaz)
    b = run(SNIPPET, None, FakeGazetteer())
    pd.testing.assert_frame_equal(a, b)


# -- the seed reports (skipped when ../shared is not there) --------------------------


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seed reports not present")
def test_seed_reports_yield_the_tessalit_and_kidal_incidents():
    from geo.reference.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    frames = [
        extract_candidates(p.read_text(encoding="utf-8"), gazetteer=gaz)
        for p in sorted(SEEDS.glob("*.txt"))
    ]
    df = pd.concat(frames, ignore_index=True)

    tessalit = df[(df["location"] == "Tessalit") & (df["event_date"] == "2013-02-22")]
    assert len(tessalit) == 1
    row = tessalit.iloc[0]
    assert row["event_type"] == "Explosions/Remote violence"
    assert row["fatalities"] == 5
    assert row["iso3"] == "MLI" and row["latitude"] == pytest.approx(20.2, abs=0.1)

    kidal = df[(df["location"] == "Kidal") & (df["event_date"] == "2013-02-21")]
    assert len(kidal) == 1
    row = kidal.iloc[0]
    assert row["event_type"] == "Explosions/Remote violence"
    assert (row["fatalities"], row["injuries"]) == (0, 2)
    assert row["geo_precision"] == 2  # "near the city of Kidal"

    ifoghas = df[df["location"] == "Adrar des Ifoghas"]
    assert ifoghas["event_date"].tolist() == [pd.Timestamp("2013-02-18")]
