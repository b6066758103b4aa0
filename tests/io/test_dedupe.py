"""Duplicate rules of geo.io.dedupe, checked on the module itself.

The store's append tests (tests/io/test_store_append.py) check the same rules
through append_incidents; these name which rule a pair matched under.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.io.dedupe import find_duplicates, haversine_km, match_pairs
from geo.model.schema import coerce_frame
from tests.conftest import make_rows

GAO = make_rows(1)[0]  # Battles in Gao, 2013-02-10


def _typed(*rows: dict[str, str]) -> pd.DataFrame:
    return coerce_frame(pd.DataFrame(list(rows)))


def test_haversine_one_degree_of_latitude_is_about_111_km():
    km = haversine_km(np.array([0.0]), np.array([0.0]), np.array([1.0]), np.array([0.0]))
    assert abs(float(km[0]) - 111.2) < 0.1


def test_same_source_record_matches_whatever_the_place_and_date():
    stored = _typed(dict(GAO, event_id="S1", origin_id="acled:1"))
    new = _typed(dict(GAO, event_id="", origin_id="acled:1", event_date="2014-01-01",
                      location="Kidal", latitude="18.44", longitude="1.41"))  # fmt: skip
    dups = find_duplicates(new, stored)
    assert dups["pos"].tolist() == [0]
    assert dups["duplicate_of"].tolist() == ["S1"]
    assert dups["reason"].tolist() == ["same source record (acled:1)"]


def test_near_in_time_and_place_matches_with_the_distance_as_reason():
    stored = _typed(dict(GAO, event_id="S1"))
    new = _typed(dict(GAO, event_id="", event_date="2013-02-11", latitude="16.29",
                      longitude="-0.03"))  # fmt: skip
    pairs = match_pairs(new, stored, days=1, km=10.0)
    assert pairs[["pos_a", "pos_b", "event_id_b"]].values.tolist() == [[0, 0, "S1"]]
    assert pairs.loc[0, "reason"].startswith("same event type, date within 1 day(s), within ")
    assert pairs.loc[0, "reason"].endswith(" km")


def test_same_place_name_in_the_same_country_matches_even_when_far():
    stored = _typed(dict(GAO, event_id="S1"))
    new = _typed(dict(GAO, event_id="", location="GAO", latitude="15.0", longitude="-2.0"))
    pairs = match_pairs(new, stored, days=0, km=10.0)
    assert pairs["reason"].tolist() == ["same event type, date within 0 day(s), same location name"]


def test_two_ids_of_one_source_are_two_events():
    stored = _typed(dict(GAO, event_id="S1", origin_id="acled:1"))
    new = _typed(dict(GAO, event_id="", origin_id="acled:2"))
    assert find_duplicates(new, stored).empty


def test_other_type_or_date_out_of_tolerance_is_not_a_duplicate():
    stored = _typed(dict(GAO, event_id="S1"))
    new = _typed(
        dict(GAO, event_id="", event_type="Protests", sub_event_type="Peaceful protest"),
        dict(GAO, event_id="", event_date="2013-02-12"),
    )
    assert find_duplicates(new, stored, days=2)["pos"].tolist() == [1]
    assert find_duplicates(new, stored, days=1).empty


def test_without_days_only_source_records_count():
    stored = _typed(dict(GAO, event_id="S1"))
    new = _typed(dict(GAO, event_id=""))
    assert find_duplicates(new, stored, days=None).empty


def test_a_repeat_inside_the_batch_names_the_earlier_incoming_row():
    new = _typed(dict(GAO, event_id=""), dict(GAO, event_id=""))
    dups = find_duplicates(new, _typed(GAO).iloc[:0])
    assert dups["pos"].tolist() == [1]
    assert dups["duplicate_of"].tolist() == ["incoming row 1"]


def test_the_closest_stored_match_is_reported():
    stored = _typed(
        dict(GAO, event_id="FAR", latitude="16.30", longitude="-0.10"),
        dict(GAO, event_id="NEAR", latitude="16.27", longitude="-0.04"),
    )
    new = _typed(dict(GAO, event_id=""))
    assert find_duplicates(new, stored)["duplicate_of"].tolist() == ["NEAR"]


def test_no_pairs_gives_typed_empty_frames():
    none = _typed(GAO).iloc[:0]
    pairs = match_pairs(none, none, days=-1, km=10.0)
    assert pairs.columns.tolist() == ["pos_a", "pos_b", "event_id_b", "reason"]
    assert find_duplicates(none, none).columns.tolist() == ["pos", "duplicate_of", "reason"]
