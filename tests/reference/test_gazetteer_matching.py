"""Gazetteer match levels: alternates, prefixes and articles, fuzzy names, bulk = one by one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.reference.gazetteer import Gazetteer, load_gazetteer
from geo.reference.place_index import FUZZY_THRESHOLD
from geo.reference.places import MATCH_KINDS, RESULT_COLUMNS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


_CACHE: dict[str, Gazetteer] = {}


def _shared_gaz() -> Gazetteer:
    if "gaz" not in _CACHE:
        _CACHE["gaz"] = load_gazetteer()
    return _CACHE["gaz"]


def _layer(rows: list[dict[str, Any]]) -> Gazetteer:
    base = {
        "alternates": "",
        "admin1": "",
        "geo_precision": 1,
        "population": pd.NA,
        "geonameid": pd.NA,
        "feature_code": "",
        "source": "geonames",
        "tier": 1_000_000,
    }
    return Gazetteer(pd.DataFrame([{**base, **r} for r in rows]))


# -- shipped data: names GeoNames lists only with a prefix -----------------------


@pytest.mark.parametrize(
    ("bare", "listed", "country"),
    [
        ("Macina", "Ké-Macina", "ML"),  # the cercle seat GeoNames lists only prefixed
        ("Tillit", "I-n-Tillit", None),
        ("Essako", "Ti-n-Essako", "MLI"),
        ("Gall", "I-n-Gall", "Niger"),
        ("Qaim", "Al Qā’im", "IRQ"),
        ("Nuhud", "An Nuhūd", None),
    ],
)
def test_bare_form_finds_the_prefixed_name_and_says_so(
    gaz: Gazetteer, bare: str, listed: str, country: str | None
) -> None:
    r = gaz.lookup(bare, country=country)
    assert r is not None, bare
    assert r.name == listed
    assert r.match == "prefix"
    assert "prefix or article dropped" in r.note
    assert r.to_dict()["match"] == "prefix"


def test_prefixed_spellings_meet_without_a_flag_beyond_spacing(gaz: Gazetteer) -> None:
    # GeoNames' own forms and their hyphen/space variants are the same name.
    assert gaz.lookup("Intillit").name == "I-n-Tillit"
    assert gaz.lookup("Ke-Macina").match == "exact"  # an alternate of Ké-Macina
    for spelling in ("In Tillit", "In-Tillit", "I n Tillit", "Tin Essako", "In Gall"):
        r = gaz.lookup(spelling)
        assert r is not None and r.match in ("exact", "spacing"), spelling


def test_alternate_names_and_transliterations_are_exact(gaz: Gazetteer) -> None:
    for spelling in ("Tombouctou", "Timbuctoo", "Timbouctou"):
        r = gaz.lookup(spelling)
        assert r is not None and r.name == "Timbuktu" and r.match == "exact", spelling
    assert gaz.lookup("Aguel-Hoc").name == "Aguelhok"
    assert gaz.lookup("Rharous").name == "Gourma Rharous"


def test_arabic_articles_on_shipped_names(gaz: Gazetteer) -> None:
    # "En" is another spelling of the article GeoNames writes "An".
    en = gaz.lookup("En Nuhud")
    assert en is not None and en.name == "An Nuhūd" and en.match == "variant"
    assert "another spelling of its prefix or article" in en.note
    # Natural Earth's "As Sulaymaniyah" is GeoNames' "Sulaymaniyah".
    sul = gaz.lookup("As Sulaymaniyah", country="IQ")
    assert sul is not None and sul.name == "Sulaymaniyah" and sul.match == "prefix"
    assert gaz.lookup("Al-Qa'im").name == "Al Qā’im"


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ("Al Minya", "exact"),
        ("Al-Minya", "spacing"),
        ("El Minya", "variant"),
        ("El-Minya", "variant"),
        ("Minya", "prefix"),
    ],
)
def test_arabic_article_levels_on_a_hand_made_layer(query: str, match: str) -> None:
    gaz = _layer([{"name": "Al Minya", "iso3": "EGY", "latitude": 28.1, "longitude": 30.75}])
    r = gaz.lookup(query)
    assert r is not None and r.name == "Al Minya" and r.match == match, query


@pytest.mark.parametrize(
    ("listed", "query"),
    [
        ("Ash Shamaliyah", "Esh Shamaliyah"),
        ("Ash Shamaliyah", "Al Shamaliyah"),
        ("Az Zawiyah", "Ez Zawiyah"),
        ("Ad Dakhla", "Ed-Dakhla"),
        ("Ar Ramadi", "Er Ramadi"),
        ("At Tafilah", "Et Tafilah"),
        ("Es Sider", "As Sider"),
        ("Ouro Modi", "Wuro Modi"),
    ],
)
def test_prefix_spellings_are_variants(listed: str, query: str) -> None:
    gaz = _layer([{"name": listed, "iso3": "LBY", "latitude": 30.0, "longitude": 20.0}])
    r = gaz.lookup(query)
    assert r is not None and r.name == listed and r.match == "variant", query


def test_exact_match_beats_a_prefix_match_and_levels_stay_in_scope() -> None:
    gaz = _layer(
        [
            {"name": "Ké-Macina", "iso3": "MLI", "latitude": 13.96, "longitude": -5.36},
            {"name": "Macina", "iso3": "BFA", "latitude": 12.0, "longitude": -1.0},
        ]
    )
    plain = gaz.lookup("Macina")
    assert plain is not None and plain.iso3 == "BFA" and plain.match == "exact"
    # In Mali the exact Burkinabe name is out of scope: the prefixed one is found, flagged.
    mali = gaz.lookup("Macina", country="MLI")
    assert mali is not None and mali.name == "Ké-Macina" and mali.match == "prefix"


def test_queries_keep_a_leading_in_or_tin() -> None:
    # "In Kidal" opens English sentences: it is not the Tamasheq prefix.
    gaz = _layer([{"name": "Kidal", "iso3": "MLI", "latitude": 18.44, "longitude": 1.41}])
    assert gaz.lookup("In Kidal") is None
    assert gaz.lookup("Tin Kidal") is None
    assert gaz.lookup("El Kidal").match == "prefix"


# -- fuzzy ---------------------------------------------------------------------


def test_fuzzy_only_when_asked_and_flagged_with_candidates(gaz: Gazetteer) -> None:
    assert gaz.lookup("Tessalitt") is None  # fuzzy is off by default
    r = gaz.lookup("Tessalitt", country="ML", fuzzy=True)
    assert r is not None and r.name == "Tessalit" and r.match == "fuzzy"
    assert "fuzzy match" in r.note and f"threshold {FUZZY_THRESHOLD:g}" in r.note
    assert all("score" in c for c in r.candidates)
    assert r.candidates[0]["score"] >= FUZZY_THRESHOLD
    scores = [c["score"] for c in r.candidates]
    assert scores[0] == max(scores)
    data = json.loads(json.dumps(r.to_dict()))
    assert data["match"] == "fuzzy"


def test_exact_matches_carry_no_scores(gaz: Gazetteer) -> None:
    r = gaz.lookup("Gao", fuzzy=True)
    assert r is not None and r.match == "exact"
    assert all("score" not in c for c in r.candidates)


def test_fuzzy_never_beats_an_exact_match_in_another_country() -> None:
    gaz = _layer(
        [
            {"name": "Tessalit", "iso3": "MLI", "latitude": 20.2, "longitude": 1.01},
            {"name": "Tessalitt", "iso3": "NER", "latitude": 15.0, "longitude": 8.0},
        ]
    )
    # Exact in Niger: with Mali as the hint, no fuzzy guess in Mali.
    assert gaz.lookup("Tessalitt", country="MLI", fuzzy=True) is None
    anywhere = gaz.lookup("Tessalitt", fuzzy=True)
    assert anywhere is not None and anywhere.iso3 == "NER" and anywhere.match == "exact"
    # Known nowhere: the close Malian name is offered, flagged.
    guess = gaz.lookup("Tesalitt", country="MLI", fuzzy=True)
    assert guess is not None and guess.name == "Tessalit" and guess.match == "fuzzy"
    many = gaz.lookup_many(pd.Series(["Tessalitt", "Tesalitt"]), country="MLI", fuzzy=True)
    assert many["matched"].tolist() == [False, True]
    assert many["match"].tolist() == ["", "fuzzy"]


def test_fuzzy_ignores_short_names_and_far_spellings() -> None:
    gaz = _layer([{"name": "Gao", "iso3": "MLI", "latitude": 16.27, "longitude": -0.04}])
    assert gaz.lookup("Gaoo", fuzzy=True) is None  # too short to guess
    assert gaz.lookup("Bamako", fuzzy=True) is None


def test_fuzzy_best_score_decides_before_population() -> None:
    gaz = _layer(
        [
            {"name": "Dioura", "iso3": "MLI", "latitude": 14.8, "longitude": -5.2, "population": 5},
            {
                "name": "Diourab",
                "iso3": "MLI",
                "latitude": 12.0,
                "longitude": -8.0,
                "population": 9,
            },
        ]
    )
    r = gaz.lookup("Diourra", fuzzy=True)
    assert r is not None and r.name == "Dioura"
    assert r.ambiguous and len(r.candidates) == 2
    assert "best fuzzy score" in r.note


# -- bulk lookup equals one-by-one lookup --------------------------------------

_POOL = [
    "Gao",
    "gao ",
    "Macina",
    "Tillit",
    "Intillit",
    "En Nuhud",
    "As Sulaymaniyah",
    "Tombouctou",
    "Tessalitt",
    "Timbuctou",
    "Kidall",
    "Nowhere-ville",
    "Bahrain",
    "",
]
_COUNTRIES = ["", "MLI", "ML", "Niger", "IRQ", "Atlantis"]


def _row_equals_lookup(gaz: Gazetteer, row: pd.Series, name: str, country: str) -> None:
    single = gaz.lookup(name, country=country or None, fuzzy=True)
    if single is None:
        assert not row["matched"] and pd.isna(row["latitude"]) and row["match"] == ""
        return
    assert row["matched"]
    got = (row["name"], row["iso3"], row["match"], row["note"], row["ambiguous"])
    assert got == (single.name, single.iso3, single.match, single.note, single.ambiguous)
    assert row["latitude"] == single.latitude and row["n_candidates"] == len(single.candidates)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_POOL), st.sampled_from(_COUNTRIES)), max_size=40))
def test_lookup_many_equals_lookup_row_by_row(pairs: list[tuple[str, str]]) -> None:
    gaz = _shared_gaz()
    names = pd.Series([n for n, _ in pairs], dtype="object")
    country = pd.Series([c for _, c in pairs], dtype="object")
    out = gaz.lookup_many(names, country=country, fuzzy=True)
    assert out.columns.tolist() == RESULT_COLUMNS
    for i, (name, ctry) in enumerate(pairs):
        _row_equals_lookup(gaz, out.iloc[i], name, ctry)


def test_lookup_many_reports_every_match_kind(gaz: Gazetteer) -> None:
    names = pd.Series(["Gao", "Tin Essako", "En Nuhud", "Macina", "Tessalitt", "Nowhere-ville"])
    out = gaz.lookup_many(names, fuzzy=True)
    assert out["match"].tolist() == ["exact", "spacing", "variant", "prefix", "fuzzy", ""]
    assert set(out["match"]) - {""} <= set(MATCH_KINDS)
    without = gaz.lookup_many(names)
    assert without["match"].tolist() == ["exact", "spacing", "variant", "prefix", "", ""]


def test_geocode_command_prints_the_match_kind() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "geo", "geocode", "Macina", "--country", "ML", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["name"], data["match"]) == ("Ké-Macina", "prefix")
