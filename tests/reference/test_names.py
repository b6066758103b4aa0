"""Name folding: spellings of one place meet, different places stay apart."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.reference.names import (
    MATCH_LEVELS,
    NameKeys,
    fold,
    fold_series,
    fold_words,
    name_keys,
    name_keys_frame,
    squash,
    squash_series,
)


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


# -- variant keys: prefixes and articles --------------------------------------------


def test_fold_words_keeps_hyphens_as_word_breaks() -> None:
    assert fold_words("I-n-Tillit") == "i n tillit"
    assert fold_words("Ké-Macina") == "ke macina"
    assert fold_words("Aguel'hoc") == "aguelhoc"  # other joiners still vanish
    assert fold_words(None) == ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("El Minya", "Al Minya"),
        ("El-Minya", "Al Minya"),
        ("Ech Chelif", "El Chelif"),
        ("Ed Damer", "Ad Damer"),
        ("Es Sider", "As Sider"),
        ("As Sulaymaniyah", "Al Sulaymaniyah"),
        ("Az Zawiyah", "Ez-Zawiyah"),
        ("Ad Dakhla", "Al-Dakhla"),
        ("An Nabk", "En Nabk"),
        ("Ash Shamaliyah", "Al Shamaliyah"),
        ("Wuro Modi", "Ouro Modi"),
        ("Wouro Modi", "Ouro-Modi"),
        ("I-n-Tillit", "In Tillit"),
        ("Ti-n-Essako", "Tin Essako"),
    ],
)
def test_prefix_spellings_share_the_variant_key(a: str, b: str) -> None:
    assert name_keys(a).variant == name_keys(b).variant
    assert name_keys(a, query=True).variant == name_keys(b, query=True).variant


@pytest.mark.parametrize(
    ("prefixed", "bare"),
    [
        ("Ké-Macina", "Macina"),
        ("Ke Macina", "Macina"),
        ("Kel Essouk", "Essouk"),
        ("I-n-Tillit", "Tillit"),
        ("In Tillit", "Tillit"),
        ("Ti-n-Essako", "Essako"),
        ("Tin-Zaouatene", "Zaouatene"),
        ("Ouro Modi", "Modi"),
        ("El Minya", "Minya"),
        ("As Sulaymaniyah", "Sulaymaniyah"),
        ("Ad-Dakhla", "Dakhla"),
    ],
)
def test_prefix_key_drops_the_prefix(prefixed: str, bare: str) -> None:
    assert name_keys(prefixed).prefix == name_keys(bare).prefix == squash(bare)


@pytest.mark.parametrize(
    "name",
    [
        "As Mara",  # "as" before a word not starting with s: not an assimilated article
        "An Loc",
        "Ad Nabk",
        "Algiers",  # no word break after "al"
        "Intillit",
        "Kel A",  # a prefix needs a word of two letters after it
        "Gao",
    ],
)
def test_words_that_only_look_like_prefixes_stay(name: str) -> None:
    keys = name_keys(name)
    assert keys.variant == keys.prefix == squash(name)


def test_queries_keep_tamasheq_in_and_tin() -> None:
    assert name_keys("In Kidal").prefix == "kidal"  # a gazetteer name drops it
    assert name_keys("In Kidal", query=True).prefix == "inkidal"  # a query keeps it
    assert name_keys("Tin Zaouatene", query=True).prefix == "tinzaouatene"
    assert name_keys("El Minya", query=True).prefix == "minya"


def test_name_keys_levels_and_empty_names() -> None:
    keys = name_keys("In  Amenas")
    assert keys == NameKeys("in amenas", "inamenas", "inamenas", "amenas")
    assert keys._fields == MATCH_LEVELS
    assert name_keys(None) == name_keys(float("nan")) == NameKeys("", "", "", "")


@settings(max_examples=200, deadline=None)
@given(st.lists(_text, max_size=20), st.booleans())
def test_name_keys_frame_equals_scalar_keys(names: list[str], query: bool) -> None:
    frame = name_keys_frame(pd.Series(names, dtype="object"), query=query)
    assert frame.columns.tolist() == list(MATCH_LEVELS)
    assert [tuple(r) for r in frame.itertuples(index=False)] == [
        tuple(name_keys(n, query=query)) for n in names
    ]


@settings(max_examples=200, deadline=None)
@given(_text, st.booleans())
def test_keys_are_folded_and_nested(name: str, query: bool) -> None:
    keys = name_keys(name, query=query)
    assert keys.exact == fold(name)
    assert keys.spacing == squash(name)
    assert " " not in keys.variant + keys.prefix
    # A prefix key is the end of the variant key: only a leading prefix goes.
    assert keys.variant.endswith(keys.prefix)
