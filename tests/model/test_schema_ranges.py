"""Values that parse but make no sense for conflict data are problems, never crashes.

Issue 10 ("Hardening"): ``inf`` fatalities passed validation and overflowed
to a negative integer; dates outside pandas' range crashed every command; a
latitude out of range next to a blank longitude raised instead of saying so;
a country name and an ISO3 code that disagree both passed.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.model.schema import (
    DATE_MIN,
    MAX_FATALITIES,
    CountryCodes,
    coerce_frame,
    date_max,
    validate_frame,
)
from tests.conftest import make_rows


def _problems(**cells: str) -> dict[str, str]:
    rows = make_rows(1)
    rows[0].update(cells)
    return {p.column: p.expected for p in validate_frame(pd.DataFrame(rows), file="f.csv")}


@pytest.mark.parametrize(
    "value", ["inf", "-inf", "1e20", "1e400", "99999999999999999999", "100001", "nan"]
)
def test_absurd_or_non_finite_fatalities_are_problems(value):
    for column in ("fatalities", "fatalities_low", "fatalities_high"):
        got = _problems(**{column: value})
        assert column in got, (column, value)
        assert f"{MAX_FATALITIES:,}" in got[column] or value == "nan"


def test_the_largest_sane_toll_passes():
    assert _problems(fatalities=str(MAX_FATALITIES)) == {}
    assert _problems(fatalities="0", fatalities_low="0", fatalities_high="12") == {}


@pytest.mark.parametrize("value", ["inf", "-inf", "1e400", "nan", "-1e300"])
def test_non_finite_coordinates_are_problems(value):
    assert "latitude" in _problems(latitude=value)
    assert "longitude" in _problems(longitude=value)


@pytest.mark.parametrize(
    ("lat", "lon"), [("200", ""), ("inf", ""), ("200", "abc"), ("-inf", "east"), ("95", "nan")]
)
def test_latitude_out_of_range_next_to_a_blank_or_bad_longitude_is_reported(lat, lon):
    got = _problems(latitude=lat, longitude=lon)
    assert "-90..90" in got["latitude"]
    assert "longitude" in got


@pytest.mark.parametrize(
    "value", ["1500-01-01", "1676-12-31", "2263-01-01", "9999-12-31", "0001-01-01", "1899-12-31"]
)
def test_dates_outside_the_conflict_range_are_bad_dates(value):
    got = _problems(event_date=value)
    assert "1900-01-01" in got["event_date"]


def test_the_date_range_runs_from_1900_to_a_year_after_today():
    assert pd.Timestamp("1900-01-01") == DATE_MIN
    today = pd.Timestamp(dt.date.today())
    assert today + pd.Timedelta(days=364) < date_max() <= today + pd.Timedelta(days=367)
    assert _problems(event_date="1900-01-01") == {}
    assert _problems(event_date=(today + pd.Timedelta(days=300)).strftime("%Y-%m-%d")) == {}
    late = (today + pd.Timedelta(days=400)).strftime("%Y-%m-%d")
    assert "event_date" in _problems(event_date=late)


def test_coerce_never_raises_on_out_of_range_dates():
    rows = make_rows(2)
    rows[0]["event_date"] = "1500-01-01"
    typed = coerce_frame(pd.DataFrame(rows))
    assert pd.isna(typed.loc[0, "event_date"])
    assert typed.loc[1, "event_date"] == pd.Timestamp("2013-02-21")


_CODES = CountryCodes(
    iso3_of_name={"Mali": "MLI", "Algeria": "DZA"}.get,
    known_iso3=frozenset({"MLI", "DZA", "NER"}),
)


def _country_problems(country: str, iso3: str) -> list[str]:
    rows = make_rows(1)
    rows[0].update(country=country, iso3=iso3)
    return [
        p.expected
        for p in validate_frame(pd.DataFrame(rows), file="f.csv", countries=_CODES)
        if p.column in ("country", "iso3")
    ]


def test_country_and_iso3_must_agree():
    assert _country_problems("Mali", "MLI") == []
    assert _country_problems("Mali", "") == []
    (problem,) = _country_problems("Algeria", "MLI")
    assert "DZA" in problem and "MLI" in problem


def test_an_unknown_iso3_code_is_a_problem():
    (problem,) = _country_problems("Mali", "ABC")
    assert "ISO 3166" in problem


def test_an_unknown_country_name_is_not_checked_against_the_code():
    # Sources spell countries in ways no table holds; only a known name can disagree.
    assert _country_problems("Republique du Mali (sources)", "MLI") == []


def test_without_country_codes_the_agreement_is_not_checked():
    rows = make_rows(1)
    rows[0].update(country="Algeria", iso3="MLI")
    assert validate_frame(pd.DataFrame(rows)) == []


def test_user_assigned_codes_are_allowed():
    # ISO 3166-1 leaves AAA-AAZ, QMA-QZZ, XAA-XZZ and ZZA-ZZZ to users (Kosovo is XKX).
    for code in ("XKX", "ZZZ", "QMA", "AAB"):
        assert _country_problems("Somewhere", code) == []
    assert _country_problems("Mali", "QLZ") != []
