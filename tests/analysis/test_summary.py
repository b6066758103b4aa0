"""Tests for geo.analysis.summary: headline figures, the risk table, weekly series."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.analysis import summary
from tests.app.app_support import FIRST_DAY, LAST_DAY, incident_frame


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return incident_frame()


def _risk(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": [r[0] for r in rows],
            "iso3": [r[1] for r in rows],
            "level": [r[2] for r in rows],
            "final_level": [r[2] for r in rows],
            "events": [r[3] for r in rows],
            "score": [50.0] * len(rows),
        }
    )


def test_headline_counts(frame: pd.DataFrame) -> None:
    risk = _risk(
        [("Gao", "MLI", "High", 3), ("Kidal", "MLI", "Extreme", 2), ("Niamey", "NER", "Low", 1)]
    )
    figures = summary.headline(frame, risk)
    assert figures == summary.Headline(incidents=10, fatalities=28, high_areas=2, areas=3)
    battles = frame[frame["event_type"] == "Battles"]
    assert summary.headline(battles, risk).fatalities == 20


def test_risk_in_scope_uses_places_only(frame: pd.DataFrame) -> None:
    risk = _risk([("Gao", "MLI", "High", 3), ("Niamey", "NER", "Low", 1)])
    names = {"MLI": "Mali", "NER": "Niger"}
    assert summary.scope_iso3(names, ["Niger"]) == ("NER",)
    assert summary.scope_iso3(names, ["MLI", "Niger"]) == ("MLI", "NER")
    assert summary.scope_iso3(names, []) == ()
    assert list(summary.risk_in_scope(risk, ("NER",))["area"]) == ["Niamey"]
    assert list(summary.risk_in_scope(risk, (), ("Gao",))["area"]) == ["Gao"]
    assert len(summary.risk_in_scope(risk)) == 2


def test_risk_table_keeps_active_areas_and_names_columns() -> None:
    risk = _risk(
        [("Gao", "MLI", "High", 3), ("Quiet", "MLI", "Low", 0), ("Pinned", "MLI", "Elevated", 0)]
    )
    table = summary.risk_table(risk)
    assert list(table["Area"]) == ["Gao", "Pinned"]
    assert {"Level", "Computed level", "Score", "Incidents"} <= set(table.columns)
    assert len(summary.risk_table(risk, active_only=False)) == 3


def test_weekly_fills_empty_weeks_and_conserves_counts(frame: pd.DataFrame) -> None:
    period = (FIRST_DAY, LAST_DAY)
    series = summary.weekly(frame, "event_type", period)
    weeks = sorted(series["week"].unique())
    assert pd.Timestamp(weeks[0]).weekday() == 0
    assert len(weeks) == 7  # 14 Jan .. 25 Feb, every Monday
    assert (
        series.groupby("group")["incidents"].sum().to_dict()
        == frame["event_type"].value_counts().to_dict()
    )
    assert series["fatalities"].sum() == frame["fatalities"].sum()
    gao = series[(series["week"] == pd.Timestamp("2013-02-04")) & (series["group"] == "Battles")]
    assert gao["incidents"].item() == 1 and gao["fatalities"].item() == 5


def test_weekly_sums_the_tail_as_other(frame: pd.DataFrame) -> None:
    series = summary.weekly(frame, "location", (FIRST_DAY, LAST_DAY), top=3)
    groups = set(series["group"])
    assert {"Gao", "Other"} <= groups and len(groups) == 3  # the two busiest, then Other
    assert series.loc[series["group"] == "Gao", "incidents"].sum() == 3
    assert series["incidents"].sum() == len(frame)


def test_weekly_of_nothing_is_zero() -> None:
    empty = incident_frame().iloc[0:0]
    series = summary.weekly(empty, "area" if "area" in empty else "admin1", (FIRST_DAY, LAST_DAY))
    assert series["incidents"].sum() == 0


def test_risk_table_words_overrides_and_low_baseline_trends() -> None:
    risk = pd.DataFrame(
        {
            "area": ["Timbuktu", "Kidal", "Gao"],
            "iso3": ["MLI"] * 3,
            "level": ["Low", "Elevated", "Elevated"],
            "final_level": ["High", "Elevated", "Elevated"],
            "override_level": ["High", "", ""],
            "override_status": ["active", "", ""],
            "score": [3.9, 36.6, 30.0],
            "trend": ["Limited change", "Large increase", "Limited change"],
            "trend_pct": [700.0, 60.0, 0.0],
            "events_last_7d": [2, 8, 3],
            "weekly_baseline": [0.25, 5.0, 3.0],
            "events": [2, 20, 12],
        }
    )
    table = summary.risk_table(risk).set_index("Area")
    assert table.loc["Timbuktu", "Level"] == "High (analyst) · computed Low 4"
    assert table.loc["Kidal", "Level"] == "Elevated"
    # A trend class and its figure never contradict: no "+700 %" beside "Limited change".
    assert table.loc["Timbuktu", "Trend"] == (
        "Limited change (low baseline: 2 this week, 0.2 a week before)"
    )
    assert table.loc["Kidal", "Trend"] == "Large increase (+60 %)"
    assert table.loc["Gao", "Trend"] == "Limited change (+0 %)"
    assert "Trend %" not in table.columns


def test_daily_gives_one_row_per_day_and_conserves_counts(frame: pd.DataFrame) -> None:
    period = (dt.date(2013, 2, 4), dt.date(2013, 2, 10))  # one Monday-to-Sunday week
    series = summary.daily(frame, "event_type", period)
    days = sorted(series["day"].unique())
    assert len(days) == 7 and pd.Timestamp(days[0]) == pd.Timestamp("2013-02-04")
    inside = frame[frame["event_date"].between("2013-02-04", "2013-02-10")]
    assert series["incidents"].sum() == len(inside)
    assert series["fatalities"].sum() == inside["fatalities"].sum()
