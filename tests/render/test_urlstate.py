"""Tests for geo.render.urlstate: writing a dashboard link and reading it back."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.analysis import filters, periods
from geo.analysis.filters import FilterState
from geo.render import urlstate
from geo.render.maps import DEFAULT_LAYERS, MapView
from tests.app.app_support import FIRST_DAY, LAST_DAY, incident_frame


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return incident_frame()


def _read(params: dict[str, str], frame: pd.DataFrame) -> tuple[urlstate.AppState, list[str]]:
    bounds = periods.data_period(frame)
    return urlstate.read_params(
        params,
        defaults=periods.default_state(frame),
        bounds=bounds,
        choices=filters.filter_choices(frame),
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
    app = urlstate.AppState(filters, window=180, layers=frozenset({"risk", "heatmap"}), tiles="osm")
    view = MapView(16.27, -0.04, 7)
    params = urlstate.app_params(app, view)
    assert params["layers"] == "risk,heatmap"
    assert params["tiles"] == "osm"
    assert params["window"] == "180"
    assert (params["lat"], params["lon"], params["z"]) == ("16.27", "-0.04", "7")
    back, notices = _read(params, frame)
    assert notices == []
    assert back == app
    assert MapView.from_params(params) == (view, [])


def test_app_params_always_pin_period_layers_and_tiles(frame: pd.DataFrame) -> None:
    params = urlstate.app_params(urlstate.AppState(periods.default_state(frame)))
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
    assert app == urlstate.AppState(periods.default_state(frame))


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
    assert app.window == urlstate.DEFAULT_WINDOW
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


def test_a_link_whose_layers_name_nothing_known_shows_the_default_layers(
    frame: pd.DataFrame,
) -> None:
    app, notices = _read({"layers": "foo"}, frame)
    assert app.layers == DEFAULT_LAYERS
    assert notices == ["Ignored unknown layers value(s): foo; showing the default layers."]
