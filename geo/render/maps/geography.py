"""The geography layers: admin-1 areas (risk shading or outlines), countries, borders, towns."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely
from folium.map import Layer

from geo.analysis.risk import level_text, trend_text
from geo.model.params import text_column
from geo.render.maps.elements import AreaStyles, GeoJsonLayer, TownLayer
from geo.render.maps.escaping import escape_text
from geo.render.maps.frames import geojson, lonlat_geometries, require
from geo.render.maps.symbols import (
    AREA_LINE_COLOUR,
    COUNTRY_LINE_COLOUR,
    NOT_ASSESSED,
    level_opacity,
    level_swatch,
)
from geo.render.maps.view import LAYER_LABELS
from geo.render.style import ADMIN_LINE_COLOUR, BORDER_COLOUR, LEVEL_COLOURS, counted

__all__ = [
    "FOCUS_ISO3",
    "add_admin0",
    "add_areas",
    "add_borders",
    "add_towns",
    "country_label_points",
]

FOCUS_ISO3 = "MLI"


# ----------------------------------------------------------------------------
# Admin-1 areas
# ----------------------------------------------------------------------------


def add_areas(
    m: folium.Map,
    areas: pd.DataFrame,
    risk: pd.DataFrame | None,
    show_risk: bool,
    plain: bool,
    restyled: bool = False,
) -> tuple[Layer, set[str], AreaStyles | None]:
    """Admin-1 areas: risk shading with tooltips, or plain outlines with names.

    Returns the layer, the levels drawn (empty for outlines), for the legend,
    and with ``restyled`` (and ``show_risk``) the shading as a separate
    :class:`AreaStyles` element: the layer itself then holds the shapes with
    plain outlines, and depends on the areas only (the live dashboard map).
    """
    require(areas, ["area", "geometry"], "areas")
    country = (
        text_column(areas, "country") if "country" in areas.columns else text_column(areas, "iso3")
    )
    used: set[str] = set()
    styles = None
    if show_risk:
        props = _risk_features(areas, risk, country, plain, used)
        shapes = _outline_features(areas, country) if restyled else props
        layer = GeoJsonLayer(
            geojson(areas, shapes), LAYER_LABELS["risk"], "geo-areas", "geo-area", highlight=True
        )
        styles = AreaStyles(layer, props) if restyled else None
    else:
        props = _outline_features(areas, country)
        layer = GeoJsonLayer(
            geojson(areas, props), "Admin-1 areas", "geo-areas", "geo-area", control=False
        )
    layer.add_to(m)
    return layer, used, styles


def _risk_features(
    areas: pd.DataFrame,
    risk: pd.DataFrame | None,
    country: pd.Series,
    plain: bool,
    used: set[str],
) -> list[dict[str, Any]]:
    """Style and tooltip per area, shaded by its final level; adds each level drawn to ``used``."""
    joined = (
        _join_risk(areas, risk)
        if risk is not None
        else pd.DataFrame(areas.drop(columns="geometry"))
    )
    props = []
    for rec, ctry in zip(joined.to_dict("records"), country, strict=True):
        level = rec.get("final_level")
        level = level if isinstance(level, str) and level in LEVEL_COLOURS else NOT_ASSESSED
        used.add(level)
        override = bool(rec.get("override_level")) and str(rec.get("override_level")) == level
        style: dict[str, Any] = {
            "fillColor": LEVEL_COLOURS.get(level, "#ffffff"),
            "fillOpacity": level_opacity(level, plain),
            "color": AREA_LINE_COLOUR,
            "weight": 0.7,
            "opacity": 0.8,
        }
        feature: dict[str, Any] = {"_s": style, "_t": _risk_tooltip(rec, str(ctry))}
        if override:
            # Hatched and outlined dark (GeoMap.geojson draws the hatching).
            style.update(color="#1f2328", weight=2.2, opacity=0.95)
            feature["_h"] = 1
        props.append(feature)
    return props


def _outline_features(areas: pd.DataFrame, country: pd.Series) -> list[dict[str, Any]]:
    """Thin outlines whose tooltips name the area and its country."""
    style = {
        "fill": True,
        "fillOpacity": 0.0,
        "color": ADMIN_LINE_COLOUR,
        "weight": 0.6,
        "opacity": 0.55,
    }
    return [
        {
            "_s": style,
            "_t": f'<div class="geo-tip-title">{escape_text(a)}</div>'
            f'<div class="geo-muted">{escape_text(c)}</div>',
        }
        for a, c in zip(text_column(areas, "area"), country, strict=True)
    ]


def _join_risk(areas: pd.DataFrame, risk: pd.DataFrame) -> pd.DataFrame:
    """Areas with their risk row (left join on area_code when both have codes, else area)."""
    use_code = (
        "area_code" in areas.columns
        and "area_code" in risk.columns
        and bool((text_column(areas, "area_code") != "").all())
        and bool((text_column(risk, "area_code") != "").all())
    )
    key = "area_code" if use_code else "area"
    keep = [c for c in risk.columns if c not in areas.columns or c == key]
    table = risk[keep].drop_duplicates(subset=key)
    out = pd.DataFrame(areas.drop(columns="geometry")).merge(table, on=key, how="left")
    out.index = areas.index
    return out


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _risk_tooltip(row: Mapping[str, Any], country: str) -> str:
    """An area's name, level, score, trend, counts and any analyst override, as HTML."""
    level = str(row.get("final_level") or NOT_ASSESSED)
    head = f'<div class="geo-tip-title">{escape_text(row["area"])}'
    if country:
        head += f' <span class="geo-muted">{escape_text(country)}</span>'
    head += "</div>"
    if level == NOT_ASSESSED or level not in LEVEL_COLOURS:
        return head + f'<div class="geo-muted">{NOT_ASSESSED}</div>'
    parts = [head]
    score = row.get("score")
    override = row.get("override_level")
    overridden = bool(override) and str(override) == level
    if overridden:
        # Who set the level, and what was computed, on the level's own line.
        text = level_text(level, str(row.get("level") or ""), _number(score), True)
        first, _, rest = text.partition(" ")
        line = f"{level_swatch(level)} <b>{escape_text(first)}</b> {escape_text(rest)}"
    else:
        line = f"{level_swatch(level)} <b>{escape_text(level)}</b>"
        if _is_number(score):
            line += f" &middot; score {score:.0f}/100"
    parts.append(f'<div class="geo-row">{line}</div>')
    trend = row.get("trend")
    if trend:
        worded = trend_text(
            str(trend),
            _number(row.get("trend_pct")),
            _number(row.get("events_last_7d")),
            _number(row.get("weekly_baseline")),
        )
        parts.append(f"<div>Trend (7 days): {escape_text(worded)}</div>")
    events, fatalities = _number(row.get("events")), _number(row.get("fatalities"))
    if math.isfinite(events):
        fat = f" &middot; {counted(fatalities, 'fatality')}" if math.isfinite(fatalities) else ""
        parts.append(
            f'<div class="geo-muted">{counted(events, "incident")} in the window{fat}</div>'
        )
    if overridden:
        parts.append(f'<div class="geo-override">{_override_note(row, override)}</div>')
    return "".join(parts)


def _number(value: object) -> float:
    return float(value) if _is_number(value) else math.nan  # type: ignore[arg-type]


def _override_note(row: Mapping[str, Any], override: Any) -> str:
    """The analyst's override: level, computed level, reason and expiry when given."""
    computed = row.get("level")
    text = f"Analyst override: {escape_text(override)}"
    if computed and computed != override:
        text += f" (computed {escape_text(computed)})"
    reason = row.get("override_reason")
    if reason:
        text += f" &mdash; {escape_text(reason)}"
    expires = row.get("override_expires")
    if expires is not None and str(expires) not in ("", "NaT", "nan", "<NA>"):
        text += f"; until {escape_text(str(expires)[:10])}"
    return text


# ----------------------------------------------------------------------------
# Countries, borders, towns
# ----------------------------------------------------------------------------


def add_admin0(m: folium.Map, admin0: pd.DataFrame, plain: bool) -> None:
    """Country outlines (always): filled light on a plain map, with country names."""
    require(admin0, ["geometry"], "admin0")
    style = {
        "fill": plain,
        "fillColor": "#fbfbf8",
        "fillOpacity": 1.0 if plain else 0.0,
        "color": COUNTRY_LINE_COLOUR,
        "weight": 1.1,
        "opacity": 0.9,
    }
    labels = None
    if plain:
        names = (
            text_column(admin0, "name") if "name" in admin0.columns else text_column(admin0, "area")
        )
        labels = [
            [escape_text(n), lat, lon]
            for n, (lat, lon) in zip(names, _label_points(admin0), strict=True)
            if n and not math.isnan(lat)
        ]
    GeoJsonLayer(
        geojson(admin0, [{"_s": style}] * len(admin0)),
        "Countries",
        "geo-context",
        "geo-country",
        interactive=False,
        labels=labels,
        control=False,
    ).add_to(m)


def _label_points(admin0: pd.DataFrame) -> list[tuple[float, float]]:
    """(lat, lon) where each country's name is written: a point on its surface, 3 decimals."""
    points = shapely.point_on_surface(lonlat_geometries(admin0))
    return [
        (round(float(shapely.get_y(p)), 3), round(float(shapely.get_x(p)), 3))
        if p is not None and not shapely.is_empty(p)
        else (math.nan, math.nan)
        for p in points
    ]


def country_label_points(admin0: pd.DataFrame | None) -> dict[str, tuple[float, float]]:
    """ISO3 -> (lat, lon) of the country's label: where country-level incidents are drawn."""
    if admin0 is None or "iso3" not in admin0.columns or not len(admin0):
        return {}
    codes = text_column(admin0, "iso3").str.strip().str.upper()
    return {
        code: point
        for code, point in zip(codes, _label_points(admin0), strict=True)
        if code and not math.isnan(point[0])
    }


def add_borders(m: folium.Map, borders: pd.DataFrame) -> Layer:
    """International border lines, each with the neighbour and length in its tooltip."""
    require(borders, ["geometry"], "borders")
    names = text_column(borders, "neighbour_name")
    codes = text_column(borders, "neighbour_iso3")
    lengths = (
        borders["length_km"]
        if "length_km" in borders.columns
        else pd.Series(np.nan, index=borders.index)
    )
    style = {"color": BORDER_COLOUR, "weight": 2.6, "opacity": 0.95, "lineCap": "round"}
    props = []
    for name, code, km in zip(names, codes, lengths, strict=True):
        label = escape_text(name or code)
        extra = f" ({escape_text(code)})" if name and code else ""
        size = f'<div class="geo-muted">{float(km):,.0f} km</div>' if pd.notna(km) else ""
        props.append(
            {
                "_s": style,
                "_t": f'<div class="geo-tip-title">Border with {label}{extra}</div>{size}',
            }
        )
    layer = GeoJsonLayer(
        geojson(borders, props), LAYER_LABELS["borders"], "geo-lines", "geo-border"
    )
    layer.add_to(m)
    return layer


def _town_min_zoom(population: np.ndarray, focus: np.ndarray) -> np.ndarray:
    """Zoom from which a town's label may show (labels that would overlap still give way).

    Every town of the focus country and big towns elsewhere from the start,
    smaller towns elsewhere as the user zooms in.
    """
    by_size = np.select(
        [population >= 100_000, population >= 25_000, population >= 8_000], [0, 6, 7], default=8
    )
    return np.where(focus, 0, by_size)


def add_towns(m: folium.Map, towns: pd.DataFrame, max_towns: int) -> Layer:
    """Town labels, focus country first, then by population (the order labels win overlaps)."""
    require(towns, ["name", "latitude", "longitude"], "towns")
    frame = towns.dropna(subset=["latitude", "longitude"])
    pop = (
        pd.to_numeric(frame["population"], errors="coerce").fillna(0).to_numpy()
        if "population" in frame.columns
        else np.zeros(len(frame))
    )
    focus = (text_column(frame, "iso3") == FOCUS_ISO3).to_numpy(bool)
    order = np.lexsort((-pop, ~focus))[:max_towns]
    frame = frame.iloc[order]
    min_zoom = _town_min_zoom(pop[order], focus[order])
    payload = [
        [escape_text(n), round(float(la), 4), round(float(lo), 4), int(z), len(str(n))]
        for n, la, lo, z in zip(
            frame["name"], frame["latitude"], frame["longitude"], min_zoom, strict=True
        )
    ]
    layer = TownLayer(payload, LAYER_LABELS["towns"])
    layer.add_to(m)
    return layer
