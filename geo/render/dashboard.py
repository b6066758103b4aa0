"""Pure helpers behind the dashboard pages (no Streamlit here).

The pages read widgets and call these functions, so everything a page shows
(periods, presets, headline figures, weekly series, downloads, the URL) can
be tested without a browser or a Streamlit session.

The shareable URL
-----------------
The whole dashboard state is a :class:`AppState` (the filters, the risk
window, the map layers and tiles) plus the map view. :func:`app_params`
writes it as query parameters using the project's own formats
(:meth:`geo.analysis.filters.FilterState.to_params`, :func:`geo.render.maps.layers_to_param`,
:meth:`geo.render.maps.MapView.to_params`); :func:`read_params` reads a link back and
says, in one sentence per problem, what it could not use.

Example
-------
>>> import datetime as dt
>>> bounds = (dt.date(2013, 1, 1), dt.date(2013, 3, 31))
>>> preset_period(30, anchor=dt.date(2013, 2, 28), bounds=bounds)
(datetime.date(2013, 1, 30), datetime.date(2013, 2, 28))
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.analysis.filters import PARAMS as FILTER_PARAMS
from geo.analysis.filters import FilterState
from geo.io.store import to_csv_frame
from geo.model.schema import EVENT_TYPES
from geo.render.maps import (
    DEFAULT_LAYERS,
    LAYERS_PARAM,
    MapView,
    layers_from_param,
    layers_to_param,
)

LAYER_LABELS: dict[str, str] = {
    "risk": "Risk shading",
    "incidents": "Incidents",
    "heatmap": "Heatmap",
    "borders": "Borders",
    "towns": "Towns",
}

# Basemap tiles: "none" keeps the map fully offline (the vector layers give
# the geography); "custom" is a tile URL from the deployment's settings,
# never from the link, so a shared URL cannot point the map at another server.
TILE_LABELS: dict[str, str] = {"none": "None", "osm": "OpenStreetMap", "custom": "Custom"}
TILES: tuple[str, ...] = tuple(TILE_LABELS)
DEFAULT_TILES = "none"

RISK_WINDOWS: tuple[int, ...] = (30, 60, 90, 180, 365)
DEFAULT_WINDOW = 90

# Period presets: label -> days up to the as-of date (None: the whole period).
PRESETS: dict[str, int | None] = {
    "Last 7 days": 7,
    "Last 30 days": 30,
    "Last 90 days": 90,
    "Whole period": None,
}

HIGH_LEVELS: tuple[str, ...] = ("High", "Extreme")

WINDOW_PARAM = "window"
TILES_PARAM = "tiles"
VIEW_PARAMS: tuple[str, ...] = MapView.PARAMS
# Parameters Streamlit itself reads; a link may carry them.
STREAMLIT_PARAMS: tuple[str, ...] = ("embed", "embed_options")
KNOWN_PARAMS: frozenset[str] = frozenset(
    (
        *FILTER_PARAMS.values(),
        WINDOW_PARAM,
        LAYERS_PARAM,
        TILES_PARAM,
        *VIEW_PARAMS,
        *STREAMLIT_PARAMS,
    )
)

Period = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class AppState:
    """Everything a link carries besides the map view."""

    filters: FilterState
    window: int = DEFAULT_WINDOW
    layers: frozenset[str] = frozenset(DEFAULT_LAYERS)
    tiles: str = DEFAULT_TILES


# ---------------------------------------------------------------- periods


def data_period(df: pd.DataFrame) -> Period:
    """First and last event day of an incident frame.

    An empty frame gives today for both, so the widgets still have a range.
    """
    dates = df["event_date"].dropna()
    if dates.empty:
        today = dt.date.today()
        return today, today
    return dates.min().date(), dates.max().date()


def day_options(bounds: Period) -> list[dt.date]:
    """Every day from the first to the last of ``bounds`` (slider stops)."""
    first, last = bounds
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def default_state(df: pd.DataFrame) -> FilterState:
    """The filter state of a fresh visit: the whole period, everything shown."""
    first, last = data_period(df)
    return FilterState(date_from=first, date_to=last)


def fresh_as_of(
    bounds: Period, assessed: Iterable[dt.date], today: dt.date | None = None
) -> dt.date | None:
    """The risk as-of date of a fresh visit: the last day the store knows about.

    That is the last incident day, unless analysts set a risk override later
    (``assessed``: the overrides' ``set_on`` days): their latest judgement
    is newer information than the incidents, and assessing risk before it
    would show a fresh visitor the map without it (the shipped overrides of
    25 February 2013 follow incidents ending on the 22nd). Days after
    ``today`` (a typing slip) never count.

    Returns
    -------
    date or None
        The latest such override day, or ``None`` when there is none after
        the data: risk is then assessed at the end of the period.

    >>> b = (dt.date(2013, 1, 15), dt.date(2013, 2, 22))
    >>> fresh_as_of(b, [dt.date(2013, 2, 25), dt.date(2013, 2, 1)], dt.date(2026, 1, 1))
    datetime.date(2013, 2, 25)
    >>> fresh_as_of(b, [dt.date(2013, 2, 20)]) is None
    True
    """
    limit = today or dt.date.today()
    later = [d for d in assessed if bounds[1] < d <= limit]
    return max(later) if later else None


def _clamp(day: dt.date, bounds: Period) -> dt.date:
    return min(max(day, bounds[0]), bounds[1])


def preset_period(days: int | None, anchor: dt.date, bounds: Period) -> Period:
    """The period of a preset: ``days`` days ending on ``anchor`` (inclusive).

    ``None`` means the whole of ``bounds``. The result is clamped to
    ``bounds``.

    >>> b = (dt.date(2013, 1, 1), dt.date(2013, 3, 31))
    >>> preset_period(7, dt.date(2013, 1, 3), b)
    (datetime.date(2013, 1, 1), datetime.date(2013, 1, 3))
    >>> preset_period(None, dt.date(2013, 1, 3), b) == b
    True
    """
    if days is None:
        return bounds
    end = _clamp(anchor, bounds)
    return _clamp(end - dt.timedelta(days=days - 1), bounds), end


def step_period(period: Period, weeks: int, bounds: Period) -> Period:
    """Move a period by whole weeks, keeping its length inside ``bounds``.

    At either end of the data the period stops rather than shrinks.

    >>> b = (dt.date(2013, 1, 1), dt.date(2013, 1, 31))
    >>> step_period((dt.date(2013, 1, 8), dt.date(2013, 1, 14)), -1, b)
    (datetime.date(2013, 1, 1), datetime.date(2013, 1, 7))
    >>> step_period((dt.date(2013, 1, 22), dt.date(2013, 1, 28)), 1, b)
    (datetime.date(2013, 1, 25), datetime.date(2013, 1, 31))
    """
    start, end = period
    length = end - start
    shift = dt.timedelta(days=7 * weeks)
    new_start, new_end = start + shift, end + shift
    if new_start < bounds[0]:
        new_start, new_end = bounds[0], min(bounds[0] + length, bounds[1])
    if new_end > bounds[1]:
        new_start, new_end = max(bounds[1] - length, bounds[0]), bounds[1]
    return new_start, new_end


# ---------------------------------------------------------------- choices


def _present(values: pd.Series) -> tuple[str, ...]:
    text = values.dropna().astype(str).str.strip()
    return tuple(sorted(set(text[text != ""])))


def filter_choices(df: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Values the filter widgets offer, from the incidents themselves.

    Returns
    -------
    dict
        ``countries`` (names), ``admin1`` (areas, or the stated admin-1 when
        the frame is not joined), ``event_types`` (ACLED order),
        ``actors`` (actor 1 and 2).
    """
    area_col = "area" if "area" in df.columns else "admin1"
    actors = pd.concat([df["actor1"], df["actor2"]], ignore_index=True)
    return {
        "countries": _present(df["country"]),
        "admin1": _present(df[area_col]),
        "event_types": EVENT_TYPES,
        "actors": _present(actors),
    }


def areas_by_country(df: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Country name -> the areas (or stated admin-1) its incidents fall in."""
    area_col = "area" if "area" in df.columns else "admin1"
    pairs = df[["country", area_col]].astype("string").fillna("").drop_duplicates()
    pairs = pairs[pairs[area_col].str.strip() != ""]
    return {
        str(country): tuple(sorted(group[area_col].astype(str)))
        for country, group in pairs.groupby("country", sort=True)
    }


def admin1_choices(
    by_country: Mapping[str, Sequence[str]], countries: Sequence[str], keep: Iterable[str] = ()
) -> tuple[str, ...]:
    """Areas of the selected countries (all when none), plus ``keep``.

    ``keep`` holds the current selection so that narrowing the countries never
    makes a selected area vanish under the user's hands.
    """
    chosen = by_country.values() if not countries else (by_country.get(c, ()) for c in countries)
    return tuple(sorted({a for areas in chosen for a in areas} | set(keep)))


# ---------------------------------------------------------------- URL

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown punctuation so ``text`` shows literally.

    For text anyone can write (a link's parameters) shown in Markdown
    widgets: links, images and emphasis stay inert characters.

    >>> escape_markdown("[x](http://e.com)")
    '\\\\[x\\\\]\\\\(http\\\\://e\\\\.com\\\\)'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


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
    if view is not None:
        params.update(view.to_params())
    return params


def _last(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return None if value is None else str(value).strip()


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


def read_params(
    params: Mapping[str, Any],
    *,
    defaults: FilterState,
    bounds: Period,
    choices: Mapping[str, tuple[str, ...]],
    country_names: Mapping[str, str] | None = None,
    tiles: Sequence[str] = ("none", "osm"),
    as_of_max: dt.date | None = None,
) -> tuple[AppState, list[str]]:
    """Read a dashboard link; what cannot be used falls back to the defaults.

    Parameters
    ----------
    params : mapping
        Query parameters (a list value uses its last item).
    defaults : FilterState
        The state of a fresh visit (:func:`default_state`).
    bounds : (date, date)
        First and last day of the data. A period partly outside is cut to
        it; one wholly outside falls back to the default period. A period
        cut at its end keeps its end as the as-of date (when the link names
        none and that day is allowed), so risk is assessed as the link meant.
    choices : mapping
        :func:`filter_choices` output: known countries, admin-1 areas, actors.
    country_names : mapping, optional
        ISO3 code -> country name, so ``country=MLI`` selects Mali.
    tiles : sequence of str
        Tile codes this deployment offers (``custom`` only when configured).
    as_of_max : date, optional
        Latest allowed as-of date (default: the end of the data).

    Returns
    -------
    (AppState, list of str)
        The state and one notice per value that was not used as written.
    """
    params = dict(params)
    names = dict(country_names or {})
    country_key = FILTER_PARAMS["countries"]
    text = _last(params, country_key)
    if text and names:
        params[country_key] = ",".join(names.get(c.strip(), c.strip()) for c in text.split(","))
    filters, notices = FilterState.from_params(params, defaults, choices)
    latest = as_of_max or bounds[1]
    filters, clamped = _clamp_period(filters, defaults, bounds, latest)
    notices += clamped
    if filters.as_of is not None and not bounds[0] <= filters.as_of <= latest:
        notices.append(
            f"Ignored {FILTER_PARAMS['as_of']}={filters.as_of.isoformat()}: expected a day from "
            f"{bounds[0].isoformat()} to {latest.isoformat()}; "
            "risk is assessed at the end of the period."
        )
        filters = dataclasses.replace(filters, as_of=None)

    window = DEFAULT_WINDOW
    text = _last(params, WINDOW_PARAM)
    if text:
        if text.isdigit() and int(text) in RISK_WINDOWS:
            window = int(text)
        else:
            notices.append(
                f"Ignored {WINDOW_PARAM}={text!r}: expected one of "
                f"{', '.join(map(str, RISK_WINDOWS))} (days)."
            )

    layers, layer_notices = layers_from_param(params.get(LAYERS_PARAM))
    notices += layer_notices

    tile = DEFAULT_TILES
    text = _last(params, TILES_PARAM)
    if text:
        if text in tiles:
            tile = text
        else:
            notices.append(
                f"Ignored {TILES_PARAM}={text!r}: this dashboard offers {', '.join(tiles)}."
            )

    unknown = sorted(set(params) - KNOWN_PARAMS)
    if unknown:
        notices.append(f"Ignored unknown parameter(s): {', '.join(unknown)}.")
    return AppState(filters, window, frozenset(layers), tile), notices


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class Headline:
    """The three figures at the top of the map page."""

    incidents: int
    fatalities: int
    high_areas: int
    areas: int


def scope_iso3(country_names: Mapping[str, str], countries: Sequence[str]) -> tuple[str, ...]:
    """ISO3 codes of the countries a filter names (by name or by code).

    ``country_names`` maps ISO3 -> name for the countries in the data.
    """
    wanted = set(countries)
    return tuple(
        sorted(code for code, name in country_names.items() if name in wanted or code in wanted)
    )


def risk_in_scope(
    risk: pd.DataFrame, iso3s: Sequence[str] = (), admin1: Sequence[str] = ()
) -> pd.DataFrame:
    """Risk rows of the areas the geographic filters select (all when none).

    Risk belongs to the area, so only the places (countries as ISO3 codes,
    see :func:`scope_iso3`, and admin-1 areas) narrow it; event type, actor
    and fatality filters choose which incidents are drawn, not how dangerous
    an area is.
    """
    mask = pd.Series(True, index=risk.index)
    if iso3s:
        mask &= risk["iso3"].isin(iso3s)
    if admin1:
        mask &= risk["area"].isin(admin1)
    return risk.loc[mask]


def headline(filtered: pd.DataFrame, risk_scope: pd.DataFrame) -> Headline:
    """Incidents, fatalities (lower bounds summed) and areas at High or Extreme."""
    level_col = "final_level" if "final_level" in risk_scope.columns else "level"
    return Headline(
        incidents=len(filtered),
        fatalities=int(filtered["fatalities"].fillna(0).sum()),
        high_areas=int(risk_scope[level_col].isin(HIGH_LEVELS).sum()),
        areas=len(risk_scope),
    )


RISK_TABLE_COLUMNS: dict[str, str] = {
    "area": "Area",
    "iso3": "Country",
    "final_level": "Level",
    "level": "Computed level",
    "override_level": "Override",
    "override_status": "Override status",
    "override_reason": "Override reason",
    "override_expires": "Override until",
    "score": "Score",
    "trend": "Trend",
    "trend_pct": "Trend %",
    "events": "Incidents",
    "fatalities": "Fatalities",
    "days_since_last": "Days since last",
}


def risk_table(risk: pd.DataFrame, *, active_only: bool = True) -> pd.DataFrame:
    """The risk rows as a table for people: named columns, rounded numbers.

    ``active_only`` keeps areas with incidents in the window or a level
    above Low (an override can raise a quiet area), which is what an analyst
    scans; the full list has every area of the layer. The computed level and
    the override are side by side; ``Level`` is the one in force.
    """
    cols = [c for c in RISK_TABLE_COLUMNS if c in risk.columns]
    table = risk[cols]
    if active_only:
        level_col = "final_level" if "final_level" in risk.columns else "level"
        keep = (risk["events"].fillna(0) > 0) | (risk[level_col] != "Low")
        table = table.loc[keep]
    rounded = {
        name: table[name].astype(float).round(digits)
        for name, digits in (("score", 1), ("trend_pct", 0))
        if name in table.columns
    }
    if "override_expires" in table.columns:
        expires = pd.to_datetime(table["override_expires"])
        rounded["override_expires"] = expires.dt.strftime("%Y-%m-%d").fillna("")
    return table.assign(**rounded).rename(columns=RISK_TABLE_COLUMNS).reset_index(drop=True)


def week_start(dates: pd.Series) -> pd.Series:
    """Monday of each date's week (weeks run Monday to Sunday)."""
    days = dates.dt.normalize()
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


def weekly(
    filtered: pd.DataFrame,
    by: str,
    period: Period,
    top: int = 8,
    other: str = "Other",
) -> pd.DataFrame:
    """Weekly incidents and fatalities per group, every week of the period.

    Parameters
    ----------
    filtered : DataFrame
        The incidents shown.
    by : str
        Grouping column (``area``, ``event_type``, ...). Empty values become
        ``"(none)"``.
    period : (date, date)
        Weeks from the one holding the first day to the one holding the
        last; weeks with nothing get zeros so lines do not skip them.
    top : int
        Groups beyond the ``top`` with the most incidents are summed as
        ``other``.

    Returns
    -------
    DataFrame
        Long format: ``week`` (Monday), ``group``, ``incidents``,
        ``fatalities``; sorted by week then group.
    """
    groups = filtered[by].astype("string").fillna("").replace("", "(none)")
    counts = groups.value_counts()
    if len(counts) > top:
        keep = set(counts.index[: top - 1])
        groups = groups.where(groups.isin(keep), other)
    frame = pd.DataFrame(
        {
            "week": week_start(filtered["event_date"]),
            "group": groups,
            "fatalities": filtered["fatalities"].fillna(0).astype("int64"),
        }
    )
    agg = frame.groupby(["week", "group"], observed=True).agg(
        incidents=("fatalities", "size"), fatalities=("fatalities", "sum")
    )
    first = week_start(pd.Series([pd.Timestamp(period[0])]))[0]
    last = week_start(pd.Series([pd.Timestamp(period[1])]))[0]
    weeks = pd.date_range(first, last, freq="7D")
    names = sorted(set(frame["group"])) or [other]
    full = pd.MultiIndex.from_product([weeks, names], names=["week", "group"])
    out = agg.reindex(full, fill_value=0).reset_index()
    return out.astype({"incidents": "int64", "fatalities": "int64", "group": "string"})


# ---------------------------------------------------------------- downloads

TABLE_COLUMNS: tuple[str, ...] = (
    "event_date",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "fatalities",
    "location",
    "area",
    "admin1",
    "country",
    "iso3",
    "latitude",
    "longitude",
    "geo_precision",
    "time_precision",
    "border_km",
    "border_neighbour",
    "source",
    "notes",
    "event_id",
)


def incidents_table(filtered: pd.DataFrame) -> pd.DataFrame:
    """The columns the incidents page shows, newest first.

    This same frame is what the CSV and GeoJSON downloads contain, so a
    download is exactly the table on the screen.
    """
    cols = [c for c in TABLE_COLUMNS if c in filtered.columns]
    table = filtered[cols].sort_values("event_date", ascending=False, kind="stable")
    if "border_km" in table.columns:
        table = table.assign(border_km=table["border_km"].astype(float).round(1))
    return table.reset_index(drop=True)


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    """CSV (UTF-8) of a table, dates as YYYY-MM-DD, as the store writes them."""
    return to_csv_frame(table).to_csv(index=False).encode("utf-8")


def _json_value(column: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(column):
        text = column.dt.strftime("%Y-%m-%d")
        return text.astype(object).where(text.notna(), None).to_numpy()
    values = column.astype(object)
    return values.where(column.notna(), None).to_numpy()


def to_geojson(table: pd.DataFrame) -> str:
    """GeoJSON FeatureCollection of a table: one Point per row, other columns as properties.

    Rows without coordinates get a null geometry rather than being dropped.
    """
    props = [c for c in table.columns if c not in ("latitude", "longitude")]
    columns = {c: _json_value(table[c]) for c in props}
    lon = table["longitude"].to_numpy(dtype=float, na_value=np.nan)
    lat = table["latitude"].to_numpy(dtype=float, na_value=np.nan)
    features = []
    for i in range(len(table)):
        x, y = lon[i], lat[i]
        geometry = (
            None
            if np.isnan(x) or np.isnan(y)
            else {"type": "Point", "coordinates": [float(x), float(y)]}
        )
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {c: _plain(columns[c][i]) for c in props},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value
