"""The gazetteer's name index: every spelling of every place, by match level.

Each place contributes its name and its alternate names; each of those
spellings is keyed at the four levels of :data:`geo.reference.names.MATCH_LEVELS`
(exact fold, without spaces, prefix spellings made one, prefix dropped). The
keys are made once per distinct spelling when the gazetteer loads, then kept
as one dictionary per level from key to the sorted positions of the places
that carry it, so a lookup is a few dictionary reads.

When no level finds a name anywhere, :meth:`NameIndex.fuzzy` scores it with
rapidfuzz against the variant keys of the places in scope (one country, or
all), in one ``process.cdist`` call for a whole batch of names.

Examples
--------
>>> import pandas as pd
>>> from geo.reference.names import name_keys
>>> places = pd.DataFrame({"name": ["Ké-Macina", "Gao"], "alternates": ["", ""],
...                        "iso3": ["MLI", "MLI"]})
>>> index = NameIndex(places)
>>> index.find(name_keys("Macina", query=True), None)
('prefix', [0], [0])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from geo.reference.names import MATCH_LEVELS, NameKeys, name_keys_frame

__all__ = [
    "FUZZY_MIN_LENGTH",
    "FUZZY_THRESHOLD",
    "NameIndex",
]

# Lowest rapidfuzz ``fuzz.ratio`` (0-100, normalised Indel similarity of the
# variant keys) a fuzzy candidate needs. Chosen on Natural Earth's places with
# generated misspellings (``scripts/gazetteer_coverage.py --fuzzy``): see
# data/gazetteer/README.md, "Fuzzy matching".
FUZZY_THRESHOLD = 85.0
# Shorter keys are never matched fuzzily: one letter is too large a share.
FUZZY_MIN_LENGTH = 5
# Rows of one cdist call: bounds the score matrix (uint8) of a batch.
_FUZZY_CHUNK = 128


class _Groups:
    """Keys and the sorted distinct positions each occurs at, in flat arrays.

    ``keys[g]`` occurs at ``positions[offsets[g]:offsets[g + 1]]``; ``group``
    maps a key to its ``g``. Built with integer sorts only (no Python loop
    per row), as a dictionary of lists would cost far more on every load.
    """

    def __init__(self, keys: np.ndarray, positions: np.ndarray) -> None:
        codes, uniques = pd.factorize(keys)
        uniques = np.asarray(uniques, dtype=object)
        keep = codes >= 0
        if len(uniques):
            keep &= uniques[np.maximum(codes, 0)] != ""
        width = int(positions.max()) + 1 if len(positions) else 1
        pairs = np.unique(codes[keep].astype("int64") * width + positions[keep])
        code, self.positions = pairs // width, pairs % width
        starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]]) if len(pairs) else pairs
        self.offsets = np.r_[starts, len(pairs)].astype("int64")
        self.keys: list[str] = uniques[code[starts]].tolist()
        self.group = dict(zip(self.keys, range(len(self.keys)), strict=True))

    def __contains__(self, key: str) -> bool:
        return key in self.group

    def get(self, key: str) -> list[int]:
        """Positions of ``key`` (empty when absent)."""
        g = self.group.get(key)
        if g is None:
            return []
        return self.positions[self.offsets[g] : self.offsets[g + 1]].tolist()

    def at(self, g: int) -> np.ndarray:
        """Positions of the ``g``-th key."""
        return self.positions[self.offsets[g] : self.offsets[g + 1]]


class NameIndex:
    """Spellings of the places of a place table, keyed per match level.

    Parameters
    ----------
    places : pandas.DataFrame
        At least ``name``, ``alternates`` (``|``-joined) and ``iso3``;
        positions in the index are row positions in this table.
    """

    def __init__(self, places: pd.DataFrame) -> None:
        alts = places["alternates"].astype("string").fillna("").str.split("|").explode()
        alts = alts[alts.str.strip() != ""]
        names = pd.concat([places["name"].astype("string"), alts])
        positions = np.r_[np.arange(len(places)), alts.index.to_numpy(dtype="int64")]
        keys = name_keys_frame(names.reset_index(drop=True))
        self._levels = {
            level: _Groups(keys[level].to_numpy(dtype=object), positions) for level in MATCH_LEVELS
        }
        self._iso3 = places["iso3"].astype("string").fillna("").to_numpy(dtype=object)
        self._variant = keys["variant"].to_numpy(dtype=object)
        self._positions = positions
        self._choices: dict[str | None, _Groups] = {}

    def find(self, keys: NameKeys, iso3: str | None) -> tuple[str, list[int], list[int]]:
        """The first level whose key finds places in scope.

        Returns
        -------
        tuple
            ``(level, in_scope, at_level)``: the level's name, the positions
            of its places in ``iso3`` (all places when None) and of all its
            places, whatever their country. ``("", [], [])`` when no level
            finds a place in scope.
        """
        for level, key in zip(MATCH_LEVELS, keys, strict=True):
            rows = self._levels[level].get(key) if key else []
            if not rows:
                continue
            in_scope = rows if iso3 is None else [i for i in rows if self._iso3[i] == iso3]
            if in_scope:
                return level, in_scope, rows
        return "", [], []

    def known(self, keys: NameKeys) -> bool:
        """True when some level finds the name in some country."""
        return any(
            key and key in self._levels[level]
            for level, key in zip(MATCH_LEVELS, keys, strict=True)
        )

    def _scope_choices(self, iso3: str | None) -> _Groups:
        """Distinct variant keys of the places in scope and the places of each."""
        if iso3 not in self._choices:
            mask = self._variant != ""
            if iso3 is not None:
                mask &= self._iso3[self._positions] == iso3
            self._choices[iso3] = _Groups(self._variant[mask], self._positions[mask])
        return self._choices[iso3]

    def fuzzy(
        self, queries: Sequence[str], iso3: str | None, threshold: float = FUZZY_THRESHOLD
    ) -> list[dict[int, float]]:
        """Fuzzy candidates of variant keys: ``{position: score}`` per query.

        Every place of the scope (country ``iso3``, or all) one of whose
        spellings scores at least ``threshold`` with ``fuzz.ratio`` is a
        candidate, with its best score. Queries shorter than
        :data:`FUZZY_MIN_LENGTH` get none. The whole batch is scored in
        ``process.cdist`` calls of at most ``_FUZZY_CHUNK`` queries.
        """
        out: list[dict[int, float]] = [{} for _ in queries]
        choices = self._scope_choices(iso3)
        todo = [i for i, q in enumerate(queries) if len(q) >= FUZZY_MIN_LENGTH]
        if not choices.keys or not todo:
            return out
        for start in range(0, len(todo), _FUZZY_CHUNK):
            chunk = todo[start : start + _FUZZY_CHUNK]
            scores = process.cdist(
                [queries[i] for i in chunk],
                choices.keys,
                scorer=fuzz.ratio,
                score_cutoff=threshold,
                dtype=np.float32,
            )
            for row, col in zip(*np.nonzero(scores), strict=True):
                found = out[chunk[row]]
                score = round(float(scores[row, col]), 1)
                for pos in choices.at(col).tolist():
                    found[pos] = max(found.get(pos, 0.0), score)
        return out
