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
from dataclasses import dataclass, field
from typing import Any

from geo.reference.countries import country_name


@dataclass(frozen=True)
class AreaPoint:
    """A region or a country and the point that stands for it."""

    area: str
    iso3: str
    latitude: float
    longitude: float


@dataclass
class _Layers:
    """The admin-1 layer with its name reconciler, the admin-0 layer, and points made so far.

    Points and shapes are made per area on first use, so a large layer costs
    only the areas reports name.
    """

    admin1: Any
    names: Any
    admin0: Any
    points: dict[tuple[str, str], AreaPoint] = field(default_factory=dict)

    def shape(self, iso3: str, area: str) -> Any:
        """The area's polygon (its rows merged), or None."""
        import shapely

        rows = self.admin1[(self.admin1["iso3"] == iso3) & (self.admin1["area"] == area)]
        return shapely.union_all(rows.geometry.to_numpy()) if len(rows) else None

    def point(self, iso3: str, area: str) -> AreaPoint | None:
        """The area's representative point (inside its polygon), made once."""
        import shapely

        key = (iso3, area)
        if key not in self.points:
            shape = self.shape(iso3, area)
            if shape is None:
                return None
            point = shapely.point_on_surface(shape)
            self.points[key] = AreaPoint(area, iso3, point.y, point.x)
        return self.points[key]


@functools.lru_cache(maxsize=1)
def _layers() -> _Layers:
    """Read the shipped layers once (a fraction of a second, only when needed)."""
    from geo.reference.boundaries import AreaNames, load_admin0, load_admin1

    admin1 = load_admin1()
    return _Layers(admin1, AreaNames(admin1), load_admin0())


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
    return layers.point(match.iso3, match.area)


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

    layer = _layers().admin1
    own = layer[layer["iso3"] == iso3]
    hit = own[own.geometry.covers(shapely.Point(lon, lat))]
    return _layers().point(iso3, str(hit["area"].iloc[0])) if len(hit) else None


def contains(area: AreaPoint, lat: float, lon: float, tolerance_km: float = 5.0) -> bool:
    """Whether the point lies in the area (or within ``tolerance_km`` of its edge)."""
    import shapely

    shape = _layers().shape(area.iso3, area.area)
    if shape is None:
        return False
    point = shapely.Point(lon, lat)
    # Degrees to km is rough here; the tolerance only absorbs gazetteer
    # points set on a border line or a coarse coastline.
    return bool(shape.covers(point) or shape.distance(point) * 111.0 <= tolerance_km)


def country(iso3: str) -> AreaPoint | None:
    """The country's representative point from the admin-0 layer, or None."""
    import shapely

    layers = _layers()
    key = (iso3, "")  # no admin-1 area has an empty name
    if key not in layers.points:
        rows = layers.admin0[layers.admin0["iso3"] == iso3]
        if not len(rows):
            return None
        point = shapely.point_on_surface(shapely.union_all(rows.geometry.to_numpy()))
        name = country_name(iso3) or str(rows["name"].iloc[0])
        layers.points[key] = AreaPoint(name, iso3, point.y, point.x)
    return layers.points[key]
