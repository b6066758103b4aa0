"""Reading what happened: one candidate per event, its type, toll, day and actors.

Reports written for these tests (not from the evaluation corpus or the
seed reports), read against a tiny made-up gazetteer.
"""

from __future__ import annotations

import pandas as pd

from tests.io.extract.extract_support import read

FRENCH_REPORT = (
    "Ménaka : une embuscade meurtrière contre l'armée\n\n"
    "Une colonne des Forces armées maliennes est tombée dans une embuscade jeudi après-midi "
    "près de Ménaka. Neuf militaires ont été tués et six autres blessés, selon un communiqué "
    "publié vendredi.\n\n"
    "L'armée affirme avoir « neutralisé » une quinzaine d'assaillants. L'attaque a été "
    "revendiquée samedi par le GSIM.\n"
)


def test_a_french_report_is_one_ambush_with_its_toll_day_and_claim():
    [row] = read(FRENCH_REPORT, "2022-03-19").to_dict("records")  # a Saturday
    assert (row["event_type"], row["sub_event_type"]) == ("Battles", "Armed clash")
    assert row["event_date"] == pd.Timestamp("2022-03-17")  # « jeudi », not the communiqué's day
    assert (row["fatalities"], row["injuries"]) == (24, 6)  # the attackers counted too
    assert "15 of the dead are attackers" in row["notes"]
    assert row["actor1"].startswith("JNIM") and row["actor2"] == "Military Forces of Mali"
    assert "claimed by JNIM" in row["notes"]


def test_a_weekday_is_the_day_before_the_statement():
    text = (
        "GAO (wire) - Gunmen killed four traders on the road out of Bourem late on Monday, "
        "a local official said on Wednesday."
    )
    [row] = read(text, "2019-10-02").to_dict("records")  # a Wednesday
    assert row["event_date"] == pd.Timestamp("2019-09-30")
    assert (row["event_type"], row["fatalities"]) == ("Violence against civilians", 4)
    assert row["civilian_targeting"] == "Civilian targeting"


def test_sentences_about_one_bombing_make_one_candidate():
    text = (
        "A suicide bomber drove a truck into the gate of the army base in Tessalit on Sunday, "
        "killing three soldiers. Two other attackers were shot dead by the guards. "
        "The blast was heard across the town."
    )
    [row] = read(text, "2017-05-09").to_dict("records")
    assert row["sub_event_type"] == "Suicide bomb"
    assert row["fatalities"] == 5
    assert row["civilian_targeting"] == ""  # an army base, not civilians
    assert len(row["context"]) > 0


def test_a_sentence_listing_two_events_splits():
    text = (
        "Armed men abducted two teachers near Ansongo on 3 May and three traders near Bourem "
        "on 5 May."
    )
    df = read(text, "2023-05-08")
    assert df["event_date"].tolist() == [pd.Timestamp("2023-05-03"), pd.Timestamp("2023-05-05")]
    assert set(df["sub_event_type"]) == {"Abduction/forced disappearance"}
    assert df["location"].tolist() == ["Ansongo", "Bourem"]


def test_a_total_over_several_events_is_kept_once_and_flagged():
    text = (
        "Sahel Roundup (12 June 2022)\n\n"
        "- Dori: Gunmen killed five worshippers at a mosque on Friday.\n"
        "- Djibo: A roadside bomb killed two soldiers on Saturday.\n\n"
        "In total, at least 23 people were killed in attacks across the region this week."
    )
    df = read(text, None)
    assert df["fatalities"].tolist() == [5, 2]
    assert "a total over several incidents" in df.iloc[0]["unresolved"]
    assert "at least 23 people" in df.iloc[0]["notes"]
    assert "23" not in df.iloc[1]["notes"]


def test_a_toll_announced_the_next_day_goes_to_the_attack():
    text = (
        "Gunmen attacked a hamlet outside Djibo on Sunday, killing several residents. "
        "On Monday, the governor said the toll of the attack had risen to 18."
    )
    [row] = read(text, "2020-02-11").to_dict("records")  # a Tuesday
    assert row["event_date"] == pd.Timestamp("2020-02-09")
    assert row["fatalities"] == 18


def test_a_report_with_no_date_uses_the_post_date_flagged():
    text = "Field note - Dori area\n\nArmed men shot dead two shepherds outside Dori."
    [row] = read(text, "2022-08-01").to_dict("records")
    assert row["event_date"] == pd.Timestamp("2022-08-01")
    assert "no date stated: the post date assumed" in row["unresolved"]


def test_actors_as_the_text_attributes_them():
    def notes_and_actor1(text: str) -> tuple[str, str]:
        [row] = read(text, "2021-06-07").to_dict("records")
        return row["notes"], row["actor1"]

    notes, actor1 = notes_and_actor1("JNIM ambushed a convoy near Gao on Saturday.")
    assert actor1.startswith("JNIM") and "claimed" not in notes
    notes, actor1 = notes_and_actor1(
        "Gunmen killed six villagers near Dori on Saturday. Residents blamed Ansaroul Islam."
    )
    assert actor1 == "Ansaroul Islam" and "blamed on (not claimed) Ansaroul Islam" in notes
    notes, actor1 = notes_and_actor1(
        "Suspected ISGS fighters attacked a patrol near Tillaberi on Friday."
    )
    assert actor1 == "Unidentified Armed Group (Niger)" and "suspected: Islamic State" in notes
    notes, actor1 = notes_and_actor1(
        "Two nurses were kidnapped near Menaka on Friday. No group has claimed the kidnapping."
    )
    assert actor1 == "Unidentified Armed Group (Mali)" and "not claimed" in notes


def test_who_was_hit_decides_battle_or_violence_against_civilians():
    soldiers = read("Gunmen shot dead three gendarmes near Dori on Monday.", "2021-03-10")
    villagers = read("Gunmen shot dead three herders near Dori on Monday.", "2021-03-10")
    assert soldiers.iloc[0]["event_type"] == "Battles"
    assert villagers.iloc[0]["event_type"] == "Violence against civilians"


def test_each_sentence_of_a_long_report_is_folded_a_bounded_number_of_times(monkeypatch):
    # One event told over hundreds of sentences: the text compared with each
    # new sentence grows, and re-folding all of it every time made reading
    # quadratic (an 84 KB report took 97 s). Counting folded characters
    # catches that without a clock.
    from geo.reference import names

    folded = [0]
    base_fold = names._base_fold

    def counting(text: str) -> str:
        folded[0] += len(text)
        return base_fold(text)

    monkeypatch.setattr(names, "_base_fold", counting)
    sentence = "Gunmen attacked the army post in Gao on Tuesday and killed two soldiers. "

    def chars_folded(copies: int) -> int:
        folded[0] = 0
        frame = read(sentence * copies, "2022-03-19")
        assert len(frame) == 1
        return folded[0]

    small, large = chars_folded(100), chars_folded(400)
    assert large < 5 * small  # four times the text: linear is ~4x, quadratic ~16x
