"""The sidebar filters every page shares, and the URL that carries them.

How the URL and the widgets stay in step
----------------------------------------
Streamlit 1.67 can bind a widget to a query parameter (``bind=
"query-params"``). We tried it and chose not to use it here: a bound widget
leaves its parameter out while it is at its default (so a link would not
pin the period and would change when new data arrives), writes option
labels and repeated parameters rather than the project's formats
(:mod:`geo.analysis.filters`, :mod:`geo.render.maps`), drops unusable values silently, and
does not write a value corrected on the first run back to the URL.

Instead the URL is owned by this module:

1. On the first run of a browser session the query string is read once with
   :func:`geo.render.urlstate.read_params` (and :meth:`MapView.from_params`); the
   widgets' session state is set from it, and every value that could not be
   used becomes a notice shown above the page.
2. On every run the current state (from the widgets) plus the map view is
   written back with ``st.query_params.from_dict`` when it differs from the
   URL, so the address bar always matches the screen and a copied link
   reproduces it.
3. The map view (``lat``, ``lon``, ``z``) is changed in the browser by the
   map itself without a rerun. A rerun carries the query string the
   frontend last received, so the view read here can be older than the
   screen's; the map's own script (see ``geo.render.maps._ViewSync``) keeps the
   user's latest view on screen and puts it back into the URL. This module
   reads the view at each run, remembers it for the session (page switches
   drop parameters Streamlit does not own) and never drops it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from appkit import auth, place_search
from appkit import data as cache
from appkit import sites as team
from appkit.text import escape_markdown
from geo.analysis import periods, summary
from geo.analysis.filters import FilterState, Selection, admin1_choices
from geo.analysis.risk import RiskConfigError, RiskOverridesError
from geo.model.schema import EVENT_TYPES, GEO_PRECISIONS, IncidentFileError
from geo.render import maps, urlstate
from geo.render.maps import MapView

# Parameters Streamlit itself reads; a link may carry them.
STREAMLIT_PARAMS: tuple[str, ...] = ("embed", "embed_options")

# Session-state keys of the sidebar widgets.
KEYS: dict[str, str] = {
    "period": "f_period",
    "as_of": "f_asof",
    "window": "f_window",
    "countries": "f_country",
    "admin1": "f_admin1",
    "event_types": "f_type",
    "actors": "f_actor",
    "min_fatalities": "f_minfat",
    "max_geo_precision": "f_prec",
}
LAYERS_WIDGET = "m_layers"
TILES_WIDGET = "m_tiles"
# Session-state keys of values that outlive the widgets showing them.
_LAYERS = "_layers"
_TILES = "_tiles"
_VIEW = "_view"
_NOTICES = "_notices"
_STARTED = "_url_read"
_CTX = "_ctx"

PRECISION_LABELS = {1: "1 · town", 2: "2 · near town", 3: "3 · region"}


@dataclass(frozen=True)
class Tiles:
    """Basemaps this deployment offers; a custom URL comes from its settings."""

    offered: tuple[str, ...]
    url: str | None = None
    attribution: str | None = None

    def argument(self, code: str) -> str:
        """What :func:`geo.render.maps.build_map` takes for a tile code."""
        return self.url if code == "custom" and self.url else code


@dataclass(frozen=True)
class Context:
    """What every page needs for this run: data, state, filtered rows, risk.

    ``rows`` are the filtered rows, copied only as far as a page asks for
    them (:class:`geo.analysis.filters.Selection`); ``filtered`` is all of
    their columns.
    """

    source: cache.Source
    data: pd.DataFrame
    bounds: periods.Period
    app: urlstate.AppState
    rows: Selection
    risk: pd.DataFrame
    risk_scope: pd.DataFrame
    view: MapView | None
    tiles: Tiles

    @property
    def filtered(self) -> pd.DataFrame:
        """The filtered rows, every column (taken at the first read)."""
        return self.rows.frame


def tile_settings() -> Tiles:
    """Read the custom tile URL from ``.streamlit/secrets.toml`` or the environment.

    ``[tiles] url = ".../{z}/{x}/{y}.png"`` and ``attribution = "..."`` in
    the secrets, or ``GEO_TILE_URL`` / ``GEO_TILE_ATTRIBUTION`` (which win).
    """
    try:
        section = dict(st.secrets.get("tiles", {}))
    except StreamlitSecretNotFoundError:
        section = {}
    url = os.environ.get("GEO_TILE_URL") or section.get("url")
    attribution = os.environ.get("GEO_TILE_ATTRIBUTION") or section.get("attribution")
    offered = ("none", "osm", "custom") if url else ("none", "osm")
    return Tiles(offered, url, attribution or ("Custom tiles" if url else None))


# ---------------------------------------------------------------- callbacks


def _changed() -> None:
    """Any filter change: the link's notices no longer describe the screen."""
    st.session_state.pop(_NOTICES, None)


def _places_changed() -> None:
    """A country or admin-1 choice: the map moves to fit the chosen places."""
    _changed()
    ss = st.session_state
    place_search.fit_selection(ss.get(KEYS["countries"], []), ss.get(KEYS["admin1"], []))


def _apply_preset(days: int | None, bounds: periods.Period) -> None:
    ss = st.session_state
    period = ss[KEYS["period"]]
    anchor = ss.get(KEYS["as_of"]) or period[1]
    ss[KEYS["period"]] = periods.preset_period(days, anchor, bounds)
    _changed()


def _step(weeks: int, bounds: periods.Period) -> None:
    ss = st.session_state
    ss[KEYS["period"]] = periods.step_period(tuple(ss[KEYS["period"]]), weeks, bounds)
    _changed()


def _copy_to(canonical: str, widget: str, convert: Callable[[Any], Any]) -> Callable[[], None]:
    def callback() -> None:
        st.session_state[canonical] = convert(st.session_state[widget])
        _changed()

    return callback


# ---------------------------------------------------------------- state


def _as_of_max(bounds: periods.Period) -> dt.date:
    # An analyst may assess "today" although the data ends earlier.
    return max(bounds[1], dt.date.today())


def _slider_max(bounds: periods.Period) -> dt.date:
    # A slider needs two distinct ends, even for one day of data.
    return max(bounds[1], bounds[0] + dt.timedelta(days=1))


def _put_state(app: urlstate.AppState) -> None:
    ss = st.session_state
    f = app.filters
    ss[KEYS["period"]] = (f.date_from, f.date_to)
    ss[KEYS["as_of"]] = f.as_of
    ss[KEYS["window"]] = app.window
    ss[KEYS["countries"]] = list(f.countries)
    ss[KEYS["admin1"]] = list(f.admin1)
    ss[KEYS["event_types"]] = list(f.event_types)
    ss[KEYS["actors"]] = list(f.actors)
    ss[KEYS["min_fatalities"]] = f.min_fatalities
    ss[KEYS["max_geo_precision"]] = f.max_geo_precision
    ss[_LAYERS] = frozenset(app.layers)
    ss[_TILES] = app.tiles
    ss[team.NEAR_KEY] = app.near_km or 0


def _fresh_state(bounds: periods.Period) -> FilterState:
    """The filters of a fresh visit: the whole period, risk as of the store's last day."""
    return FilterState(
        date_from=bounds[0],
        date_to=bounds[1],
        as_of=periods.default_as_of(bounds[1], bounds, cache.override_days()),
    )


def _as_of_once(app: urlstate.AppState, bounds: periods.Period) -> urlstate.AppState:
    """Give a link without ``asof`` the as-of day a fresh visit of its period gets.

    One rule for both (:func:`geo.analysis.periods.default_as_of`); the day
    is then shown in the sidebar and kept in the URL, so it is set once.
    """
    f = app.filters
    if f.as_of is not None:
        return app
    as_of = periods.default_as_of(f.date_to, bounds, cache.override_days())
    return dataclasses.replace(app, filters=dataclasses.replace(f, as_of=as_of))


def _read_url_once(facts: cache.Facts, tiles: Tiles) -> None:
    """First run of a session: the link decides the state."""
    ss = st.session_state
    if ss.get(_STARTED):
        return
    ss[_STARTED] = True
    params = st.query_params.to_dict()
    bounds = facts.bounds
    app, notices = urlstate.read_params(
        params,
        defaults=FilterState(date_from=bounds[0], date_to=bounds[1]),
        bounds=bounds,
        choices=facts.choices,
        country_names=facts.country_names,
        tiles=tiles.offered,
        as_of_max=_as_of_max(bounds),
        also_known=(*STREAMLIT_PARAMS, *place_search.PARAMS),
    )
    view, view_notices = MapView.from_params(params)
    view_notices += place_search.read_link(params)
    app = team.shown_by_default(app, params)  # a member's sites, unless the link says
    _put_state(_as_of_once(app, bounds))
    if view is not None:
        ss[_VIEW] = view
    ss[_NOTICES] = notices + view_notices


def _keep_valid(bounds: periods.Period, choices: dict[str, tuple[str, ...]], tiles: Tiles) -> None:
    """Make the session's values fit the widgets (after the data file changed)."""
    ss = st.session_state
    defaults = urlstate.AppState(_fresh_state(bounds))
    if KEYS["period"] not in ss:
        _put_state(defaults)
    lo, hi = bounds[0], _slider_max(bounds)
    start, end = ss[KEYS["period"]]
    ss[KEYS["period"]] = (min(max(start, lo), hi), min(max(end, lo), hi))
    as_of = ss.get(KEYS["as_of"])
    if as_of is not None and not lo <= as_of <= _as_of_max(bounds):
        ss[KEYS["as_of"]] = None
    for name in ("countries", "actors"):
        ss[KEYS[name]] = [v for v in ss.get(KEYS[name], []) if v in choices[name]]
    ss[KEYS["admin1"]] = [v for v in ss.get(KEYS["admin1"], []) if v in choices["admin1"]]
    if ss.get(_TILES) not in tiles.offered:
        ss[_TILES] = urlstate.DEFAULT_TILES
    ss.setdefault(_LAYERS, defaults.layers)


def _sidebar(known: cache.Facts) -> urlstate.AppState:
    ss = st.session_state
    bounds, choices = known.bounds, known.choices
    with st.sidebar:
        place_search.sidebar()
        st.markdown("**Period**")
        st.slider(
            "Incidents from / to",
            min_value=bounds[0],
            max_value=_slider_max(bounds),
            key=KEYS["period"],
            format="YYYY-MM-DD",
            on_change=_changed,
        )
        cols = st.columns(2) * 2
        for col, (label, days) in zip(cols, periods.PRESETS.items(), strict=True):
            col.button(
                label,
                key=f"preset {label}",
                on_click=_apply_preset,
                args=(days, bounds),
                help="The whole period of the data"
                if days is None
                else f"The {days} days up to the as-of date (or the end of the period)",
                width="stretch",
            )
        back, forward = st.columns(2)
        back.button(
            "◀ Week",
            on_click=_step,
            args=(-1, bounds),
            width="stretch",
            help="Move the period one week earlier",
        )
        forward.button(
            "Week ▶",
            on_click=_step,
            args=(1, bounds),
            width="stretch",
            help="Move the period one week later",
        )
        st.date_input(
            "Risk as of",
            value=None,
            min_value=bounds[0],
            max_value=_as_of_max(bounds),
            key=KEYS["as_of"],
            format="YYYY-MM-DD",
            help="The day risk is assessed at. A period that reaches the end of the data is "
            "assessed on the last day the store knows (a later analyst override counts); "
            "an earlier period at its own end. Empty: the last day of the period.",
            on_change=_changed,
        )
        st.selectbox(
            "Risk window",
            urlstate.RISK_WINDOWS,
            key=KEYS["window"],
            format_func=lambda d: f"{d} days",
            help="Incidents in this many days up to the as-of date count towards risk.",
            on_change=_changed,
        )
        st.markdown("**Filters**")
        countries = st.multiselect(
            "Country",
            choices["countries"],
            key=KEYS["countries"],
            placeholder="All countries",
            on_change=_places_changed,
        )
        st.multiselect(
            "Admin-1 area",
            admin1_choices(known.areas_by_country, countries, keep=ss.get(KEYS["admin1"], [])),
            key=KEYS["admin1"],
            placeholder="All areas",
            on_change=_places_changed,
        )
        st.multiselect(
            "Event type",
            EVENT_TYPES,
            key=KEYS["event_types"],
            placeholder="All event types",
            on_change=_changed,
        )
        st.multiselect(
            "Actor",
            choices["actors"],
            key=KEYS["actors"],
            placeholder="All actors",
            help="Incidents where the actor is actor 1 or actor 2.",
            on_change=_changed,
        )
        st.number_input(
            "Minimum fatalities",
            min_value=0,
            step=1,
            key=KEYS["min_fatalities"],
            on_change=_changed,
        )
        st.select_slider(
            "Location precision, at most",
            options=(1, 2, 3),
            key=KEYS["max_geo_precision"],
            format_func=PRECISION_LABELS.__getitem__,
            help="; ".join(f"{k}: {v}" for k, v in GEO_PRECISIONS.items()),
            on_change=_changed,
        )
    start, end = ss[KEYS["period"]]
    filters = FilterState(
        date_from=start,
        date_to=end,
        as_of=ss[KEYS["as_of"]],
        countries=tuple(ss[KEYS["countries"]]),
        admin1=tuple(ss[KEYS["admin1"]]),
        event_types=tuple(ss[KEYS["event_types"]]),
        actors=tuple(ss[KEYS["actors"]]),
        min_fatalities=int(ss[KEYS["min_fatalities"]]),
        max_geo_precision=int(ss[KEYS["max_geo_precision"]]),
    )
    return urlstate.AppState(
        filters, int(ss[KEYS["window"]]), frozenset(ss[_LAYERS]), ss[_TILES], team.near_value()
    )


def _current_view() -> MapView | None:
    """The view in the URL when it is there and valid, else the session's last one."""
    params = st.query_params.to_dict()
    if any(name in params for name in urlstate.VIEW_PARAMS):
        view, _ = MapView.from_params(params)
        if view is not None:
            st.session_state[_VIEW] = view
    return st.session_state.get(_VIEW)


def _write_url(app: urlstate.AppState, view: MapView | None) -> None:
    current = {k: v for k, v in st.query_params.to_dict().items() if k not in STREAMLIT_PARAMS}
    # The map's playback frame (play=...) is the browser's: keep it as it is.
    wanted = (
        urlstate.app_params(app, view) | urlstate.kept_params(current) | place_search.url_params()
    )
    if current != wanted:
        st.query_params.from_dict(wanted)


def _show_notices() -> None:
    notices = st.session_state.get(_NOTICES)
    if notices:
        # The notices quote the link, which anyone can write: no Markdown from it.
        st.warning(
            "Some of this link could not be used, so defaults are shown for it:\n\n"
            + "\n".join(f"- {escape_markdown(n)}" for n in notices),
            icon=":material/link_off:",
        )


def _load() -> tuple[cache.Source, pd.DataFrame] | None:
    try:
        source = cache.Source.current()
        return source, cache.incidents(source)
    except FileNotFoundError as exc:
        where = auth.public_text(str(exc.filename or "the configured path"))
        st.error(
            f"No incident file at `{where}`. Point the "
            "`GEO_INCIDENTS` environment variable at an incident CSV, or restore "
            "`data/incidents.csv`."
        )
    except ConnectionError as exc:
        # A PostGIS store that is down: say so instead of a traceback (its URL is masked).
        st.error("The incident store cannot be reached; the map returns once it can.")
        st.code(auth.public_text(str(exc)), language=None)
    except IncidentFileError as exc:
        st.error("The incident file cannot be used until these problems are fixed:")
        # st.code shows the values from the file as plain text; only admins see server paths.
        st.code(auth.public_text(str(exc)), language=None)
    return None


def _area_risk(source: cache.Source, app: urlstate.AppState) -> pd.DataFrame | None:
    """Risk for the state; a broken overrides file falls back to computed levels, loudly."""
    as_of, window = app.filters.assessed_at, app.window
    try:
        return cache.area_risk(source, as_of, window)
    except RiskOverridesError as exc:
        st.error("The analysts' risk overrides cannot be used, so computed levels are shown:")
        st.code(str(exc), language=None)
        return cache.area_risk(source, as_of, window, with_overrides=False)
    except RiskConfigError as exc:
        st.error("The risk settings cannot be used until these problems are fixed:")
        st.code(str(exc), language=None)
        return None


def setup() -> Context | None:
    """Load the data, draw the shared sidebar, sync the URL; ``None`` when the data is unusable."""
    ss = st.session_state
    ss[_CTX] = None
    loaded = _load()
    if loaded is None:
        return None
    source, data = loaded
    known = cache.facts(source)
    bounds, choices = known.bounds, known.choices
    tiles = tile_settings()
    _read_url_once(known, tiles)
    _keep_valid(bounds, choices, tiles)
    app = _sidebar(known)
    team.sidebar_filter()  # team members only (appkit/sites.py)
    view = _current_view()
    _write_url(app, view)
    _show_notices()

    rows = team.near_filter(Selection.of(data, app.filters), app.near_km)
    rows = place_search.within_filter(rows)
    risk = _area_risk(source, app)
    if risk is None:
        return None
    scope = summary.risk_in_scope(
        risk, summary.scope_iso3(known.country_names, app.filters.countries), app.filters.admin1
    )
    ctx = Context(source, data, bounds, app, rows, risk, scope, view, tiles)
    ss[_CTX] = ctx
    return ctx


def context() -> Context:
    """This run's context; stops the page (the error is already shown) when there is none."""
    ctx = st.session_state.get(_CTX)
    if ctx is None:
        st.stop()
    return ctx


def map_controls(ctx: Context) -> tuple[frozenset[str], str]:
    """Layer toggles and basemap choice; they are in the URL like the filters."""
    ss = st.session_state
    offered = team.offered_layers()  # "sites" for team members with sites only
    if LAYERS_WIDGET not in ss:
        ss[LAYERS_WIDGET] = [name for name in offered if name in ss[_LAYERS]]
    if TILES_WIDGET not in ss:
        ss[TILES_WIDGET] = ss[_TILES]
    left, right = st.columns([3, 2])
    with left:
        st.pills(
            "Layers",
            offered,
            selection_mode="multi",
            format_func=maps.LAYER_LABELS.__getitem__,
            key=LAYERS_WIDGET,
            on_change=_copy_to(_LAYERS, LAYERS_WIDGET, frozenset),
        )
    with right:
        st.segmented_control(
            "Basemap",
            ctx.tiles.offered,
            format_func=urlstate.TILE_LABELS.__getitem__,
            key=TILES_WIDGET,
            required=True,
            help="None works offline: admin areas, borders and towns give the geography. "
            "OpenStreetMap needs internet.",
            on_change=_copy_to(_TILES, TILES_WIDGET, str),
        )
    return frozenset(ss[_LAYERS]), ss[_TILES]


def risk_column_config() -> dict[str, Any]:
    """Widths for the risk table: the worded level and trend must not be cut off."""
    return {
        "Level": st.column_config.TextColumn(width=300),
        "Trend": st.column_config.TextColumn(width=330),
    }


def level_style(table: pd.DataFrame, columns: Sequence[str]) -> Any:
    """A Styler colouring risk-level cells with the map's level colours.

    A Styler replaces ``st.dataframe``'s number formats, so they are set here.
    """
    from geo.render.style import LEVEL_COLOURS

    def colour(value: object) -> str:
        # "High (analyst) · computed Elevated 36" is coloured as High.
        level = str(value).split(" ", 1)[0]
        hex_colour = LEVEL_COLOURS.get(level)
        if not hex_colour:
            return ""
        dark = level in ("High", "Extreme")
        return f"background-color: {hex_colour}; color: {'white' if dark else 'black'}"

    present = [c for c in columns if c in table.columns]
    formats = {"Score": "{:.1f}"}
    return table.style.map(colour, subset=present).format(
        # An empty na_rep shows as "None" in st.dataframe; a dash reads as "no figure".
        {k: v for k, v in formats.items() if k in table.columns},
        na_rep="–",
    )
