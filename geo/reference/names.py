"""Name folding: one spelling-insensitive key per place name.

Reports, GeoNames and analysts spell the same place differently
("Aguel'hoc", "Aguelhok", "Aguel-hoc", "Tombouctou ", "TOMBOUCTOU").
:func:`fold` maps a name to a key that ignores case, accents and the
punctuation that transliterations disagree on, so those spellings can meet in
a dictionary. :func:`fold_series` does the same to a whole column, folding each distinct name
once, and :func:`squash` drops the spaces as well for a looser second-chance
match ("Tin-Zaouatene" against "Tin Zaouatene").

The rules, applied in this order:

1. Unicode NFKD decomposition (compatibility forms such as ligatures and
   mathematical letters become plain letters), ``str.casefold`` (ß -> ss),
   NFKD again (casefolding can yield decomposable letters), combining marks removed
   ("Ménaka" -> "Menaka", "Rafaḩ" -> "Rafah"; Latin, Greek, Cyrillic,
   Hebrew and Arabic mark blocks).
2. Letters NFKD does not decompose are spelled out (ø -> o, æ -> ae,
   ł -> l, đ -> d, ...).
3. Joining marks vanish: apostrophes and their look-alikes (``' ’ ‘ ʼ ʻ ʿ ʾ ` ´``),
   hyphens and dashes, dots and underscores. "Aguel'hoc", "Aguel-hoc" and
   "Aguelhoc" all become "aguelhoc".
4. Any other character that is not a letter or a digit becomes a space
   (commas, brackets, slashes).
5. Whitespace is collapsed to single spaces and trimmed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "MATCH_LEVELS",
    "NameKeys",
    "fold",
    "fold_series",
    "fold_words",
    "name_keys",
    "name_keys_frame",
    "squash",
    "squash_series",
]

# Apostrophe-like marks, hyphens/dashes, dots and underscores: removed, so a
# transliteration that joins syllables with any of them folds like one that
# writes them together.
_JOINERS = (
    "'\u2019\u2018\u02bc\u02bb\u02bf\u02be`\u00b4\u2032"  # apostrophe look-alikes
    "-\u2010\u2011\u2012\u2013\u2014\u2212"  # hyphens and dashes
    "._"
)

# Latin letters that NFKD leaves whole (they are not base letter + mark).
_SPELL_OUT = {
    "ø": "o",
    "Ø": "o",
    "æ": "ae",
    "Æ": "ae",
    "œ": "oe",
    "Œ": "oe",
    "ł": "l",
    "Ł": "l",
    "đ": "d",
    "Đ": "d",
    "ð": "d",
    "Ð": "d",
    "þ": "th",
    "Þ": "th",
    "ı": "i",
    "ħ": "h",
    "Ħ": "h",
    "ŧ": "t",
    "Ŧ": "t",
    "ɛ": "e",
    "Ɛ": "e",
    "ɔ": "o",
    "Ɔ": "o",
    "ŋ": "ng",
    "Ŋ": "ng",
}
_SPELL_TABLE = str.maketrans(_SPELL_OUT)
_JOINER_TABLE = str.maketrans(dict.fromkeys(_JOINERS, ""))
# For variant keys hyphens separate words ("Ké-Macina" is "ke macina"), so a
# prefix joined by a hyphen can be recognised; the other joiners still vanish.
_HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_HYPHEN_SET = frozenset(_HYPHENS)
_WORD_JOINER_TABLE = str.maketrans({**dict.fromkeys(_JOINERS, ""), **dict.fromkeys(_HYPHENS, " ")})

# Combining marks of the scripts a gazetteer of the Sahel and the Middle East
# meets (Latin/Greek/Cyrillic diacritics, Hebrew points, Arabic harakat). One
# explicit list serves both the scalar and the vectorized fold so they agree.
_MARKS_RE = (
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8"
    "\u06ea-\u06ed\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)
# \w matches letters, digits and underscore in any script; underscore is
# already gone when this runs, so "not \w" is "neither letter nor digit".
_OTHER_RE = r"[^\w\s]"
_MARKS = re.compile(_MARKS_RE)
_OTHER = re.compile(_OTHER_RE)


def _base_fold(text: str) -> str:
    """Rules 1 and 2: decomposed, casefolded, marks removed, letters spelled out."""
    text = unicodedata.normalize("NFKD", text)
    text = unicodedata.normalize("NFKD", text.casefold())
    return _MARKS.sub("", text).translate(_SPELL_TABLE)


def _finish_fold(text: str, joiners: dict[int, Any]) -> str:
    """Rules 3 to 5, with the joiners removed or turned into spaces."""
    text = _OTHER.sub(" ", text.translate(joiners))
    return " ".join(text.split())


def fold(name: object) -> str:
    """Fold a place name to its matching key.

    Parameters
    ----------
    name : object
        The name. ``None`` and NaN fold to ``""``; other non-strings are
        converted with ``str``.

    Returns
    -------
    str
        Case-, accent- and punctuation-insensitive key; ``""`` when nothing
        is left.

    Examples
    --------
    >>> fold("Aguel'hoc") == fold("Aguel-hoc") == fold("Aguelhoc")
    True
    >>> fold("  Tombouctou ")
    'tombouctou'
    >>> fold("Ménaka")
    'menaka'
    """
    if name is None or (isinstance(name, float) and name != name):
        return ""
    return _finish_fold(_base_fold(str(name)), _JOINER_TABLE)


def squash(name: object) -> str:
    """Fold a name and drop its spaces ("Tin Zaouatene" -> "tinzaouatene")."""
    return fold(name).replace(" ", "")


def fold_series(names: pd.Series) -> pd.Series:
    """Fold a whole column of names (each distinct value folded once).

    Parameters
    ----------
    names : pandas.Series
        Names; missing values fold to ``""``.

    Returns
    -------
    pandas.Series
        String dtype, same index as ``names``; element-wise equal to
        :func:`fold`.
    """
    # Each distinct name is folded once with :func:`fold` itself. Pandas'
    # string methods can run on pyarrow, whose Unicode tables are newer than
    # Python's, so a regex pipeline there disagrees with ``fold`` on recently
    # added characters; folding the uniques keeps one definition.
    text = names.astype("string").fillna("")
    codes, uniques = pd.factorize(text)
    folded = np.array([fold(u) for u in uniques] + [""], dtype=object)
    return pd.Series(folded[codes], index=names.index, dtype="string")


def squash_series(names: pd.Series) -> pd.Series:
    """Vectorized :func:`squash`: folded names without spaces."""
    return fold_series(names).str.replace(" ", "", regex=False)


def fold_words(name: object) -> str:
    """Like :func:`fold`, but hyphens separate words instead of vanishing.

    Examples
    --------
    >>> fold_words("I-n-Tillit"), fold("I-n-Tillit")
    ('i n tillit', 'intillit')
    """
    if name is None or (isinstance(name, float) and name != name):
        return ""
    return _finish_fold(_base_fold(str(name)), _WORD_JOINER_TABLE)


# --------------------------------------------------------------------------
# Variant keys: prefixes and articles
#
# Reports and GeoNames disagree on the prefixes of Sahelian and Arabic place
# names: the Arabic article ("El Minya", "Al Minya", "Minya"; assimilated
# before sun letters: "As Sulaymaniyah", "Ad Dakhla", "Ech Chelif"), the
# Tamasheq "in"/"tin" ("I-n-Tillit", "In Tillit", "Tillit"), the Bambara /
# Fulfulde "Ké" ("Ké-Macina", "Macina") and "Ouro"/"Wuro" ("village of"),
# and the Tuareg "Kel" ("people of"). Two keys come out of them, on the
# hyphen-as-space fold (:func:`fold_words`), with spaces then removed:
#
# - the *variant* key writes every spelling of a prefix one way ("el", "al",
#   "ech", "as" + s... -> "al"; "wuro" -> "ouro"), so "El Minya" meets
#   "Al Minya" and "Wuro Modi" meets "Ouro Modi";
# - the *prefix* key drops the prefix, so "Macina" meets "Ké-Macina" and
#   "El Minya" meets "Minya". A match on it is flagged: the prefix may matter.
#
# A prefix is only taken as one when a word of at least two letters follows.

# Assimilated article: vowel + the sun letter(s) the next word starts with.
_SUN_ARTICLE = re.compile(r"^[ae](sh|ch|dh|th|[dnrstz]) (?=\1\w)")
_PREFIX_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^[ae]l (?=\w\w)"), "al "),
    (_SUN_ARTICLE, "al "),
    (re.compile(r"^(?:ouro|ourou|wuro|wouro|wuuro) (?=\w\w)"), "ouro "),
    (re.compile(r"^kel (?=\w\w)"), "kel "),
    (re.compile(r"^ke (?=\w\w)"), "ke "),
    (re.compile(r"^(?:i n|in) (?=\w\w)"), "in "),
    (re.compile(r"^(?:ti n|tin) (?=\w\w)"), "tin "),
)
# Prefixes a *query* does not lose: "In Kidal" and "Tin" open English and
# French sentences far more often than they spell a Tamasheq name that a
# gazetteer lists bare. (GeoNames' own "I-n-Tillit" still meets "Tillit":
# the prefix is dropped on the gazetteer's side.)
_KEPT_BY_QUERIES = 2

# Match levels, strictest first. ``exact``: the folded name or an alternate;
# ``spacing``: the same without spaces; ``variant``: prefix spellings made
# one; ``prefix``: a prefix or article dropped on either side.
MATCH_LEVELS = ("exact", "spacing", "variant", "prefix")


class NameKeys(NamedTuple):
    """The keys of one name, one per level of :data:`MATCH_LEVELS`."""

    exact: str
    spacing: str
    variant: str
    prefix: str


def _prefix_rule(words: str, rules: int) -> tuple[re.Match[str], str] | None:
    for pattern, canonical in _PREFIX_RULES[: len(_PREFIX_RULES) - rules]:
        found = pattern.match(words)
        if found:
            return found, canonical
    return None


@lru_cache(maxsize=262_144)
def _keys(name: str, query: bool) -> NameKeys:
    # Cached: the shipped index's ~45,000 names are keyed on every load.
    base = _base_fold(name)
    exact = _finish_fold(base, _JOINER_TABLE)
    words = exact if _HYPHEN_SET.isdisjoint(base) else _finish_fold(base, _WORD_JOINER_TABLE)
    # Every prefix rule needs a space after the prefix.
    rule = _prefix_rule(words, _KEPT_BY_QUERIES if query else 0) if " " in words else None
    if rule is None:
        variant = bare = words
    else:
        found, canonical = rule
        variant = canonical + words[found.end() :]
        bare = words[found.end() :]
    return NameKeys(exact, exact.replace(" ", ""), variant.replace(" ", ""), bare.replace(" ", ""))


def name_keys(name: object, query: bool = False) -> NameKeys:
    """The match keys of a name.

    Parameters
    ----------
    name : object
        The name (``None`` and NaN give empty keys).
    query : bool
        True for a name being looked up: it keeps a leading "in"/"tin"
        (see ``_KEPT_BY_QUERIES``); a gazetteer's name drops it.

    Examples
    --------
    >>> name_keys("Ké-Macina")
    NameKeys(exact='kemacina', spacing='kemacina', variant='kemacina', prefix='macina')
    >>> name_keys("El Minya").variant == name_keys("Al-Minya").variant
    True
    >>> name_keys("As Sulaymaniyah").prefix
    'sulaymaniyah'
    """
    if name is None or (isinstance(name, float) and name != name):
        return NameKeys("", "", "", "")
    return _keys(str(name), query)


def name_keys_frame(names: pd.Series, query: bool = False) -> pd.DataFrame:
    """:func:`name_keys` of a column: one column per level, each distinct name keyed once.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MATCH_LEVELS` (object dtype), same index as ``names``.
    """
    text = names.astype("string").fillna("")
    codes, uniques = pd.factorize(text)
    rows = [_keys(u, query) for u in np.asarray(uniques, dtype=object).tolist()]
    rows.append(NameKeys("", "", "", ""))
    # One object array per level (np.array over the tuples would be slower).
    columns = {
        level: np.array(values, dtype=object)[codes]
        for level, values in zip(MATCH_LEVELS, zip(*rows, strict=True), strict=True)
    }
    return pd.DataFrame(columns, index=names.index)
