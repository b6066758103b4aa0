"""The deadliest incidents of a draft: picked without sorting every row, same answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.io.store import read_incidents
from geo.io.synthetic import synthetic_incidents
from geo.render.brief.judgements import deadliest_rows


def sorted_way(frame: pd.DataFrame, k: int) -> list[int]:
    """What the draft did before: filter, sort every killing row, take the head."""
    positions = frame.assign(_pos=np.arange(len(frame)))
    deadly = positions[positions["fatalities"].fillna(0) > 0].sort_values(
        ["fatalities", "event_date"], ascending=[False, True], kind="stable"
    )
    return deadly["_pos"].head(k).tolist()


@pytest.mark.parametrize("k", [1, 2, 5])
def test_the_shipped_store_gives_the_rows_the_sort_gave(k: int) -> None:
    frame = read_incidents()
    assert deadliest_rows(frame, k).tolist() == sorted_way(frame, k)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_synthetic_rows_with_many_ties_give_the_rows_the_sort_gave(seed: int) -> None:
    # Poisson deaths over 60 days: hundreds of rows share the top count and a day.
    frame = synthetic_incidents(5_000, seed=seed, days=60)
    assert deadliest_rows(frame, 2).tolist() == sorted_way(frame, 2)


def test_missing_dates_and_deaths_order_as_the_sort_ordered_them() -> None:
    frame = pd.DataFrame(
        {
            "event_date": pd.to_datetime(
                ["2013-02-03", None, "2013-02-01", "2013-02-01", "2013-01-30", None]
            ),
            "fatalities": pd.array([5, 7, 7, None, 0, 7], dtype="Int64"),
        }
    )
    assert sorted_way(frame, 6) == [2, 1, 5, 0]
    assert deadliest_rows(frame, 6).tolist() == [2, 1, 5, 0]


def test_a_period_where_nobody_died_has_no_deadliest_rows() -> None:
    frame = pd.DataFrame(
        {
            "event_date": pd.to_datetime(["2013-02-03"]),
            "fatalities": pd.array([0], dtype="Int64"),
        }
    )
    assert deadliest_rows(frame, 2).tolist() == []
