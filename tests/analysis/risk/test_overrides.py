"""Tests for geo.analysis.risk.overrides: reading, checking and applying analysts' overrides."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import config
from geo.analysis.risk import RiskOverridesError, load_overrides, score_areas
from tests.analysis.risk.risk_support import (
    _AREA_NAMES,
    AS_OF,
    CFG,
    HEADER,
    PROPS,
    _areas,
    _frame,
    _joined,
    _row,
    _write,
    incident,
)


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
