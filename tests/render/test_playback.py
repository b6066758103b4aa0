"""Tests for the playback hooks in Python: the ``play`` link parameter and the
control on the dashboard map (the browser side is in
tests/app/test_playback_browser.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.render.maps import MapOptions, build_map
from geo.render.maps.playback import PLAY_PARAM, valid_play
from geo.render.urlstate import KNOWN_PARAMS, kept_params


@pytest.mark.parametrize(
    "value", ["2013-W08", "..2013-W08", "2013-02-14", "2013-02", "..2013-02-28", "2013-W53"]
)
def test_frames_a_link_may_name(value: str) -> None:
    assert valid_play(value)
    assert kept_params({PLAY_PARAM: value}) == {PLAY_PARAM: value}


@pytest.mark.parametrize(
    "value", ["", "2013-W54", "2013-W00", "2013-13", "2013-02-32", "...2013-W08", "<script>", "W08"]
)
def test_other_values_are_dropped(value: str) -> None:
    assert not valid_play(value)
    assert kept_params({PLAY_PARAM: value}) == {}


def test_play_is_a_known_parameter_and_only_play_is_kept() -> None:
    assert PLAY_PARAM in KNOWN_PARAMS
    assert kept_params({"from": "2013-02-01", PLAY_PARAM: ["2013-W01", "2013-W07"]}) == {
        PLAY_PARAM: "2013-W07"
    }


def _incidents(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": [f"X{i}" for i in range(n)],
            "event_date": pd.date_range("2013-02-01", periods=n, freq="D"),
            "event_type": "Battles",
            "fatalities": 1,
            "latitude": 16.0 + 0.01 * pd.RangeIndex(n),
            "longitude": -1.0,
        }
    )


def test_the_dashboard_map_has_the_control_and_grid_cells_do_not() -> None:
    html = build_map(_incidents(5)).get_root().render()
    assert "GeoPlayback.attach(" in html and "geo-playback" in html
    grid = MapOptions(cluster_threshold=1, aggregate_threshold=2)
    assert "GeoPlayback.attach(" not in build_map(_incidents(5), options=grid).get_root().render()
    export = MapOptions(sync_url=False)
    assert "GeoPlayback.attach(" not in build_map(_incidents(5), options=export).get_root().render()
