"""Finding a typed place: countries and areas by name or alias, towns through the gazetteer."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from geo.reference.boundaries import load_admin0, load_admin1
from geo.reference.gazetteer import Gazetteer, load_gazetteer
from geo.reference.place_search import PlaceMatch, find_places, view_for


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def layers() -> tuple[pd.DataFrame, pd.DataFrame]:
    return load_admin1(), load_admin0()


def test_a_town_comes_first_then_the_region_of_the_same_name(gazetteer, layers) -> None:
    areas, countries = layers
    found = find_places("Gao", gazetteer, areas, countries)
    assert (found[0].kind, found[0].name, found[0].country) == ("place", "Gao", "MLI")
    region = next(m for m in found if m.kind == "area" and m.country == "MLI")
    assert region.name == "Gao" and region.bounds is not None
    south, west, north, east = region.bounds
    # The town lies inside its region's extent.
    assert south < found[0].latitude < north and west < found[0].longitude < east


def test_a_country_name_means_the_country(gazetteer, layers) -> None:
    areas, countries = layers
    found = find_places("mali", gazetteer, areas, countries)
    assert (found[0].kind, found[0].name, found[0].label) == ("country", "Mali", "Mali (country)")
    # The gazetteer's own entry for the country is not offered twice.
    assert sum(m.country == "MLI" and m.name == "Mali" for m in found) == 1


def test_an_alias_finds_the_area(gazetteer, layers) -> None:
    areas, _ = layers
    found = find_places("Tombouctou", gazetteer, areas)
    assert {m.kind for m in found} == {"place", "area"}
    assert all(m.name == "Timbuktu" for m in found)


def test_nothing_typed_or_nothing_known_gives_no_match(gazetteer, layers) -> None:
    areas, countries = layers
    assert find_places("  ", gazetteer, areas, countries) == []
    assert find_places("Qqqxzv", gazetteer, areas, countries) == []


def test_the_view_fits_an_outline_and_a_circle() -> None:
    square = shapely.box(-5.0, 10.0, 5.0, 20.0)
    west, south, east, north = square.bounds
    area = PlaceMatch("area", "Square", "XXX", 15.0, 0.0, (south, west, north, east))
    lat, lon, zoom = view_for(area, width_px=900, height_px=640)
    assert (lat, lon) == (15.0, 0.0)
    # At zoom 6 the square is about 455 px wide and 460 px tall (Mercator at
    # 10-20 N): it fits 900x640. At zoom 7 it would be 920 px tall.
    assert zoom == 6
    town = PlaceMatch("place", "Gao", "MLI", 16.27, -0.04)
    assert view_for(town)[2] > view_for(town, within_km=50)[2] > view_for(town, within_km=250)[2]
