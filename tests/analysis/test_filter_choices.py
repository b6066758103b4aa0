"""Tests for the filter choices in geo.analysis.filters: what the widgets offer."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.analysis import filters
from tests.app.app_support import incident_frame


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return incident_frame()


def test_filter_choices(frame: pd.DataFrame) -> None:
    choices = filters.filter_choices(frame)
    assert choices["countries"] == ("Mali", "Niger")
    assert "MUJAO" in choices["actors"] and "Civilians (Mali)" in choices["actors"]
    assert "" not in choices["actors"]  # actor2 is empty on some rows
    assert choices["event_types"][0] == "Battles"


def test_admin1_choices_follow_countries_and_keep_selection(frame: pd.DataFrame) -> None:
    by_country = filters.areas_by_country(frame)
    assert set(by_country) == {"Mali", "Niger"}
    every = filters.admin1_choices(by_country, [])
    mali = filters.admin1_choices(by_country, ["Mali"])
    assert set(mali) < set(every)
    assert "Niamey" in every and "Niamey" not in mali
    assert "Niamey" in filters.admin1_choices(by_country, ["Mali"], keep=["Niamey"])
    assert filters.admin1_choices(by_country, ["Atlantis"]) == ()


def test_choices_are_the_stripped_distinct_values_of_every_row() -> None:
    frame = pd.DataFrame(
        {
            "country": pd.array(["Mali", " Mali", "Niger ", None, ""], dtype="string"),
            "area": pd.array(["Gao", "Gao", "", "Kidal", "Gao "], dtype="string"),
            "actor1": pd.array(["A", " B", None, "", "A"], dtype="string"),
            "actor2": pd.array(["C", "A ", "", None, " C"], dtype="string"),
        }
    )
    choices = filters.filter_choices(frame)
    assert choices["countries"] == ("Mali", "Niger")
    assert choices["admin1"] == ("Gao", "Kidal")
    assert choices["actors"] == ("A", "B", "C")
