"""New incidents' ids in the store's own scheme (MLI0042 after MLI0041).

The one rule both backends number by. When most stored ids are a country
code and a number (three capitals, then digits), a row without an id gets
its country's next number with the store's digit count; rows that have an
id, rows without ``iso3`` and stores of another scheme keep what they have
(the store then gives its own ``GEO-`` ids).

The rule needs only a summary of the stored ids (:class:`IdScheme`): how
many there are, how many are in the scheme, the longest run of digits and
the highest number per country. :func:`scheme_of` counts it from an id
column (the file store, under its lock); the PostGIS store has the server
count it (:func:`geo.io.postgis_sql.id_scheme`, inside the append's
transaction). Both stores number under their lock, so two concurrent
writers get consecutive ids in one scheme.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["PATTERN", "IdScheme", "number_blank", "representatives", "scheme_of"]

# An id in a country's scheme: three capitals, then digits (the SQL side uses the same).
PATTERN = "^[A-Z]{3}[0-9]+$"


@dataclass(frozen=True)
class IdScheme:
    """What numbering in a store's scheme needs to know of its ids.

    Attributes
    ----------
    rows : int
        How many ids the store holds.
    matched : int
        How many of them are in the scheme.
    digits : int
        The longest run of digits among those.
    tops : dict
        Country code -> its highest number.
    """

    rows: int = 0
    matched: int = 0
    digits: int = 0
    tops: dict[str, int] = field(default_factory=dict)

    @property
    def in_use(self) -> bool:
        """Whether most of the store's ids follow the scheme (else new rows are not numbered)."""
        return self.rows > 0 and self.matched / self.rows >= 0.5


def scheme_of(ids: pd.Series) -> IdScheme:
    """The :class:`IdScheme` of an id column (its missing values count as ids not in it)."""
    # Arrow strings: the regex runs in C++, ten times faster than Python's at a million.
    text = ids.astype("string[pyarrow]").fillna("")
    scheme = text[text.str.fullmatch(PATTERN[1:-1]).fillna(False).astype(bool)]
    if not len(scheme):
        return IdScheme(rows=len(text))
    digits = int(scheme.str.len().max()) - 3
    numbers = scheme.str.slice(3)
    # Past 18 digits a number no longer fits int64: Python's ints then (a rare store).
    values = numbers.astype("int64") if digits <= 18 else numbers.astype(object).map(int)
    tops = values.groupby(scheme.str.slice(0, 3).astype(object)).max()
    return IdScheme(len(text), len(scheme), digits, {str(c): int(n) for c, n in tops.items()})


def representatives(scheme: IdScheme) -> pd.Series:
    """One id per country at its highest number, with the store's digits (none off-scheme).

    Numbering against these gives what numbering against every stored id
    gives, for ids of ASCII letters and digits (which is what the scheme is).
    """
    if not scheme.in_use:
        return pd.Series([], dtype="string")
    width = scheme.digits
    return pd.Series([f"{c}{top:0{width}d}" for c, top in scheme.tops.items()], dtype="string")


def number_blank(rows: pd.DataFrame, scheme: IdScheme) -> pd.Series:
    """``event_id`` of ``rows``, blanks given their country's next ids in the scheme.

    >>> new = pd.DataFrame({"event_id": ["", "", "X1"], "iso3": ["MLI", "DZA", "MLI"]})
    >>> number_blank(new, IdScheme(3, 3, 4, {"MLI": 41, "DZA": 1})).tolist()
    ['MLI0042', 'DZA0002', 'X1']
    """
    ids = rows["event_id"].astype("string").fillna("").copy()
    if not scheme.in_use or "iso3" not in rows.columns:
        return ids
    iso3 = rows["iso3"].astype("string").fillna("")
    # One step per country among the new rows (a handful), never per row.
    for code in iso3[(ids == "") & (iso3 != "")].unique():
        todo = (ids == "") & (iso3 == code)
        start = scheme.tops.get(str(code), 0) + 1
        count = int(todo.sum())
        ids[todo] = [f"{code}{k:0{scheme.digits}d}" for k in range(start, start + count)]
    return ids
