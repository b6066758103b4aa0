"""Regions and countries as places: their names and representative points.

When a report gives only a region ("in the Ségou region") or a country, or
names a village the gazetteer lacks together with its region, the incident
is placed at the area's representative point (a point inside its polygon,
``shapely.point_on_surface``) at geo_precision 3. The areas are the shipped
admin-1 and admin-0 layers (:func:`geo.reference.boundaries.load_admin1`,
:func:`~geo.reference.boundaries.load_admin0`), read once on first use;
region names are reconciled with the layer by
:class:`geo.reference.boundaries.AreaNames` ("Tombouctou" is Timbuktu).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from geo.reference.countries import country_name
from geo.reference.names import fold


@dataclass(frozen=True)
class AreaPoint:
    """A region or a country and the point that stands for it."""

    area: str
    iso3: str
    latitude: float
    longitude: float


@dataclass
class _Layers:
    """The admin-1 names and points, and the countries' points."""

    names: Any
    regions: dict[tuple[str, str], AreaPoint]
    countries: dict[str, AreaPoint]
    shapes: dict[tuple[str, str], Any]


@functools.lru_cache(maxsize=1)
def _layers() -> _Layers:
    """Read the shipped layers once (a fraction of a second, only when needed)."""
    import shapely

    from geo.reference.boundaries import AreaNames, load_admin0, load_admin1

    admin1 = load_admin1()
    names = AreaNames(admin1)
    regions: dict[tuple[str, str], AreaPoint] = {}
    shapes: dict[tuple[str, str], Any] = {}
    for (iso3, area), group in admin1.groupby(["iso3", "area"], sort=False):
        shape = shapely.union_all(group.geometry.to_numpy())
        point = shapely.point_on_surface(shape)
        regions[(str(iso3), str(area))] = AreaPoint(str(area), str(iso3), point.y, point.x)
        shapes[(str(iso3), str(area))] = shape
    countries: dict[str, AreaPoint] = {}
    for row in load_admin0().itertuples():
        point = shapely.point_on_surface(row.geometry)
        countries[str(row.iso3)] = AreaPoint(str(row.name), str(row.iso3), point.y, point.x)
    return _Layers(names, regions, countries, shapes)


def region(name: str, iso3: str = "") -> AreaPoint | None:
    """The admin-1 area a report's region name means, within ``iso3`` first.

    "Tombouctou" and "Timbuktu" are the same region; a name that fits
    regions of several countries equally well, with no country to decide,
    resolves to nothing.
    """
    layers = _layers()
    match = layers.names.match(name, iso3) if iso3 else None
    if match is None:
        match = layers.names.match(name)
    if match is None:
        return None
    return layers.regions.get((match.iso3, match.area))


def region_of_place(result: Any) -> AreaPoint | None:
    """The admin-1 area a gazetteer place lies in: by its admin-1 name, else by its point."""
    iso3 = str(getattr(result, "iso3", "") or "")
    admin1 = str(getattr(result, "admin1", "") or "")
    found = region(admin1, iso3) if admin1 and iso3 else None
    if found is not None and contains(found, float(result.latitude), float(result.longitude)):
        return found
    return region_at(float(result.latitude), float(result.longitude), iso3)


def region_at(lat: float, lon: float, iso3: str) -> AreaPoint | None:
    """The admin-1 area of ``iso3`` that holds the point, or None."""
    import shapely

    layers = _layers()
    point = shapely.Point(lon, lat)
    for (code, area), shape in layers.shapes.items():
        if code == iso3 and shape.covers(point):
            return layers.regions[(code, area)]
    return None


def contains(area: AreaPoint, lat: float, lon: float, tolerance_km: float = 5.0) -> bool:
    """Whether the point lies in the area (or within ``tolerance_km`` of its edge)."""
    import shapely

    shape = _layers().shapes.get((area.iso3, area.area))
    if shape is None:
        return False
    point = shapely.Point(lon, lat)
    # Degrees to km is rough here; the tolerance only absorbs gazetteer
    # points set on a border line or a coarse coastline.
    return bool(shape.covers(point) or shape.distance(point) * 111.0 <= tolerance_km)


def country(iso3: str) -> AreaPoint | None:
    """The country's representative point from the admin-0 layer, or None."""
    found = _layers().countries.get(iso3)
    if found is None:
        return None
    return AreaPoint(country_name(iso3) or found.area, iso3, found.latitude, found.longitude)


def same_region(a: AreaPoint | None, b: AreaPoint | None) -> bool:
    """True when both are the same admin-1 area."""
    return a is not None and b is not None and (a.iso3, fold(a.area)) == (b.iso3, fold(b.area))
