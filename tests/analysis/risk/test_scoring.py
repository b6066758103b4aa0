"""Tests for geo.analysis.risk.scoring: score_areas by hand, levels, properties, shipped data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import config
from geo.analysis.risk import COMPONENTS, level_for_score, load_overrides, score_areas
from geo.io.store import read_incidents
from tests.analysis.risk.risk_support import (
    _ACTORS,
    _AREA_NAMES,
    _TYPES,
    AS_OF,
    CFG,
    PROPS,
    _areas,
    _by_area,
    _frame,
    _joined,
    _row,
    _sat,
    _score,
    incident,
)

# --------------------------------------------------------------------------
# Hand-computed expectations
# --------------------------------------------------------------------------


def test_north_components_by_hand() -> None:
    out = score_areas(_joined(), _areas(), AS_OF, config=CFG)
    north = _row(out, "North")
    # R1 today (weight 1), R2 30 days ago (weight 0.5 at a 30-day half-life), R3 out.
    assert north["x_activity"] == pytest.approx(1.5)
    assert north["x_severity"] == pytest.approx(1.0 * 1 + 2.0 * 0.5)  # clash 1, suicide bomb 2
    assert north["x_fatalities"] == pytest.approx(3 + 10 * 0.5)
    assert north["x_civilians"] == pytest.approx(0.5)
    assert north["x_diffusion"] == 2
    assert north["c_activity"] == pytest.approx(_sat(1.5, 8))
    assert north["c_severity"] == pytest.approx(_sat(2.0, 6))
    assert north["c_fatalities"] == pytest.approx(_sat(math.log(9), math.log(21)))
    assert north["c_civilians"] == pytest.approx(_sat(0.5, 3))
    assert north["c_diffusion"] == pytest.approx(_sat(2, 4))
    # 0.15*12.187 + 0.30*20.630 + 0.25*39.362 + 0.15*10.910 + 0.15*29.289 = 23.887
    assert north["score"] == 23.9
    assert north["level"] == "Moderate"
    assert north["events"] == 2
    assert north["fatalities"] == 13
    assert north["civilian_events"] == 1
    assert north["locations"] == 2
    # Group A and Group B; Military Forces and Civilians are not armed actors.
    assert north["actors"] == 2
    assert north["days_since_last"] == 0
    # 1 event this week against 1 in the 4 weeks before (0.25 a week): low baseline.
    assert north["events_last_7d"] == 1
    assert north["weekly_baseline"] == 0.25
    assert north["trend_pct"] == pytest.approx(300.0)
    assert north["trend"] == "Limited change"


def test_south_and_empty_area_by_hand() -> None:
    out = score_areas(_joined(), _areas(), AS_OF, config=CFG)
    south = _row(out, "South")
    d = 2 ** (-3 / 30)  # the protest 3 days ago
    assert south["x_activity"] == pytest.approx(d)
    assert south["x_severity"] == pytest.approx(0.05 * d)
    assert south["events"] == 1 and south["fatalities"] == 0 and south["actors"] == 0
    expected = 0.15 * _sat(d, 8) + 0.30 * _sat(0.05 * d, 6) + 0.15 * _sat(1, 4)
    assert south["score"] == round(expected, 1) == 3.7
    assert south["level"] == "Low"
    assert south["days_since_last"] == 3
    east = _row(out, "East")
    assert east["score"] == 0 and east["level"] == "Low" and east["events"] == 0
    assert pd.isna(east["days_since_last"]) and east["trend"] == "Limited change"
    assert list(out["area"]) == ["North", "South", "East"]


def test_output_columns_and_order() -> None:
    out = score_areas(_joined(), _areas(), AS_OF, config=CFG)
    contract = (
        "area, area_code, iso3, score, level, events, fatalities, civilian_events, locations, "
        "actors, days_since_last, trend, trend_pct, events_last_7d, weekly_baseline, "
        "override_level, override_reason, override_expires, final_level"
    )
    for col in contract.split(", "):
        assert col in out.columns
    assert [c for c in out.columns if c.startswith("c_")] == [f"c_{n}" for n in COMPONENTS]
    assert out.attrs["as_of"] == AS_OF


def test_window_edge_and_later_events() -> None:
    joined = _joined()
    wider = score_areas(joined, _areas(), AS_OF, window_days=91, config=CFG)
    # R3 (90 days old) enters a 91-day window at weight 2**-3.
    assert _row(wider, "North")["x_fatalities"] == pytest.approx(3 + 5 + 100 / 8)
    # R5 (the day after) counts once the as-of date reaches it.
    later = score_areas(joined, _areas(), "2013-03-01", config=CFG)
    assert _row(later, "South")["civilian_events"] == 1
    assert _row(later, "South")["fatalities"] == 50


def test_civilian_targeting_column_is_optional() -> None:
    joined = _joined().drop(columns=["civilian_targeting"])
    out = score_areas(joined, _areas(), AS_OF, config=CFG)
    # Without the flag, the suicide bombing is not "Violence against civilians".
    assert _row(out, "North")["civilian_events"] == 0


def test_same_name_in_two_countries_kept_apart() -> None:
    areas = pd.DataFrame(
        {"area": ["Adrar", "Adrar"], "area_code": ["DZ-01", "MR-07"], "iso3": ["DZA", "MRT"]}
    )
    joined = _joined().iloc[:1].assign(area="Adrar", area_code="MR-07")
    out = score_areas(joined, areas, AS_OF, config=CFG)
    assert _row(out.set_index("area_code").reset_index(), "Adrar") is not None
    by_code = out.set_index("area_code")
    assert by_code.loc["MR-07", "events"] == 1
    assert by_code.loc["DZ-01", "events"] == 0


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="as_of"):
        score_areas(_joined(), _areas(), "28/02/2013", config=CFG)
    with pytest.raises(ValueError, match="window_days"):
        score_areas(_joined(), _areas(), AS_OF, window_days=0, config=CFG)
    with pytest.raises(ValueError, match="fatalities"):
        score_areas(_joined().drop(columns=["fatalities"]), _areas(), AS_OF, config=CFG)


# --------------------------------------------------------------------------
# Levels
# --------------------------------------------------------------------------


def test_level_thresholds() -> None:
    assert level_for_score(0) == "Low"
    assert level_for_score(9.9) == "Low"
    assert level_for_score(10) == "Moderate"
    assert level_for_score(25) == "Elevated"
    assert level_for_score(44.9) == "Elevated"
    assert level_for_score(45) == "High"
    assert level_for_score(65) == "Extreme"
    assert level_for_score(100) == "Extreme"
    with pytest.raises(ValueError):
        level_for_score(101)


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------


@PROPS
@given(st.lists(incident, max_size=25), incident)
def test_adding_an_incident_never_lowers_its_area(items: list[dict], extra: dict) -> None:
    before = _by_area(_score(items))
    after = _by_area(_score([*items, extra]))
    assert after.loc[extra["area"], "score"] >= before.loc[extra["area"], "score"]
    for name in COMPONENTS:
        assert after.loc[extra["area"], f"c_{name}"] >= before.loc[extra["area"], f"c_{name}"]
    others = [a for a in _AREA_NAMES if a != extra["area"]]
    pd.testing.assert_series_equal(after.loc[others, "score"], before.loc[others, "score"])


@PROPS
@given(st.lists(incident, max_size=25), incident, st.integers(1, 120))
def test_incident_older_than_window_contributes_nothing(
    items: list[dict], extra: dict, window: int
) -> None:
    old = dict(extra, age=window + extra["age"] % 40)
    before = _score(items, window)
    after = _score([*items, old], window)
    cols = ["area", "score", "level", "events", "fatalities", "civilian_events", "locations"]
    cols += [f"c_{n}" for n in COMPONENTS] + [f"x_{n}" for n in COMPONENTS] + ["actors"]
    pd.testing.assert_frame_equal(before[cols], after[cols])


@PROPS
@given(st.lists(incident, max_size=25), incident, st.integers(0, 88), st.integers(1, 89))
def test_same_incident_further_back_weighs_less(
    items: list[dict], extra: dict, age: int, step: int
) -> None:
    older = min(age + step, 89)
    if older == age:
        return
    recent = _by_area(_score([*items, dict(extra, age=age)])).loc[extra["area"]]
    past = _by_area(_score([*items, dict(extra, age=older)])).loc[extra["area"]]
    assert past["score"] <= recent["score"]
    assert past["x_activity"] < recent["x_activity"]
    for name in COMPONENTS:
        assert past[f"x_{name}"] <= recent[f"x_{name}"]


@PROPS
@given(st.lists(incident, max_size=25))
def test_areas_without_events_are_low(items: list[dict]) -> None:
    out = _by_area(_score(items))
    assert len(out) == 3
    quiet = out[out["events"] == 0]
    assert (quiet["level"] == "Low").all()
    assert (quiet["score"] == 0).all()
    assert out["level"].notna().all() and out["final_level"].notna().all()


@PROPS
@given(st.lists(incident, max_size=30), st.randoms(use_true_random=False))
def test_row_order_never_matters(items: list[dict], rnd) -> None:  # type: ignore[no-untyped-def]
    frame = _frame(items)
    order = list(range(len(frame)))
    rnd.shuffle(order)
    a = score_areas(frame, _areas(), AS_OF, config=CFG)
    b = score_areas(frame.iloc[order], _areas(), AS_OF, config=CFG)
    c = score_areas(frame, _areas().iloc[::-1], AS_OF, config=CFG)
    pd.testing.assert_frame_equal(a, b)  # exact: no tolerance
    pd.testing.assert_frame_equal(a, c)


def test_vectorized_matches_a_plain_loop() -> None:
    """The histogram implementation against a direct per-event sum."""
    rng = np.random.default_rng(7)
    items = [
        {
            "area": _AREA_NAMES[rng.integers(3)],
            "age": int(rng.integers(-5, 120)),
            "kind": _TYPES[rng.integers(len(_TYPES))],
            "fatalities": int(rng.integers(0, 40)),
            "civ": bool(rng.integers(2)),
            "lat": int(rng.integers(4)),
            "lon": int(rng.integers(4)),
            "actor1": _ACTORS[rng.integers(len(_ACTORS))],
            "actor2": _ACTORS[rng.integers(len(_ACTORS))],
        }
        for _ in range(300)
    ]
    out = _by_area(_score(items))
    for area in _AREA_NAMES:
        mine = [i for i in items if i["area"] == area and 0 <= i["age"] < 90]
        decay = [0.5 ** (i["age"] / 30) for i in mine]
        sev = sum(d * CFG.severity_of(*i["kind"]) for i, d in zip(mine, decay, strict=True))
        fat = sum(d * i["fatalities"] for i, d in zip(mine, decay, strict=True))
        civ = sum(
            d
            for i, d in zip(mine, decay, strict=True)
            if i["civ"] or i["kind"][0] == "Violence against civilians"
        )
        row = out.loc[area]
        assert row["x_activity"] == pytest.approx(sum(decay))
        assert row["x_severity"] == pytest.approx(sev)
        assert row["x_fatalities"] == pytest.approx(fat)
        assert row["x_civilians"] == pytest.approx(civ)
        assert row["locations"] == len({(i["lat"], i["lon"]) for i in mine})
        actors = {
            a
            for i in mine
            for a in (i["actor1"], i["actor2"])
            if a and not a.startswith(("Military Forces", "Civilians"))
        }
        assert row["actors"] == len(actors)


# --------------------------------------------------------------------------
# The shipped data (the Done criterion)
# --------------------------------------------------------------------------


def test_shipped_data_north_ranks_above_south() -> None:
    from geo.analysis.pipeline import prepare
    from geo.reference.boundaries import load_admin1

    # Shipped data, not a build product: its absence is a failure, never a skip.
    assert config.INCIDENTS_CSV.exists(), f"{config.INCIDENTS_CSV} is missing"
    areas = load_admin1()
    joined = prepare(read_incidents(config.INCIDENTS_CSV), areas=areas)
    out = score_areas(joined, areas, "2013-02-28", overrides=load_overrides())
    mali = out[out["iso3"] == "MLI"].reset_index(drop=True)
    rank = {area: i for i, area in enumerate(mali["area"])}
    for north in ("Kidal", "Gao", "Timbuktu"):
        for south in ("Bamako", "Kayes", "Sikasso"):
            assert rank[north] < rank[south], (north, south)
            assert _row(mali, north)["score"] > _row(mali, south)["score"], (
                f"{north} should score above {south}"
            )
