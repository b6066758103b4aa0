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

import numpy as np
import pandas as pd

__all__ = ["fold", "fold_series", "squash", "squash_series"]

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
    text = unicodedata.normalize("NFKD", str(name))
    text = unicodedata.normalize("NFKD", text.casefold())
    text = re.sub(_MARKS_RE, "", text).translate(_SPELL_TABLE)
    text = text.translate(_JOINER_TABLE)
    text = re.sub(_OTHER_RE, " ", text)
    return " ".join(text.split())


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
