"""Place names to coordinates, offline first.

A :class:`Gazetteer` answers "where is Tessalit?" from three layers of
places, in this order of precedence:

1. analyst overrides (``data/places.csv``): places GeoNames lacks (massifs,
   gas plants, causeways) or where analysts fix a point; every row cites the
   published source of its coordinates;
2. user gazetteers: CSV files an analyst brings (an OCHA populated-places
   export, a project list), in the order they were added;
3. GeoNames populated places of the gazetteer's countries plus one point
   per country (``data/gazetteer/places.parquet``, built by
   ``scripts/build_gazetteer.py``, read when the gazetteer is loaded).

Names are matched level by level, strictest first, on the keys of
:func:`geo.reference.names.name_keys`: the folded name or an alternate name
(case, accents, apostrophes and hyphens ignored: ``exact``), the same
without spaces (``spacing``), prefix and article spellings made one ("El
Minya" / "Al Minya", "Wuro" / "Ouro": ``variant``), and a prefix or article
dropped ("Macina" / "Ké-Macina", "Tillit" / "I-n-Tillit": ``prefix``). The
first level that finds a place in the hinted country wins. Only when no
level finds the name in any country is it matched fuzzily (rapidfuzz, on the
variant keys of the country in scope, when the caller asks for it): a
fuzzy match never wins over an exact one elsewhere. The result's ``match``
says which level matched.

When a name matches several places the choice is made, in order, by the
country hint (a hard filter), the admin-1 hint (a soft filter, ignored when
it would leave nothing), the fuzzy score, the layer precedence above, and
the largest population; the result says which rule decided and lists the
candidates.

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

import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo import config
from geo.reference.candidates import Candidates
from geo.reference.countries import COUNTRY_ALIASES, country_keys, resolve_country
from geo.reference.geocoders import OnlineGeocoder, OnlineGeocodingError
from geo.reference.names import NameKeys, fold, name_keys, squash
from geo.reference.place_files import (
    GazetteerError,
    load_overrides,
    load_user_gazetteer,
    read_admin1_names,
    read_index,
)
from geo.reference.place_index import FUZZY_THRESHOLD, NameIndex
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
        self._names = NameIndex(places)
        self._rows = Candidates(places, self._admin1_names)

        # Country hints: countries of the index by their names as well.
        self._country_keys = dict(country_keys())
        self._hints: dict[str, tuple[bool, str | None]] = {}
        pcli = places[places["feature_code"] == "PCLI"]
        for _, row in pcli.iterrows():  # one row per covered country
            for value in [row["name"], *str(row["alternates"]).split("|")]:
                if squash(value):
                    self._country_keys[squash(value)] = str(row["iso3"])

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

    def lookup(
        self,
        name: object,
        country: object = None,
        admin1: object = None,
        online: OnlineGeocoder | None = None,
        fuzzy: bool = False,
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
        fuzzy : bool
            Try a fuzzy match when no level finds the name in any country
            (the result's ``match`` is then ``"fuzzy"``, the candidates carry
            their ``score``). Off by default: code that tries any string as
            a name (a report's capitalised words) would take "Selon" for
            Elon (Israel); turn it on for a name known to be a place, e.g.
            a column of locations or a name a user typed.

        Returns
        -------
        GeocodeResult or None
            None when nothing matched.
        """
        query = "" if name is None else str(name)
        return self._resolve(
            query, name_keys(query, query=True), country, admin1, online, fuzzy, None
        )

    def _resolve(
        self,
        query: str,
        keys: NameKeys,
        country: object,
        admin1: object,
        online: OnlineGeocoder | None,
        fuzzy: bool,
        hits: dict[int, float] | None,
    ) -> GeocodeResult | None:
        """Look up a name from its keys; ``hits`` are its fuzzy candidates when already scored."""
        notes: list[str] = []
        iso3 = self._hint_iso3(country, notes)
        level, rows, at_level = self._names.find(keys, iso3)
        scores: dict[int, float] | None = None
        if not rows and fuzzy and not self._names.known(keys):
            scores = hits if hits is not None else self._names.fuzzy([keys.variant], iso3)[0]
            level, rows = "fuzzy", sorted(scores)
            at_level = rows
        if not rows:
            result = _ask_online(online, query, iso3)
            if result is not None and not result.match:
                result.match = "online"
            return result
        deciding = "single match"
        if iso3 is not None and len(rows) < len(at_level):
            deciding = f"country {iso3}"
        chosen, deciding = self._rows.choose(rows, admin1, deciding, notes, scores)
        # Every candidate of the country is listed, even those the admin-1
        # hint set aside: the analyst sees what else the name could be.
        others = [i for i in rows if i != chosen]
        if scores is not None:
            others.sort(key=lambda i: -scores[i])
        notes.insert(0, self._level_note(level, query, chosen, scores))
        return self._rows.result(query, [chosen, *others], deciding, notes, level, scores)

    def _hint_iso3(self, country: object, notes: list[str]) -> str | None:
        """ISO3 of the country hint (a hard filter); None without one or when unrecognised."""
        if country is None:
            return None
        hint = self._hints.get(country) if isinstance(country, str) else None
        if hint is None:
            hint = (bool(fold(country)), self.country_iso3(country))
            if isinstance(country, str):
                # A column of hints repeats a few values: resolve each once.
                self._hints[country] = hint
        given, iso3 = hint
        if given and iso3 is None:
            notes.append(f"country hint {country!s} not recognised, ignored; ")
        return iso3 if given else None

    def _level_note(
        self, level: str, query: str, chosen: int, scores: Mapping[int, float] | None
    ) -> str:
        """What a match below ``exact`` did to the name, for the result's note."""
        name = self._rows.name[chosen]
        if level == "spacing":
            return "matched ignoring spaces; "
        if level == "variant":
            return f"matched {query!r} to {name!r} as another spelling of its prefix or article; "
        if level == "prefix":
            return f"matched {query!r} to {name!r} with a prefix or article dropped; "
        if level == "fuzzy" and scores is not None:
            return (
                f"fuzzy match of {query!r} to {name!r} (score {scores[chosen]:g} of 100, "
                f"threshold {FUZZY_THRESHOLD:g}): no exact or variant match in any country; "
            )
        return ""

    def lookup_many(
        self,
        names: pd.Series,
        country: pd.Series | str | None = None,
        admin1: pd.Series | str | None = None,
        online: OnlineGeocoder | None = None,
        fuzzy: bool = False,
    ) -> pd.DataFrame:
        """Geocode a column of names: each distinct (name, hints) looked up once.

        The names' match keys are made once per distinct name, and the names
        no level finds anywhere are scored fuzzily together, one batch per
        country in scope. Each row's result equals :meth:`lookup`'s.

        Parameters
        ----------
        names : pandas.Series
            Place names.
        country, admin1 : Series or str, optional
            Hints per row (aligned on ``names``' index) or one for all rows.
        online : OnlineGeocoder, optional
            Fallback for names nothing offline matches (when enabled).
        fuzzy : bool
            As in :meth:`lookup`.

        Returns
        -------
        pandas.DataFrame
            Same index as ``names``; columns ``query``, ``matched``, ``name``,
            ``latitude``, ``longitude``, ``iso3``, ``admin1``,
            ``geo_precision``, ``source``, ``geonameid``, ``population``,
            ``ambiguous``, ``n_candidates``, ``match``, ``note``. Unmatched
            rows have ``matched`` False and NaN coordinates.
        """
        query = names.astype("string").fillna("")
        ctry = _hint_column(country, names.index)
        area = _hint_column(admin1, names.index)
        codes, triples = _distinct_triples(query, ctry, area)
        keys = [name_keys(q, query=True) for q, _, _ in triples]  # cached per distinct name
        hits = self._fuzzy_batch(triples, keys) if fuzzy else {}
        records = [
            result_record(self._resolve(q, k, c or None, a or None, online, fuzzy, hits.get(j)))
            for j, ((q, c, a), k) in enumerate(zip(triples, keys, strict=True))
        ]
        found = pd.DataFrame.from_records(records, columns=RESULT_COLUMNS[1:])
        found = result_dtypes(found.assign(query=""))
        out = found.take(codes).set_axis(names.index)
        out["query"] = query
        return out[RESULT_COLUMNS]

    def _fuzzy_batch(
        self, triples: list[tuple[str, str, str]], keys: list[NameKeys]
    ) -> dict[int, dict[int, float]]:
        """Fuzzy candidates of the triples no level finds anywhere, scored per country."""
        by_scope: dict[str | None, list[int]] = {}
        for j, ((_, country, _), k) in enumerate(zip(triples, keys, strict=True)):
            if not self._names.known(k):
                by_scope.setdefault(self._hint_iso3(country, []), []).append(j)
        hits: dict[int, dict[int, float]] = {}
        for iso3, todo in by_scope.items():
            scored = self._names.fuzzy([keys[j].variant for j in todo], iso3)
            hits.update(zip(todo, scored, strict=True))
        return hits

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


def _distinct_triples(
    query: pd.Series, ctry: pd.Series, area: pd.Series
) -> tuple[np.ndarray, list[tuple[str, str, str]]]:
    """Codes of each row's (name, country, admin1) and the distinct triples.

    One hash pass per column, then one on the combined codes: no Python loop
    over the rows.
    """
    parts = [pd.factorize(col.to_numpy(dtype=object)) for col in (query, ctry, area)]
    (q_codes, q_vals), (c_codes, c_vals), (a_codes, a_vals) = parts
    joint = (q_codes * len(c_vals) + c_codes) * len(a_vals) + a_codes
    codes, firsts = pd.factorize(joint)
    q_first = firsts // (len(c_vals) * len(a_vals))
    c_first = (firsts // len(a_vals)) % len(c_vals)
    a_first = firsts % len(a_vals)
    triples = [
        (str(q_vals[q]), str(c_vals[c]), str(a_vals[a]))
        for q, c, a in zip(q_first, c_first, a_first, strict=True)
    ]
    return codes, triples


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
