"""Tests for geo.reference.area_names: region names reconciled with an area layer."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geo.reference.area_names import AreaNames
from geo.reference.boundaries import load_admin1


@pytest.fixture(scope="module")
def admin1() -> gpd.GeoDataFrame:
    return load_admin1()


@pytest.fixture(scope="module")
def names(admin1: gpd.GeoDataFrame) -> AreaNames:
    return AreaNames(admin1)


@pytest.mark.parametrize(
    ("name", "iso3", "expected"),
    [
        ("Timbuktu", None, "Timbuktu"),
        ("Tombouctou", None, "Timbuktu"),
        ("TOMBOUCTOU ", "MLI", "Timbuktu"),
        ("Ségou", None, "Ségou"),
        ("Segou", None, "Ségou"),
        ("Koulikoro", "MLI", "Koulikoro"),
        ("Koulikouro", "MLI", "Koulikoro"),
        ("Koulikouro", None, "Koulikoro"),
        ("Gao Region", "MLI", "Gao"),
        ("Région de Tombouctou", "MLI", "Timbuktu"),
        ("ML-8", None, "Kidal"),
        ("Kidal", "mli", "Kidal"),
    ],
)
def test_area_names_resolve(names: AreaNames, name: str, iso3: str | None, expected: str) -> None:
    assert names.resolve(name, iso3=iso3) == expected


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Kidal", "DZA"),  # wrong country
        ("Koulikouro", "NER"),  # fuzzy stays inside the country
        ("Wassoulou", None),  # dropped foreign name
        ("Adrar", None),  # Algeria and Mauritania both have one
        ("Kayo", "MLI"),  # too far from anything
        ("", "MLI"),
        (None, None),
        ("Gao", "FRA"),  # not a covered country
    ],
)
def test_area_names_unresolved(names: AreaNames, name: str | None, iso3: str | None) -> None:
    assert names.resolve(name, iso3=iso3) is None


def test_area_names_country_disambiguates(names: AreaNames) -> None:
    assert names.resolve("Adrar", iso3="DZA") == "Adrar"
    match = names.match("Adrar", iso3="MRT")
    assert match is not None and match.area_code.startswith("MR-")


def test_canonical_name_beats_alias() -> None:
    layer = pd.DataFrame(
        {
            "area": ["North", "Upper"],
            "area_code": ["A-1", "A-2"],
            "iso3": ["AAA"] * 2,
            "aliases": ["", "North"],
        }
    )
    assert AreaNames(layer).resolve("north") == "North"


def test_shared_alias_is_ambiguous() -> None:
    layer = pd.DataFrame(
        {
            "area": ["East", "West"],
            "area_code": ["A-1", "A-2"],
            "iso3": ["AAA"] * 2,
            "aliases": ["Centre", "Centre"],
        }
    )
    assert AreaNames(layer).resolve("Centre") is None


def test_resolve_series_matches_scalar_and_keeps_index(names: AreaNames) -> None:
    raw = pd.Series(
        ["Tombouctou", "Segou", None, "Koulikouro", "nowhere", "Tombouctou", "Kidal"],
        index=["e", "d", "c", "b", "a", "z", "y"],
    )
    countries = pd.Series(["MLI"] * 6 + ["DZA"], index=raw.index)
    out = names.resolve_series(raw, countries)
    assert list(out.index) == list(raw.index)
    expected = [names.resolve(n, i) for n, i in zip(raw, countries, strict=True)]
    assert [None if pd.isna(v) else v for v in out] == expected
    assert expected == ["Timbuktu", "Ségou", None, "Koulikoro", None, "Timbuktu", None]
    match = names.match_series(raw, "MLI")
    assert match.loc["e", "area_code"] == "ML-6"
    assert pd.isna(match.loc["a", "area"])
