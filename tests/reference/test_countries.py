"""Tests for geo.reference.countries: country hints to ISO3."""

from __future__ import annotations

from geo.reference.countries import resolve_country


def test_resolve_country() -> None:
    assert resolve_country("ML") == "MLI"
    assert resolve_country("dza") == "DZA"
    assert resolve_country("Côte d'Ivoire") == "CIV"
    assert resolve_country("Syrian Arab Republic") == "SYR"
    assert resolve_country("Narnia") is None
    assert resolve_country("") is None
