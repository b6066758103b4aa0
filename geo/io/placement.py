"""Whether each incident's point lies where its row says: in its country, on land.

A row names its country twice, ``iso3`` and ``country``; validation in
:mod:`geo.model.schema` checks that the two agree but cannot see a map. The
checks here can: a point farther than :data:`SNAP_KM` (the join's snap
tolerance) outside every polygon of its stated country is a problem, and so
is a point that lies on no land at all, for a row whose country has no
code. Rows flagged at sea (column :data:`AT_SEA_COLUMN` = ``yes``) and rows
with a user-assigned code (``XKX``, a test's ``XTS``: no polygons exist for
them) are not checked. Rows without usable coordinates are left to the
schema, which already reports them.

The test is vectorised: one point-in-polygon pass per stated country over
the country's outline (:func:`geo.reference.boundaries.load_admin0`), then a
geodesic distance (:func:`geo.analysis.geodesy.distance_km`) only for the
few points outside it but near enough to be within tolerance.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo.analysis.geodesy import coords, distance_km, search_boxes
from geo.model.schema import CountryCodes, Problem, spreadsheet_row

__all__ = ["AT_SEA_COLUMN", "AT_SEA_VALUES", "SNAP_KM", "check_placement"]

# Shortest length of one degree of latitude on WGS84 (at the equator), km.
_KM_PER_DEG_LAT_MIN = 110.574
# Longest length of one degree (of latitude, at the poles; of longitude at most 111.32), km.
_KM_PER_DEG_MAX = 111.7

SNAP_KM = 10.0
"""How far (km) a point may lie outside its country's outline: the join's default snap_km."""

AT_SEA_COLUMN = "at_sea"
"""Optional column: ``yes`` (or ``true``, ``y``, ``1``) marks an incident at sea."""

AT_SEA_VALUES = frozenset({"yes", "true", "y", "1"})

# ISO 3166-1 leaves these for users; they have no polygons (same set as the schema's).
_USER_ASSIGNED = r"AA[A-Z]|Q[M-Z][A-Z]|X[A-Z][A-Z]|ZZ[A-Z]"


def check_placement(
    raw: pd.DataFrame, file: str, *, countries: CountryCodes, snap_km: float = SNAP_KM
) -> list[Problem]:
    """Problems for rows whose point is not in or near their country, or on no land.

    Parameters
    ----------
    raw : DataFrame
        Incident rows as read (text cells), with the schema's columns.
    file : str
        Name used in the messages.
    countries : CountryCodes
        Resolves a ``country`` name to its ISO3 code when ``iso3`` is blank.
    snap_km : float
        Tolerance outside a country's outline, km.

    Returns
    -------
    list of Problem
        One per misplaced row, in row order, on the ``latitude`` column.
    """
    raw = raw.reset_index(drop=True)
    lon, lat, ok = coords(raw)
    ok &= ~_at_sea(raw)
    code, checkable = _stated_codes(raw, countries)
    ok &= checkable
    stated = np.flatnonzero(ok & (code != ""))
    problems = _outside_country(
        raw, file, stated, code[stated], (lon[stated], lat[stated]), snap_km
    )
    unnamed = np.flatnonzero(ok & (code == ""))
    at_sea = unnamed[~_on_land(lon[unnamed], lat[unnamed], snap_km)]
    why = (
        f"the point is on no land (nor within {snap_km:g} km of it); expected a point on "
        f"land, or {AT_SEA_COLUMN}=yes for an incident at sea"
    )
    problems += _row_problems(raw, file, at_sea, why)
    problems.sort(key=lambda p: p.row)
    return problems


def _outside_country(
    raw: pd.DataFrame,
    file: str,
    rows: np.ndarray,
    codes: np.ndarray,
    points: tuple[np.ndarray, np.ndarray],
    km: float,
) -> list[Problem]:
    """Problems for the ``rows`` (stated country ``codes``, lon/lat ``points``) far from it."""
    lon, lat = points
    if not len(rows):
        return []
    # Rows grouped by country with one hash and one integer sort, not a scan per country.
    which, isos = pd.factorize(codes)
    order = np.argsort(which, kind="stable")
    groups = np.split(order, np.cumsum(np.bincount(which, minlength=len(isos)))[:-1])
    outlines = _outlines(tuple(str(c) for c in isos), km)
    problems: list[Problem] = []
    for iso, group in zip(isos, groups, strict=True):
        if iso not in outlines:
            continue
        far = group[~_near(outlines[iso], lon[group], lat[group])]
        why = (
            f"the point is not in {outlines[iso].name} ({iso}) nor within {km:g} km of it; "
            "expected a point in the stated country (are latitude and longitude swapped, or "
            "a sign wrong?), or the country of the point"
        )
        problems += _row_problems(raw, file, rows[far], why)
    return problems


def _at_sea(raw: pd.DataFrame) -> np.ndarray:
    if AT_SEA_COLUMN not in raw.columns:
        return np.zeros(len(raw), dtype=bool)
    flag = raw[AT_SEA_COLUMN].astype("string").str.strip().str.lower()
    return flag.isin(list(AT_SEA_VALUES)).to_numpy(dtype=bool, na_value=False)


def _stated_codes(raw: pd.DataFrame, countries: CountryCodes) -> tuple[np.ndarray, np.ndarray]:
    """Each row's country code (``""`` when none) and whether the row can be checked.

    ``iso3`` when it is a known code, else the code of the ``country`` name
    when ``iso3`` is blank. Rows with an unknown ``iso3`` (the schema reports
    it) or a user-assigned code are not checkable.
    """
    # iso3 is optional in a file; without it every row goes by its country name.
    given = raw["iso3"] if "iso3" in raw.columns else pd.Series("", index=raw.index)
    iso = given.astype("string").str.strip().str.upper().fillna("")
    name = raw["country"].astype("string").str.strip().fillna("")
    lookup = {v: countries.iso3_of_name(v) or "" for v in name.unique()}
    named = name.map(lookup).astype("string").fillna("")
    code = iso.where(iso != "", named)
    known = code.isin(list(countries.known_iso3))
    private = code.str.fullmatch(_USER_ASSIGNED).fillna(False)
    checkable = (code == "") | (known & ~private)
    return code.where(known, "").to_numpy(dtype=object), checkable.to_numpy(dtype=bool)


def _outlines(codes: tuple[str, ...], km: float) -> dict[str, _Outline]:
    """Outline of each code that has one (codes without polygons are left out)."""
    missing = [c for c in codes if (c, km) not in _OUTLINES]
    if missing:
        # Imported here: reading the layer is only worth it once a file is checked.
        from geo.reference.boundaries import load_admin0

        frame = load_admin0(iso3=missing)
        for iso, name, geom in zip(frame["iso3"], frame["name"], frame.geometry, strict=True):
            _OUTLINES[(str(iso), km)] = _outline(str(name), geom, km)
    return {c: _OUTLINES[(c, km)] for c in codes if (c, km) in _OUTLINES}


@dataclass(frozen=True)
class _Outline:
    """A country's outline with two buffers in degrees around it for a tolerance of ``km``.

    Every point within ``km`` of the outline lies in ``reach``; every point
    in ``sure`` lies within ``km`` of it. Only points between the two need
    a geodesic distance.
    """

    name: str
    geom: shapely.Geometry
    sure: shapely.Geometry
    reach: shapely.Geometry
    km: float


_OUTLINES: dict[tuple[str, float], _Outline] = {}


def _outline(name: str, geom: shapely.Geometry, km: float) -> _Outline:
    # In degrees, the points ``km`` from a point form an ellipse whose
    # half-axes are at least km / 111.7 (a degree is at most 111.7 km) and at
    # most km / 110.574 / cos(latitude). A circle of the smallest radius (1 %
    # short, for the local approximation) lies inside every ellipse; one of
    # the largest, at the country's most poleward latitude, holds them all.
    dlat = km / _KM_PER_DEG_LAT_MIN
    poleward = min(max(abs(geom.bounds[1]), abs(geom.bounds[3])) + dlat, 89.0)
    sure = shapely.buffer(geom, 0.99 * km / _KM_PER_DEG_MAX)
    reach = shapely.buffer(geom, dlat / np.cos(np.radians(poleward)))
    for g in (geom, sure, reach):
        shapely.prepare(g)
    return _Outline(name, geom, sure, reach, km)


def _near(outline: _Outline, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Whether each point is in the outline or within its ``km`` of it (geodesic)."""
    near = shapely.contains_xy(outline.sure, lon, lat)
    open_ = np.flatnonzero(~near)
    open_ = open_[shapely.contains_xy(outline.reach, lon[open_], lat[open_])]
    if len(open_):
        geoms = np.full(len(open_), outline.geom, dtype=object)
        dist = distance_km(lon[open_], lat[open_], geoms, within_km=outline.km)
        near[open_] = np.isfinite(dist)
    return near


def _on_land(lon: np.ndarray, lat: np.ndarray, km: float) -> np.ndarray:
    """Whether each point is on a country of the world, or within ``km`` of one."""
    land = np.zeros(len(lon), dtype=bool)
    if not len(lon):
        return land
    tree, geoms = _world_units()
    inside, _ = tree.query(shapely.points(lon, lat), predicate="intersects")
    land[inside] = True
    rest = np.flatnonzero(~land)
    if len(rest):
        pair_row, pair_geom = tree.query(search_boxes(lon[rest], lat[rest], km))
        rows = rest[pair_row]
        dist = distance_km(lon[rows], lat[rows], geoms[pair_geom], within_km=km)
        land[rows[np.isfinite(dist)]] = True
    return land


@functools.cache
def _world_units() -> tuple[shapely.STRtree, np.ndarray]:
    """Every admin-1 unit of the world, in a spatial index (read once, 0.2 s)."""
    from geo.reference.boundaries import load_admin1, world_countries

    geoms = load_admin1(iso3=world_countries()).geometry.to_numpy()
    return shapely.STRtree(geoms), geoms


def _row_problems(raw: pd.DataFrame, file: str, rows: np.ndarray, why: str) -> list[Problem]:
    lat = raw["latitude"].iloc[rows].astype("string").fillna("").tolist()
    lon = raw["longitude"].iloc[rows].astype("string").fillna("").tolist()
    return [
        Problem(file, spreadsheet_row(int(i)), "latitude", f"{a}, {o}", why)
        for i, a, o in zip(rows, lat, lon, strict=True)
    ]
