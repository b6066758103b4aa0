"""Duplicate detection between incoming incidents and the store.

Two rows describe the same incident when

1. they carry the same non-empty ``origin_id`` (the same source record,
   e.g. an ACLED file imported twice), or
2. their dates are at most ``days`` apart, their event types are equal, and
   they are at most ``km`` apart or share the same folded location name in
   the same country - unless both come from the same source (same
   ``origin_id`` prefix such as ``acled:``) with different ids: a source's own
   ids say its records are distinct events, so two ACLED events on the same
   day in the same town are both kept.

Matching is a join on (event type, date + offset) for each offset in
``-days..days``, so it costs about the number of same-day same-type pairs,
not ``len(new) * len(store)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.model.params import text_column
from geo.reference.names import fold_series

EARTH_RADIUS_KM = 6371.0088


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km between paired points (vectorized)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _keys(df: pd.DataFrame) -> pd.DataFrame:
    """The columns matching compares, one row per incident, with its position."""
    origin = text_column(df, "origin_id")
    country = df["iso3"].astype("string").fillna("")
    country = country.where(country != "", df["country"].astype("string").fillna("").str.casefold())
    return pd.DataFrame(
        {
            "pos": np.arange(len(df)),
            "event_id": df["event_id"].astype("string").fillna("").to_numpy(),
            "type": df["event_type"].astype("string").fillna("").to_numpy(),
            "day": pd.to_datetime(df["event_date"]).dt.normalize().to_numpy(),
            "lat": df["latitude"].astype("float64").to_numpy(),
            "lon": df["longitude"].astype("float64").to_numpy(),
            "loc": fold_series(df["location"]).to_numpy(),
            "country": country.to_numpy(),
            "origin": origin.to_numpy(),
            "src": origin.str.extract(r"^([^:]+):", expand=False).fillna("").to_numpy(),
        }
    )


def match_pairs(
    new: pd.DataFrame, existing: pd.DataFrame, days: int, km: float, earlier_only: bool = False
) -> pd.DataFrame:
    """Pairs (``pos_a`` in ``new``, ``pos_b`` in ``existing``) that are duplicates.

    With ``earlier_only`` (``new`` matched against itself) only pairs with
    ``pos_b < pos_a`` count, so the first of a group is kept.

    Returns a frame with columns ``pos_a``, ``pos_b``, ``event_id_b``,
    ``reason``, at most one row per ``pos_a`` (the closest match).
    """
    a, b = _keys(new), _keys(existing)
    fuzzy = days is not None and days >= 0
    candidates = (_same_record_pairs(a, b), _close_pairs(a, b, days, km) if fuzzy else None)
    found = [f for f in candidates if f is not None]
    if not found:
        return pd.DataFrame(
            {"pos_a": pd.Series([], dtype="int64"), "pos_b": pd.Series([], dtype="int64"),
             "event_id_b": pd.Series([], dtype="string"), "reason": pd.Series([], dtype="string")}
        )  # fmt: skip
    out = pd.concat(found, ignore_index=True)
    if earlier_only:
        out = out[out["pos_b"] < out["pos_a"]]
    out = out.sort_values(["pos_a", "rank", "pos_b"])
    out = out.drop_duplicates("pos_a").drop(columns="rank").reset_index(drop=True)
    return out


def _same_record_pairs(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame | None:
    """Pairs sharing a non-empty ``origin_id``; ``None`` when there are none.

    They rank ahead of every near match (``rank`` -1): the same source record
    is a certain duplicate, a nearby one only a likely one.
    """
    with_origin = a[a["origin"] != ""].merge(
        b[b["origin"] != ""], on="origin", suffixes=("_a", "_b")
    )
    if not len(with_origin):
        return None
    return pd.DataFrame(
        {
            "pos_a": with_origin["pos_a"],
            "pos_b": with_origin["pos_b"],
            "event_id_b": with_origin["event_id_b"],
            "reason": "same source record (" + with_origin["origin"] + ")",
            "rank": -1.0,
        }
    )


def _close_pairs(a: pd.DataFrame, b: pd.DataFrame, days: int, km: float) -> pd.DataFrame | None:
    """Same-type pairs at most ``days`` apart that are near or share a place name.

    ``None`` when no pair shares type and date; a frame (possibly empty)
    otherwise. ``rank`` is the distance, so the closest match wins.
    """
    pairs = _same_type_within_days(a, b, days)
    if not len(pairs):
        return None
    dist = haversine_km(
        pairs["lat_a"].to_numpy(),
        pairs["lon_a"].to_numpy(),
        pairs["lat_b"].to_numpy(),
        pairs["lon_b"].to_numpy(),
    )
    hit = _looks_like_same_event(pairs, dist, km)
    pairs = pairs[hit]
    dist = dist[hit]
    where = np.where(
        np.nan_to_num(dist, nan=np.inf) <= km,
        "within " + pd.Series(np.round(dist, 1)).astype(str).to_numpy() + " km",
        "same location name",
    )
    return pd.DataFrame(
        {
            "pos_a": pairs["pos_a"].to_numpy(),
            "pos_b": pairs["pos_b"].to_numpy(),
            "event_id_b": pairs["event_id_b"].to_numpy(),
            "reason": "same event type, date within " + str(days) + " day(s), " + where,
            "rank": np.nan_to_num(dist, nan=km + 1.0),
        }
    )


def _same_type_within_days(a: pd.DataFrame, b: pd.DataFrame, days: int) -> pd.DataFrame:
    """Every (a, b) pair with equal event type and dates at most ``days`` apart.

    One equality join per day offset keeps the cost near the number of
    matching pairs instead of ``len(a) * len(b)``.
    """
    parts = []
    for offset in range(-int(days), int(days) + 1):
        shifted = a.assign(day=a["day"] + pd.Timedelta(days=offset))
        parts.append(shifted.merge(b, on=["type", "day"], suffixes=("_a", "_b")))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _looks_like_same_event(pairs: pd.DataFrame, dist: np.ndarray, km: float) -> np.ndarray:
    """Near (or same folded name in the same country), unless the source says distinct."""
    near = np.nan_to_num(dist, nan=np.inf) <= km
    same_name = (
        (pairs["loc_a"] == pairs["loc_b"])
        & (pairs["loc_a"] != "")
        & (pairs["country_a"] == pairs["country_b"])
    ).to_numpy()
    # Two different ids from one source are two events by that source's own account.
    distinct_records = (
        (pairs["src_a"] != "")
        & (pairs["src_a"] == pairs["src_b"])
        & (pairs["origin_a"] != pairs["origin_b"])
    ).to_numpy()
    return (near | same_name) & ~distinct_records


def find_duplicates(
    new: pd.DataFrame, existing: pd.DataFrame, days: int | None = 1, km: float = 10.0
) -> pd.DataFrame:
    """Which rows of ``new`` duplicate the store or an earlier row of ``new``.

    Parameters
    ----------
    new, existing : DataFrame
        Typed incident frames (``existing`` may be empty).
    days : int or None
        Date tolerance in days; ``None`` turns the fuzzy rule off and only
        identical ``origin_id`` values count.
    km : float
        Distance tolerance.

    Returns
    -------
    DataFrame
        One row per duplicate: ``pos`` (0-based row of ``new``),
        ``duplicate_of`` (event_id, or "incoming row N" for a batch
        duplicate), ``reason``.
    """
    fuzzy_days = -1 if days is None else int(days)
    store = match_pairs(new, existing, fuzzy_days, km) if len(existing) else None
    inside = match_pairs(new, new, fuzzy_days, km, earlier_only=True)
    rows = []
    if store is not None and len(store):
        rows.append(
            pd.DataFrame(
                {
                    "pos": store["pos_a"],
                    "duplicate_of": store["event_id_b"],
                    "reason": store["reason"],
                }
            )
        )
    if len(inside):
        rows.append(
            pd.DataFrame(
                {
                    "pos": inside["pos_a"],
                    "duplicate_of": "incoming row " + (inside["pos_b"] + 1).astype(str),
                    "reason": inside["reason"],
                }
            )
        )
    if not rows:
        return pd.DataFrame(
            {"pos": pd.Series([], dtype="int64"), "duplicate_of": pd.Series([], dtype="string"),
             "reason": pd.Series([], dtype="string")}
        )  # fmt: skip
    out = pd.concat(rows, ignore_index=True).drop_duplicates("pos")
    return out.sort_values("pos").reset_index(drop=True)
