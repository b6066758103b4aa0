"""A small gazetteer with round made-up coordinates for the extraction tests."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.io.extract import extract_candidates
from geo.reference.names import fold


@dataclass
class Place:
    name: str
    latitude: float
    longitude: float
    iso3: str
    admin1: str
    geo_precision: int = 1
    ambiguous: bool = False


class TinyGazetteer:
    """Towns of Mali, Niger and Burkina Faso, looked up by folded name."""

    def __init__(self) -> None:
        towns = [
            Place("Gao", 16.3, 0.0, "MLI", "Gao"),
            Place("Ansongo", 15.7, 0.5, "MLI", "Gao"),
            Place("Bourem", 17.0, -0.4, "MLI", "Gao"),
            Place("Menaka", 15.9, 2.4, "MLI", "Gao"),
            Place("Kidal", 18.4, 1.4, "MLI", "Kidal"),
            Place("Tessalit", 20.2, 1.0, "MLI", "Kidal"),
            Place("Timbuktu", 16.8, -3.0, "MLI", "Timbuktu"),
            Place("Goundam", 16.4, -3.7, "MLI", "Timbuktu"),
            Place("Mopti", 14.5, -4.2, "MLI", "Mopti"),
            Place("Djibo", 14.1, -1.6, "BFA", "Sahel"),
            Place("Dori", 14.0, -0.0, "BFA", "Sahel"),
            Place("Tillaberi", 14.2, 1.5, "NER", "Tillaberi"),
            Place("Niamey", 13.5, 2.1, "NER", "Niamey"),
        ]
        self.index = {fold(p.name): p for p in towns}
        self.index["tombouctou"] = self.index["timbuktu"]

    def lookup(self, name, country=None, admin1=None):
        place = self.index.get(fold(name))
        if place is not None and country and place.iso3 != country:
            return None
        return place


def read(text: str, post_date: str | None) -> pd.DataFrame:
    """Candidates of ``text`` against the tiny gazetteer."""
    return extract_candidates(text, post_date, gazetteer=TinyGazetteer())
