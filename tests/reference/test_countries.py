"""Tests for geo.reference.countries: country hints to ISO3."""

from __future__ import annotations

from geo.reference.countries import iso3_from_number, resolve_country


def test_resolve_country() -> None:
    assert resolve_country("ML") == "MLI"
    assert resolve_country("dza") == "DZA"
    assert resolve_country("Côte d'Ivoire") == "CIV"
    assert resolve_country("Syrian Arab Republic") == "SYR"
    assert resolve_country("Narnia") is None
    assert resolve_country("") is None


def test_a_numeric_code_that_is_no_whole_number_is_no_country() -> None:
    assert iso3_from_number("1e400") == ""
    assert iso3_from_number("inf") == ""
    assert iso3_from_number("-inf") == ""
    assert iso3_from_number("nan") == ""
    assert iso3_from_number("466") == "MLI"
