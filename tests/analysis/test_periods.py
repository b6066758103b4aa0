"""Tests for geo.analysis.periods: data span, presets, week steps, the fresh as-of day."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.analysis import periods
from geo.analysis.filters import apply_filters
from tests.app.app_support import FIRST_DAY, LAST_DAY, incident_frame

BOUNDS = (dt.date(2013, 1, 1), dt.date(2013, 3, 31))
DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return incident_frame()


def test_data_period_and_default_state(frame: pd.DataFrame) -> None:
    assert periods.data_period(frame) == (FIRST_DAY, LAST_DAY)
    state = periods.default_state(frame)
    assert (state.date_from, state.date_to, state.as_of) == (FIRST_DAY, LAST_DAY, None)
    assert len(apply_filters(frame, state)) == len(frame)


def test_day_options_cover_every_day() -> None:
    days = periods.day_options((dt.date(2013, 2, 27), dt.date(2013, 3, 2)))
    assert days == [
        dt.date(2013, 2, 27),
        dt.date(2013, 2, 28),
        dt.date(2013, 3, 1),
        dt.date(2013, 3, 2),
    ]


@pytest.mark.parametrize(
    ("days", "anchor", "expected"),
    [
        (7, dt.date(2013, 2, 28), (dt.date(2013, 2, 22), dt.date(2013, 2, 28))),
        (30, dt.date(2013, 2, 28), (dt.date(2013, 1, 30), dt.date(2013, 2, 28))),
        (90, dt.date(2013, 2, 28), (BOUNDS[0], dt.date(2013, 2, 28))),  # cut at the data's start
        (7, dt.date(2013, 5, 1), (dt.date(2013, 3, 25), BOUNDS[1])),  # anchor after the data
        (None, dt.date(2013, 2, 1), BOUNDS),
    ],
)
def test_preset_period(days: int | None, anchor: dt.date, expected: periods.Period) -> None:
    assert periods.preset_period(days, anchor, BOUNDS) == expected


@given(
    start=st.integers(0, 89),
    length=st.integers(0, 89),
    weeks=st.integers(-20, 20),
)
def test_step_period_keeps_length_inside_bounds(start: int, length: int, weeks: int) -> None:
    period = (BOUNDS[0] + start * DAY, min(BOUNDS[0] + (start + length) * DAY, BOUNDS[1]))
    new = periods.step_period(period, weeks, BOUNDS)
    assert BOUNDS[0] <= new[0] <= new[1] <= BOUNDS[1]
    assert new[1] - new[0] == period[1] - period[0]
    if weeks > 0:
        assert new[0] >= period[0]
    elif weeks < 0:
        assert new[0] <= period[0]


def test_step_period_moves_by_a_week() -> None:
    period = (dt.date(2013, 2, 4), dt.date(2013, 2, 10))
    assert periods.step_period(period, 1, BOUNDS) == (dt.date(2013, 2, 11), dt.date(2013, 2, 17))
    assert periods.step_period(period, -1, BOUNDS) == (dt.date(2013, 1, 28), dt.date(2013, 2, 3))


# ---------------------------------------------------------------- choices


def test_fresh_as_of_is_the_last_day_the_store_knows() -> None:
    bounds = (dt.date(2013, 1, 15), dt.date(2013, 2, 22))
    today = dt.date(2026, 1, 1)
    later = [dt.date(2013, 2, 25), dt.date(2013, 2, 1), dt.date(2013, 2, 27)]
    assert periods.fresh_as_of(bounds, later, today) == dt.date(2013, 2, 27)
    assert periods.fresh_as_of(bounds, [dt.date(2013, 2, 22)], today) is None
    assert periods.fresh_as_of(bounds, [], today) is None
    # An override dated in the future is a slip, not a later assessment.
    assert periods.fresh_as_of(bounds, [dt.date(2030, 1, 1)], today) is None


def test_default_as_of_is_one_rule_for_fresh_visits_and_links() -> None:
    bounds = (dt.date(2013, 1, 15), dt.date(2013, 2, 22))
    overrides = [dt.date(2013, 2, 25), dt.date(2013, 2, 1)]
    today = dt.date(2026, 1, 1)
    # A period reaching the end of the data: the store's last day (the override).
    assert periods.default_as_of(bounds[1], bounds, overrides, today) == dt.date(2013, 2, 25)
    # An earlier period: its own end, whatever the overrides.
    assert periods.default_as_of(dt.date(2013, 2, 8), bounds, overrides, today) == dt.date(
        2013, 2, 8
    )
    # No override after the data: the last incident day.
    assert periods.default_as_of(bounds[1], bounds, [dt.date(2013, 2, 1)], today) == bounds[1]
