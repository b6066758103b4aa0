"""Event words in English and French, and what makes them no event (geo.io.extract.events)."""

from __future__ import annotations

import pytest

from geo.io.extract import find_triggers
from geo.io.extract.events import is_hedged, is_trend
from geo.io.extract.language import language_of


def _main(text: str, lang: str = "en") -> tuple[str, str]:
    trig = max(find_triggers(text, lang), key=lambda t: t.priority)
    return trig.event_type, trig.sub_event_type


@pytest.mark.parametrize(
    ("lang", "text", "sub_event_type"),
    [
        ("en", "a suicide car bomb exploded at the gate of the barracks", "Suicide bomb"),
        ("en", "a man blew himself up at a checkpoint", "Suicide bomb"),
        (
            "en",
            "insurgents fired mortar rounds at the airport",
            "Shelling/artillery/missile attack",
        ),
        ("en", "a truck set off a mine on the track", "Remote explosive/landmine/IED"),
        ("en", "three herders were killed by a mine", "Remote explosive/landmine/IED"),
        ("en", "army drones struck a convoy", "Air/drone strike"),
        ("en", "fighters overran an outpost", "Armed clash"),
        ("en", "youths hurled stones at the patrol", "Violent demonstration"),
        ("en", "a missile struck a fuel depot", "Shelling/artillery/missile attack"),
        ("en", "rebels seized control of the town", "Non-state actor overtakes territory"),
        ("fr", "l'armée a repris le contrôle de la localité", "Government regains territory"),
        ("fr", "un kamikaze a actionné sa ceinture d'explosifs", "Suicide bomb"),
        ("fr", "un véhicule piégé a explosé devant la mairie", "Remote explosive/landmine/IED"),
        ("fr", "des tirs d'obus ont visé le camp", "Shelling/artillery/missile attack"),
        ("fr", "une frappe de drone a visé un pick-up", "Air/drone strike"),
        ("fr", "une patrouille est tombée dans une embuscade", "Armed clash"),
        ("fr", "l'enlèvement d'un chef de village", "Abduction/forced disappearance"),
        ("fr", "une manifestation contre la vie chère", "Peaceful protest"),
    ],
)
def test_event_words(lang, text, sub_event_type):
    assert _main(text, lang)[1] == sub_event_type


def test_stun_grenades_are_no_explosion():
    text = "police used stun grenades to disperse the protest"
    assert _main(text) == ("Protests", "Peaceful protest")


def test_speculation_denial_and_trends_are_no_events():
    def hedged(text: str, lang: str = "en") -> bool:
        return all(is_hedged(text, t, lang) for t in find_triggers(text, lang))

    assert hedged("Further attacks are likely in the coming weeks.")
    assert hedged("Des attaques pourraient viser les convois.", "fr")
    assert hedged("No new clashes were reported on Sunday.")
    # the arrest happened; the attacks it prevented are the ones hedged
    text = "Police arrested three men suspected of planning attacks."
    assert [is_hedged(text, t) for t in find_triggers(text)] == [False, True]
    trend = "Attacks on villages have displaced thousands of families."
    assert is_trend(trend, find_triggers(trend)[0])


def test_language_of_a_post():
    assert language_of("Les assaillants ont été repoussés par l'armée dans la nuit.") == "fr"
    assert language_of("The assailants were pushed back by the army in the night.") == "en"
