"""Tests for geo.analysis.risk and the ``risk`` command.

Fixtures (written for these tests, no real places):

- ``data/risk_incidents.csv``: six incidents in a made-up country "Testland"
  (ZZZ). North has a clash on the as-of date (R1), a suicide bombing 30 days
  before it (R2, civilian targeting) and a clash 90 days before it (R3, just
  outside a 90-day window); South has a peaceful protest 3 days before (R4)
  and an attack the day after the as-of date (R5, ignored); R6 is in no area.
- ``data/risk_areas.geojson``: three squares North, South, East (East has no
  incidents).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import cli, config
from geo.analysis.risk import (
    COMPONENTS,
    RiskConfig,
    RiskConfigError,
    RiskOverridesError,
    level_for_score,
    load_overrides,
    load_risk_config,
    score_areas,
    trend_class,
)
from geo.io.store import read_incidents

DATA = Path(__file__).resolve().parents[1] / "data"
INCIDENTS = DATA / "risk_incidents.csv"
AREAS_FILE = DATA / "risk_areas.geojson"
AS_OF = "2013-02-28"
AREA_OF = {"R1": "North", "R2": "North", "R3": "North", "R4": "South", "R5": "South", "R6": ""}
CODE_OF = {"North": "ZZ-N", "South": "ZZ-S", "East": "ZZ-E", "": ""}
CFG = RiskConfig()


def _areas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["North", "South", "East"],
            "area_code": ["ZZ-N", "ZZ-S", "ZZ-E"],
            "iso3": ["ZZZ"] * 3,
            "aliases": ["Nord|Septentrion", "", ""],
        }
    )


def _joined() -> pd.DataFrame:
    """The fixture incidents with their area, as geo.analysis.pipeline.prepare would add it."""
    df = read_incidents(INCIDENTS)
    df["area"] = df["event_id"].map(AREA_OF).astype("string")
    df["area_code"] = df["area"].map(CODE_OF).astype("string")
    return df


def _row(out: pd.DataFrame, area: str) -> pd.Series:
    return out.set_index("area").loc[area]


def _sat(x: float, half: float) -> float:
    return 100 * (1 - 2 ** (-x / half))


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
# Levels and trends
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


@pytest.mark.parametrize(
    ("recent", "previous", "label"),
    [
        (10, 32, "Moderate increase"),  # +25 % exactly: not above 25
        (11, 32, "Large increase"),  # +37.5 %
        (9, 32, "Moderate increase"),  # +12.5 %
        (11, 40, "Limited change"),  # +10 % exactly: not above 10
        (6, 32, "Limited change"),  # -25 % exactly: not below -25
        (7, 32, "Limited change"),  # -12.5 %: no "moderate decrease" class
        (5, 32, "Large decrease"),  # -37.5 %
        (5, 8, "Limited change"),  # low baseline (2 a week) and <= 5 this week
        (6, 8, "Large increase"),  # low baseline but 6 this week
        (0, 9, "Large decrease"),  # 2.25 a week is not a low baseline
        (5, 0, "Limited change"),
        (6, 0, "Large increase"),  # no baseline at all, more than 5 this week
    ],
)
def test_trend_classes(recent: int, previous: int, label: str) -> None:
    assert trend_class(recent, previous) == label


# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------


def test_shipped_config_equals_defaults() -> None:
    assert load_risk_config(config.RISK_CONFIG_FILE) == RiskConfig()
    assert sum(RiskConfig().weights.values()) == pytest.approx(1.0)


def test_partial_config_keeps_other_defaults(tmp_path: Path) -> None:
    path = tmp_path / "risk.toml"
    path.write_text('[weights]\nseverity = 0.6\n\n[severity.sub_event_type]\n"Grenade" = 3.0\n')
    cfg = load_risk_config(path)
    assert cfg.weights["severity"] == 0.6
    assert cfg.weights["activity"] == 0.15
    assert cfg.severity_of("Explosions/Remote violence", "Grenade") == 3.0
    assert cfg.severity_of("Explosions/Remote violence", "Suicide bomb") == 2.0
    assert cfg.half_life_days == 30.0


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("[weights]\nseverity = -1\n", "weights.severity", "-1"),
        ("[weights]\nseverty = 0.2\n", "weights.severty", "0.2"),
        ("half_life = 10\n", "half_life", "10"),
        ("half_life_days = 0\n", "half_life_days", "0"),
        ("[levels]\nHigh = 20\n", "levels.High", "20"),
        ('[severity.sub_event_type]\n"Car bomb" = 2\n', "severity.sub_event_type.Car bomb", "2"),
        ("[half_at]\nfatalities = 0\n", "half_at.fatalities", "0"),
        ('[diffusion]\nlocation_decimals = "two"\n', "diffusion.location_decimals", "'two'"),
    ],
)
def test_config_errors_name_file_key_value(tmp_path: Path, text: str, key: str, value: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(RiskConfigError) as info:
        load_risk_config(path)
    message = str(info.value)
    assert str(path) in message
    assert repr(key) in message
    assert value in message


def test_config_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("weights = [\n")
    with pytest.raises(RiskConfigError, match="not valid TOML"):
        load_risk_config(path)


def test_weights_change_scores_but_not_counts() -> None:
    heavy = RiskConfig(
        weights={"activity": 0, "severity": 0, "fatalities": 1, "civilians": 0, "diffusion": 0}
    )
    out = score_areas(_joined(), _areas(), AS_OF, config=heavy)
    north = _row(out, "North")
    assert north["score"] == round(north["c_fatalities"], 1)
    assert north["events"] == 2


# --------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "overrides.csv"
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "area,level,reason,expires,set_by,set_on\n"


def test_overrides_change_final_level_not_score(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER
        + "Septentrion,Extreme,Analyst knows more,2013-03-31,A. Analyst,2013-02-01\n"
        + "South,High,Old concern,2013-02-10,A. Analyst,2013-01-01\n"
        + "East,High,Not yet,2013-06-30,A. Analyst,2013-03-15\n",
    )
    plain = score_areas(_joined(), _areas(), AS_OF, config=CFG)
    pinned = score_areas(_joined(), _areas(), AS_OF, config=CFG, overrides=load_overrides(path))
    numeric = [c for c in plain.columns if c.startswith(("c_", "x_"))] + ["score", "level"]
    pd.testing.assert_frame_equal(plain[["area", *numeric]], pinned[["area", *numeric]])
    north, south, east = (_row(pinned, a) for a in ("North", "South", "East"))
    # The alias "Septentrion" names North; the computed level stays visible.
    assert (north["level"], north["override_level"], north["final_level"]) == (
        "Moderate",
        "Extreme",
        "Extreme",
    )
    assert north["override_status"] == "active"
    assert north["override_reason"] == "Analyst knows more"
    assert north["override_expires"] == pd.Timestamp("2013-03-31")
    # Expired: shown, inactive, final level is the computed one.
    assert (south["override_level"], south["override_status"], south["final_level"]) == (
        "High",
        "expired",
        "Low",
    )
    assert (east["override_status"], east["final_level"]) == ("not yet in force", "Low")
    assert pinned.attrs["notices"] == []


def test_override_for_unknown_area_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "Atlantis,High,x,2013-03-31,A,2013-02-01\n")
    out = score_areas(_joined(), _areas(), AS_OF, config=CFG, overrides=load_overrides(path))
    assert len(out.attrs["notices"]) == 1
    assert "Atlantis" in out.attrs["notices"][0] and "row 2" in out.attrs["notices"][0]
    assert (out["final_level"] == out["level"]).all()


@pytest.mark.parametrize(
    ("line", "column", "value"),
    [
        ("North,Severe,x,2013-03-31,A,2013-02-01", "level", "Severe"),
        ("North,High,x,31/03/2013,A,2013-02-01", "expires", "31/03/2013"),
        ("North,High,x,2013-02-30,A,2013-02-01", "expires", "2013-02-30"),
        ("North,High,,2013-03-31,A,2013-02-01", "reason", ""),
        ("North,High,x,2013-03-31,,2013-02-01", "set_by", ""),
        ("North,High,x,2013-01-31,A,2013-02-01", "expires", "2013-01-31"),
    ],
)
def test_override_errors_name_file_row_column_value(
    tmp_path: Path, line: str, column: str, value: str
) -> None:
    path = _write(tmp_path, HEADER + "South,Low,fine,2013-03-31,A,2013-02-01\n" + line + "\n")
    with pytest.raises(RiskOverridesError) as info:
        load_overrides(path)
    problem = info.value.problems[0]
    assert (problem.file, problem.row, problem.column, problem.value) == (
        str(path),
        3,
        column,
        value,
    )


def test_override_file_missing_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "area,level,reason,expires,set_by\nNorth,High,x,2013-03-31,A\n")
    with pytest.raises(RiskOverridesError) as info:
        load_overrides(path)
    assert [(p.row, p.column) for p in info.value.problems] == [(1, "set_on")]


def test_overlapping_overrides_rejected(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER + "North,High,a,2013-03-31,A,2013-02-01\nnorth,Low,b,2013-04-30,A,2013-03-01\n",
    )
    with pytest.raises(RiskOverridesError, match="row 3"):
        load_overrides(path)


def test_successive_overrides_pick_the_active_one(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER + "North,High,a,2013-02-15,A,2013-02-01\nNorth,Low,b,2013-04-30,A,2013-02-16\n",
    )
    out = score_areas(_joined(), _areas(), AS_OF, config=CFG, overrides=load_overrides(path))
    assert _row(out, "North")["override_level"] == "Low"
    assert _row(out, "North")["final_level"] == "Low"


def test_shipped_overrides_are_valid() -> None:
    ov = load_overrides(config.RISK_OVERRIDES_FILE)
    assert set(ov.columns) >= {"area", "level", "reason", "expires", "set_by", "set_on"}
    assert (ov["reason"].str.len() > 20).all()


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

_TYPES = [
    ("Battles", "Armed clash"),
    ("Explosions/Remote violence", "Suicide bomb"),
    ("Violence against civilians", "Attack"),
    ("Protests", "Peaceful protest"),
    ("Strategic developments", "Agreement"),
    ("Riots", ""),
]
_ACTORS = ["", "Group A", "Group B", "Military Forces of Testland", "Civilians (Testland)"]
_AREA_NAMES = ["North", "South", "East"]

incident = st.fixed_dictionaries(
    {
        "area": st.sampled_from(_AREA_NAMES),
        "age": st.integers(-5, 130),
        "kind": st.sampled_from(_TYPES),
        "fatalities": st.integers(0, 300),
        "civ": st.booleans(),
        "lat": st.integers(0, 3),
        "lon": st.integers(0, 3),
        "actor1": st.sampled_from(_ACTORS),
        "actor2": st.sampled_from(_ACTORS),
    }
)


def _frame(items: list[dict]) -> pd.DataFrame:
    as_of = pd.Timestamp(AS_OF)
    return pd.DataFrame(
        {
            "area": pd.Series([i["area"] for i in items], dtype="string"),
            "area_code": pd.Series([CODE_OF[i["area"]] for i in items], dtype="string"),
            "event_date": pd.Series(
                [as_of - pd.Timedelta(days=i["age"]) for i in items], dtype="datetime64[ns]"
            ),
            "event_type": pd.Series([i["kind"][0] for i in items], dtype="string"),
            "sub_event_type": pd.Series([i["kind"][1] for i in items], dtype="string"),
            "fatalities": pd.Series([i["fatalities"] for i in items], dtype="Int64"),
            "civilian_targeting": pd.Series(
                ["Civilian targeting" if i["civ"] else "" for i in items], dtype="string"
            ),
            "latitude": pd.Series([15.0 + 0.1 * i["lat"] for i in items], dtype="float64"),
            "longitude": pd.Series([1.0 + 0.1 * i["lon"] for i in items], dtype="float64"),
            "actor1": pd.Series([i["actor1"] for i in items], dtype="string"),
            "actor2": pd.Series([i["actor2"] for i in items], dtype="string"),
        }
    )


def _score(items: list[dict], window: int = 90) -> pd.DataFrame:
    return score_areas(_frame(items), _areas(), AS_OF, window_days=window, config=CFG)


def _by_area(out: pd.DataFrame) -> pd.DataFrame:
    return out.set_index("area").sort_index()


PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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


@PROPS
@given(
    st.lists(incident, max_size=25),
    st.sampled_from(_AREA_NAMES),
    st.sampled_from(["Low", "Moderate", "Elevated", "High", "Extreme"]),
    st.integers(-20, 20),
)
def test_overrides_never_change_scores(
    items: list[dict], area: str, level: str, shift: int
) -> None:
    as_of = pd.Timestamp(AS_OF)
    overrides = pd.DataFrame(
        {
            "area": [area],
            "level": [level],
            "reason": ["property test"],
            "expires": [as_of + pd.Timedelta(days=shift)],
            "set_by": ["test"],
            "set_on": [as_of - pd.Timedelta(days=30)],
        }
    )
    plain = score_areas(_frame(items), _areas(), AS_OF, config=CFG)
    pinned = score_areas(_frame(items), _areas(), AS_OF, config=CFG, overrides=overrides)
    pd.testing.assert_series_equal(plain["score"], pinned["score"])
    pd.testing.assert_series_equal(plain["level"], pinned["level"])
    row = _row(pinned, area)
    assert row["final_level"] == (level if shift >= 0 else row["level"])


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
# Command line
# --------------------------------------------------------------------------

CLI_BASE = [
    "risk",
    str(INCIDENTS),
    "--boundaries",
    str(AREAS_FILE),
    "--name-field",
    "name",
    "--code-field",
    "code",
    "--no-overrides",
]


def test_cli_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*CLI_BASE, "--as-of", AS_OF, "--all"]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("#"))
    for word in ("area", "score", "level", "override", "final", "trend", "sev", "dif"):
        assert word in header
    north = next(line for line in lines if line.startswith("1 "))
    assert "North" in north and "23.9" in north and "Moderate" in north
    # Columns are aligned: the level column starts at the same offset on every row.
    rows = [line for line in lines if re.match(r"\d+  ", line)]
    starts = {
        line.index(level) for line, level in zip(rows, ["Moderate", "Low", "Low"], strict=True)
    }
    assert len(starts) == 1
    assert "2012-12-01 .. 2013-02-28" in text
    assert "1 in none of these areas" in text


def test_cli_table_shows_override_beside_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(
        tmp_path, HEADER + "North,Extreme,Analyst knows more,2013-03-31,A. Analyst,2013-02-01\n"
    )
    argv = [a for a in CLI_BASE if a != "--no-overrides"]
    assert cli.main([*argv, "--as-of", AS_OF, "--overrides", str(path)]) == 0
    out = capsys.readouterr().out
    north = next(line for line in out.splitlines() if line.startswith("1 "))
    assert "Moderate" in north and "Extreme (to 2013-03-31)" in north
    assert north.index("Moderate") < north.index("Extreme (to")
    assert "Analyst knows more" in out


def test_cli_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*CLI_BASE, "--as-of", AS_OF, "--format", "csv"]) == 0
    from io import StringIO

    frame = pd.read_csv(StringIO(capsys.readouterr().out), keep_default_na=False)
    assert list(frame["area"]) == ["North", "South", "East"]
    assert frame.loc[0, "score"] == 23.9
    assert "c_severity" in frame.columns and "final_level" in frame.columns


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*CLI_BASE, "--as-of", AS_OF, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["as_of"] == AS_OF and doc["window_days"] == 90
    east = doc["areas"][2]
    assert east["area"] == "East" and east["days_since_last"] is None
    assert east["trend_pct"] is None and east["override_expires"] is None


def test_cli_as_of_defaults_to_latest_incident(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*CLI_BASE, "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["as_of"] == "2013-03-01"
    assert "2013-03-01" in captured.err


@pytest.mark.parametrize(
    "extra",
    [
        ["--as-of", "28/02/2013"],
        ["--window-days", "0"],
        ["--format", "xml"],
        ["--config", "no-such-file.toml"],
        ["--overrides", "no-such-file.csv"],
    ],
)
def test_cli_usage_errors_exit_2(extra: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*CLI_BASE, *extra]) == 2
    assert "error" in capsys.readouterr().err


def test_cli_name_field_needs_boundaries(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["risk", str(INCIDENTS), "--name-field", "name"]) == 2


def test_cli_bad_overrides_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, HEADER + "North,Severe,x,2013-03-31,A,2013-02-01\n")
    argv = [a for a in CLI_BASE if a != "--no-overrides"]
    assert cli.main([*argv, "--as-of", AS_OF, "--overrides", str(path)]) == 1
    err = capsys.readouterr().err
    assert "row 2" in err and "'level'" in err and "Severe" in err


def test_cli_bad_config_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "risk.toml"
    path.write_text("[weights]\nseverity = -2\n")
    assert cli.main([*CLI_BASE, "--as-of", AS_OF, "--config", str(path)]) == 1
    assert "weights.severity" in capsys.readouterr().err


# --------------------------------------------------------------------------
# The shipped data (the Done criterion)
# --------------------------------------------------------------------------


@pytest.mark.skipif(not config.INCIDENTS_CSV.exists(), reason="data/incidents.csv not built yet")
def test_shipped_data_north_ranks_above_south() -> None:
    from geo.analysis.pipeline import prepare
    from geo.reference.boundaries import load_admin1

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
