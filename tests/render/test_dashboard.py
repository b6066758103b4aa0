"""Tests for geo.render.dashboard: periods, presets, URL reading, figures, weekly series."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.analysis.filters import FilterState, apply_filters
from geo.render import dashboard as dash
from geo.render.maps import DEFAULT_LAYERS, MapView
from tests.app.app_support import FIRST_DAY, LAST_DAY, XSS_NOTES, incident_frame

BOUNDS = (dt.date(2013, 1, 1), dt.date(2013, 3, 31))
DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return incident_frame()


# ---------------------------------------------------------------- periods


def test_data_period_and_default_state(frame: pd.DataFrame) -> None:
    assert dash.data_period(frame) == (FIRST_DAY, LAST_DAY)
    state = dash.default_state(frame)
    assert (state.date_from, state.date_to, state.as_of) == (FIRST_DAY, LAST_DAY, None)
    assert len(apply_filters(frame, state)) == len(frame)


def test_day_options_cover_every_day() -> None:
    days = dash.day_options((dt.date(2013, 2, 27), dt.date(2013, 3, 2)))
    assert days == [
        dt.date(2013, 2, 27),
        dt.date(2013, 2, 28),
        dt.date(2013, 3, 1),
        dt.date(2013, 3, 2),
    ]


@pytest.mark.parametrize(
    ("days", "anchor", "expected"),
    [
        (7, dt.date(2013, 2, 28), (dt.date(2013, 2, 22), dt.date(2013, 2, 28))),
        (30, dt.date(2013, 2, 28), (dt.date(2013, 1, 30), dt.date(2013, 2, 28))),
        (90, dt.date(2013, 2, 28), (BOUNDS[0], dt.date(2013, 2, 28))),  # cut at the data's start
        (7, dt.date(2013, 5, 1), (dt.date(2013, 3, 25), BOUNDS[1])),  # anchor after the data
        (None, dt.date(2013, 2, 1), BOUNDS),
    ],
)
def test_preset_period(days: int | None, anchor: dt.date, expected: dash.Period) -> None:
    assert dash.preset_period(days, anchor, BOUNDS) == expected


@given(
    start=st.integers(0, 89),
    length=st.integers(0, 89),
    weeks=st.integers(-20, 20),
)
def test_step_period_keeps_length_inside_bounds(start: int, length: int, weeks: int) -> None:
    period = (BOUNDS[0] + start * DAY, min(BOUNDS[0] + (start + length) * DAY, BOUNDS[1]))
    new = dash.step_period(period, weeks, BOUNDS)
    assert BOUNDS[0] <= new[0] <= new[1] <= BOUNDS[1]
    assert new[1] - new[0] == period[1] - period[0]
    if weeks > 0:
        assert new[0] >= period[0]
    elif weeks < 0:
        assert new[0] <= period[0]


def test_step_period_moves_by_a_week() -> None:
    period = (dt.date(2013, 2, 4), dt.date(2013, 2, 10))
    assert dash.step_period(period, 1, BOUNDS) == (dt.date(2013, 2, 11), dt.date(2013, 2, 17))
    assert dash.step_period(period, -1, BOUNDS) == (dt.date(2013, 1, 28), dt.date(2013, 2, 3))


# ---------------------------------------------------------------- choices


def test_filter_choices(frame: pd.DataFrame) -> None:
    choices = dash.filter_choices(frame)
    assert choices["countries"] == ("Mali", "Niger")
    assert "MUJAO" in choices["actors"] and "Civilians (Mali)" in choices["actors"]
    assert "" not in choices["actors"]  # actor2 is empty on some rows
    assert choices["event_types"][0] == "Battles"


def test_admin1_choices_follow_countries_and_keep_selection(frame: pd.DataFrame) -> None:
    by_country = dash.areas_by_country(frame)
    assert set(by_country) == {"Mali", "Niger"}
    every = dash.admin1_choices(by_country, [])
    mali = dash.admin1_choices(by_country, ["Mali"])
    assert set(mali) < set(every)
    assert "Niamey" in every and "Niamey" not in mali
    assert "Niamey" in dash.admin1_choices(by_country, ["Mali"], keep=["Niamey"])
    assert dash.admin1_choices(by_country, ["Atlantis"]) == ()


# ---------------------------------------------------------------- URL


def _read(params: dict[str, str], frame: pd.DataFrame) -> tuple[dash.AppState, list[str]]:
    bounds = dash.data_period(frame)
    return dash.read_params(
        params,
        defaults=dash.default_state(frame),
        bounds=bounds,
        choices=dash.filter_choices(frame),
        country_names=dict(zip(frame["iso3"], frame["country"], strict=True)),
        tiles=("none", "osm"),
        as_of_max=dt.date(2013, 12, 31),
    )


def test_app_params_round_trip(frame: pd.DataFrame) -> None:
    filters = FilterState(
        date_from=dt.date(2013, 2, 1),
        date_to=dt.date(2013, 2, 20),
        as_of=dt.date(2013, 3, 1),
        countries=("Mali",),
        event_types=("Battles", "Explosions/Remote violence"),
        actors=("MUJAO",),
        min_fatalities=1,
        max_geo_precision=2,
    )
    app = dash.AppState(filters, window=180, layers=frozenset({"risk", "heatmap"}), tiles="osm")
    view = MapView(16.27, -0.04, 7)
    params = dash.app_params(app, view)
    assert params["layers"] == "risk,heatmap"
    assert params["tiles"] == "osm"
    assert params["window"] == "180"
    assert (params["lat"], params["lon"], params["z"]) == ("16.27", "-0.04", "7")
    back, notices = _read(params, frame)
    assert notices == []
    assert back == app
    assert MapView.from_params(params) == (view, [])


def test_app_params_always_pin_period_layers_and_tiles(frame: pd.DataFrame) -> None:
    params = dash.app_params(dash.AppState(dash.default_state(frame)))
    assert params == {
        "from": FIRST_DAY.isoformat(),
        "to": LAST_DAY.isoformat(),
        "layers": ",".join(
            n for n in ("risk", "incidents", "heatmap", "borders", "towns") if n in DEFAULT_LAYERS
        ),
        "tiles": "none",
    }


def test_read_params_empty_gives_defaults(frame: pd.DataFrame) -> None:
    app, notices = _read({}, frame)
    assert notices == []
    assert app == dash.AppState(dash.default_state(frame))


def test_read_params_reports_every_bad_value(frame: pd.DataFrame) -> None:
    app, notices = _read(
        {
            "from": "2013-02-01",
            "to": "2013-02-30",
            "type": "Battles,Bogus",
            "minfat": "many",
            "window": "45",
            "layers": "risk,satellite",
            "tiles": "custom",
            "actor": "Nobody",
            "sort": "x",
        },
        frame,
    )
    text = "\n".join(notices)
    for fragment in ("2013-02-30", "Bogus", "many", "45", "satellite", "custom", "Nobody", "sort"):
        assert fragment in text
    assert len(notices) == 8
    # What could be used was used; the rest fell back to the defaults.
    assert app.filters.date_from == dt.date(2013, 2, 1)
    assert app.filters.date_to == LAST_DAY
    assert app.filters.event_types == ("Battles",)
    assert app.filters.actors == ()
    assert app.filters.min_fatalities == 0
    assert app.window == dash.DEFAULT_WINDOW
    assert app.layers == frozenset({"risk"})
    assert app.tiles == "none"


def test_read_params_cuts_a_stale_period_to_the_data(frame: pd.DataFrame) -> None:
    app, notices = _read({"from": "2012-06-01", "to": "2013-02-10"}, frame)
    assert (app.filters.date_from, app.filters.date_to) == (FIRST_DAY, dt.date(2013, 2, 10))
    assert len(notices) == 1 and "2012-06-01" in notices[0]
    app, notices = _read({"from": "2014-01-01", "to": "2014-02-01"}, frame)
    assert (app.filters.date_from, app.filters.date_to) == (FIRST_DAY, LAST_DAY)
    assert "whole period" in notices[0]


def test_read_params_as_of_limits_and_country_codes(frame: pd.DataFrame) -> None:
    app, notices = _read({"asof": "2013-06-30", "country": "MLI"}, frame)
    assert notices == []
    assert app.filters.as_of == dt.date(2013, 6, 30)
    assert app.filters.countries == ("Mali",)
    app, notices = _read({"asof": "2014-01-01"}, frame)
    assert app.filters.as_of is None and "asof" in notices[0]


def test_a_link_cut_at_the_data_end_keeps_its_end_as_the_as_of_date(frame: pd.DataFrame) -> None:
    # Issue 3's reference period ends 2013-02-28; the data ends earlier.
    end = LAST_DAY + dt.timedelta(days=6)
    app, notices = _read({"from": "2013-02-01", "to": end.isoformat()}, frame)
    assert app.filters.date_to == LAST_DAY
    assert app.filters.as_of == end
    assert app.filters.assessed_at == end
    assert len(notices) == 1 and f"still assessed as of {end.isoformat()}" in notices[0]
    # A link naming its as-of date keeps it.
    app, _ = _read({"to": end.isoformat(), "asof": "2013-02-10"}, frame)
    assert app.filters.as_of == dt.date(2013, 2, 10)
    # Beyond the latest allowed as-of date, risk is assessed at the cut end.
    app, notices = _read({"to": "2014-01-05", "from": "2013-02-01"}, frame)
    assert app.filters.date_to == LAST_DAY and app.filters.as_of is None
    assert "still assessed" not in notices[0]


def test_fresh_as_of_is_the_last_day_the_store_knows() -> None:
    bounds = (dt.date(2013, 1, 15), dt.date(2013, 2, 22))
    today = dt.date(2026, 1, 1)
    later = [dt.date(2013, 2, 25), dt.date(2013, 2, 1), dt.date(2013, 2, 27)]
    assert dash.fresh_as_of(bounds, later, today) == dt.date(2013, 2, 27)
    assert dash.fresh_as_of(bounds, [dt.date(2013, 2, 22)], today) is None
    assert dash.fresh_as_of(bounds, [], today) is None
    # An override dated in the future is a slip, not a later assessment.
    assert dash.fresh_as_of(bounds, [dt.date(2030, 1, 1)], today) is None


def test_escape_markdown_leaves_no_live_markup() -> None:
    text = dash.escape_markdown("foo=[click](http://x.example) ![i](y) **b** :material/home: <b>")
    # Every Markdown punctuation character is escaped, so nothing is live.
    assert re.search(r"(?<!\\)[\[\]()*:<>!]", text) is None
    assert (
        text.replace("\\", "") == "foo=[click](http://x.example) ![i](y) **b** :material/home: <b>"
    )


# ---------------------------------------------------------------- figures


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
    figures = dash.headline(frame, risk)
    assert figures == dash.Headline(incidents=10, fatalities=28, high_areas=2, areas=3)
    battles = frame[frame["event_type"] == "Battles"]
    assert dash.headline(battles, risk).fatalities == 20


def test_risk_in_scope_uses_places_only(frame: pd.DataFrame) -> None:
    risk = _risk([("Gao", "MLI", "High", 3), ("Niamey", "NER", "Low", 1)])
    names = {"MLI": "Mali", "NER": "Niger"}
    assert dash.scope_iso3(names, ["Niger"]) == ("NER",)
    assert dash.scope_iso3(names, ["MLI", "Niger"]) == ("MLI", "NER")
    assert dash.scope_iso3(names, []) == ()
    assert list(dash.risk_in_scope(risk, ("NER",))["area"]) == ["Niamey"]
    assert list(dash.risk_in_scope(risk, (), ("Gao",))["area"]) == ["Gao"]
    assert len(dash.risk_in_scope(risk)) == 2


def test_risk_table_keeps_active_areas_and_names_columns() -> None:
    risk = _risk(
        [("Gao", "MLI", "High", 3), ("Quiet", "MLI", "Low", 0), ("Pinned", "MLI", "Elevated", 0)]
    )
    table = dash.risk_table(risk)
    assert list(table["Area"]) == ["Gao", "Pinned"]
    assert {"Level", "Computed level", "Score", "Incidents"} <= set(table.columns)
    assert len(dash.risk_table(risk, active_only=False)) == 3


def test_weekly_fills_empty_weeks_and_conserves_counts(frame: pd.DataFrame) -> None:
    period = (FIRST_DAY, LAST_DAY)
    series = dash.weekly(frame, "event_type", period)
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
    series = dash.weekly(frame, "location", (FIRST_DAY, LAST_DAY), top=3)
    groups = set(series["group"])
    assert {"Gao", "Other"} <= groups and len(groups) == 3  # the two busiest, then Other
    assert series.loc[series["group"] == "Gao", "incidents"].sum() == 3
    assert series["incidents"].sum() == len(frame)


def test_weekly_of_nothing_is_zero() -> None:
    empty = incident_frame().iloc[0:0]
    series = dash.weekly(empty, "area" if "area" in empty else "admin1", (FIRST_DAY, LAST_DAY))
    assert series["incidents"].sum() == 0


# ---------------------------------------------------------------- downloads


def test_incidents_table_is_newest_first(frame: pd.DataFrame) -> None:
    table = dash.incidents_table(frame)
    assert table["event_date"].is_monotonic_decreasing
    assert table.columns[0] == "event_date"
    assert len(table) == len(frame)


def test_csv_download_is_the_table(frame: pd.DataFrame) -> None:
    table = dash.incidents_table(frame)
    back = pd.read_csv(io.BytesIO(dash.to_csv_bytes(table)), dtype=str, keep_default_na=False)
    assert list(back.columns) == list(table.columns)
    assert list(back["event_id"]) == list(table["event_id"])
    assert back.loc[back["event_id"] == "T08", "notes"].item() == XSS_NOTES
    assert back["event_date"].iloc[0] == "2013-02-28"


def test_geojson_download_is_the_table(frame: pd.DataFrame) -> None:
    table = dash.incidents_table(frame)
    data = json.loads(dash.to_geojson(table))
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == len(table)
    first = data["features"][0]
    assert first["geometry"]["type"] == "Point"
    assert first["geometry"]["coordinates"] == [
        table["longitude"].iloc[0],
        table["latitude"].iloc[0],
    ]
    props = first["properties"]
    assert props["event_date"] == "2013-02-28"
    assert props["event_id"] == table["event_id"].iloc[0]
    assert isinstance(props["fatalities"], int)
    assert "latitude" not in props
    xss = next(f for f in data["features"] if f["properties"]["event_id"] == "T08")
    assert xss["properties"]["notes"] == XSS_NOTES


def test_geojson_keeps_rows_without_coordinates(frame: pd.DataFrame) -> None:
    table = dash.incidents_table(frame).assign(latitude=float("nan"))
    data = json.loads(dash.to_geojson(table))
    assert len(data["features"]) == len(table)
    assert all(f["geometry"] is None for f in data["features"])
