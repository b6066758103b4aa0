"""What a place is: the gazetteer's place table and geocoded results.

Every layer of the gazetteer (analyst overrides, user gazetteers, the
shipped GeoNames index) is read into one internal place table with the
columns :data:`PLACE_COLUMNS`; its ``tier`` column ranks the layers (lower
wins). A lookup, offline or online, answers with a :class:`GeocodeResult`;
a column of lookups becomes a table of :data:`RESULT_COLUMNS`.

This module sits below both :mod:`geo.reference.gazetteer` and
:mod:`geo.reference.geocoders`, so the offline gazetteer can fall back on an
online geocoder while both speak the same result type.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

__all__ = [
    "PLACE_COLUMNS",
    "RESULT_COLUMNS",
    "TIER_GEONAMES",
    "TIER_OVERRIDE",
    "MATCH_KINDS",
    "GeocodeResult",
    "normalise_places",
    "place_table",
    "result_dtypes",
    "result_record",
]

# Layer ranks: lower wins. User files take 1, 2, ... in the order added.
TIER_OVERRIDE = 0
TIER_GEONAMES = 1_000_000

# How a name matched, strictest first (GeocodeResult.match).
MATCH_KINDS = ("exact", "spacing", "variant", "prefix", "fuzzy", "online")

# Internal place table: one row per place, whatever its layer.
PLACE_COLUMNS = [
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
    match : str
        How the name matched (:data:`MATCH_KINDS`): ``exact`` (the name or
        an alternate name, folded), ``spacing`` (ignoring spaces),
        ``variant`` (another spelling of a prefix or article), ``prefix``
        (a prefix or article dropped), ``fuzzy`` (a close spelling; see
        the candidates' ``score``) or ``online``; ``""`` when not recorded.
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
    match: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dict."""
        return asdict(self)


def place_table(**columns: Any) -> pd.DataFrame:
    """Assemble the internal place table from column values or scalars.

    At least one value must be a Series: its index gives the rows. Columns
    not given are left empty (``population`` and ``geonameid`` missing,
    ``feature_code`` ``""``).
    """
    index = next(v.index for v in columns.values() if isinstance(v, pd.Series))
    frame = pd.DataFrame(index=index)
    for col in PLACE_COLUMNS:
        value = columns.get(col)
        if col in ("population", "geonameid") and value is None:
            value = pd.NA
        if col == "feature_code" and value is None:
            value = ""
        frame[col] = value
    return normalise_places(frame.reset_index(drop=True))


def normalise_places(frame: pd.DataFrame) -> pd.DataFrame:
    """The place table with one dtype per column, whatever layer it came from."""
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


# Columns of a table of lookups (Gazetteer.lookup_many).
RESULT_COLUMNS = [
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
    "match",
    "note",
]


def result_record(result: GeocodeResult | None) -> dict[str, Any]:
    """One row of :data:`RESULT_COLUMNS` (without ``query``); no match has only the flags."""
    if result is None:
        return {
            "matched": False,
            "ambiguous": False,
            "n_candidates": 0,
            "match": "",
            "note": "no match",
        }
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
        "match": result.match,
        "note": result.note,
    }


def result_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of :func:`result_record` with one dtype per column; gaps as ``""``, NaN, False, 0."""
    out = frame.copy()
    for col in ("query", "name", "iso3", "admin1", "source", "match", "note"):
        out[col] = out[col].astype("string").fillna("")
    for col in ("latitude", "longitude"):
        out[col] = out[col].astype("float64")
    for col in ("geo_precision", "geonameid", "population"):
        out[col] = pd.to_numeric(out[col]).astype("Int64")
    out["matched"] = out["matched"].fillna(False).astype("bool")
    out["ambiguous"] = out["ambiguous"].fillna(False).astype("bool")
    out["n_candidates"] = out["n_candidates"].fillna(0).astype("int64")
    return out
