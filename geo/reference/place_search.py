"""Finding a place a person types: a country, an admin-1 area or a town.

The dashboard's place search (and anything else that takes a typed place)
asks :func:`find_places` with the shipped or the store's gazetteer and the
area layers. Countries and admin-1 areas match their names and aliases
(folded, so "Tombouctou" finds Timbuktu); towns come from
:meth:`geo.reference.gazetteer.Gazetteer.lookup` with fuzzy matching, since
a typed name is known to be a place. :func:`view_for` gives the centre and
zoom that show a match: a country or area fits its outline, a town shows
its surroundings (or a circle of ``within_km`` around it).

Example
-------
>>> from geo.reference.gazetteer import load_gazetteer
>>> best = find_places("Gao", load_gazetteer())[0]
>>> best.kind, best.name, best.country
('place', 'Gao', 'MLI')
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import shapely

from geo.reference.countries import country_name
from geo.reference.gazetteer import Gazetteer
from geo.reference.names import fold

__all__ = ["KINDS", "PlaceMatch", "find_places", "view_for"]

# What a match is, in the order an equal name is offered: a typed "Mali"
# means the country; a typed "Gao" the town first, then the region.
KINDS: tuple[str, ...] = ("country", "place", "area")

# Zoom of a town's surroundings (about 60 km across on a dashboard map).
TOWN_ZOOM = 10


@dataclass(frozen=True)
class PlaceMatch:
    """One place a query matched.

    Attributes
    ----------
    kind : str
        ``place`` (a town or other gazetteer place), ``area`` (admin-1) or
        ``country``.
    name : str
        Its name as the data spells it.
    country : str
        ISO3 code of its country.
    latitude, longitude : float
        A point for it (the town; a point inside the area or country).
    bounds : (south, west, north, east) or None
        The outline's extent for areas and countries; None for places.
    detail : str
        What else tells it apart (the admin-1 of a town, the country name).
    """

    kind: str
    name: str
    country: str
    latitude: float
    longitude: float
    bounds: tuple[float, float, float, float] | None = None
    detail: str = ""

    @property
    def label(self) -> str:
        """How the match reads in a list: "Gao (town, Mali)", "Gao (town, Ziro, Burkina Faso)"."""
        if self.kind == "country":
            return f"{self.name} (country)"
        what = "town" if self.kind == "place" else "region"
        nation = country_name(self.country) or self.country
        where = ", ".join(dict.fromkeys(p for p in (self.detail, nation) if p and p != self.name))
        return f"{self.name} ({what}{', ' + where if where else ''})"


def find_places(
    query: str,
    gazetteer: Gazetteer,
    areas: pd.DataFrame | None = None,
    countries: pd.DataFrame | None = None,
    limit: int = 6,
) -> list[PlaceMatch]:
    """Places a typed query may mean, the likeliest first.

    Parameters
    ----------
    query : str
        What the person typed.
    gazetteer : Gazetteer
        Towns and other places (:func:`geo.reference.gazetteer.load_gazetteer`).
    areas : GeoDataFrame, optional
        Admin-1 areas (``area``, ``iso3``, ``geometry``; ``aliases`` and
        ``country`` used when present), e.g. :func:`load_admin1`.
    countries : GeoDataFrame, optional
        Country outlines (``iso3``, ``name``, ``geometry``), e.g. :func:`load_admin0`.
    limit : int
        At most this many matches.

    Returns
    -------
    list of PlaceMatch
        Empty when nothing matched. An exact name ranks above a name that
        only starts with the query; towns before areas before countries.
    """
    key = fold(query)
    if not key:
        return []
    nations = _outlines(key, countries)
    # A country is offered from its outline, not again as a gazetteer entry.
    national = {(fold(m.name), m.country) for _, m in nations}
    towns = [
        (rank, m)
        for rank, m in _towns(query, gazetteer)
        if (fold(m.name), m.country) not in national
    ]
    found = towns + _outlines(key, areas, "area") + nations
    found.sort(key=lambda pair: pair[0])
    out: list[PlaceMatch] = []
    for _, match in found:
        if match not in out:
            out.append(match)
    return out[:limit]


def _towns(query: str, gazetteer: Gazetteer) -> list[tuple[tuple[int, int], PlaceMatch]]:
    result = gazetteer.lookup(query, fuzzy=True)
    if result is None:
        return []
    rank = 0 if result.match in ("exact", "spacing") else 2
    out = []
    for i, c in enumerate(result.candidates[:4]):
        match = PlaceMatch(
            "place",
            str(c["name"]),
            str(c.get("iso3") or ""),
            float(c["latitude"]),
            float(c["longitude"]),
            detail=str(c.get("admin1") or ""),
        )
        out.append(((rank, KINDS.index("place") * 10 + i), match))
    return out


def _outlines(
    key: str, layer: pd.DataFrame | None, kind: str = "country"
) -> list[tuple[tuple[int, int], PlaceMatch]]:
    """Areas or countries whose name or alias folds to ``key`` (rank 0) or starts with it (1)."""
    if layer is None or len(layer) == 0:
        return []
    name_col = "area" if kind == "area" else "name"
    names = layer[name_col].astype("string").fillna("")
    aliases = (
        layer["aliases"].astype("string").fillna("")
        if "aliases" in layer.columns
        else pd.Series("", index=layer.index, dtype="string")
    )
    out = []
    for pos, (name, alias) in enumerate(zip(names, aliases, strict=True)):
        keys = [fold(name), *(fold(a) for a in str(alias).split("|") if a)]
        if key in keys:
            rank = 0
        elif any(k.startswith(key) for k in keys if k):
            rank = 1
        else:
            continue
        out.append(((rank, KINDS.index(kind) * 10), _outline_match(layer, pos, kind, str(name))))
    return out


def _outline_match(layer: pd.DataFrame, pos: int, kind: str, name: str) -> PlaceMatch:
    row = layer.iloc[pos]
    geom = row["geometry"]
    west, south, east, north = (float(v) for v in shapely.bounds(geom))
    inside = shapely.point_on_surface(geom)
    country = str(row.get("iso3") or "")
    detail = str(row.get("country") or "") if kind == "area" else ""
    return PlaceMatch(
        kind, name, country, float(inside.y), float(inside.x), (south, west, north, east), detail
    )


def view_for(
    match: PlaceMatch,
    within_km: float | None = None,
    width_px: int = 900,
    height_px: int = 640,
    max_zoom: int = 12,
) -> tuple[float, float, int]:
    """Centre and zoom that show ``match`` on a map of about ``width_px`` x ``height_px``.

    An area or a country fits its outline; a place shows its surroundings,
    or the whole circle of ``within_km`` around it.

    >>> view_for(PlaceMatch("area", "X", "MLI", 0.0, 0.0, (10.0, -5.0, 20.0, 5.0)))
    (15.0, 0.0, 6)
    >>> view_for(PlaceMatch("place", "Y", "MLI", 16.27, -0.04), within_km=50)
    (16.27, -0.04, 9)
    """
    if match.bounds is not None:
        south, west, north, east = match.bounds
        lat, lon = (south + north) / 2, (west + east) / 2
    elif within_km:
        lat, lon = match.latitude, match.longitude
        dlat = within_km / 111.32
        dlon = dlat / max(math.cos(math.radians(lat)), 0.05)
        south, north, west, east = lat - dlat, lat + dlat, lon - dlon, lon + dlon
    else:
        return match.latitude, match.longitude, TOWN_ZOOM
    zoom = min(_fit_zoom(west, east, width_px), _fit_zoom_lat(south, north, height_px), max_zoom)
    return round(lat, 4), round(lon, 4), max(zoom, 2)


def _fit_zoom(west: float, east: float, pixels: int) -> int:
    span = max(east - west, 1e-6)
    return int(math.floor(math.log2(pixels * 360 / (256 * span))))


def _fit_zoom_lat(south: float, north: float, pixels: int) -> int:
    # Web Mercator: the span in projected units, where the world is 2*pi tall.
    def y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span = max(y(north) - y(south), 1e-9)
    return int(math.floor(math.log2(pixels * 2 * math.pi / (256 * span))))
