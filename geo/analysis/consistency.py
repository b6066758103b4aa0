"""Rows whose stated admin1 or country disagrees with the area of their coordinates.

After :func:`geo.analysis.spatial.join_areas` has placed each incident in
the area its coordinates fall in, :func:`check_admin1_consistency` compares
that area with the admin1 and country the row states, allowing a few km for
boundaries that differ between sources, and says when a flipped sign or
swapped coordinates would put the point where the row says it is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely

from geo.analysis.geodesy import coords, distance_km
from geo.model.params import text_column
from geo.model.schema import Problem, spreadsheet_row
from geo.reference.area_names import AreaMatch, AreaNames

__all__ = ["check_admin1_consistency"]

_HINTS: Sequence[tuple[str, int, int, int, int]] = (
    # message, then lat and lon of the trial point as (source, sign) pairs:
    # source 0 = latitude, 1 = longitude.
    ("longitude sign looks wrong", 0, 1, 1, -1),
    ("latitude sign looks wrong", 0, -1, 1, 1),
    ("latitude/longitude look swapped", 1, 1, 0, 1),
    ("latitude/longitude look swapped", 1, -1, 0, 1),
    ("latitude/longitude look swapped", 1, 1, 0, -1),
    ("latitude and longitude signs both look wrong", 0, -1, 1, -1),
)


def _sign_hints(
    lat: np.ndarray, lon: np.ndarray, geoms: np.ndarray, open_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each open row, the first coordinate fix of :data:`_HINTS` that lands in its geometry.

    Returns the hint text (``""`` when none) and the fixed latitude and
    longitude (NaN when none), element-wise over ``lat``/``lon``/``geoms``.
    """
    hint = np.full(len(lat), "", dtype=object)
    hint_lat = np.full(len(lat), np.nan)
    hint_lon = np.full(len(lat), np.nan)
    source = np.stack([lat, lon])
    for message, lat_src, lat_sign, lon_src, lon_sign in _HINTS:
        todo = open_rows & (hint == "")
        if not todo.any():
            break
        t_lat = source[lat_src] * lat_sign
        t_lon = source[lon_src] * lon_sign
        plausible = todo & (np.abs(t_lat) <= 90) & (np.abs(t_lon) <= 180)
        inside = np.zeros(len(lat), dtype=bool)
        if plausible.any():
            idx = np.flatnonzero(plausible)
            inside[idx] = shapely.intersects(geoms[idx], shapely.points(t_lon[idx], t_lat[idx]))
        hint[inside] = message
        hint_lat[inside] = t_lat[inside]
        hint_lon[inside] = t_lon[inside]
    return hint, hint_lat, hint_lon


def _where_points_lie(
    frame: pd.DataFrame, lon: np.ndarray, lat: np.ndarray, ok: np.ndarray, names: AreaNames
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Area, code and country each point lies in: the joined area, else the layer's.

    The join never gives a row another country's area: a row whose point
    lies only in one is left without an area (``area_abroad``), and a
    country-level row is not placed by its point at all. Those rows are
    looked up in the layer here, so the check still sees where they lie.
    """
    area = text_column(frame, "area").to_numpy(dtype=object).copy()
    code = text_column(frame, "area_code").to_numpy(dtype=object).copy()
    iso3 = text_column(frame, "area_iso3").to_numpy(dtype=object).copy()
    unplaced = (area == "") & ok
    flagged = np.zeros(len(frame), dtype=bool)
    for column in ("area_abroad", "country_level"):
        if column in frame.columns:
            flagged |= frame[column].fillna(False).to_numpy(dtype=bool)
    rows = np.flatnonzero(unplaced & flagged)
    if rows.size:
        for r, match in zip(rows, names.areas_at(lon[rows], lat[rows]), strict=True):
            if match is not None:
                area[r], code[r], iso3[r] = match.area, match.area_code, match.iso3
    return area, code, iso3


def _country_problems(
    frame: pd.DataFrame,
    iso3: pd.Series,
    lon: np.ndarray,
    lat: np.ndarray,
    ok: np.ndarray,
    names: AreaNames,
    file: str,
    tolerance_km: float,
) -> list[Problem]:
    """Rows whose point lies in another country than their stated ``iso3``."""
    area, code, area_iso3 = _where_points_lie(frame, lon, lat, ok, names)
    stated = iso3.to_numpy(dtype=object)
    known = iso3.isin(sorted(names.countries - {""})).to_numpy(dtype=bool)
    lookup = {c: names.sovereign(c) for c in pd.unique(area_iso3)}
    sovereign = pd.Series(area_iso3).map(lookup).to_numpy(dtype=object)
    foreign = (area_iso3 != "") & (area_iso3 != stated) & (sovereign != stated)
    rows = np.flatnonzero(ok & known & foreign)
    if rows.size == 0:
        return []
    geoms = names.country_geometry_of(stated[rows].tolist())
    # Close to its own country: a boundary disagreement, not an error.
    near = distance_km(lon[rows], lat[rows], geoms, within_km=tolerance_km)
    far = ~(near <= tolerance_km)
    hint, hint_lat, hint_lon = _sign_hints(lat[rows], lon[rows], geoms, far)
    problems: list[Problem] = []
    for i in np.flatnonzero(far):
        r = int(rows[i])
        own, other = names.country_label(stated[r]), names.country_label(area_iso3[r])
        text = (
            f"the country that contains the coordinates: ({lat[r]:.4f}, {lon[r]:.4f}) "
            f"lies in {area[r]} ({code[r]}) of {other}, more than {tolerance_km:g} km "
            f"from any area of {own}"
        )
        if hint[i]:
            text += f"; {hint[i]}: ({hint_lat[i]:.4f}, {hint_lon[i]:.4f}) is in {own}"
        problems.append(
            Problem(
                file=file, row=spreadsheet_row(r), column="iso3", value=stated[r], expected=text
            )
        )
    return problems


def _admin1_problems(
    frame: pd.DataFrame,
    iso3: pd.Series,
    lon: np.ndarray,
    lat: np.ndarray,
    ok: np.ndarray,
    names: AreaNames,
    file: str,
    tolerance_km: float,
) -> list[Problem]:
    """Rows whose point lies outside their stated ``admin1``."""
    admin1 = frame["admin1"].astype("string").fillna("").str.strip()
    candidates = (admin1 != "").to_numpy() & ok
    candidates &= ((iso3 == "") | iso3.isin(sorted(names.countries))).to_numpy()
    rows = np.flatnonzero(candidates)
    if rows.size == 0:
        return []
    stated = names.match_series(admin1.iloc[rows], iso3.iloc[rows])
    resolved = stated["area"].notna().to_numpy()
    rows, stated = rows[resolved], stated[resolved]

    joined_area = text_column(frame, "area").to_numpy(dtype=object)[rows]
    joined_code = text_column(frame, "area_code").to_numpy(dtype=object)[rows]
    joined_iso3 = text_column(frame, "area_iso3").to_numpy(dtype=object)[rows]
    s_area = stated["area"].to_numpy(dtype=object)
    s_code = stated["area_code"].to_numpy(dtype=object)
    s_iso3 = stated["iso3"].to_numpy(dtype=object)
    same = (joined_area == s_area) & (joined_code == s_code) & (joined_iso3 == s_iso3)
    suspect = ~same
    rows, joined_area, joined_code = rows[suspect], joined_area[suspect], joined_code[suspect]
    s_area, s_code = s_area[suspect], s_code[suspect]
    matches = [AreaMatch(*m) for m in stated[suspect].itertuples(index=False, name=None)]
    if not matches:
        return []
    geoms = names.geometry_of(matches)

    # Close to the stated area: a boundary disagreement, not an error.
    near = distance_km(lon[rows], lat[rows], geoms, within_km=tolerance_km)
    far = ~(near <= tolerance_km)
    hint, hint_lat, hint_lon = _sign_hints(lat[rows], lon[rows], geoms, far)

    flagged = far & ((joined_area != "") | (hint != ""))
    problems: list[Problem] = []
    for i in np.flatnonzero(flagged):
        r = int(rows[i])
        where = f"{joined_area[i]} ({joined_code[i]})" if joined_area[i] else "no area of the layer"
        text = (
            f"an admin1 that contains the coordinates: ({lat[r]:.4f}, {lon[r]:.4f}) "
            f"lies in {where}, not in {s_area[i]} ({s_code[i]})"
        )
        if hint[i]:
            text += f"; {hint[i]}: ({hint_lat[i]:.4f}, {hint_lon[i]:.4f}) is in {s_area[i]}"
        problems.append(
            Problem(
                file=file,
                row=spreadsheet_row(r),
                column="admin1",
                value=str(admin1.iloc[r]),
                expected=text,
            )
        )
    return problems


def check_admin1_consistency(
    incidents_joined: pd.DataFrame,
    names: AreaNames,
    file: str = "incidents",
    tolerance_km: float = 5.0,
) -> list[Problem]:
    """Rows whose stated admin1 or country disagrees with the area of their coordinates.

    Parameters
    ----------
    incidents_joined : DataFrame
        Output of :func:`join_areas` (needs ``admin1``, ``latitude``,
        ``longitude``, ``area``, ``area_code``, ``area_iso3``; ``iso3`` is
        used to resolve ``admin1`` within its country, and checked, when
        present).
    names : AreaNames
        Built from the same area layer the rows were joined with, with
        geometry.
    file : str
        File name for the messages.
    tolerance_km : float
        A point this close to its stated area (or country) is not flagged:
        boundaries differ between sources by a few km (the shipped layer is
        simplified by up to ~1-3 km).

    Returns
    -------
    list of Problem
        In row order. Column ``iso3``: the point lies in an area of another
        country of the layer, farther than ``tolerance_km`` from the stated
        one; the message names both countries. Column ``admin1`` (after the
        ``iso3`` one of the same row): the point lies outside the stated
        admin1. ``row`` is the spreadsheet row (data row i is row i + 2).
        When the point with its longitude negated, latitude negated, or the
        two swapped falls in the stated area (or country) the message says
        so ("longitude sign looks wrong", "latitude/longitude look
        swapped"). Rows with an empty admin1, an admin1 that does not
        resolve, a country outside the layer, or no coordinates get no
        admin1 problem; neither do points in no area unless such a fix
        explains them. Points in no area of the layer get no country
        problem. A row the join left without an area because its point
        lies only in another country's area (``area_abroad``), and a
        country-level row (``country_level``), are checked against the area
        their point lies in. An area of a territory counts as the stated
        country's own when the stated country is its sovereign
        (``sov_iso3`` of the layer: Hong Kong for China).
    """
    needed = ("admin1", "latitude", "longitude", "area", "area_code", "area_iso3")
    missing_cols = [c for c in needed if c not in incidents_joined.columns]
    if missing_cols:
        raise KeyError(
            f"check_admin1_consistency needs {missing_cols}; run join_areas first "
            f"(columns present: {list(incidents_joined.columns)})"
        )
    frame = incidents_joined.reset_index(drop=True)
    iso3 = text_column(frame, "iso3").str.strip().str.upper()
    lon, lat, ok = coords(frame)
    args = (frame, iso3, lon, lat, ok, names, file, tolerance_km)
    problems = _country_problems(*args) + _admin1_problems(*args)
    # stable: a row's iso3 problem stays ahead of its admin1 one
    return sorted(problems, key=lambda p: p.row)
