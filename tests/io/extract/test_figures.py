"""Tolls in their usual phrasings, in English and French (geo.io.extract.figures)."""

from __future__ import annotations

import pytest

from geo.io.extract import find_figures, parse_number
from geo.io.extract.casualties import Casualties


@pytest.mark.parametrize(
    ("lang", "text", "deaths", "injuries"),
    [
        # number words read by text2num, in both languages
        ("en", "the raid left thirty-two herders dead", 32, None),
        ("fr", "vingt et un soldats ont été tués et quatre blessés", 21, 4),
        ("fr", "« au moins quatorze morts » selon un élu", 14, None),
        # ACLED's conventions for counts in words only
        ("fr", "une trentaine de villageois ont péri", 30, None),
        ("en", "soldiers killed dozens of insurgents", 12, None),
        ("en", "the army lost several men", 3, None),
        # a list shares its death word
        ("en", "five gendarmes and 14 assailants were killed", 19, None),
        ("en", "killing a teacher and two pupils", 3, None),
        # an aside is a subset; units and articles are no figures
        ("fr", "sept personnes, dont deux enfants, ont été tuées", 7, None),
        ("en", "gunmen torched 40 houses and stole a hundred head of cattle", None, None),
        ("fr", "une attaque a visé le poste sans faire de victimes", 0, None),
        # one death stated without a number
        ("fr", "le maire a été abattu devant chez lui", 1, None),
    ],
)
def test_tolls(lang, text, deaths, injuries):
    got = find_figures(text, lang=lang)
    assert (got.fatalities, got.injuries) == (deaths, injuries)


def test_attackers_deaths_are_counted_and_kept_apart():
    got = find_figures("four policemen died and the troops neutralised nine attackers")
    assert (got.fatalities, got.attackers) == (13, 9)
    bomber = find_figures("a woman blew herself up at the market, killing three traders")
    assert (bomber.fatalities, bomber.attackers) == (4, 1)
    french = find_figures("tuant deux gardes en plus du kamikaze", lang="fr")
    assert (french.fatalities, french.attackers) == (3, 1)


def test_a_revised_toll_is_final_and_a_first_toll_is_not_counted():
    got = find_figures("officials first reported six dead; the toll has since risen to eleven")
    assert got.toll == 11 and got.fatalities == 11
    first = find_figures("Un premier bilan faisait état de cinq morts.", lang="fr")
    assert first.fatalities is None


def test_an_events_toll_gathers_sentence_by_sentence():
    toll = Casualties()
    toll.add(find_figures("the gunmen killed nine villagers"))
    toll.add(find_figures("The nine victims were buried on Sunday."))  # restated, not added
    assert toll.fatalities == 9
    toll.add(find_figures("Two of the attackers were also killed."))  # more, and attackers
    assert (toll.fatalities, toll.attackers) == (11, 2)
    toll.add(find_figures("bringing the toll to 14"))  # the victims' final figure
    assert toll.fatalities == 16
    assert "2 of the dead are attackers (counted, as ACLED does)" in toll.summary()


def test_numbers_in_words_and_digits():
    assert parse_number("quatre-vingt-dix", "fr") == 90
    assert parse_number("une vingtaine", "fr") == 20
    assert parse_number("a hundred") == 100
    assert parse_number("2,500") == 2500
    assert parse_number("tomorrow") is None
