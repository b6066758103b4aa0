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


# --------------------------------------------------------------------------
# The bucketed matcher against a brute-force reference: every pair compared,
# the rules of the module docstring written out one by one.

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from geo.reference.names import fold  # noqa: E402

# Points that tie, sit within 10 km of each other or far apart, straddle the
# date line and sit next to a pole, so cell edges and ties are exercised.
_POINTS = [
    (16.2717, -0.0447), (16.2717, -0.0447), (16.30, -0.10), (16.27, -0.04), (16.35, 0.02),
    (18.44, 1.41), (0.0, 179.99), (0.0, -179.99), (89.99, 0.0), (89.99, 120.0), (-89.99, 0.0),
]  # fmt: skip
_ROW = st.fixed_dictionaries(
    {
        "event_type": st.sampled_from(["Battles", "Riots", ""]),
        "day": st.integers(0, 4),
        "point": st.one_of(
            st.sampled_from(_POINTS),
            st.tuples(st.floats(16.0, 16.6), st.floats(-0.4, 0.3)),
        ),
        "location": st.sampled_from(["Gao", "GAO", "Gâo", "Kidal", ""]),
        "iso3": st.sampled_from(["MLI", "", "NER"]),
        "country": st.sampled_from(["Mali", "mali", "Niger", ""]),
        "origin_id": st.sampled_from(["", "", "acled:1", "acled:2", "ucdp:1", "x1", "x2"]),
    }
)


def _frame(rows: list[dict], prefix: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": [f"{prefix}{i}" for i in range(len(rows))],
            "event_type": [r["event_type"] for r in rows],
            "event_date": pd.to_datetime("2013-02-10")
            + pd.to_timedelta([r["day"] for r in rows], unit="D"),
            "latitude": [float(r["point"][0]) for r in rows],
            "longitude": [float(r["point"][1]) for r in rows],
            "location": [r["location"] for r in rows],
            "iso3": [r["iso3"] for r in rows],
            "country": [r["country"] for r in rows],
            "origin_id": [r["origin_id"] for r in rows],
        }
    )


def _country(row: pd.Series) -> str:
    return row["iso3"] or row["country"].casefold()


def _source(origin: str) -> str:
    return origin.split(":", 1)[0] if ":" in origin else ""


def _rule(a: pd.Series, other: pd.Series, days: int | None, km: float, dist: float):
    """(rank, reason) of the rule under which two rows match, or None."""
    if a["origin_id"] and a["origin_id"] == other["origin_id"]:
        return -1.0, f"same source record ({a['origin_id']})"
    if days is None or a["event_type"] != other["event_type"]:
        return None
    if abs((a["event_date"] - other["event_date"]).days) > days:
        return None
    if _source(a["origin_id"]) and _source(a["origin_id"]) == _source(other["origin_id"]):
        return None  # two ids of one source: two events
    if dist <= km:
        return dist, f"within {round(float(dist), 1)} km"
    same_name = fold(a["location"]) and fold(a["location"]) == fold(other["location"])
    if same_name and _country(a) == _country(other):
        return dist, "same location name"
    return None


def _reference_best(a: pd.Series, b: pd.DataFrame, days: int | None, km: float, before: int):
    """The best match (rank, row, reason) of ``a`` among the first ``before`` rows of ``b``."""
    dist = haversine_km(
        np.full(len(b), a["latitude"]), np.full(len(b), a["longitude"]),
        b["latitude"].to_numpy(), b["longitude"].to_numpy(),
    )  # fmt: skip
    found = []
    for j in range(min(before, len(b))):
        rule = _rule(a, b.iloc[j], days, km, dist[j])
        if rule is not None:
            found.append((rule[0], j, rule[1]))
    return min(found, default=None, key=lambda f: f[:2])


def _reference(new: pd.DataFrame, existing: pd.DataFrame, days: int | None, km: float):
    out = []
    for i in range(len(new)):
        a = new.iloc[i]
        hit = _reference_best(a, existing, days, km, len(existing))
        name = existing["event_id"].iloc[hit[1]] if hit else None
        if hit is None:
            hit = _reference_best(a, new, days, km, i)
            name = f"incoming row {hit[1] + 1}" if hit else None
        if hit is not None:
            why = hit[2]
            if not why.startswith("same source"):
                why = f"same event type, date within {days} day(s), {why}"
            out.append([i, name, why])
    return out


@settings(max_examples=300, deadline=None)
@given(
    new=st.lists(_ROW, max_size=12),
    stored=st.lists(_ROW, max_size=12),
    days=st.sampled_from([None, 0, 1, 3]),
    km=st.sampled_from([0.0, 1.0, 10.0, 30.0]),
)
def test_bucketed_matching_finds_what_comparing_every_pair_finds(new, stored, days, km):
    got = find_duplicates(_frame(new, "N"), _frame(stored, "S"), days=days, km=km)
    want = _reference(_frame(new, "N"), _frame(stored, "S"), days, km)
    assert got[["pos", "duplicate_of", "reason"]].astype(object).values.tolist() == want
