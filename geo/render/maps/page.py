"""Putting the map together: :func:`build_map`."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.map import Layer

from geo.model.params import text_column
from geo.render.assets import apply_local_assets
from geo.render.maps.elements import Legend, MapSetup, OverlayPlugins, ViewSync
from geo.render.maps.escaping import escape_text
from geo.render.maps.frames import lonlat_geometries, require
from geo.render.maps.geography import (
    FOCUS_ISO3,
    add_admin0,
    add_areas,
    add_borders,
    add_towns,
    country_label_points,
)
from geo.render.maps.incidents import IncidentSummary, add_heatmap, add_incidents
from geo.render.maps.legend import legend_html
from geo.render.maps.options import MapOptions
from geo.render.maps.playback import Playback, PlaybackLibrary
from geo.render.maps.sites import add_sites, sites_legend_html
from geo.render.maps.view import LAYERS, MAX_ZOOM, MIN_ZOOM, MapView

__all__ = ["MapData", "assemble", "build_map"]


@dataclass(frozen=True)
class MapData:
    """The data a map is drawn from (see :func:`build_map`)."""

    incidents: pd.DataFrame
    areas: pd.DataFrame | None
    risk: pd.DataFrame | None
    borders: pd.DataFrame | None
    towns: pd.DataFrame | None
    admin0: pd.DataFrame | None
    sites: pd.DataFrame | None = None


@dataclass
class _Drawn:
    """What the layers drew, for the legend; and, for a live map, its overlay.

    ``live``: the elements that depend on the incidents or the risk are
    taken out of the map's tree into ``overlay`` (:mod:`geo.render.maps.live`).
    """

    live: bool = False
    layers: list[tuple[str, Layer]] = field(default_factory=list)
    risk_levels: set[str] | None = None
    incidents: IncidentSummary | None = None
    overlay: list[MacroElement] = field(default_factory=list)

    def apart(self, m: folium.Map, element: MacroElement) -> None:
        """Move ``element`` (a child of ``m``) to the overlay when the map is live.

        It keeps ``m`` as its parent, so its script still names the map.
        """
        if self.live:
            del m._children[element.get_name()]
            self.overlay.append(element)


def build_map(
    incidents: pd.DataFrame,
    *,
    areas: pd.DataFrame | None = None,
    risk: pd.DataFrame | None = None,
    borders: pd.DataFrame | None = None,
    towns: pd.DataFrame | None = None,
    admin0: pd.DataFrame | None = None,
    options: MapOptions | None = None,
    sites: pd.DataFrame | None = None,
) -> folium.Map:
    """The dashboard map of ``incidents`` with risk shading, borders and towns.

    Parameters
    ----------
    incidents : DataFrame
        Incident rows to draw (already filtered); needs ``latitude``,
        ``longitude``, ``event_type``, ``fatalities``. Popups use the other
        schema columns and the joined ``area`` when present. Rows without
        coordinates are counted in the legend, not drawn.
    areas : GeoDataFrame, optional
        Admin-1 areas (``area``, ``geometry``; ``area_code``, ``country``,
        ``iso3`` used when present). Drawn as outlines, or shaded by risk.
    risk : DataFrame, optional
        :func:`geo.analysis.risk.score_areas` output; joined to ``areas`` on
        ``area_code`` (else ``area``); shaded by ``final_level``.
    borders : GeoDataFrame, optional
        Border lines (``neighbour_name``, ``neighbour_iso3``, ``length_km``).
    towns : DataFrame, optional
        ``name``, ``latitude``, ``longitude``, ``population``, ``iso3``.
        Towns of Mali and towns over 100,000 people are labelled from the
        start, smaller ones from zoom 6-8; where labels would overlap, Mali's
        towns and then the larger win. At most ``options.max_towns`` are sent.
    admin0 : GeoDataFrame, optional
        Country outlines, always drawn for context (filled light with
        country names when there are no tiles).
    options : MapOptions, optional
        Layers, basemap, view, assets and size limits; default
        ``MapOptions()``, the dashboard's map.
    sites : GeoDataFrame, optional
        The team's sites and routes (:func:`geo.io.sites.load_sites`),
        drawn as the ``sites`` layer. Sensitive: pass them only for a
        viewer allowed to see them; without them the page holds none.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValueError
        Unknown layer or tiles value, or a frame lacking needed columns.
    """
    data = MapData(incidents, areas, risk, borders, towns, admin0, sites)
    m, _overlay = assemble(data, options or MapOptions(), live=False)
    return m


def assemble(
    data: MapData, options: MapOptions, live: bool
) -> tuple[folium.Map, list[MacroElement]]:
    """The map, and for a ``live`` map the elements kept out of it (see :class:`_Drawn`)."""
    chosen = _checked_layers(options.layers)
    require(data.incidents, ["latitude", "longitude", "event_type", "fatalities"], "incidents")
    plain = options.tiles == "none"
    bounds = (
        _default_bounds(data.areas, data.incidents, data.admin0) if options.view is None else None
    )
    m, zoom = _new_map(options.view, bounds)
    _add_tiles(m, options.tiles, options.tiles_attr)
    MapSetup(plain, _attribution(data, chosen)).add_to(m)
    drawn = _Drawn(live=live)
    _draw_geography(m, data, chosen, plain, drawn)
    _draw_overlays(m, data, chosen, zoom, options, drawn)
    if options.legend:
        _add_legend(m, data, chosen, drawn)
    if live:  # whatever a later overlay may need, loaded once with the page
        OverlayPlugins().add_to(m)
        PlaybackLibrary().add_to(m)
    if options.place is not None:
        _add_place(m, *options.place)
    if options.layer_control:
        folium.LayerControl(collapsed=True).add_to(m)
    if options.view is None and bounds is not None:
        m.fit_bounds(bounds)
    if options.sync_url:
        key = f"geo.map.view:{options.view_key}"
        ViewSync(key, options.view, bounds, options.restore_view).add_to(m)
    apply_local_assets(m, options.asset_base, inline=options.inline_assets)
    return m, drawn.overlay


def _add_legend(m: folium.Map, data: MapData, chosen: frozenset[str], drawn: _Drawn) -> None:
    html_text = legend_html(
        drawn.risk_levels,
        drawn.incidents,
        "heatmap" in chosen,
        data.borders is not None and "borders" in chosen,
        data.towns is not None and "towns" in chosen,
    )
    if any(key == "sites" for key, _ in drawn.layers):
        html_text = sites_legend_html(html_text)
    legend = Legend(html_text, drawn.layers)
    legend.add_to(m)
    drawn.apart(m, legend)


def _add_place(m: folium.Map, label: str, lat: float, lon: float, km: float) -> None:
    """The searched place: a labelled ring above everything, and its search circle."""
    if km > 0:
        folium.Circle(
            [lat, lon],
            radius=km * 1000,
            color="#1f2328",
            weight=1.8,
            dash_array="6 5",
            fill=False,
            interactive=False,
        ).add_to(m)
    folium.CircleMarker(
        [lat, lon],
        radius=7,
        color="#1f2328",
        weight=3,
        fill=True,
        fill_color="#ffffff",
        fill_opacity=1,
        pane="geo-country-labels",
        interactive=False,
        class_name="geo-searched",
        # folium puts tooltip text into the page as it is: the label is escaped.
        tooltip=folium.Tooltip(
            escape_text(label), permanent=True, direction="right", class_name="geo-searched-label"
        ),
    ).add_to(m)


def _checked_layers(layers: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(layers)
    unknown = chosen - set(LAYERS)
    if unknown:
        raise ValueError(
            f"build_map: unknown layer(s) {', '.join(sorted(unknown))}; "
            f"expected any of {', '.join(LAYERS)}"
        )
    return chosen


def _new_map(view: MapView | None, bounds: list[list[float]] | None) -> tuple[folium.Map, int]:
    """The bare map at ``view``, else centred on ``bounds``, else the whole world."""
    if view is not None:
        location, zoom = [view.lat, view.lon], view.zoom
    elif bounds is not None:
        location = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
        zoom = _zoom_for(bounds)
    else:
        location, zoom = [0.0, 0.0], MIN_ZOOM
    m = folium.Map(location=location, zoom_start=zoom, tiles=None, control_scale=True)
    # folium passes min_zoom/max_zoom to its tile layer only; clustering needs
    # the map's own limits even when there are no tiles.
    m.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)
    return m, zoom


def _attribution(data: MapData, chosen: frozenset[str]) -> list[str]:
    """Credits for the reference data on the map."""
    attribution = []
    if data.areas is not None or data.admin0 is not None or data.borders is not None:
        attribution.append("Boundaries: Natural Earth")
    if data.towns is not None and "towns" in chosen:
        attribution.append("Places: GeoNames (CC BY 4.0)")
    return attribution


def _draw_geography(
    m: folium.Map, data: MapData, chosen: frozenset[str], plain: bool, drawn: _Drawn
) -> None:
    """Countries, admin-1 areas and borders, bottom up."""
    if data.admin0 is not None:
        add_admin0(m, data.admin0, plain)
    if data.areas is not None:
        show_risk = "risk" in chosen and data.risk is not None
        layer, used, styles = add_areas(
            m, data.areas, data.risk, show_risk, plain, restyled=drawn.live
        )
        if show_risk:
            drawn.risk_levels = used
            drawn.layers.append(("risk", layer))
        if styles is not None:
            drawn.overlay.append(styles)
    if data.borders is not None and "borders" in chosen:
        drawn.layers.append(("borders", add_borders(m, data.borders)))


def _draw_overlays(
    m: folium.Map,
    data: MapData,
    chosen: frozenset[str],
    zoom: int,
    options: MapOptions,
    drawn: _Drawn,
) -> None:
    """Heat map, incidents and towns, in the order the legend lists them."""
    if "heatmap" in chosen:
        heat = add_heatmap(m, data.incidents)
        drawn.layers.append(("heatmap", heat))
        drawn.apart(m, heat)
    if "incidents" in chosen:
        layer, drawn.incidents = add_incidents(
            m,
            data.incidents,
            zoom,
            options.cluster_threshold,
            options.aggregate_threshold,
            options.grid_max_cells,
            country_label_points(data.admin0),
        )
        drawn.layers.append(("incidents", layer))
        drawn.apart(m, layer)
        if options.sync_url and getattr(layer, "mode", "grid") != "grid":
            # The dashboard's map: play the period (playback.js; a live map
            # loads the library once, with its base).
            playback = Playback(layer, library=not drawn.live)
            playback.add_to(m)
            drawn.apart(m, playback)
    if data.towns is not None and "towns" in chosen:
        drawn.layers.append(("towns", add_towns(m, data.towns, options.max_towns)))
    if data.sites is not None and len(data.sites) and "sites" in chosen:
        drawn.layers.append(("sites", add_sites(m, data.sites)))


def _default_bounds(
    areas: pd.DataFrame | None, incidents: pd.DataFrame, admin0: pd.DataFrame | None
) -> list[list[float]] | None:
    """[[south, west], [north, east]] of Mali's areas, else of the incidents, else of admin-0."""
    candidates: list[np.ndarray] = []
    if areas is not None and len(areas):
        focus = (
            areas[text_column(areas, "iso3") == FOCUS_ISO3] if "iso3" in areas.columns else areas
        )
        candidates.append(shapely.total_bounds(lonlat_geometries(focus if len(focus) else areas)))
    lat = incidents["latitude"].to_numpy(float, na_value=np.nan)
    lon = incidents["longitude"].to_numpy(float, na_value=np.nan)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if ok.any():
        candidates.append(np.array([lon[ok].min(), lat[ok].min(), lon[ok].max(), lat[ok].max()]))
    if admin0 is not None and len(admin0):
        candidates.append(shapely.total_bounds(lonlat_geometries(admin0)))
    for b in candidates:
        if np.all(np.isfinite(b)):
            minx, miny, maxx, maxy = (float(v) for v in b)
            if maxx - minx < 0.2 and maxy - miny < 0.2:  # a single place: show its surroundings
                minx, miny, maxx, maxy = minx - 0.5, miny - 0.5, maxx + 0.5, maxy + 0.5
            return [[round(miny, 4), round(minx, 4)], [round(maxy, 4), round(maxx, 4)]]
    return None


def _zoom_for(bounds: list[list[float]] | None) -> int:
    """Rough zoom at which ``bounds`` fill a ~700 px map (for heat map scaling)."""
    if bounds is None:
        return 5
    span = max(bounds[1][1] - bounds[0][1], bounds[1][0] - bounds[0][0], 1e-3)
    return int(min(max(math.floor(math.log2(700 * 360 / (256 * span))), MIN_ZOOM), 12))


def _add_tiles(m: folium.Map, tiles: str, attr: str | None) -> None:
    if tiles == "none":
        return
    if tiles == "osm":
        folium.TileLayer("OpenStreetMap", control=False).add_to(m)
        return
    if all(part in tiles for part in ("{z}", "{x}", "{y}")):
        if not attr:
            raise ValueError(
                "build_map: a custom tile URL needs tiles_attr (the tile provider's attribution)"
            )
        folium.TileLayer(tiles=tiles, attr=attr, control=False, max_zoom=MAX_ZOOM).add_to(m)
        return
    raise ValueError(
        f"build_map: tiles={tiles!r}; "
        "expected 'none', 'osm' or a URL template with {z}, {x}, {y}"
    )
