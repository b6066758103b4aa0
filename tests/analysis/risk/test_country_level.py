"""Tests for geo.analysis.risk.country_level: country-level incidents count for no region."""

from __future__ import annotations

import pandas as pd

from geo import config
from geo.analysis.pipeline import areas_for, prepare
from geo.analysis.risk import COUNTRY_LEVEL_COLUMNS, country_level_counts, score_areas
from geo.io.store import read_incidents
from tests.analysis.risk.risk_support import AS_OF, CFG, _areas, _joined, _row


def _with_country_level() -> pd.DataFrame:
    """The fixture incidents plus two coded only to Testland (no area, country_level)."""
    joined = _joined().assign(country_level=False)
    extra = joined[joined["event_id"].isin(["R1", "R4"])].copy()
    extra["event_id"] = ["C1", "C2"]
    extra["area"] = ""
    extra["area_code"] = ""
    extra["country_level"] = True
    extra["fatalities"] = [4, 0]
    return pd.concat([joined, extra], ignore_index=True)


def test_country_level_incidents_raise_no_area() -> None:
    plain = score_areas(_joined(), _areas(), AS_OF, config=CFG)
    both = score_areas(_with_country_level(), _areas(), AS_OF, config=CFG)
    cols = ["area", "score", "events", "fatalities"]
    pd.testing.assert_frame_equal(plain[cols], both[cols])
    assert _row(both, "North")["events"] == _row(plain, "North")["events"]
    # they are counted for their country beside the scores
    assert both.attrs["country_level"] == [
        {"iso3": "ZZZ", "country": "Testland", "events": 2, "fatalities": 4}
    ]
    assert plain.attrs["country_level"] == []


def test_country_level_counts_follow_the_window() -> None:
    frame = _with_country_level()
    counts = country_level_counts(frame, AS_OF, window_days=90)
    assert list(counts.columns) == list(COUNTRY_LEVEL_COLUMNS)
    assert counts.to_dict("records") == [
        {"iso3": "ZZZ", "country": "Testland", "events": 2, "fatalities": 4}
    ]
    # C2 is 3 days before the as-of date, C1 on it: a 1-day window keeps C1 only
    assert country_level_counts(frame, AS_OF, window_days=1)["events"].tolist() == [1]
    assert country_level_counts(frame, "2013-01-01").empty
    assert country_level_counts(_joined(), AS_OF).empty  # no country_level column


def test_shipped_tunisia_country_level_incident_does_not_raise_kebili() -> None:
    # Shipped data, not a build product: its absence is a failure, never a skip.
    assert config.INCIDENTS_CSV.exists(), f"{config.INCIDENTS_CSV} is missing"
    incidents = read_incidents(config.INCIDENTS_CSV)
    joined = prepare(incidents)
    out = score_areas(joined, areas_for(incidents), "2013-02-28")
    kebili = _row(out, "Kebili")
    assert kebili["events"] == 0 and kebili["score"] == 0
    tunisia = out[out["iso3"] == "TUN"]
    assert (tunisia["events"] == 0).all() and (tunisia["score"] == 0).all()
    counted = {r["iso3"]: r["events"] for r in out.attrs["country_level"]}
    assert counted == {"TUN": 3, "BHR": 2, "SYR": 1}
