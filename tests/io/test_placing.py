"""Placing what a report says: offsets, roads, regions, homonyms, villages the gazetteer lacks.

The sentences are written for these tests; the villages "Koromakan" and
"Sorobougou" are made up, so that no gazetteer could know them. The towns
are real, at their GeoNames points, in a small fake gazetteer that answers
the way :class:`geo.reference.gazetteer.Gazetteer` does (country filter,
admin-1 hint, candidates, ambiguity).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pytest
from pyproj import Geod

from geo.io.extract import areas, extract_candidates, find_places
from geo.io.extract.points import bearing, compass_label
from geo.io.extract.relative import distance_value
from geo.reference.names import fold

GEOD = Geod(ellps="WGS84")


@dataclass
class Result:
    name: str
    latitude: float
    longitude: float
    iso3: str
    admin1: str
    population: int = 0
    geo_precision: int = 1
    ambiguous: bool = False
    candidates: list[dict[str, Any]] = field(default_factory=list)


TOWNS = [
    Result("Kidal", 18.44345, 1.40921, "MLI", "Kidal", 40000),
    Result("Gao", 16.27167, -0.04472, "MLI", "Gao", 130000),
    Result("Gao", 11.64967, -2.17777, "BFA", "Ziro", 26000),
    Result("Ansongo", 15.6597, 0.5022, "MLI", "Gao", 3000),
    Result("Douentza", 15.00558, -2.95, "MLI", "Mopti", 24000),
    Result("Bankass", 14.0783, -3.5164, "MLI", "Mopti", 30000),
    Result("Tibiri", 13.56271, 7.04848, "NER", "Maradi", 34000),
    Result("Tibiri", 13.10575, 3.99774, "NER", "Dosso", 8700),
    Result("Sikasso Village", 11.3, -5.6, "MLI", "Sikasso", 500),
    Result("Téra", 14.00776, 0.75306, "NER", "Tillabéri", 39000),
    Result("Tillabéri", 14.21152, 1.45307, "NER", "Tillabéri", 30000),
]
ALIASES = {"tombouctou": "timbuktu"}


class FakeGazetteer:
    """Real towns at their points; several places of one name are candidates, largest first."""

    def lookup(self, name, country=None, admin1=None):
        key = ALIASES.get(fold(name), fold(name))
        rows = [t for t in TOWNS if fold(t.name) == key]
        if country:
            rows = [t for t in rows if t.iso3 == country]
        if not rows:
            return None
        in_area = [t for t in rows if admin1 and fold(t.admin1) == fold(admin1)]
        rows = sorted(in_area or rows, key=lambda t: -t.population) + [
            t for t in rows if t not in in_area
        ]
        chosen = rows[0]
        return Result(
            chosen.name, chosen.latitude, chosen.longitude, chosen.iso3, chosen.admin1,
            chosen.population, 1, len(rows) > 1,
            [vars(t) | {"candidates": None} for t in rows],
        )  # fmt: skip


@pytest.fixture
def gaz() -> FakeGazetteer:
    return FakeGazetteer()


def run(text: str, date: str, gaz: FakeGazetteer) -> list[dict[str, Any]]:
    return extract_candidates(text, date, gazetteer=gaz).to_dict("records")


def offset_of(row: dict[str, Any], town: Result) -> tuple[float, float]:
    """Bearing (degrees) and distance (km) of the row's point from a town."""
    azimuth, _, metres = GEOD.inv(town.longitude, town.latitude, row["longitude"], row["latitude"])
    return azimuth % 360, metres / 1000


def town(name: str, iso3: str = "MLI") -> Result:
    return next(t for t in TOWNS if t.name == name and t.iso3 == iso3)


# -- directions and distances ----------------------------------------------


def test_compass_words_and_abbreviations_in_english_and_french():
    assert bearing("south-east") == bearing("southeast") == bearing("SE") == 135
    assert bearing("sud-ouest") == bearing("SO") == 225
    assert bearing("north north east") == bearing("nord-nord-est") == 22.5
    assert bearing("ouest") == 270 and bearing("NNO") == 337.5
    assert bearing("se") is None  # an abbreviation is read only in capitals
    assert compass_label(135) == "SE" and compass_label(350) == "N"


@pytest.mark.parametrize(
    ("words", "km"),
    [("25", 25), ("2,5", 2.5), ("thirty", 30), ("twenty-five", 25), ("une trentaine", 30),
     ("une quinzaine", 15), ("douze", 12)],
)  # fmt: skip
def test_distances_in_digits_and_words(words, km):
    assert distance_value(words) == km


# -- relative places ---------------------------------------------------------


def test_an_offset_from_a_town_is_a_geodesic_point_at_precision_2(gaz):
    [row] = run("Gunmen killed three herders on Friday about 25 km south-east of Kidal.",
                "2022-03-07", gaz)  # fmt: skip
    assert row["location"] == "Kidal" and row["geo_precision"] == 2
    azimuth, km = offset_of(row, town("Kidal"))
    assert azimuth == pytest.approx(135, abs=0.5) and km == pytest.approx(25, abs=0.1)
    assert "25 km SE of Kidal (offset from the gazetteer point)" in row["notes"]


def test_miles_and_sixteen_point_directions(gaz):
    [row] = run("A patrol was ambushed on Monday 12 miles NNE of Kidal.", "2022-03-09", gaz)
    azimuth, km = offset_of(row, town("Kidal"))
    assert azimuth == pytest.approx(22.5, abs=0.5) and km == pytest.approx(19.31, abs=0.05)


def test_an_offset_beats_the_town_the_road_leads_to(gaz):
    text = (
        "A roadside bomb hit a bus on Friday on the road to Ansongo, some 30 kilometres"
        " south of Gao."
    )
    [row] = run(text, "2022-03-07", gaz)
    assert row["location"] == "Gao" and row["geo_precision"] == 2
    azimuth, km = offset_of(row, town("Gao"))
    assert azimuth == pytest.approx(180, abs=0.5) and km == pytest.approx(30, abs=0.1)


def test_between_two_towns_is_their_midpoint(gaz):
    [row] = run("Two soldiers were killed on Sunday by a landmine on the road between Gao and "
                "Ansongo.", "2022-03-07", gaz)  # fmt: skip
    gao, ansongo = town("Gao"), town("Ansongo")
    _, _, whole = GEOD.inv(gao.longitude, gao.latitude, ansongo.longitude, ansongo.latitude)
    _, km_gao = offset_of(row, gao)
    assert row["geo_precision"] == 2 and km_gao == pytest.approx(whole / 2000, abs=0.5)
    assert "midpoint" in row["notes"]


def test_near_and_outside_keep_the_town_point_at_precision_2(gaz):
    [row] = run("Armed men killed four farmers outside Téra on Tuesday.", "2023-03-30", gaz)
    assert (row["location"], row["geo_precision"]) == ("Téra", 2)
    assert (row["latitude"], row["longitude"]) == (town("Téra", "NER").latitude, 0.75306)


def test_french_relative_places(gaz):
    offset = "Une embuscade a eu lieu à une trentaine de kilomètres à l'est de Douentza."
    [place] = [p for p in find_places(offset, gaz, "MLI") if not p.area]
    assert place.rank == 3 and place.result.geo_precision == 2
    assert "30 km E of Douentza" in place.how
    near = find_places("Des frappes ont visé des refuges près d'Ansongo.", gaz, "MLI")
    assert [(p.text, p.rank, p.result.geo_precision) for p in near] == [("Ansongo", 1, 2)]
    road = find_places("Un camion a sauté sur une mine sur l'axe Gao-Ansongo.", gaz, "MLI")
    assert [p.result.name for p in road] == ["between Gao and Ansongo"]
    between = find_places("Trois commerçants ont été enlevés entre Gao et Ansongo.", gaz, "MLI")
    assert [p.rank for p in between] == [2]


# -- regions, homonyms, villages the gazetteer lacks ------------------------------


def test_a_region_in_brackets_picks_between_homonyms(gaz):
    [row] = run("On 21 March, gunmen kidnapped two traders in Tibiri (Dosso region).",
                "2023-03-30", gaz)  # fmt: skip
    assert (row["admin1"], row["latitude"]) == ("Dosso", 13.10575)
    assert "ambiguous" not in row["unresolved"]


def test_a_town_named_with_its_province_in_another_country(gaz):
    text = "Gao (Ziro province): Gunmen attacked the police post in Gao on Wednesday night."
    [row] = run(text, "2018-07-02", gaz)
    assert (row["iso3"], row["latitude"]) == ("BFA", 11.64967)


def test_an_unknown_village_with_its_region_is_placed_at_the_region_at_precision_3(gaz):
    text = (
        "On 12 May, armed men attacked the village of Koromakan, Bankass circle, Mopti region, "
        "killing six civilians. About 300 people fled Koromakan towards Bankass."
    )
    [row] = run(text, "2020-05-14", gaz)
    mopti = areas.region("Mopti", "MLI")
    assert (row["location"], row["admin1"], row["geo_precision"]) == ("Koromakan", "Mopti", 3)
    assert (row["latitude"], row["longitude"]) == (mopti.latitude, mopti.longitude)
    assert "'Koromakan' is not in the gazetteer" in row["unresolved"]


def test_a_village_the_gazetteer_has_only_elsewhere_falls_back_to_the_named_region(gaz):
    text = (
        "On 9 May, gunmen shot dead two aid workers in Sikasso Village, a village of the Gao"
        " region."
    )
    [row] = run(text, "2023-05-12", gaz)
    assert (row["location"], row["admin1"], row["geo_precision"]) == ("Sikasso Village", "Gao", 3)
    assert "not in the gazetteer in Gao" in row["unresolved"]


def test_an_offset_from_an_unknown_village_falls_back_to_its_region(gaz):
    text = ("On Sunday, gunmen shot dead two militiamen about 30 km north of Sorobougou, "
            "a village in the Kidal region.")  # fmt: skip
    [row] = run(text, "2016-07-20", gaz)
    assert (row["location"], row["admin1"], row["geo_precision"]) == ("Sorobougou", "Kidal", 3)


def test_an_unknown_village_placed_relative_to_a_town_takes_the_offset(gaz):
    text = (
        "Gunmen killed seven herders on Monday in Sorobougou, a village 40 km north-east of Kidal."
    )
    [row] = run(text, "2022-03-09", gaz)
    assert (row["location"], row["geo_precision"]) == ("Sorobougou", 2)
    azimuth, km = offset_of(row, town("Kidal"))
    assert azimuth == pytest.approx(45, abs=0.5) and km == pytest.approx(40, abs=0.1)
    assert "'Sorobougou' is not in the gazetteer: 40 km NE of Kidal" in row["unresolved"]
    french = "Des hommes armés ont attaqué Koromakan, à une vingtaine de kilomètres au sud de Gao."
    [place] = [p for p in find_places(french, gaz, "MLI") if not p.area]
    assert (place.text, place.result.geo_precision) == ("Koromakan", 2)
    assert "20 km S of Gao" in place.how


def test_a_village_near_a_town_is_the_town_point_under_the_village_name(gaz):
    text = "Gunmen attacked the village of Sorobougou near Douentza on Monday, killing nine people."
    [row] = run(text, "2022-03-09", gaz)
    assert (row["location"], row["geo_precision"]) == ("Sorobougou", 2)
    assert (row["latitude"], row["longitude"]) == (15.00558, -2.95)
    assert "'Sorobougou' is not in the gazetteer: near Douentza" in row["unresolved"]


def test_a_road_between_two_unknown_villages_stays_unplaced_with_their_names(gaz):
    text = (
        "Two soldiers were killed on Sunday when a mine exploded between Koromakan and Sorobougou."
    )
    [row] = run(text, "2022-03-09", gaz)
    assert row["location"] == "between Koromakan and Sorobougou" and pd.isna(row["latitude"])


def test_an_unknown_village_with_no_region_stays_unplaced_with_its_name(gaz):
    [row] = run("Gunmen killed five people in the village of Koromakan on Sunday.",
                "2020-05-14", gaz)  # fmt: skip
    assert row["location"] == "Koromakan" and pd.isna(row["latitude"])
    assert "place 'Koromakan' not found in the gazetteer" in row["unresolved"]


def test_a_village_named_later_with_its_region_replaces_the_region(gaz):
    text = (
        "Six civilians were killed on 12 May in an attack on a village of the Bankass circle.\n\n"
        "The village, Koromakan, Bankass circle, Mopti region, was burned by the attackers."
    )
    rows = run(text, "2020-05-14", gaz)
    assert [(r["location"], r["admin1"], r["geo_precision"]) for r in rows] == [
        ("Koromakan", "Mopti", 3)
    ]


def test_a_region_stands_back_for_the_town_in_the_sentence(gaz):
    text = "On 24 March, in the Tillabéri region, armed men killed four farmers outside Téra."
    [row] = run(text, "2023-03-30", gaz)
    assert row["location"] == "Téra"


def test_a_region_alone_is_placed_at_its_representative_point(gaz):
    [row] = run("Fighting broke out in the Kidal region on Monday, killing two soldiers.",
                "2016-07-20", gaz)  # fmt: skip
    kidal = areas.region("Kidal", "MLI")
    assert (row["admin1"], row["geo_precision"]) == ("Kidal", 3)
    assert (row["latitude"], row["longitude"]) == (kidal.latitude, kidal.longitude)


# -- country-only ------------------------------------------------------------------


def test_an_incident_with_only_its_country_is_country_level(gaz):
    text = "Syria: Warplanes struck rebel-held districts on Sunday, killing nine people."
    [row] = run(text, "2013-02-11", gaz)
    syria = areas.country("SYR")
    assert (row["location"], row["iso3"], row["admin1"], row["geo_precision"]) == (
        "Syria", "SYR", "", 3,
    )  # fmt: skip
    assert (row["latitude"], row["longitude"]) == (syria.latitude, syria.longitude)
    assert "country-level" in row["unresolved"] and "only the country" in row["unresolved"]
