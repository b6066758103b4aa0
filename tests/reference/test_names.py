"""Name folding: spellings of one place meet, different places stay apart."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.reference.names import fold, fold_series, squash, squash_series


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Aguel'hoc", "Aguelhoc"),
        ("Aguel-hoc", "Aguelhoc"),
        ("Aguel’hoc", "aguelhoc"),
        ("Aguelʼhoc", "AGUELHOC"),
        ("Aguel`hoc", "Aguel_hoc"),
        ("Tombouctou ", "tombouctou"),
        ("  TOMBOUCTOU", "Tombouctou"),
        ("Ménaka", "Menaka"),
        ("Rafaḩ", "Rafah"),
        ("Ségou", "SEGOU"),
        ("St. Louis", "St Louis"),
        ("Tin.Zaouatene", "Tinzaouatene"),
        ("Côte d'Ivoire", "cote divoire"),
        ("Straße", "strasse"),
        ("Søderhamn", "Soderhamn"),
        ("Agɛlihɔki", "agelihoki"),
        ("In  Amenas", "in amenas"),
        ("In\tAmenas\n", "In Amenas"),
    ],
)
def test_spellings_fold_alike(a: str, b: str) -> None:
    assert fold(a) == fold(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Gao", "Gaoua"), ("Kidal", "Kida"), ("In Amenas", "Amenas"), ("Mali", "Male")],
)
def test_different_names_stay_apart(a: str, b: str) -> None:
    assert fold(a) != fold(b)


def test_fold_output_shape() -> None:
    assert fold("  Aguel'hoc  (Kidal), MALI ") == "aguelhoc kidal mali"
    assert fold(None) == ""
    assert fold(float("nan")) == ""
    assert fold("'-._") == ""
    assert fold(12) == "12"


def test_squash_drops_spaces() -> None:
    assert squash("Tin Zaouatene") == squash("Tin-Zaouatene") == "tinzaouatene"
    assert fold("Tin Zaouatene") != fold("Tin-Zaouatene")


def test_fold_series_keeps_index_and_missing_values() -> None:
    names = pd.Series(["Aguel'hoc", None, "Ménaka ", pd.NA], index=[5, 3, 9, 1])
    out = fold_series(names)
    assert out.index.tolist() == [5, 3, 9, 1]
    assert out.tolist() == ["aguelhoc", "", "menaka", ""]
    assert str(out.dtype) == "string"
    assert squash_series(pd.Series(["Tin Zaouatene"])).tolist() == ["tinzaouatene"]


_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        # Latin with accents, punctuation, Arabic, spaces: the scripts met here.
        whitelist_categories=("L", "M", "N", "P", "Z", "S"),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_text, max_size=20))
def test_fold_series_equals_scalar_fold(names: list[str]) -> None:
    series = pd.Series(names, dtype="object")
    assert fold_series(series).tolist() == [fold(n) for n in names]


@settings(max_examples=300, deadline=None)
@given(_text)
def test_fold_is_idempotent_and_clean(name: str) -> None:
    key = fold(name)
    assert fold(key) == key
    assert key == key.strip()
    assert "  " not in key
    assert not any(ch in key for ch in "'’-._`")
