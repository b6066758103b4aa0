"""Synthetic incidents for benchmarks: labelled, reproducible, and where they say they are."""

from __future__ import annotations

import pandas as pd
import shapely

from geo.analysis.pipeline import prepare
from geo.io.store import check_rows, to_csv_frame
from geo.io.synthetic import SYNTHETIC_SOURCE, synthetic_incidents
from geo.reference.boundaries import load_admin1


def test_default_incidents_lie_inside_mali_and_pass_every_check() -> None:
    frame = synthetic_incidents(5_000, seed=4)
    mali = shapely.union_all(load_admin1(iso3="MLI").geometry.to_numpy())
    inside = shapely.intersects_xy(mali, frame["longitude"], frame["latitude"])
    assert inside.all()  # a box around Mali put 55 % of them in its neighbours
    assert check_rows(to_csv_frame(frame)) == []
    joined = prepare(frame)
    placed = joined[~joined["country_level"]]
    assert (placed["area_iso3"] == "MLI").all() and not placed["area_snapped"].any()


def test_the_same_seed_gives_the_same_frame_and_every_row_says_synthetic() -> None:
    a, b = synthetic_incidents(2_000, seed=9), synthetic_incidents(2_000, seed=9)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(synthetic_incidents(2_000, seed=10))
    assert (a["source"] == SYNTHETIC_SOURCE).all() and a["event_id"].str.startswith("SYN").all()


def test_a_box_still_spreads_points_over_the_box() -> None:
    box = (-29.9, 10.1, -20.1, 19.9)  # made-up layers of the render tests, in the sea
    frame = synthetic_incidents(3_000, seed=2, bounds=box)
    assert frame["longitude"].between(box[0], box[2]).all()
    assert frame["latitude"].between(box[1], box[3]).all()
