"""Tests for geo.reference.place_files: reading and validating gazetteer files."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.reference.place_files import GazetteerError, load_overrides, load_user_gazetteer

DATA = Path(__file__).resolve().parents[1] / "data"

_OCHA = {
    "name_col": "featureName",
    "lat_col": "Latitude",
    "lon_col": "Longitude",
    "admin1_col": "admin1Name",
    "country_col": "iso3",
    "alt_col": "alternateNames",
}


def test_ocha_style_export_reads() -> None:
    table = load_user_gazetteer(DATA / "gaz_ocha_places.csv", **_OCHA)
    assert table["name"].tolist() == ["Fixture Well", "Tessalit", "Fixture Camp"]
    assert table["latitude"].tolist() == [18.45, 16.0, 18.05]  # decimal commas read
    assert table["iso3"].tolist() == ["MLI", "MLI", "MLI"]  # ISO2 "ML" resolved
    assert set(table["source"]) == {"user:gaz_ocha_places.csv"}
    assert table["admin1"].tolist()[0] == "Kidal"


def test_user_file_errors_name_file_line_column_value() -> None:
    with pytest.raises(GazetteerError) as info:
        load_user_gazetteer(DATA / "gaz_user_bad.csv")
    message = str(info.value)
    assert "gaz_user_bad.csv" in message
    assert "4 problem(s)" in message
    assert "line 3, column 'name': empty" in message
    assert "line 4, column 'latitude': value 'north' is not a number" in message
    assert "line 5, column 'latitude': value '95.5' is outside [-90, 90]" in message
    assert "line 6, column 'longitude': empty" in message


def test_user_file_missing_column_and_bad_country(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match=r"missing column\(s\) \['featureName'\]"):
        load_user_gazetteer(DATA / "gaz_user_bad.csv", name_col="featureName")
    bad = tmp_path / "countries.csv"
    bad.write_text("name,latitude,longitude,country\nX,1,1,Narnia\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"line 2, column 'country': value 'Narnia'"):
        load_user_gazetteer(bad, country_col="country")
    with pytest.raises(GazetteerError, match="precision"):
        load_user_gazetteer(bad, precision=4)


def test_override_without_source_is_an_error() -> None:
    with pytest.raises(GazetteerError) as info:
        load_overrides(DATA / "gaz_overrides_nosource.csv")
    message = str(info.value)
    assert "gaz_overrides_nosource.csv" in message
    assert "line 3, column 'source': empty" in message
    assert "line 2" not in message
