"""General phrasings of wire news, sitreps, daily briefs and French press.

Each test states a form reports use in general (short dates, day headings,
datelines, distances, approximate counts), in sentences written for the test.
"""

from __future__ import annotations

import datetime as dt

import pytest

from geo.io.extract import find_dates
from geo.io.extract.posts import split_posts, strip_section, without_dateline_city
from geo.io.extract.relative import relation_before

from .extract_support import read

WEDNESDAY = dt.date(2024, 11, 13)


def _dates(text: str, lang: str = "en", post: dt.date = WEDNESDAY) -> dict[str, object]:
    return {d.text: d.date for d in find_dates(text, post, None, lang)}


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("08 NOV: armed men raided a market", dt.date(2024, 11, 8)),
        ("On 3 Oct, a patrol was ambushed", dt.date(2024, 10, 3)),
        ("17 Apr - shelling resumed", dt.date(2024, 4, 17)),
        ("Militants struck on Nov. 9 at dawn", dt.date(2024, 11, 9)),
        ("a checkpoint was hit on Sept 2", dt.date(2024, 9, 2)),
    ],
)
def test_short_month_names_beside_a_day_are_dates(text, day):
    assert day in _dates(text).values()


def test_short_month_names_alone_are_not_dates():
    assert _dates("Jan Egeland said the Mar ward was calm") == {}


def test_french_short_month_names():
    assert dt.date(2024, 11, 5) in _dates("le 5 nov. des hommes armés ont tiré", "fr").values()


def test_day_and_month_in_digits_heading_an_item_or_after_a_date_word():
    assert _dates("09/11: an IED hit a truck") == {"09/11": dt.date(2024, 11, 9)}
    assert _dates("since 02/11 the road is closed") == {"02/11": dt.date(2024, 11, 2)}
    assert _dates("the shop is open 24/7 and 3/4 of it burned") == {}


def test_last_weekday_in_a_post_of_that_weekday_is_a_week_back():
    assert _dates("last Wednesday") == {"last Wednesday": dt.date(2024, 11, 6)}
    assert _dates("on Wednesday") == {"on Wednesday": WEDNESDAY}
    assert _dates("late Tuesday") == {"Tuesday": dt.date(2024, 11, 12)}


def test_day_headings_of_a_daily_brief_date_their_bullets():
    text = (
        "Security brief\n\n10 NOV\n- Gunmen killed four villagers in Ansongo.\n"
        "- An IED struck a patrol near Gao.\n\nMonday 11 Nov:\n* Militants attacked Menaka."
    )
    posts = split_posts(text, WEDNESDAY)
    assert [(p.date, len(p.paragraphs)) for p in posts][-2:] == [
        (dt.date(2024, 11, 10), 2),
        (dt.date(2024, 11, 11), 1),
    ]


def test_bullets_under_a_day_heading_take_its_date():
    frame = read("12 NOV\n- Gunmen killed four villagers in Ansongo.\n", "2024-11-13")
    assert frame["event_date"].dt.date.tolist() == [dt.date(2024, 11, 12)]


@pytest.mark.parametrize(
    "paragraph",
    [
        "CAIRO, Oct 16 (Wire) - Gunmen killed two men.",
        "ADEN \u2014 Gunmen killed two men.",
        "MOGADISHU, Somalia, Nov. 3, 2024 \u2014 Gunmen killed two men.",
        "Aden (Reuters) - Gunmen killed two men.",
        "N'DJAMENA, 3 juin (AFP) - Gunmen killed two men.",
    ],
)
def test_datelines_are_cut(paragraph):
    assert strip_section(paragraph, "")[0] == "Gunmen killed two men."


def test_prose_with_a_dash_is_not_a_dateline():
    for text in ("On Monday, Gunmen - x", "The attack - which came at night"):
        assert strip_section(text, "")[0] == text


def test_dateline_city_does_not_count_for_the_country_but_its_country_does():
    assert without_dateline_city("ADEN, Yemen \u2014 x") == ", Yemen \u2014 x"


def _relation(sentence: str, name: str = "Gao"):
    at = sentence.rindex(name)
    return relation_before(sentence, at, at + len(name))


@pytest.mark.parametrize(
    ("sentence", "km", "degrees"),
    [
        ("a post some 25km north-west of Gao", 25, 315),
        ("a post 25 kilometers northwest of Gao", 25, 315),
        ("a camp roughly 40 km outside Gao", 40, None),
        ("a well 30 km from Gao", 30, None),
        ("a village 12 km to the north-east of Gao", 12, 45),
        ("\u00e0 une vingtaine de kilom\u00e8tres au nord-ouest de Gao", 20, 315),
        ("\u00e0 30 km au sud-est de Gao", 30, 135),
        ("un poste situ\u00e9 \u00e0 30 km environ de Gao", 30, None),
    ],
)
def test_distance_and_direction_phrasings(sentence, km, degrees):
    found = _relation(sentence)
    assert found is not None and found.kind == "offset"
    assert found.km == pytest.approx(km) and found.bearing == degrees


@pytest.mark.parametrize(
    "sentence",
    [
        "des tirs \u00e0 quelques kilom\u00e8tres de Gao",
        "a raid a few kilometres from Gao",
        "a raid several miles outside Gao",
    ],
)
def test_a_few_kilometres_from_a_town_is_near_it(sentence):
    found = _relation(sentence)
    assert found is not None and found.kind == "near"


@pytest.mark.parametrize(
    ("sentence", "km", "degrees"),
    [
        ("militants raided Gao, 30 km to the south, at dawn", 30, 180),
        ("militants raided near Gao, some 12 kilometres west", 12, 270),
        ("des hommes armés ont attaqué Gao, à 15 km au nord", 15, 0),
    ],
)
def test_distance_after_the_town_names_the_offset(sentence, km, degrees):
    at = sentence.index("Gao")
    found = relation_before(sentence, at, at + 3)
    assert found is not None and found.kind == "offset"
    assert found.km == pytest.approx(km) and found.bearing == degrees


def test_distance_after_a_village_about_another_town_is_not_its_offset():
    sentence = "in the village of Ansongo, 30 km south of Gao"
    at = sentence.index("Ansongo")
    assert relation_before(sentence, at, at + 7) is None


@pytest.mark.parametrize(
    ("text", "lang", "deaths"),
    [
        ("Raiders shot a woman and two of her children.", "en", None),
        ("Gunmen killed a woman and two of her children.", "en", 3),
        ("The blast killed a farmer and his two sons.", "en", 3),
        ("des hommes arm\u00e9s ont tu\u00e9 une femme et ses deux enfants", "fr", 3),
        ("Six bandits killed four herders near the well.", "en", 4),
        ("Une quarantaine d'assaillants ont tu\u00e9 une dizaine de villageois.", "fr", 10),
        ("Two roadside bombs killed seven passengers.", "en", 7),
        ("une quinzaine de soldats ont \u00e9t\u00e9 tu\u00e9s", "fr", 15),
        ("four soldiers killed the day before were buried", "en", 4),
    ],
)
def test_enumerated_victims_and_killers_before_an_active_verb(text, lang, deaths):
    from geo.io.extract.figures import find_figures

    assert find_figures(text, None, lang).fatalities == deaths


@pytest.mark.parametrize(
    "text",
    [
        "Unidentified gunmen on motorbikes raided Ansongo on Tuesday, killing 14 men.",
        "Une attaque d'hommes arm\u00e9s contre le village de Ansongo a fait 9 morts mardi.",
        "Armed men opened fire on worshippers in Ansongo on Friday, killing six.",
        "Militants stormed a market in Ansongo on Monday and killed four traders.",
    ],
)
def test_one_sided_attacks_on_people_are_violence_against_civilians(text):
    frame = read(text, "2024-11-13")
    assert frame["event_type"].tolist() == ["Violence against civilians"]


def test_fighting_between_two_sides_stays_a_battle():
    frame = read(
        "Fighting between two militias in Ansongo on Tuesday left 7 men dead.", "2024-11-13"
    )
    assert frame["event_type"].tolist() == ["Battles"]


@pytest.mark.parametrize(
    "text",
    [
        "Since August, more than 30 attacks have been recorded around Gao.",
        "In 2022, 85 civilians were killed in the Menaka area.",
        "Last year, jihadists killed dozens of herders near Ansongo.",
        "The governor condemned the attack on Tuesday and promised reinforcements.",
        "Depuis janvier, une trentaine d'attaques ont \u00e9t\u00e9 signal\u00e9es autour de Gao.",
    ],
)
def test_context_sentences_are_no_incident(text):
    assert read(text, "2024-11-13").empty


def test_a_toll_after_a_protest_goes_to_the_violent_event_before():
    frame = read(
        "Gunmen ambushed a bus near Gao on Tuesday. On Wednesday, hundreds of residents "
        "marched in Gao. The bus attack left 11 passengers dead.",
        "2024-11-13",
    )
    assert frame[["event_type", "fatalities"]].values.tolist() == [
        ["Violence against civilians", 11],
        ["Protests", 0],
    ]


def test_deaths_a_protest_is_about_are_not_the_protests():
    frame = read(
        "On Wednesday, traders protested in Gao against the killing of nine drivers.",
        "2024-11-13",
    )
    assert frame["fatalities"].tolist() == [0]


def test_an_intrusion_into_a_place_of_worship_targets_civilians():
    frame = read(
        "Des individus arm\u00e9s ont fait irruption dans une mosqu\u00e9e \u00e0 Ansongo mardi.",
        "2024-11-13",
    )
    assert frame["event_type"].tolist() == ["Violence against civilians"]


def test_each_bullet_of_a_brief_is_an_event_in_brief_style():
    text = (
        "Morning brief\n\n12 NOV\n"
        "- Gao: ambush on an army patrol; three soldiers KIA, two WIA.\n"
        "- Kidal: UAV strike on a pickup, two dead.\n"
        "- Goundam: gunmen stormed a health centre.\n"
    )
    frame = read(text, "2024-11-13")
    assert frame[["location", "event_type", "fatalities"]].values.tolist() == [
        ["Gao", "Battles", 3],
        ["Kidal", "Explosions/Remote violence", 2],
        ["Goundam", "Violence against civilians", 0],
    ]
    assert set(frame["event_date"].dt.date) == {dt.date(2024, 11, 12)}


def test_an_offset_after_a_town_the_event_was_in_describes_the_town():
    sentence = "militants raided the market in Gao, 30 km to the south, at dawn"
    at = sentence.index("Gao")
    assert relation_before(sentence, at, at + 3) is None


def test_a_town_abroad_gives_way_to_one_in_the_reports_country():
    from geo.io.extract import find_places

    from .extract_support import TinyGazetteer

    sentence = "Gunmen moving from Dori attacked Ansongo."
    found = find_places(sentence, TinyGazetteer(), "MLI")
    assert [p.text for p in found if not p.country_only] == ["Ansongo"]
    named = find_places(
        "Gunmen from Dori in Burkina Faso attacked Ansongo.", TinyGazetteer(), "MLI"
    )
    assert "Dori" in [p.text for p in named]


def test_in_x_s_y_the_place_is_y():
    frame = read("Fighting broke out in Gao's Ansongo on Tuesday, leaving 3 dead.", "2024-11-13")
    assert frame["location"].tolist() == ["Ansongo"]


def test_relative_days_count_from_the_datelines_filing_day():
    text = "GAO, Nov 11 (Wire) - Gunmen killed four villagers in Ansongo on Tuesday."
    frame = read(text, "2024-11-13")  # carried two days after it was filed
    assert frame["event_date"].dt.date.tolist() == [dt.date(2024, 11, 5)]


def test_a_paragraph_in_the_other_language_is_read_in_its_own() -> None:
    # An English brief quoting a French local-press item: both events are read.
    text = (
        "Security note\n\n"
        "On Monday, soldiers clashed with militants near Mopti.\n\n"
        "Mardi soir, des hommes armés ont enlevé deux enseignants près de Ménaka, "
        "selon une source locale.\n"
    )
    found = read(text, "2023-03-10")
    kinds = sorted(zip(found["event_date"].dt.date, found["sub_event_type"], strict=True))
    assert kinds == [
        (dt.date(2023, 3, 6), "Armed clash"),
        (dt.date(2023, 3, 7), "Abduction/forced disappearance"),
    ]
