"""Choosing among the places a name matched, and the result that says how.

The gazetteer's name index (:mod:`geo.reference.place_index`) answers which
places a name could be; :class:`Candidates` holds what the choice needs to
know of every place (country, admin-1 area, point, layer, population) as
plain arrays, and applies the rules in order: the admin-1 hint (a soft
filter), the best fuzzy score, layer precedence, the largest population.
It then writes the :class:`geo.reference.places.GeocodeResult`, listing the
candidates and flagging a name that stays ambiguous.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from geo.reference.names import fold, fold_series
from geo.reference.places import GeocodeResult

__all__ = ["MAX_CANDIDATES", "SAME_PLACE_KM", "Candidates"]

# Candidates closer than this (same country) are one place listed twice, e.g.
# an override that refines a GeoNames town; they do not make a name ambiguous.
SAME_PLACE_KM = 25.0

# Candidates kept on a result; the note gives the full count.
MAX_CANDIDATES = 25


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def _optional_int(value: Any) -> int | None:
    return None if value is None or value is pd.NA else int(value)


class Candidates:
    """The places of a place table, as arrays the choice between candidates reads.

    Parameters
    ----------
    places : pandas.DataFrame
        The normalised internal place table; candidates are its row positions.
    admin1_names : pandas.DataFrame
        ``iso3``, ``admin1``, ``alias`` rows for reconciling admin-1 hints.
    """

    def __init__(self, places: pd.DataFrame, admin1_names: pd.DataFrame) -> None:
        self.name = places["name"].to_numpy(dtype=object)
        self.iso3 = places["iso3"].to_numpy(dtype=object)
        self.admin1 = places["admin1"].to_numpy(dtype=object)
        self.admin1_key = fold_series(places["admin1"]).to_numpy(dtype=object)
        self.lat = places["latitude"].to_numpy(dtype="float64")
        self.lon = places["longitude"].to_numpy(dtype="float64")
        self.precision = places["geo_precision"].fillna(1).to_numpy(dtype="int64")
        self.population = places["population"].to_numpy(dtype=object, na_value=None)
        self.geonameid = places["geonameid"].to_numpy(dtype=object, na_value=None)
        self.source = places["source"].to_numpy(dtype=object)
        self.tier = places["tier"].to_numpy(dtype="int64")
        self.pop_rank = places["population"].fillna(-1).to_numpy(dtype="int64")

        # Admin-1 hints: (iso3, folded alias) -> folded canonical admin-1 name.
        a1 = admin1_names
        self.admin1_alias: dict[tuple[str, str], set[str]] = {}
        if len(a1):
            alias_keys = fold_series(a1["alias"]).tolist()
            canon_keys = fold_series(a1["admin1"]).tolist()
            for iso3, akey, ckey in zip(a1["iso3"].tolist(), alias_keys, canon_keys, strict=True):
                self.admin1_alias.setdefault((iso3, akey), set()).add(ckey)

    def as_dict(self, i: int, scores: Mapping[int, float] | None) -> dict[str, Any]:
        """Candidate ``i`` as listed on a result (with its fuzzy ``score`` when scored)."""
        out = {
            "name": self.name[i],
            "iso3": self.iso3[i],
            "admin1": self.admin1[i],
            "latitude": float(self.lat[i]),
            "longitude": float(self.lon[i]),
            "population": _optional_int(self.population[i]),
            "source": self.source[i],
        }
        if scores is not None:
            out["score"] = scores[i]
        return out

    def admin1_matches(self, rows: list[int], hint: str) -> list[int]:
        """The candidates in the admin-1 area ``hint`` names (folded, or one of its aliases)."""
        hint_key = fold(hint)
        kept = []
        for i in rows:
            canon = self.admin1_alias.get((self.iso3[i], hint_key), {hint_key})
            if self.admin1_key[i] and self.admin1_key[i] in canon:
                kept.append(i)
        return kept

    def distinct_places(self, rows: list[int]) -> int:
        """How many places the candidates are (same country and closer than 25 km: one)."""
        reps: list[int] = []
        for i in rows:
            if not any(
                self.iso3[i] == self.iso3[j]
                and _km(self.lat[i], self.lon[i], self.lat[j], self.lon[j]) < SAME_PLACE_KM
                for j in reps
            ):
                reps.append(i)
        return len(reps)

    def choose(
        self,
        rows: list[int],
        admin1: object,
        deciding: str,
        notes: list[str],
        scores: Mapping[int, float] | None = None,
    ) -> tuple[int, str]:
        """The chosen candidate and the rule that decided.

        In order: the admin-1 hint (a soft filter, ignored when it would
        leave nothing), the best fuzzy score, layer precedence, the largest
        population.
        """
        if admin1 is not None and fold(admin1):
            in_area = self.admin1_matches(rows, str(admin1))
            if in_area:
                if len(in_area) < len(rows):
                    deciding = f"admin1 hint {admin1!s}"
                rows = in_area
            else:
                notes.append(f"admin1 hint {admin1!s} matched no candidate, ignored; ")
        if scores is not None and len(rows) > 1:
            best = max(scores[i] for i in rows)
            top = [i for i in rows if scores[i] == best]
            if len(top) < len(rows):
                deciding = "best fuzzy score"
            rows = top
        if len(rows) > 1:
            best_tier = min(self.tier[i] for i in rows)
            top = [i for i in rows if self.tier[i] == best_tier]
            if len(top) < len(rows):
                deciding = f"precedence ({self.source[top[0]]} over lower layers)"
            rows = top
        if len(rows) > 1:
            rows = sorted(rows, key=lambda i: (-self.pop_rank[i], self.name[i], i))
            deciding = "largest population"
        return rows[0], deciding

    def result(
        self,
        query: str,
        ordered: list[int],
        deciding: str,
        notes: list[str],
        level: str,
        scores: Mapping[int, float] | None,
    ) -> GeocodeResult:
        """The result for candidates ``ordered`` (the chosen one first)."""
        chosen = ordered[0]
        total = len(ordered)
        notes.append(f"{total} candidate(s); chosen by {deciding}")
        if total > MAX_CANDIDATES:
            notes.append(f" (first {MAX_CANDIDATES} listed)")
        return GeocodeResult(
            query=query,
            name=self.name[chosen],
            latitude=float(self.lat[chosen]),
            longitude=float(self.lon[chosen]),
            iso3=self.iso3[chosen],
            admin1=self.admin1[chosen],
            geo_precision=int(self.precision[chosen]),
            source=self.source[chosen],
            geonameid=_optional_int(self.geonameid[chosen]),
            population=_optional_int(self.population[chosen]),
            ambiguous=self.distinct_places(ordered) > 1,
            candidates=[self.as_dict(i, scores) for i in ordered[:MAX_CANDIDATES]],
            note="".join(notes),
            match=level,
        )
