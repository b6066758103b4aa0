"""The shareable dashboard link: the whole view as query parameters.

The dashboard state is an :class:`AppState` (the filters, the risk window,
the map layers and tiles) plus the map view. :func:`app_params` writes it
with the project's own formats (:meth:`geo.analysis.filters.FilterState.to_params`,
:func:`geo.render.maps.layers_to_param`, :meth:`geo.render.maps.MapView.to_params`);
:func:`read_params` reads a link back and says, in one sentence per
problem, what it could not use. Every parameter is read with
:func:`geo.model.params.last_param`, so a repeated one means the same thing
to the filters, the map and the rest of the link.

Example
-------
>>> import datetime as dt
>>> from geo.analysis.filters import FilterState
>>> state = AppState(FilterState(dt.date(2013, 2, 1), dt.date(2013, 2, 28)))
>>> app_params(state)["from"], app_params(state)["tiles"]
('2013-02-01', 'none')
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geo.analysis.filters import PARAMS as FILTER_PARAMS
from geo.analysis.filters import FilterState
from geo.analysis.periods import Period
from geo.model.params import last_param
from geo.render.maps import (
    DEFAULT_LAYERS,
    LAYERS_PARAM,
    MapView,
    layers_from_param,
    layers_to_param,
)
from geo.render.maps.playback import PLAY_PARAM, valid_play

__all__ = [
    "DEFAULT_TILES",
    "DEFAULT_WINDOW",
    "KNOWN_PARAMS",
    "NEAR_MAX_KM",
    "NEAR_PARAM",
    "PLAY_PARAM",
    "RISK_WINDOWS",
    "TILES",
    "TILES_PARAM",
    "TILE_LABELS",
    "VIEW_PARAMS",
    "WEEK_PARAM",
    "WINDOW_PARAM",
    "AppState",
    "app_params",
    "kept_params",
    "read_params",
]

# Basemap tiles: "none" keeps the map fully offline (the vector layers give
# the geography); "custom" is a tile URL from the deployment's settings,
# never from the link, so a shared URL cannot point the map at another server.
TILE_LABELS: dict[str, str] = {"none": "None", "osm": "OpenStreetMap", "custom": "Custom"}
TILES: tuple[str, ...] = tuple(TILE_LABELS)
DEFAULT_TILES = "none"

RISK_WINDOWS: tuple[int, ...] = (30, 60, 90, 180, 365)
DEFAULT_WINDOW = 90

WINDOW_PARAM = "window"
TILES_PARAM = "tiles"
# "Near our sites": only incidents within this many km of one of the team's
# sites or routes. The app honours it for team members only.
NEAR_PARAM = "near"
NEAR_MAX_KM = 1_000
VIEW_PARAMS: tuple[str, ...] = MapView.PARAMS
WEEK_PARAM = "week"  # the Watch page's ISO week (views/watch.py), kept across pages
KNOWN_PARAMS: frozenset[str] = frozenset(
    (
        *FILTER_PARAMS.values(),
        WINDOW_PARAM,
        LAYERS_PARAM,
        TILES_PARAM,
        NEAR_PARAM,
        PLAY_PARAM,
        WEEK_PARAM,
        *VIEW_PARAMS,
    )
)


@dataclass(frozen=True)
class AppState:
    """Everything a link carries besides the map view."""

    filters: FilterState
    window: int = DEFAULT_WINDOW
    layers: frozenset[str] = frozenset(DEFAULT_LAYERS)
    tiles: str = DEFAULT_TILES
    near_km: int | None = None


def app_params(app: AppState, view: MapView | None = None) -> dict[str, str]:
    """Query parameters for a dashboard state and map view.

    The period, layers and tiles are always written, so a link shows the
    same thing after the data or the defaults change; filters that select
    everything are left out.
    """
    params = app.filters.to_params()
    if app.window != DEFAULT_WINDOW:
        params[WINDOW_PARAM] = str(app.window)
    params[LAYERS_PARAM] = layers_to_param(app.layers)
    params[TILES_PARAM] = app.tiles
    if app.near_km is not None:
        params[NEAR_PARAM] = str(app.near_km)
    if view is not None:
        params.update(view.to_params())
    return params


def kept_params(params: Mapping[str, Any]) -> dict[str, str]:
    """Parameters the browser owns that the app keeps when it rewrites a link.

    The playback frame (``play=2013-W08``) is set by the map's script
    (:mod:`geo.render.maps.playback`), not by a widget; the app carries it
    over as it is when valid and drops it otherwise. So is the Watch page's
    week (``week=2013-W08``), which its own select box writes.
    """
    kept = {}
    value = last_param(params, PLAY_PARAM)
    if value and valid_play(value):
        kept[PLAY_PARAM] = value.strip()
    week = last_param(params, WEEK_PARAM)
    if week and _valid_week(week):
        kept[WEEK_PARAM] = week.strip()
    return kept


def _valid_week(value: str) -> bool:
    from geo.analysis.watch.weeks import parse_week

    try:
        parse_week(value)
    except ValueError:
        return False
    return True


def read_params(
    params: Mapping[str, Any],
    *,
    defaults: FilterState,
    bounds: Period,
    choices: Mapping[str, tuple[str, ...]],
    country_names: Mapping[str, str] | None = None,
    tiles: Sequence[str] = ("none", "osm"),
    as_of_max: dt.date | None = None,
    also_known: Iterable[str] = (),
) -> tuple[AppState, list[str]]:
    """Read a dashboard link; what cannot be used falls back to the defaults.

    Parameters
    ----------
    params : mapping
        Query parameters (a list value uses its last item).
    defaults : FilterState
        The state of a fresh visit (:func:`geo.analysis.periods.default_state`).
    bounds : (date, date)
        First and last day of the data. A period partly outside is cut to
        it; one wholly outside falls back to the default period. A period
        cut at its end keeps its end as the as-of date (when the link names
        none and that day is allowed), so risk is assessed as the link meant.
    choices : mapping
        :func:`geo.analysis.filters.filter_choices` output: known countries,
        admin-1 areas, actors.
    country_names : mapping, optional
        ISO3 code -> country name, so ``country=MLI`` selects Mali.
    tiles : sequence of str
        Tile codes this deployment offers (``custom`` only when configured).
    as_of_max : date, optional
        Latest allowed as-of date (default: the end of the data).
    also_known : iterable of str
        Parameters the host reads itself (Streamlit's ``embed``), which a
        link may carry without a notice.

    Returns
    -------
    (AppState, list of str)
        The state and one notice per value that was not used as written.
    """
    params = _country_codes_to_names(dict(params), country_names or {})
    filters, notices = _read_filters(params, defaults, bounds, choices, as_of_max or bounds[1])
    window, window_notices = _read_window(params)
    layers, layer_notices = layers_from_param(params.get(LAYERS_PARAM))
    tile, tile_notices = _read_tiles(params, tiles)
    near, near_notices = _read_near(params)
    notices += window_notices + layer_notices + tile_notices + near_notices
    unknown = sorted(set(params) - KNOWN_PARAMS - set(also_known))
    if unknown:
        notices.append(f"Ignored unknown parameter(s): {', '.join(unknown)}.")
    play = last_param(params, PLAY_PARAM)
    if play is not None and PLAY_PARAM not in kept_params(params):
        notices.append(
            f"Ignored {PLAY_PARAM}={play!r}: expected a day (2013-02-14), an ISO week "
            "(2013-W07) or a month (2013-02), with '..' before it for everything up to it."
        )
    week = last_param(params, WEEK_PARAM)
    if week is not None and WEEK_PARAM not in kept_params(params):
        notices.append(f"Ignored {WEEK_PARAM}={week!r}: expected an ISO week such as 2013-W08.")
    return AppState(filters, window, frozenset(layers), tile, near), notices


def _country_codes_to_names(params: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    key = FILTER_PARAMS["countries"]
    text = last_param(params, key)
    if text and names:
        params[key] = ",".join(names.get(c.strip(), c.strip()) for c in text.split(","))
    return params


def _read_filters(
    params: Mapping[str, Any],
    defaults: FilterState,
    bounds: Period,
    choices: Mapping[str, tuple[str, ...]],
    latest: dt.date,
) -> tuple[FilterState, list[str]]:
    filters, notices = FilterState.from_params(params, defaults, choices)
    filters, clamped = _clamp_period(filters, defaults, bounds, latest)
    notices += clamped
    if filters.as_of is not None and not bounds[0] <= filters.as_of <= latest:
        notices.append(
            f"Ignored {FILTER_PARAMS['as_of']}={filters.as_of.isoformat()}: expected a day from "
            f"{bounds[0].isoformat()} to {latest.isoformat()}; "
            "risk is assessed at the end of the period."
        )
        filters = dataclasses.replace(filters, as_of=None)
    return filters, notices


def _clamp_period(
    state: FilterState, defaults: FilterState, bounds: Period, as_of_max: dt.date
) -> tuple[FilterState, list[str]]:
    first, last = bounds
    span = f"{first.isoformat()} to {last.isoformat()}"
    start, end = state.date_from, state.date_to
    if end < first or start > last:
        note = (
            f"Ignored the period {start.isoformat()} to {end.isoformat()}: "
            f"the data covers {span}; showing the whole period."
        )
        return dataclasses.replace(state, date_from=defaults.date_from, date_to=defaults.date_to), [
            note
        ]
    notices = []
    if start < first:
        notices.append(
            f"The link's period starts {start.isoformat()}, before the data ({span}): "
            f"starting at {first.isoformat()}."
        )
    as_of = state.as_of
    if end > last:
        note = (
            f"The link's period ends {end.isoformat()}, after the data ({span}): "
            f"ending at {last.isoformat()}"
        )
        if as_of is None and end <= as_of_max:
            # The link assessed risk at its period's end: keep that day, so the
            # shading matches the link (and the briefing of the same period).
            as_of = end
            note += f"; risk is still assessed as of {end.isoformat()}"
        notices.append(note + ".")
    return dataclasses.replace(
        state, date_from=max(start, first), date_to=min(end, last), as_of=as_of
    ), notices


def _read_window(params: Mapping[str, Any]) -> tuple[int, list[str]]:
    text = last_param(params, WINDOW_PARAM)
    if not text:
        return DEFAULT_WINDOW, []
    if text.isdigit() and int(text) in RISK_WINDOWS:
        return int(text), []
    return DEFAULT_WINDOW, [
        f"Ignored {WINDOW_PARAM}={text!r}: expected one of "
        f"{', '.join(map(str, RISK_WINDOWS))} (days)."
    ]


def _read_tiles(params: Mapping[str, Any], tiles: Sequence[str]) -> tuple[str, list[str]]:
    text = last_param(params, TILES_PARAM)
    if not text:
        return DEFAULT_TILES, []
    if text in tiles:
        return text, []
    return DEFAULT_TILES, [
        f"Ignored {TILES_PARAM}={text!r}: this dashboard offers {', '.join(tiles)}."
    ]


def _read_near(params: Mapping[str, Any]) -> tuple[int | None, list[str]]:
    text = last_param(params, NEAR_PARAM)
    if not text:
        return None, []
    if text.isdigit() and 0 < int(text) <= NEAR_MAX_KM:
        return int(text), []
    return None, [
        f"Ignored {NEAR_PARAM}={text!r}: expected a whole number of km from 1 to {NEAR_MAX_KM}."
    ]
