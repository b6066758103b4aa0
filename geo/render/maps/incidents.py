"""The incident layer (points, clusters or grid) and the heat map.

Incidents travel as one column-wise payload that the browser turns into
markers; the mode is chosen from the number of incidents drawn (see
:mod:`geo.render.maps`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import folium
import numpy as np
import pandas as pd
from folium.map import Layer

from geo.model.params import text_column
from geo.model.schema import EVENT_TYPES, GEO_PRECISIONS, TIME_PRECISIONS
from geo.render.maps.elements import HeatLayer, IncidentLayer
from geo.render.maps.escaping import coded, escape_text
from geo.render.maps.frames import POINT_DECIMALS
from geo.render.maps.grid import HEAT_MAX_CELLS, GridAggregate, grid_aggregate
from geo.render.maps.symbols import OTHER_TYPE_COLOUR
from geo.render.maps.view import LAYER_LABELS
from geo.render.style import EVENT_TYPE_COLOURS, marker_radius

__all__ = [
    "AGGREGATE_THRESHOLD",
    "CLUSTER_THRESHOLD",
    "GRID_CELL_PX",
    "GRID_COLUMNS",
    "GRID_RADIUS_PX",
    "IncidentSummary",
    "add_heatmap",
    "add_incidents",
    "drawn_as_grid",
]

CLUSTER_THRESHOLD = 1_000
AGGREGATE_THRESHOLD = 20_000
# Grid cells are at least this many pixels apart at the map's starting zoom.
GRID_CELL_PX = 14
GRID_RADIUS_PX = (2.0, 40.0)

# Text columns sent dictionary-coded: payload key -> incident column.
_CODED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("sub", "sub_event_type"),
    ("loc", "location"),
    ("country", "country"),
    ("area", "area"),
    ("admin1", "admin1"),
    ("source", "source"),
)


@dataclass
class IncidentSummary:
    """What the incident layer drew, for the legend."""

    mode: str
    drawn: int
    unplaced: int
    labels: list[str]
    cell_deg: float = 0.0
    cells: int = 0
    size_samples: list[tuple[str, float]] | None = None
    country_level: int = 0


def _type_table(labels: list[str]) -> list[list[str]]:
    """Escaped label and colour of each event type, in code order."""
    return [[escape_text(t), EVENT_TYPE_COLOURS.get(t, OTHER_TYPE_COLOUR)] for t in labels]


def _type_codes(types: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Event type of each row as an index into ACLED's six types (+ any others seen)."""
    codes, seen = pd.factorize(types.astype("string").fillna(""))
    labels = list(EVENT_TYPES) + sorted(str(t) for t in seen if t not in EVENT_TYPES)
    position = {label: i for i, label in enumerate(labels)}
    lookup = np.array([position[str(t)] for t in seen], dtype=np.int64)
    return lookup[codes], labels


def _radius(fatalities: np.ndarray) -> np.ndarray:
    """:func:`geo.render.style.marker_radius` per row, evaluated once per distinct value."""
    values, inverse = np.unique(np.maximum(fatalities, 0), return_inverse=True)
    radii = np.array([round(marker_radius(v), 1) for v in values])
    return np.asarray(radii[inverse])


def _stacks(
    frame: pd.DataFrame, lat: list[float], lon: list[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Each incident's place in the stack of incidents drawn at the same point, and its size.

    Incidents coded to one town share its coordinates exactly, so their
    markers would hide each other; the browser fans a stack out around the
    point (see ``fan`` in ``map_layers.js``). The place is by date, then
    event id, so the same incidents always fan out the same way.
    """
    keys = pd.DataFrame(
        {
            "lat": lat,
            "lon": lon,
            "date": pd.to_datetime(frame["event_date"], errors="coerce").to_numpy()
            if "event_date" in frame.columns
            else pd.NaT,
            "id": text_column(frame, "event_id").to_numpy(),
        }
    )
    ordered = keys.sort_values(["date", "id"], kind="stable")
    place = ordered.groupby(["lat", "lon"], sort=False).cumcount().reindex(keys.index)
    size = keys.groupby(["lat", "lon"], sort=False)["id"].transform("size")
    return place.to_numpy(np.int64), size.to_numpy(np.int64)


def _dates(frame: pd.DataFrame) -> tuple[list[int], list[str]]:
    """Dictionary-coded event dates; a missing date points at a trailing ""."""
    dates = (
        frame["event_date"]
        if "event_date" in frame.columns
        else pd.Series(pd.NaT, index=frame.index)
    )
    date_codes, date_values = pd.factorize(pd.to_datetime(dates, errors="coerce"))
    values = [escape_text(v) for v in pd.DatetimeIndex(date_values).strftime("%Y-%m-%d")]
    if (date_codes < 0).any():  # -1 (missing date) reads the last item in the browser
        values.append("")
        return np.where(date_codes < 0, len(values) - 1, date_codes).tolist(), values
    return date_codes.tolist(), values


def _incident_payload(
    frame: pd.DataFrame,
    mode: str,
    type_codes: np.ndarray,
    labels: list[str],
    notes_limit: int,
    where: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> dict[str, Any]:
    """The column-wise payload ``GeoMap.incidents`` draws points or clusters from.

    ``where`` is each row's drawn latitude, longitude and country-level flag
    (:func:`_drawn_points`); country-level rows carry ``cl`` = 1, which the
    browser draws as a dashed ring and calls "country-level".
    """
    lat, lon, level = where
    fat = pd.to_numeric(frame["fatalities"], errors="coerce").fillna(-1).to_numpy(np.int64)
    cols: dict[str, Any] = {
        "lat": np.round(lat, POINT_DECIMALS).tolist(),
        "lon": np.round(lon, POINT_DECIMALS).tolist(),
        "t": type_codes.tolist(),
        "f": fat.tolist(),
        "r": _radius(fat).tolist(),
        "id": [escape_text(v) for v in text_column(frame, "event_id")],
    }
    dicts: dict[str, list[str]] = {}
    cols["date"], dicts["date"] = _dates(frame)
    for key, column in _CODED_COLUMNS:
        cols[key], dicts[key] = coded(text_column(frame, column))
    actors = pd.concat(
        [text_column(frame, "actor1"), text_column(frame, "actor2")], ignore_index=True
    )
    actor_codes, dicts["actor"] = coded(actors)
    cols["a1"], cols["a2"] = actor_codes[: len(frame)], actor_codes[len(frame) :]
    for key, column in (("tp", "time_precision"), ("gp", "geo_precision")):
        values = frame[column] if column in frame.columns else pd.Series(0, index=frame.index)
        cols[key] = pd.to_numeric(values, errors="coerce").fillna(0).astype(int).tolist()
    if "civilian_targeting" in frame.columns:
        cols["civ"] = (text_column(frame, "civilian_targeting") != "").astype(int).tolist()
    if level.any():
        cols["cl"] = level.astype(int).tolist()
    if mode == "points":
        cols["notes"], dicts["notes"] = coded(text_column(frame, "notes"))
        place, size = _stacks(frame, cols["lat"], cols["lon"])
        if (size > 1).any():
            cols["k"], cols["m"] = place.tolist(), size.tolist()
    return {
        "mode": mode,
        "cols": cols,
        "dicts": dicts,
        "types": _type_table(labels),
        "tp": {str(k): escape_text(v) for k, v in TIME_PRECISIONS.items()},
        "gp": {str(k): escape_text(v) for k, v in GEO_PRECISIONS.items()},
        "notes_limit": notes_limit,
    }


def _nice(value: float) -> int:
    """A round number not above ``value`` (1, 2, 5 x 10^k)."""
    if value < 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return int(max(s * power for s in (1, 2, 5) if s * power <= value))


def _deg_per_px(zoom: int) -> float:
    """Degrees of longitude per screen pixel at a zoom (Web Mercator, 256 px tiles)."""
    return 360.0 / (256 * 2**zoom)


def _grid_radius(spacing_px: float, rel: float) -> float:
    """Radius of a grid circle: the densest cell's circle touches its neighbours."""
    return min(max(0.5 * spacing_px * rel, GRID_RADIUS_PX[0]), GRID_RADIUS_PX[1])


# All that a map reads of its incidents when it draws them as a grid (with
# the heat map and the map's extent): a caller holding a million rows need
# not copy the other columns (the text) for it.
GRID_COLUMNS = ("latitude", "longitude", "event_type", "fatalities", "country_level", "iso3")


def drawn_as_grid(incidents: pd.DataFrame, aggregate_threshold: int) -> bool:
    """Whether :func:`add_incidents` draws ``incidents`` as a grid, which reads
    :data:`GRID_COLUMNS` only.

    Counted on the rows' own coordinates: drawing country-level rows at their
    country's label can only add rows to draw, never take any away.
    """
    if len(incidents) <= aggregate_threshold:
        return False
    return int(_placed(incidents)[2].sum()) > aggregate_threshold


def _placed(incidents: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitudes, longitudes and which rows have both (finite)."""
    lat = incidents["latitude"].to_numpy(float, na_value=np.nan)
    lon = incidents["longitude"].to_numpy(float, na_value=np.nan)
    return lat, lon, np.isfinite(lat) & np.isfinite(lon)


def _country_level(incidents: pd.DataFrame) -> np.ndarray:
    """Which rows the join left at country level (``country_level``; none without it)."""
    if "country_level" not in incidents.columns:
        return np.zeros(len(incidents), dtype=bool)
    return incidents["country_level"].fillna(False).to_numpy(dtype=bool)


def _drawn_points(
    incidents: pd.DataFrame, country_points: Mapping[str, tuple[float, float]] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each incident is drawn, and which are country-level.

    A country-level incident's point stands for its whole country, so it is
    drawn at the country's label (``country_points``, ISO3 -> (lat, lon))
    when the map writes one, else at its own point.
    """
    lat, lon, _ = _placed(incidents)
    level = _country_level(incidents)
    if level.any() and country_points:
        rows = np.flatnonzero(level)
        codes = text_column(incidents.iloc[rows], "iso3").str.strip().str.upper()
        at = pd.Index(list(country_points)).get_indexer(codes)
        found = at >= 0
        points = np.array(list(country_points.values()), dtype=float).reshape(-1, 2)
        lat, lon = lat.copy(), lon.copy()
        lat[rows[found]] = points[at[found], 0]
        lon[rows[found]] = points[at[found], 1]
    return lat, lon, level


def add_incidents(
    m: folium.Map,
    incidents: pd.DataFrame,
    zoom: int,
    cluster_threshold: int,
    aggregate_threshold: int,
    grid_max_cells: int,
    country_points: Mapping[str, tuple[float, float]] | None = None,
) -> tuple[Layer, IncidentSummary]:
    """The incident layer in the mode its size calls for; rows without coordinates are counted.

    Country-level incidents (``country_level``) are drawn at their
    country's label when ``country_points`` has it, as dashed rings.
    """
    lat, lon, level = _drawn_points(incidents, country_points)
    placed = np.isfinite(lat) & np.isfinite(lon)
    frame = incidents if placed.all() else incidents.loc[placed]
    lat, lon, level = lat[placed], lon[placed], level[placed]
    n = len(frame)
    unplaced = int((~placed).sum())
    type_codes, labels = _type_codes(frame["event_type"])
    if n > aggregate_threshold:
        fat = pd.to_numeric(frame["fatalities"], errors="coerce").fillna(0).to_numpy(float)
        grid = grid_aggregate(
            lat,
            lon,
            type_codes,
            len(labels),
            fat,
            grid_max_cells,
            min_cell_deg=GRID_CELL_PX * _deg_per_px(zoom),
        )
        payload, samples = _grid_payload(grid, labels, zoom, aggregate_threshold)
        summary = IncidentSummary(
            "grid", n, unplaced, labels, grid.cell_deg, len(grid.total), samples
        )
        layer = IncidentLayer(payload, "grid", LAYER_LABELS["incidents"])
    else:
        mode = "points" if n <= cluster_threshold else "clusters"
        payload = _incident_payload(
            frame, mode, type_codes, labels, cluster_threshold, (lat, lon, level)
        )
        sizes = [(f"{f}", marker_radius(f)) for f in (0, 5, 25, 100)]
        summary = IncidentSummary(mode, n, unplaced, labels, size_samples=sizes)
        layer = IncidentLayer(payload, mode, LAYER_LABELS["incidents"])
    summary.country_level = int(level.sum())
    layer.add_to(m)
    return layer, summary


def _grid_payload(
    grid: GridAggregate, labels: list[str], zoom: int, aggregate_threshold: int
) -> tuple[dict[str, Any], list[tuple[str, float]]]:
    """What ``GeoMap.grid`` draws, and sample circle sizes for the legend."""
    total = grid.total
    top = float(total.max())
    spacing = grid.cell_deg / _deg_per_px(zoom)
    payload = {
        "cell": grid.cell_deg,
        "lat": np.round(grid.lat, 4).tolist(),
        "lon": np.round(grid.lon, 4).tolist(),
        "n": total.astype(int).tolist(),
        "f": np.round(grid.fatalities).astype(int).tolist(),
        "by": grid.counts.astype(int).ravel().tolist(),
        "dom": np.argmax(grid.counts, axis=1).tolist(),
        "rel": np.round(np.sqrt(total / top), 3).tolist(),
        "types": _type_table(labels),
        "limit": aggregate_threshold,
        "rmin": GRID_RADIUS_PX[0],
        "rmax": GRID_RADIUS_PX[1],
    }
    samples = sorted({_nice(top), _nice(top / 4), _nice(top / 16)})
    sizes = [(f"{s:,}", _grid_radius(spacing, math.sqrt(s / top))) for s in samples]
    return payload, sizes


def add_heatmap(m: folium.Map, incidents: pd.DataFrame) -> Layer:
    """Heat map weighted by incidents, from a fine grid aggregate (not one point per row).

    Country-level incidents are left out: their point stands for a whole
    country, and heat there would mark a hotspot where nothing was reported.
    """
    lat, lon, placed = _placed(incidents)
    placed &= ~_country_level(incidents)
    payload: dict[str, list[float]] = {"lat": [], "lon": [], "w": []}
    if placed.any():
        zeros = np.zeros(int(placed.sum()), dtype=np.int64)
        grid = grid_aggregate(
            lat[placed], lon[placed], zeros, 1, zeros.astype(float), HEAT_MAX_CELLS
        )
        payload = {
            "lat": np.round(grid.lat, 4).tolist(),
            "lon": np.round(grid.lon, 4).tolist(),
            "w": grid.total.astype(int).tolist(),
        }
    layer = HeatLayer(payload, LAYER_LABELS["heatmap"])
    layer.add_to(m)
    return layer
