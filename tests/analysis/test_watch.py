"""The "what changed" rules: each fires on what it claims, with its numbers, and only then."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.watch import (
    ALERT_COLUMNS,
    WatchConfig,
    alerts_for_week,
    detect_alerts,
    parse_week,
    poisson_tail,
    top_changes,
    week_digest,
    week_label,
)
from geo.analysis.watch.stats import _tail

MONDAY = dt.date(2013, 1, 7)  # 2013-W02


def frame(rows: list[tuple]) -> pd.DataFrame:
    """Joined-like incidents from (day offset from MONDAY, area, actor1, actor2, fatalities)."""
    out = pd.DataFrame(rows, columns=["offset", "area", "actor1", "actor2", "fatalities"])
    out["event_date"] = pd.Timestamp(MONDAY) + pd.to_timedelta(out.pop("offset"), unit="D")
    out["event_id"] = [f"E{i:04d}" for i in range(len(out))]
    out["area_iso3"] = "MLI"
    out["iso3"] = "MLI"
    out["country"] = "Mali"
    return out


def weekly_background(weeks: int, per_week: int, area: str = "Gao") -> list[tuple]:
    return [(7 * w + d, area, "Army", "", 0) for w in range(weeks) for d in range(per_week)]


def test_weeks_are_iso() -> None:
    assert parse_week("2013-W08") == dt.date(2013, 2, 18)
    assert parse_week("2015w01") == dt.date(2014, 12, 29)
    assert parse_week(dt.date(2013, 2, 24)) == dt.date(2013, 2, 18)
    assert week_label(dt.date(2014, 12, 29)) == "2015-W01"
    with pytest.raises(ValueError, match="2013 has no week 53"):
        parse_week("2013-W53")
    with pytest.raises(ValueError, match="expected an ISO week"):
        parse_week("February")


def test_poisson_tail_agrees_with_the_series_and_a_known_value() -> None:
    counts = np.array([0, 1, 3, 5, 12, 40])
    rates = np.array([0.5, 0.25, 0.25, 2.0, 3.0, 20.0])
    got = poisson_tail(counts, rates)
    series = [_tail(int(k), float(r)) for k, r in zip(counts, rates, strict=True)]
    np.testing.assert_allclose(got, series, rtol=1e-9)
    # P(X >= 3 | 0.25) = 1 - e^-0.25 (1 + 0.25 + 0.25^2 / 2)
    assert got[2] == pytest.approx(1 - math.exp(-0.25) * (1 + 0.25 + 0.03125))
    assert got[0] == 1.0


def test_spike_fires_against_the_area_baseline_with_its_numbers() -> None:
    rows = weekly_background(12, 1) + [(7 * 12 + d, "Gao", "Army", "", 0) for d in range(7)]
    alerts = detect_alerts(frame(rows))
    spikes = alerts[alerts["kind"] == "spike"]
    assert len(spikes) == 1
    spike = spikes.iloc[0]
    assert spike["week"] == week_label(MONDAY + dt.timedelta(weeks=12))
    assert spike["incidents"] == 7 and spike["reference"] == pytest.approx(1.0)
    assert spike["p_value"] == pytest.approx(poisson_tail(np.array([7]), np.array([1.0]))[0])
    assert "7 incidents this week against a baseline of 1.00" in spike["why"]
    assert "previous 12 weeks" in spike["why"]


def test_no_spike_for_a_modest_rise_or_one_incident_after_nothing() -> None:
    modest = weekly_background(12, 1) + [(7 * 12 + d, "Gao", "Army", "", 0) for d in range(3)]
    assert "spike" not in set(detect_alerts(frame(modest))["kind"])
    # A quiet area (zero baseline, tested at the floor) seeing one incident: below the minimum
    lone = weekly_background(12, 1, "Gao") + [(80, "Kidal", "Army", "", 0)]
    alerts = detect_alerts(frame(lone))
    assert not ((alerts["kind"] == "spike") & (alerts["area"] == "Kidal")).any()
    # ... two are improbable at the floor rate, and the reason says the floor was used
    lone.append((81, "Kidal", "Army", "", 0))
    kidal = detect_alerts(frame(lone)).query("kind == 'spike' and area == 'Kidal'")
    assert len(kidal) == 1 and "tested at the floor of 0.1" in kidal.iloc[0]["why"]
    # ... unless the floor is raised
    raised = detect_alerts(frame(lone), WatchConfig(baseline_floor=0.5))
    assert raised.query("kind == 'spike' and area == 'Kidal'").empty


def test_overdispersed_history_needs_a_bigger_week() -> None:
    """The same mean, but weeks that vary a lot: the negative binomial test asks for more."""
    steady = [(7 * w + d, "Gao", "Army", "", 0) for w in range(20) for d in range(2)]
    bursty = [(7 * w + d % 7, "Gao", "Army", "", 0) for w in range(0, 20, 4) for d in range(8)]
    week = [(7 * 20 + d % 7, "Gao", "Army", "", 0) for d in range(7)]
    for history, fires in ((steady, True), (bursty, False)):
        alerts = detect_alerts(frame(history + week)).query("kind == 'spike'")
        assert (week_label(MONDAY + dt.timedelta(weeks=20)) in set(alerts["week"])) is fires
    poisson = detect_alerts(frame(bursty + week), WatchConfig(spike_test="poisson"))
    assert week_label(MONDAY + dt.timedelta(weeks=20)) in set(poisson["week"])


def test_spike_needs_history() -> None:
    early = [(d, "Gao", "Army", "", 0) for d in range(6)]
    assert "spike" not in set(detect_alerts(frame(early))["kind"])


def test_first_incident_after_quiet_days() -> None:
    rows = [(0, "Gao", "Army", "", 0), (61, "Gao", "Army", "", 0), (100, "Gao", "Army", "", 0)]
    alerts = detect_alerts(frame(rows)).query("kind == 'quiet'")
    assert alerts["event_ids"].tolist() == [("E0001",)]
    assert "first incident in 61 days" in alerts.iloc[0]["why"]
    assert "7 Jan 2013" in alerts.iloc[0]["why"]
    assert detect_alerts(frame(rows), WatchConfig(quiet_days=62)).query("kind == 'quiet'").empty


def test_new_actor_in_an_area_and_elsewhere() -> None:
    rows = weekly_background(6, 1, "Gao") + [
        (3, "Kidal", "Army", "", 0),
        (40, "Kidal", "Army", "MUJAO", 0),
        (41, "Gao", "MUJAO", "Civilians (Mali)", 0),
        (45, "Kidal", "MUJAO", "", 0),
    ]
    alerts = detect_alerts(frame(rows)).query("kind == 'new_actor'")
    # Same week: sorted by area. Kidal saw MUJAO first (16 Feb), Gao the day after.
    assert alerts[["area", "subject"]].values.tolist() == [["Gao", "MUJAO"], ["Kidal", "MUJAO"]]
    assert "seen elsewhere from 16 Feb 2013" in alerts.iloc[0]["why"]
    assert "appears nowhere in them before" in alerts.iloc[1]["why"]
    # In the store's first weeks every actor is new: not reported
    assert (
        detect_alerts(frame(rows), WatchConfig(actor_history_days=60))
        .query("kind == 'new_actor'")
        .empty
    )


def test_fatalities_above_the_area_percentile() -> None:
    history = [(d, "Gao", "Army", "", d) for d in range(10)]  # 0..9 fatalities
    alerts = detect_alerts(frame([*history, (20, "Gao", "Army", "", 12)])).query(
        "kind == 'fatalities'"
    )
    assert alerts["event_ids"].tolist() == [("E0010",)]
    assert alerts.iloc[0]["reference"] == pytest.approx(np.quantile(np.arange(10), 0.9))
    assert (
        "12 fatalities, above the 90th percentile (8.1) of the area's 10 earlier"
        in (alerts.iloc[0]["why"])
    )
    short = detect_alerts(frame([*history[1:], (20, "Gao", "Army", "", 12)]))
    assert "fatalities" not in set(short["kind"])


def test_row_order_and_index_do_not_change_the_alerts() -> None:
    rows = weekly_background(12, 1) + [(7 * 12 + d, "Gao", "New group", "", d) for d in range(7)]
    rows += [(3, "Kidal", "Army", "", 0), (90, "Kidal", "Army", "", 3)]
    base = frame(rows)
    shuffled = base.sample(frac=1, random_state=4).set_index(np.arange(len(base)) * 7 + 3)
    pd.testing.assert_frame_equal(detect_alerts(base), detect_alerts(shuffled))


def test_alert_table_shape_when_nothing_fires() -> None:
    alerts = detect_alerts(frame([(0, "Gao", "Army", "", 0)]))
    assert alerts.empty and list(alerts.columns) == list(ALERT_COLUMNS)
    assert alerts_for_week(alerts, "2013-W02").empty


def test_config_is_checked() -> None:
    with pytest.raises(ValueError, match="spike_alpha"):
        WatchConfig(spike_alpha=1.5)
    with pytest.raises(ValueError, match="min_baseline_weeks=13 is more than"):
        WatchConfig(min_baseline_weeks=13)
    with pytest.raises(ValueError, match="quiet_days"):
        WatchConfig(quiet_days=0)


def test_top_changes_ranks_rises() -> None:
    rows = weekly_background(12, 1, "Gao") + weekly_background(12, 2, "Kidal")
    rows += [(7 * 12 + d, "Kidal", "Army", "", 1) for d in range(5)]
    table = top_changes(frame(rows), MONDAY + dt.timedelta(weeks=12))
    assert table["area"].tolist() == ["Kidal"]  # Gao fell
    both = top_changes(frame(rows), MONDAY + dt.timedelta(weeks=12), rising_only=False)
    assert both["area"].tolist() == ["Kidal", "Gao"] and both.iloc[1]["change"] == -1.0
    assert table.iloc[0][["incidents", "baseline", "change", "fatalities"]].tolist() == [
        5,
        2.0,
        3.0,
        5,
    ]
    assert table.iloc[0]["change_pct"] == pytest.approx(150.0)


def test_shipped_february_2013_week_of_18_february(shipped_joined: pd.DataFrame) -> None:
    """From the data: the Kidal incidents of 18-24 February are the week's news."""
    week = week_digest(shipped_joined, "2013-W08")
    in_week = shipped_joined[shipped_joined["event_date"].between("2013-02-18", "2013-02-24")]
    assert set(week.incidents["event_id"]) == set(in_week["event_id"])
    spikes = week.alerts.query("kind == 'spike'")
    assert set(spikes["area"]) == {"Kidal"}
    assert set(spikes.iloc[0]["event_ids"]) == set(in_week["event_id"])
    assert week.changes.iloc[0]["area"] == "Kidal"
    assert week.near is None  # no sites given: nothing about them


@pytest.fixture(scope="module")
def shipped_joined() -> pd.DataFrame:
    from geo.analysis.pipeline import prepare
    from geo.io.store import read_incidents

    return prepare(read_incidents())


def test_site_alert_names_the_site_radius_and_nearest() -> None:
    import geopandas as gpd
    import shapely

    rows = frame([(3, "Gao", "Army", "", 0), (4, "Gao", "Army", "", 0), (5, "Gao", "Army", "", 0)])
    # Made-up positions around a made-up site: about 11, 5 and 55 km north of it
    rows["longitude"] = 0.0
    rows["latitude"] = [16.1, 16.045, 16.5]
    site = gpd.GeoDataFrame(
        {"name": ["Example base"], "kind": ["office"], "radius_km": [20.0]},
        geometry=[shapely.Point(0.0, 16.0)],
        crs="EPSG:4326",
    )
    alerts = detect_alerts(rows, sites=site).query("kind == 'site'")
    assert len(alerts) == 1
    alert = alerts.iloc[0]
    assert alert["subject"] == "Example base" and alert["event_ids"] == ("E0000", "E0001")
    assert alert["reference"] == 20.0 and alert["value"] == pytest.approx(4.98, abs=0.05)
    assert alert["why"] == (
        "2 incident(s) within the 20 km radius of Example base; "
        "the nearest 5.0 km N of Example base"
    )
    assert "site" not in set(detect_alerts(rows)["kind"])  # no sites given: no site alert


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 200),
            st.sampled_from(["Gao", "Kidal", "Mopti"]),
            st.sampled_from(["Army", "MUJAO", "MNLA", "Civilians (Mali)"]),
            st.sampled_from(["", "Army", "MUJAO"]),
            st.integers(0, 30),
        ),
        min_size=1,
        max_size=120,
    ),
    st.randoms(use_true_random=False),
)
def test_alerts_point_at_their_own_incidents_in_any_row_order(rows: list[tuple], rnd) -> None:
    """Invariants: each alert's incidents lie in its area and week; a spike counts them all;
    row order and index never change the table."""
    incidents = frame(rows)
    alerts = detect_alerts(incidents, WatchConfig(spike_alpha=0.2, fatality_min_history=3))
    by_id = incidents.set_index("event_id")
    for _, alert in alerts.iterrows():
        listed = by_id.loc[list(alert["event_ids"])]
        assert (listed["area"] == alert["area"]).all()
        mondays = listed["event_date"] - pd.to_timedelta(listed["event_date"].dt.day_of_week, "D")
        assert (mondays.dt.date == alert["week_start"]).all()
        if alert["kind"] == "spike":
            in_week = incidents[
                (incidents["area"] == alert["area"])
                & (incidents["event_date"].dt.date >= alert["week_start"])
                & (incidents["event_date"].dt.date < alert["week_start"] + dt.timedelta(days=7))
            ]
            assert alert["incidents"] == len(in_week) == alert["value"]
    order = list(range(len(incidents)))
    rnd.shuffle(order)
    shuffled = incidents.iloc[order].set_index(pd.Index([i * 3 + 1 for i in range(len(order))]))
    pd.testing.assert_frame_equal(
        alerts, detect_alerts(shuffled, WatchConfig(spike_alpha=0.2, fatality_min_history=3))
    )
