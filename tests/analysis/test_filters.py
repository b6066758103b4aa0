from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.analysis.filters import FilterState, Selection, apply_filters, filter_mask
from geo.io import store

DEFAULT = FilterState(date_from=dt.date(2013, 1, 1), date_to=dt.date(2013, 2, 28))


def test_apply_filters_by_date_type_and_fatalities(incident_csv):
    df = store.read_incidents(incident_csv)
    assert len(apply_filters(df, DEFAULT)) == 3
    feb = FilterState(date_from=dt.date(2013, 2, 1), date_to=dt.date(2013, 2, 21))
    assert apply_filters(df, feb)["event_id"].tolist() == ["T1", "T2"]
    battles = FilterState(DEFAULT.date_from, DEFAULT.date_to, event_types=("Battles",))
    assert apply_filters(df, battles)["event_id"].tolist() == ["T1"]
    deadly = FilterState(DEFAULT.date_from, DEFAULT.date_to, min_fatalities=1)
    assert apply_filters(df, deadly)["event_id"].tolist() == ["T1"]
    precise = FilterState(DEFAULT.date_from, DEFAULT.date_to, max_geo_precision=1)
    assert apply_filters(df, precise)["event_id"].tolist() == ["T1", "T3"]
    kidal = FilterState(DEFAULT.date_from, DEFAULT.date_to, admin1=("Kidal",))
    assert apply_filters(df, kidal)["event_id"].tolist() == ["T2"]


def test_invalid_params_fall_back_with_notices():
    params = {"from": "2013-13-01", "minfat": "-3", "prec": "9", "type": "Battles,Nonsense"}
    state, notices = FilterState.from_params(params, DEFAULT)
    assert state.date_from == DEFAULT.date_from
    assert state.min_fatalities == 0 and state.max_geo_precision == 3
    assert state.event_types == ("Battles",)
    assert len(notices) == 4
    assert any("Nonsense" in n for n in notices)


def test_reversed_period_is_refused():
    state, notices = FilterState.from_params({"from": "2013-03-01", "to": "2013-02-01"}, DEFAULT)
    assert (state.date_from, state.date_to) == (DEFAULT.date_from, DEFAULT.date_to)
    assert notices


def test_unknown_choices_are_dropped():
    state, notices = FilterState.from_params(
        {"admin1": "Gao,Atlantis"}, DEFAULT, choices={"admin1": ("Gao", "Kidal")}
    )
    assert state.admin1 == ("Gao",)
    assert "Atlantis" in notices[0]


names = st.lists(st.sampled_from(["Gao", "Kidal", "Mopti", "Ségou"]), unique=True, max_size=3)


@given(
    st.dates(dt.date(2012, 1, 1), dt.date(2013, 6, 30)),
    st.integers(0, 400),
    names,
    st.sampled_from(["Battles", "Riots"]),
    st.integers(0, 50),
    st.integers(1, 3),
)
def test_params_round_trip(start, length, admin1, etype, minfat, prec):
    state = FilterState(
        date_from=start,
        date_to=start + dt.timedelta(days=length),
        as_of=start + dt.timedelta(days=length),
        admin1=tuple(admin1),
        event_types=(etype,),
        min_fatalities=minfat,
        max_geo_precision=prec,
    )
    back, notices = FilterState.from_params(state.to_params(), DEFAULT)
    assert notices == []
    assert back == state


@given(st.lists(st.text(min_size=1).filter(str.strip).map(str.strip), unique=True, max_size=4))
def test_list_values_with_commas_and_backslashes_round_trip(actors):
    state = FilterState(DEFAULT.date_from, DEFAULT.date_to, actors=tuple(actors))
    back, notices = FilterState.from_params(state.to_params(), DEFAULT)
    assert notices == []
    assert back.actors == tuple(actors)


def test_actor_with_comma_stays_one_actor():
    state = FilterState(DEFAULT.date_from, DEFAULT.date_to, actors=("Forces of A, B", "C"))
    assert state.to_params()["actor"] == "Forces of A\\, B,C"
    back, _ = FilterState.from_params(state.to_params(), DEFAULT)
    assert back.actors == ("Forces of A, B", "C")


def test_filter_mask_says_which_rows_apply_filters_keeps(incident_csv):
    df = store.read_incidents(incident_csv).set_axis(["a", "a", "b"])  # a repeated label
    feb = FilterState(date_from=dt.date(2013, 2, 1), date_to=dt.date(2013, 2, 21))
    for state in (DEFAULT, feb, FilterState(DEFAULT.date_from, DEFAULT.date_to, min_fatalities=1)):
        mask = filter_mask(df, state)
        assert mask.dtype == bool and mask.shape == (len(df),)
        assert df[mask]["event_id"].tolist() == apply_filters(df, state)["event_id"].tolist()
    assert filter_mask(df, feb).tolist() == [True, True, False]


def test_a_selection_holds_the_rows_apply_filters_gives(incident_csv):
    df = store.read_incidents(incident_csv)
    for state in (DEFAULT, FilterState(DEFAULT.date_from, DEFAULT.date_to, min_fatalities=1)):
        rows = Selection.of(df, state)
        expected = apply_filters(df, state)
        assert len(rows) == len(expected)
        # Some columns first (nothing else copied), then every column.
        few = rows.columns(["fatalities", "no such column", "event_id"])
        pd.testing.assert_frame_equal(few, expected[["fatalities", "event_id"]])
        pd.testing.assert_frame_equal(rows.frame, expected)
        assert rows.frame is rows.frame  # taken once
        pd.testing.assert_frame_equal(rows.columns(["event_id"]), expected[["event_id"]])


def test_a_narrowed_selection_keeps_the_flagged_rows_in_order(incident_csv):
    df = store.read_incidents(incident_csv)
    rows = Selection.of(df, DEFAULT)
    keep = np.arange(len(rows)) % 2 == 0
    narrowed = rows.narrowed(keep)
    pd.testing.assert_frame_equal(narrowed.frame, rows.frame[keep])
    assert len(narrowed) == int(keep.sum())
    with pytest.raises(ValueError, match="flags for"):
        rows.narrowed(keep[:-1])
    with pytest.raises(ValueError, match="the mask has shape"):
        Selection(df, np.ones(len(df) + 1, dtype=bool))
