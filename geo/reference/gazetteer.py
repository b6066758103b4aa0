"""Place names to coordinates, offline first.

A :class:`Gazetteer` answers "where is Tessalit?" from three layers of
places, in this order of precedence:

1. analyst overrides (``data/places.csv``): places GeoNames lacks (massifs,
   gas plants, causeways) or where analysts fix a point; every row cites the
   published source of its coordinates;
2. user gazetteers: CSV files an analyst brings (an OCHA populated-places
   export, a project list), in the order they were added;
3. GeoNames populated places of the covered countries plus one point per
   country (``data/gazetteer/places.csv``, built by
   ``scripts/build_gazetteer.py``).

Names are matched on their :func:`geo.reference.names.fold` key (case, accents,
apostrophes and hyphens ignored), then on the key without spaces. When a
name matches several places the choice is made, in order, by the country
hint (a hard filter), the admin-1 hint (a soft filter, ignored when it would
leave nothing), the layer precedence above, and the largest population; the
result says which rule decided and lists the candidates.

Online geocoding (:mod:`geo.reference.geocoders`) is a last resort used only when an
enabled :class:`geo.reference.geocoders.OnlineGeocoder` is passed in.

Examples
--------
>>> gaz = load_gazetteer()
>>> r = gaz.lookup("Tessalit")
>>> (round(r.latitude, 2), round(r.longitude, 2), r.iso3, r.admin1)
(20.2, 1.01, 'MLI', 'Kidal')
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo import config
from geo.reference.countries import COUNTRY_ALIASES, country_keys, resolve_country
from geo.reference.geocoders import OnlineGeocoder, OnlineGeocodingError
from geo.reference.names import fold, fold_series, squash
from geo.reference.place_files import (
    GazetteerError,
    load_overrides,
    load_user_gazetteer,
    read_admin1_names,
    read_index,
)
from geo.reference.places import (
    PLACE_COLUMNS,
    RESULT_COLUMNS,
    TIER_GEONAMES,
    TIER_OVERRIDE,
    GeocodeResult,
    normalise_places,
    result_dtypes,
    result_record,
)

# COUNTRY_ALIASES, GazetteerError, GeocodeResult, load_overrides,
# load_user_gazetteer and resolve_country live in the modules below this one
# (so the online geocoders can share them); they stay importable from here,
# the gazetteer's front door.
__all__ = [
    "ADMIN1_NAMES_FILE",
    "ALWAYS_LABEL",
    "COUNTRY_ALIASES",
    "GazetteerError",
    "GeocodeResult",
    "Gazetteer",
    "load_gazetteer",
    "load_overrides",
    "load_user_gazetteer",
    "resolve_country",
]

ADMIN1_NAMES_FILE = config.GAZETTEER_DIR / "admin1_names.csv"

# Candidates closer than this (same country) are one place listed twice, e.g.
# an override that refines a GeoNames town; they do not make a name ambiguous.
SAME_PLACE_KM = 25.0

# Candidates kept on a result; the note gives the full count.
MAX_CANDIDATES = 25

# Towns the reports name: always labelled on maps whatever their population.
ALWAYS_LABEL: tuple[tuple[str, str], ...] = (
    ("Bamako", "MLI"),
    ("Gao", "MLI"),
    ("Kidal", "MLI"),
    ("Tessalit", "MLI"),
    ("Aguelhok", "MLI"),
    ("Timbuktu", "MLI"),
    ("Ménaka", "MLI"),
    ("Douentza", "MLI"),
    ("Mopti", "MLI"),
    ("Bourem", "MLI"),
    ("Ansongo", "MLI"),
    ("In Amenas", "DZA"),
)


# --------------------------------------------------------------------------
# The gazetteer


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def _ask_online(
    online: OnlineGeocoder | None, query: str, iso3: str | None
) -> GeocodeResult | None:
    """Last resort: an enabled online geocoder; its failures warn and give None."""
    if online is None or not online.enabled:
        return None
    try:
        return online.geocode(query, country=iso3)
    except OnlineGeocodingError as exc:
        warnings.warn(f"online geocoding of {query!r} failed: {exc}", stacklevel=3)
        return None


def _group_positions(keys: np.ndarray, positions: np.ndarray) -> dict[str, np.ndarray]:
    """Map each key to the sorted unique positions it occurs at (no Python loop per row)."""
    pairs = pd.DataFrame({"k": keys, "p": positions}).drop_duplicates()
    pairs = pairs.sort_values(["k", "p"], kind="stable")
    sorted_keys = pairs["k"].to_numpy(dtype=object)
    if len(sorted_keys) == 0:
        return {}
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    groups = np.split(pairs["p"].to_numpy(dtype="int64"), starts[1:])
    return dict(zip(sorted_keys[starts].tolist(), groups, strict=True))


def _optional_int(value: Any) -> int | None:
    return None if value is None or value is pd.NA else int(value)


class Gazetteer:
    """Offline place lookup over overrides, user gazetteers and GeoNames.

    Build one with :func:`load_gazetteer`; the constructor takes the
    internal place tables directly (used by tests).

    Parameters
    ----------
    places : pandas.DataFrame
        Internal place table (see ``PLACE_COLUMNS``); several layers may be
        concatenated, the ``tier`` column ranks them.
    admin1_names : pandas.DataFrame, optional
        ``iso3``, ``admin1``, ``alias`` rows for reconciling admin-1 hints.
    """

    def __init__(self, places: pd.DataFrame, admin1_names: pd.DataFrame | None = None) -> None:
        missing = [c for c in PLACE_COLUMNS if c not in places.columns]
        if missing:
            raise GazetteerError(f"place table lacks columns {missing}")
        self._places = normalise_places(places).reset_index(drop=True)
        self._admin1_names = (
            admin1_names
            if admin1_names is not None
            else pd.DataFrame({"iso3": [], "admin1": [], "alias": []}, dtype="string")
        )
        self._build()

    # -- index ---------------------------------------------------------------

    def _build(self) -> None:
        places = self._places
        alts = places["alternates"].str.split("|").explode()
        names = pd.concat([places["name"], alts[alts.fillna("").str.strip() != ""]])
        keys = fold_series(names)
        positions = names.index.to_numpy(dtype="int64")
        keep = (keys != "").to_numpy(dtype=bool)
        self._index = _group_positions(keys.to_numpy(dtype=object)[keep], positions[keep])
        skeys = keys.str.replace(" ", "", regex=False).to_numpy(dtype=object)
        self._squash_index = _group_positions(skeys[keep], positions[keep])
        # Column arrays for fast per-candidate access in lookup().
        self._name = places["name"].to_numpy(dtype=object)
        self._iso3 = places["iso3"].to_numpy(dtype=object)
        self._admin1 = places["admin1"].to_numpy(dtype=object)
        self._admin1_key = fold_series(places["admin1"]).to_numpy(dtype=object)
        self._lat = places["latitude"].to_numpy(dtype="float64")
        self._lon = places["longitude"].to_numpy(dtype="float64")
        self._precision = places["geo_precision"].fillna(1).to_numpy(dtype="int64")
        self._population = places["population"].to_numpy(dtype=object, na_value=None)
        self._geonameid = places["geonameid"].to_numpy(dtype=object, na_value=None)
        self._source = places["source"].to_numpy(dtype=object)
        self._tier = places["tier"].to_numpy(dtype="int64")
        self._pop_rank = places["population"].fillna(-1).to_numpy(dtype="int64")

        # Country hints: countries of the index by their names as well.
        self._country_keys = dict(country_keys())
        pcli = places[places["feature_code"] == "PCLI"]
        for _, row in pcli.iterrows():  # one row per covered country
            for value in [row["name"], *str(row["alternates"]).split("|")]:
                if squash(value):
                    self._country_keys[squash(value)] = str(row["iso3"])

        # Admin-1 hints: (iso3, folded alias) -> folded canonical admin-1 name.
        a1 = self._admin1_names
        self._admin1_alias: dict[tuple[str, str], set[str]] = {}
        if len(a1):
            alias_keys = fold_series(a1["alias"]).tolist()
            canon_keys = fold_series(a1["admin1"]).tolist()
            for iso3, akey, ckey in zip(a1["iso3"].tolist(), alias_keys, canon_keys, strict=True):
                self._admin1_alias.setdefault((iso3, akey), set()).add(ckey)

    @property
    def places(self) -> pd.DataFrame:
        """A copy of the place table (all layers)."""
        return self._places.copy()

    def __len__(self) -> int:
        return len(self._places)

    def country_iso3(self, value: object) -> str | None:
        """ISO3 of a country hint (ISO2, ISO3 or a name the index knows)."""
        key = squash(value)
        return self._country_keys.get(key) if key else None

    def add_user(self, source: pd.DataFrame | Path | str, **options: Any) -> Gazetteer:
        """Add a user gazetteer layer below the overrides and above GeoNames.

        Parameters
        ----------
        source : DataFrame or path-like
            A table from :func:`load_user_gazetteer`, or a CSV path read with
            it (``options`` are passed on: ``name_col``, ``lat_col``, ...).

        Returns
        -------
        Gazetteer
            ``self``, changed in place; files added earlier take precedence
            over later ones. Do not mutate a gazetteer shared through a
            cache: pass ``user_files`` to :func:`load_gazetteer` instead.
        """
        table = (
            source if isinstance(source, pd.DataFrame) else load_user_gazetteer(source, **options)
        )
        user_tiers = self._places["tier"][
            (self._places["tier"] > TIER_OVERRIDE) & (self._places["tier"] < TIER_GEONAMES)
        ]
        table = table.copy()
        table["tier"] = int(user_tiers.max()) + 1 if len(user_tiers) else 1
        self._places = pd.concat([self._places, normalise_places(table)], ignore_index=True)
        self._build()
        return self

    # -- lookup --------------------------------------------------------------

    def _candidates(self, name: object) -> tuple[np.ndarray, str]:
        key = fold(name)
        if not key:
            return np.empty(0, dtype="int64"), ""
        rows = self._index.get(key)
        if rows is not None:
            return rows, ""
        rows = self._squash_index.get(squash(name))
        if rows is not None:
            return rows, "matched ignoring spaces; "
        return np.empty(0, dtype="int64"), ""

    def _candidate_dict(self, i: int) -> dict[str, Any]:
        return {
            "name": self._name[i],
            "iso3": self._iso3[i],
            "admin1": self._admin1[i],
            "latitude": float(self._lat[i]),
            "longitude": float(self._lon[i]),
            "population": _optional_int(self._population[i]),
            "source": self._source[i],
        }

    def _admin1_matches(self, rows: list[int], hint: str) -> list[int]:
        hint_key = fold(hint)
        kept = []
        for i in rows:
            canon = self._admin1_alias.get((self._iso3[i], hint_key), {hint_key})
            if self._admin1_key[i] and self._admin1_key[i] in canon:
                kept.append(i)
        return kept

    def _distinct_places(self, rows: list[int]) -> int:
        reps: list[int] = []
        for i in rows:
            if not any(
                self._iso3[i] == self._iso3[j]
                and _km(self._lat[i], self._lon[i], self._lat[j], self._lon[j]) < SAME_PLACE_KM
                for j in reps
            ):
                reps.append(i)
        return len(reps)

    def lookup(
        self,
        name: object,
        country: object = None,
        admin1: object = None,
        online: OnlineGeocoder | None = None,
    ) -> GeocodeResult | None:
        """Geocode one place name.

        Parameters
        ----------
        name : str
            The place name as written in the report.
        country : str, optional
            ISO2, ISO3 or country name; candidates of other countries are
            dropped. An unrecognised hint is ignored (and said so in the note).
        admin1 : str, optional
            Admin-1 hint, reconciled by folding and the admin-1 aliases
            ("Tombouctou" finds "Timbuktu"); ignored when no candidate is in it.
        online : OnlineGeocoder, optional
            Asked only when nothing offline matches and it is enabled.

        Returns
        -------
        GeocodeResult or None
            None when nothing matched.
        """
        query = "" if name is None else str(name)
        rows_arr, how = self._candidates(query)
        notes: list[str] = [how] if how else []
        rows, iso3 = self._in_country([int(i) for i in rows_arr], country, notes)
        if not rows:
            return _ask_online(online, query, iso3)
        deciding = "single match"
        if iso3 is not None and len(rows) < len(rows_arr):
            deciding = f"country {iso3}"
        chosen, deciding = self._choose(rows, admin1, deciding, notes)
        # Every candidate of the country is listed, even those the admin-1
        # hint set aside: the analyst sees what else the name could be.
        ordered = [chosen] + [i for i in rows if i != chosen]
        return self._result(query, ordered, deciding, notes)

    def _in_country(
        self, rows: list[int], country: object, notes: list[str]
    ) -> tuple[list[int], str | None]:
        """Candidates in the hinted country (a hard filter), and that country's ISO3."""
        if country is None or not fold(country):
            return rows, None
        iso3 = self.country_iso3(country)
        if iso3 is None:
            notes.append(f"country hint {country!s} not recognised, ignored; ")
            return rows, None
        return [i for i in rows if self._iso3[i] == iso3], iso3

    def _choose(
        self, rows: list[int], admin1: object, deciding: str, notes: list[str]
    ) -> tuple[int, str]:
        """The chosen candidate and the rule that decided.

        In order: the admin-1 hint (a soft filter, ignored when it would
        leave nothing), layer precedence, the largest population.
        """
        if admin1 is not None and fold(admin1):
            in_area = self._admin1_matches(rows, str(admin1))
            if in_area:
                if len(in_area) < len(rows):
                    deciding = f"admin1 hint {admin1!s}"
                rows = in_area
            else:
                notes.append(f"admin1 hint {admin1!s} matched no candidate, ignored; ")
        if len(rows) > 1:
            best_tier = min(self._tier[i] for i in rows)
            top = [i for i in rows if self._tier[i] == best_tier]
            if len(top) < len(rows):
                deciding = f"precedence ({self._source[top[0]]} over lower layers)"
            rows = top
        if len(rows) > 1:
            rows = sorted(rows, key=lambda i: (-self._pop_rank[i], self._name[i], i))
            deciding = "largest population"
        return rows[0], deciding

    def _result(
        self, query: str, ordered: list[int], deciding: str, notes: list[str]
    ) -> GeocodeResult:
        """The result for candidates ``ordered`` (the chosen one first)."""
        chosen = ordered[0]
        total = len(ordered)
        notes.append(f"{total} candidate(s); chosen by {deciding}")
        if total > MAX_CANDIDATES:
            notes.append(f" (first {MAX_CANDIDATES} listed)")
        return GeocodeResult(
            query=query,
            name=self._name[chosen],
            latitude=float(self._lat[chosen]),
            longitude=float(self._lon[chosen]),
            iso3=self._iso3[chosen],
            admin1=self._admin1[chosen],
            geo_precision=int(self._precision[chosen]),
            source=self._source[chosen],
            geonameid=_optional_int(self._geonameid[chosen]),
            population=_optional_int(self._population[chosen]),
            ambiguous=self._distinct_places(ordered) > 1,
            candidates=[self._candidate_dict(i) for i in ordered[:MAX_CANDIDATES]],
            note="".join(notes),
        )

    def lookup_many(
        self,
        names: pd.Series,
        country: pd.Series | str | None = None,
        admin1: pd.Series | str | None = None,
        online: OnlineGeocoder | None = None,
    ) -> pd.DataFrame:
        """Geocode a column of names: each distinct (name, hints) looked up once.

        Parameters
        ----------
        names : pandas.Series
            Place names.
        country, admin1 : Series or str, optional
            Hints per row (aligned on ``names``' index) or one for all rows.
        online : OnlineGeocoder, optional
            Fallback for names nothing offline matches (when enabled).

        Returns
        -------
        pandas.DataFrame
            Same index as ``names``; columns ``query``, ``matched``, ``name``,
            ``latitude``, ``longitude``, ``iso3``, ``admin1``,
            ``geo_precision``, ``source``, ``geonameid``, ``population``,
            ``ambiguous``, ``n_candidates``, ``note``. Unmatched rows have
            ``matched`` False and NaN coordinates.
        """
        query = names.astype("string").fillna("")
        ctry = _hint_column(country, names.index)
        area = _hint_column(admin1, names.index)
        # Factorize the raw (name, country, admin1) triples: one hash pass per
        # column, then one lookup per distinct triple, then a take.
        parts = [pd.factorize(col.to_numpy(dtype=object)) for col in (query, ctry, area)]
        (q_codes, q_vals), (c_codes, c_vals), (a_codes, a_vals) = parts
        joint = (q_codes * len(c_vals) + c_codes) * len(a_vals) + a_codes
        codes, firsts = pd.factorize(joint)
        q_first = firsts // (len(c_vals) * len(a_vals))
        c_first = (firsts // len(a_vals)) % len(c_vals)
        a_first = firsts % len(a_vals)
        records = []
        for qi, ci, ai in zip(q_first, c_first, a_first, strict=True):
            c, a = c_vals[ci], a_vals[ai]
            result = self.lookup(q_vals[qi], country=c or None, admin1=a or None, online=online)
            records.append(result_record(result))
        found = pd.DataFrame.from_records(records, columns=RESULT_COLUMNS[1:])
        found = result_dtypes(found.assign(query=""))
        out = found.take(codes).set_axis(names.index)
        out["query"] = query
        return out[RESULT_COLUMNS]

    def towns(
        self,
        iso3s: Sequence[str] | None = None,
        min_population: int = 50_000,
        always: Iterable[tuple[str, str]] = ALWAYS_LABEL,
    ) -> pd.DataFrame:
        """Places to label on maps.

        Populated places (not countries) with at least ``min_population``
        people, plus the ``always`` (name, iso3) pairs whatever their
        population (the towns the reports name), restricted to ``iso3s``.

        Returns
        -------
        pandas.DataFrame
            ``name``, ``latitude``, ``longitude``, ``population`` (Int64),
            ``iso3``, ``admin1``, ``source``; largest population first.
        """
        places = self._places
        wanted = set(iso3s) if iso3s is not None else None
        mask = (places["feature_code"] != "PCLI") & (
            places["population"].fillna(0) >= min_population
        )
        if wanted is not None:
            mask &= places["iso3"].isin(wanted)
        big = places.loc[mask, ["name", "latitude", "longitude", "population", "iso3", "admin1"]]
        big = big.assign(source=places.loc[mask, "source"])
        extra = []
        for town, iso3 in always:
            if wanted is not None and iso3 not in wanted:
                continue
            result = self.lookup(town, country=iso3)
            if result is not None:
                extra.append(
                    {
                        "name": result.name,
                        "latitude": result.latitude,
                        "longitude": result.longitude,
                        "population": result.population,
                        "iso3": result.iso3,
                        "admin1": result.admin1,
                        "source": result.source,
                    }
                )
        out = pd.concat([big, pd.DataFrame(extra, columns=big.columns)], ignore_index=True)
        out = out.drop_duplicates(["name", "iso3"], keep="first")
        out["population"] = out["population"].astype("Int64")
        out = out.sort_values(["population", "name"], ascending=[False, True], na_position="last")
        return out.reset_index(drop=True)


def _hint_column(hint: pd.Series | str | None, index: pd.Index) -> pd.Series:
    if hint is None:
        return pd.Series("", index=index, dtype="string")
    if isinstance(hint, pd.Series):
        return hint.reindex(index).astype("string").fillna("")
    return pd.Series(str(hint), index=index, dtype="string")


UserFile = Path | str | tuple[Path | str, Mapping[str, Any]]


def load_gazetteer(
    user_files: Sequence[UserFile] = (),
    places_file: Path | str = config.GAZETTEER_FILE,
    overrides_file: Path | str | None = config.PLACE_OVERRIDES_FILE,
    admin1_names_file: Path | str = ADMIN1_NAMES_FILE,
) -> Gazetteer:
    """Load the shipped index, the analyst overrides and user gazetteers.

    Parameters
    ----------
    user_files : sequence
        Paths, or ``(path, options)`` pairs with :func:`load_user_gazetteer`
        keyword options; earlier files take precedence.
    places_file, overrides_file, admin1_names_file : path-like
        The shipped files (defaults from :mod:`geo.config`); ``overrides_file``
        may be None to leave the overrides out.

    Returns
    -------
    Gazetteer
        Deterministic for the same files; cache it in the app.
    """
    layers = [read_index(Path(places_file))]
    if overrides_file is not None:
        layers.append(load_overrides(overrides_file))
    for tier, spec in enumerate(user_files, start=1):
        path, options = spec if isinstance(spec, tuple) else (spec, {})
        table = load_user_gazetteer(path, **dict(options))
        table["tier"] = tier
        layers.append(table)
    places = pd.concat(layers, ignore_index=True)
    return Gazetteer(places, read_admin1_names(Path(admin1_names_file)))
