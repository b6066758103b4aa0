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

When a row matches several others, the same source record wins, then the
closest, then the earliest row.

How the work stays near-linear
------------------------------
Comparing every pair that shares a day and a type grows with the square of
such rows: 4,000 same-day rows once took 4.7 GB. Instead:

* Rows that are interchangeable as a match (same type, day, coordinates,
  folded name, country and source) are one candidate, the first of them, so
  a thousand copies of a row cost a thousand comparisons, not a million.
* For the distance rule each point falls in a cell of a 3-D grid over the
  unit sphere whose side is at least the tolerance as a chord, so two points
  within ``km`` sit in the same or adjacent cells (27 of them; no trouble at
  the poles or the date line). For the name rule the bucket is (type, folded
  name, country). Inside a bucket candidates are sorted by day, so those
  within ``days`` are one range found by binary search.
* Pairs are made and reduced to the best match per row in blocks of at most
  ``_BLOCK_PAIRS``, so memory stays bounded whatever the input.
* The tolerances are capped (:data:`geo.config.DEDUPE_MAX_DAYS`,
  :data:`geo.config.DEDUPE_MAX_KM`), and so is the number of pairs left to
  compare (:data:`geo.config.DEDUPE_MAX_PAIRS`, thousands of distinct points
  a few km apart on one day): above a cap :class:`DedupeLimitError` says so
  before any pair is compared.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from geo import config
from geo.model.params import text_column
from geo.reference.names import fold_series

EARTH_RADIUS_KM = 6371.0088

# Pairs compared at once: about 10 arrays of 8 bytes each, so ~80 MB at most.
_BLOCK_PAIRS = 1 << 20
# Grid cells narrower than this gain nothing and would overflow the packed key.
_MIN_CELL_KM = 0.5
_CELL_BITS = 16
_CELL_SHIFT = 1 << (_CELL_BITS - 2)
_NEIGHBOURS = np.array(
    [
        (dx << (2 * _CELL_BITS)) + (dy << _CELL_BITS) + dz
        for dx in (-1, 0, 1)
        for dy in (-1, 0, 1)
        for dz in (-1, 0, 1)
    ],
    dtype=np.int64,
)
# What makes stored rows interchangeable as a match (see the module notes).
_SAME_CANDIDATE = ["type", "day", "lat", "lon", "loc", "country", "src"]
# Candidate rows per incoming row: ``lo``, ``hi`` (rows x buckets) into ``order``.
Ranges = tuple[np.ndarray, np.ndarray, np.ndarray]
# Rank of each pair (incoming index, candidate index); inf where they do not match.
Ranker = Callable[[np.ndarray, np.ndarray], np.ndarray]

__all__ = [
    "EARTH_RADIUS_KM",
    "DedupeLimitError",
    "check_tolerances",
    "find_duplicates",
    "haversine_km",
    "match_pairs",
]


class DedupeLimitError(ValueError):
    """A tolerance above its cap, or more row pairs to compare than the cap allows."""


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km between paired points (vectorized)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    return _haversine_radians(p1, np.radians(lon1), np.cos(p1), p2, np.radians(lon2), np.cos(p2))


def _haversine_radians(
    p1: np.ndarray, l1: np.ndarray, c1: np.ndarray, p2: np.ndarray, l2: np.ndarray, c2: np.ndarray
) -> np.ndarray:
    """:func:`haversine_km` from radians and cosines of latitude computed beforehand.

    The same operations in the same order, so the same figures to the last bit.
    """
    dphi = p2 - p1
    dlmb = l2 - l1
    a = np.sin(dphi / 2) ** 2 + c1 * c2 * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def check_tolerances(days: int | None, km: float) -> None:
    """Refuse tolerances the duplicate check cannot honour quickly.

    Raises
    ------
    DedupeLimitError
        When ``days`` is above :data:`geo.config.DEDUPE_MAX_DAYS`, or ``km``
        is not a number from 0 to :data:`geo.config.DEDUPE_MAX_KM`.
    """
    if days is not None and days > config.DEDUPE_MAX_DAYS:
        raise DedupeLimitError(
            f"a duplicate window of {days} days is over the limit of "
            f"{config.DEDUPE_MAX_DAYS} days (GEO_DEDUPE_MAX_DAYS)"
        )
    if not (math.isfinite(km) and 0 <= km <= config.DEDUPE_MAX_KM):
        raise DedupeLimitError(
            f"a duplicate distance of {km} km is not between 0 and the limit of "
            f"{config.DEDUPE_MAX_KM} km (GEO_DEDUPE_MAX_KM)"
        )


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
            "day": _day_numbers(df["event_date"]),
            "lat": df["latitude"].astype("float64").to_numpy(),
            "lon": df["longitude"].astype("float64").to_numpy(),
            "loc": fold_series(df["location"]).to_numpy(),
            "country": country.to_numpy(),
            "origin": origin.to_numpy(),
            # the prefix before the first ":" ("acled" of "acled:123"), "" without one
            "src": origin.str.split(":", n=1).str[0].where(origin.str.contains(":"), "").to_numpy(),
        }
    )


# Missing dates match only each other, as equal dates do (a day far below any real one).
_NO_DAY = np.iinfo(np.int64).min // 4


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Days since 1970 as integers; a missing date is ``_NO_DAY``."""
    days = pd.to_datetime(dates).to_numpy().astype("datetime64[D]")
    out = days.astype("int64")
    out[np.isnat(days)] = _NO_DAY
    return out


def _no_pairs() -> pd.DataFrame:
    return pd.DataFrame(
        {"pos_a": pd.Series([], dtype="int64"), "pos_b": pd.Series([], dtype="int64"),
         "event_id_b": pd.Series([], dtype="string"), "reason": pd.Series([], dtype="string")}
    )  # fmt: skip


def match_pairs(
    new: pd.DataFrame, existing: pd.DataFrame, days: int, km: float, earlier_only: bool = False
) -> pd.DataFrame:
    """Pairs (``pos_a`` in ``new``, ``pos_b`` in ``existing``) that are duplicates.

    With ``earlier_only`` (``new`` matched against itself) only pairs with
    ``pos_b < pos_a`` count, so the first of a group is kept. A negative
    ``days`` turns the date-and-place rule off.

    Returns a frame with columns ``pos_a``, ``pos_b``, ``event_id_b``,
    ``reason``, at most one row per ``pos_a`` (the closest match).

    Raises
    ------
    DedupeLimitError
        When more row pairs are left to compare than
        :data:`geo.config.DEDUPE_MAX_PAIRS`.
    """
    a = _keys(new)
    b = a if earlier_only and existing is new else _keys(existing)
    return _match(a, b, days, km, earlier_only)


def _match(
    a: pd.DataFrame, b: pd.DataFrame, days: int, km: float, earlier_only: bool
) -> pd.DataFrame:
    """:func:`match_pairs` on the keys of both frames (see :func:`_keys`)."""
    same = _same_record_best(a, b, earlier_only)
    fuzzy = days is not None and days >= 0
    close = _close_best(a, b, int(days), km, earlier_only) if fuzzy else None
    found = [f for f in (same, close) if f is not None and len(f)]
    if not found:
        return _no_pairs()
    # The same source record beats any near match (rank -1 sorts first).
    out = pd.concat(found, ignore_index=True).sort_values(["pos_a", "rank", "pos_b"])
    out = out.drop_duplicates("pos_a").drop(columns="rank").reset_index(drop=True)
    return out


def _same_record_best(a: pd.DataFrame, b: pd.DataFrame, earlier_only: bool) -> pd.DataFrame:
    """Each row's first match sharing its non-empty ``origin_id`` (``rank`` -1).

    The first stored row of each origin is the best match any row can have
    under this rule, so one row per origin is enough.
    """
    first = b[b["origin"] != ""].drop_duplicates("origin")[["origin", "pos", "event_id"]]
    hit = a.loc[a["origin"] != "", ["origin", "pos"]].merge(
        first, on="origin", suffixes=("_a", "_b")
    )
    if earlier_only:
        hit = hit[hit["pos_b"] < hit["pos_a"]]
    return pd.DataFrame(
        {
            "pos_a": hit["pos_a"].to_numpy(),
            "pos_b": hit["pos_b"].to_numpy(),
            "event_id_b": hit["event_id"].to_numpy(),
            "reason": ("same source record (" + hit["origin"] + ")").to_numpy(),
            "rank": -1.0,
        }
    )


def _close_best(
    a: pd.DataFrame, b: pd.DataFrame, days: int, km: float, earlier_only: bool
) -> pd.DataFrame | None:
    """Each row's best same-type match within ``days`` that is near or shares its name.

    ``rank`` is the distance (``km + 1`` where a coordinate is missing), so
    the closest match wins and ties go to the earliest row.
    """
    if not len(a) or not len(b):
        return None
    b = _candidates_for(a, b, days)
    if not len(b):
        return None
    a, b = _compact_days(a, b, days)
    rank_near, rank_named = _rankers(a, b, km, earlier_only)
    near = _near_ranges(a, b, days, km)
    budget = _spend(near, config.DEDUPE_MAX_PAIRS)
    r1, i1 = _best_in_blocks(*near, rank_near)
    # A same-name match that is not near ranks after every near one, so the
    # name rule only matters for rows the distance rule left without a match.
    lo, hi, order = _name_ranges(a, b, days)
    matched = np.isfinite(r1)
    hi = np.where(matched[:, None], lo, hi)
    _spend((lo, hi, order), budget)
    r2, i2 = _best_in_blocks(lo, hi, order, rank_named)
    rank, best_b = np.where(matched, r1, r2), np.where(matched, i1, i2)
    return _close_frame(a, b, np.flatnonzero(np.isfinite(rank)), best_b, km, days)


def _spend(ranges: Ranges, budget: int) -> int:
    """What is left of the pair budget after ``ranges``; raise when it runs out."""
    lo, hi, _ = ranges
    left = budget - int((hi - lo).sum())
    if left < 0:
        raise DedupeLimitError(
            f"checking duplicates would compare more than {config.DEDUPE_MAX_PAIRS:,} pairs "
            "of rows (GEO_DEDUPE_MAX_PAIRS): thousands of distinct rows share an event type, "
            "a few days and a place or place name. Split the file, or narrow the duplicate "
            "distance or window"
        )
    return left


def _compact_days(a: pd.DataFrame, b: pd.DataFrame, days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Missing dates moved just out of reach of real ones, so day numbers stay small."""
    if not ((a["day"] == _NO_DAY).any() or (b["day"] == _NO_DAY).any()):
        return a, b
    real = np.concatenate([a["day"].to_numpy(), b["day"].to_numpy()])
    real = real[real != _NO_DAY]
    floor = (int(real.min()) if len(real) else 0) - 2 * days - 2
    return (
        a.assign(day=a["day"].where(a["day"] != _NO_DAY, floor)),
        b.assign(day=b["day"].where(b["day"] != _NO_DAY, floor)),
    )


def _candidates_for(a: pd.DataFrame, b: pd.DataFrame, days: int) -> pd.DataFrame:
    """Rows of ``b`` that can match some row of ``a``: the first of each interchangeable group.

    A stored row of another event type, or dated outside every incoming row's
    window, can match nothing, so a small upload into a big store stays small.
    """
    lo, hi = int(a["day"].min()), int(a["day"].max())
    keep = b["type"].isin(a["type"].unique()) & (
        b["day"].between(lo - days, hi + days) | (b["day"] == _NO_DAY)
    )
    return b[keep].drop_duplicates(_SAME_CANDIDATE).reset_index(drop=True)


def _near_ranges(a: pd.DataFrame, b: pd.DataFrame, days: int, km: float) -> Ranges:
    """Candidates of the distance rule: same type, adjacent grid cells, days in the window."""
    cell_a, ok_a = _grid_cells(a, km)
    cell_b, ok_b = _grid_cells(b, km)
    types = pd.Index(pd.unique(np.concatenate([a["type"].to_numpy(), b["type"].to_numpy()])))
    type_a, type_b = types.get_indexer(a["type"]), types.get_indexer(b["type"])
    cells = np.unique(cell_b[ok_b])
    # A bucket is (cell, type): index of the cell * types + type, then numbered densely.
    raw_b = np.where(ok_b, _lookup(cells, cell_b) * len(types) + type_b, -1)
    buckets = np.unique(raw_b[raw_b >= 0])
    bucket_b = np.where(raw_b >= 0, _lookup(buckets, raw_b), -1)
    found = _lookup(cells, cell_a[:, None] + _NEIGHBOURS[None, :])
    raw_a = np.where(ok_a[:, None] & (found >= 0), found * len(types) + type_a[:, None], -1)
    bucket_a = np.where(raw_a >= 0, _lookup(buckets, raw_a), -1)
    return _day_ranges(bucket_a, a["day"].to_numpy(), bucket_b, b["day"].to_numpy(), days)


def _name_ranges(a: pd.DataFrame, b: pd.DataFrame, days: int) -> Ranges:
    """Candidates of the name rule: same type, folded name and country, days in the window."""
    both = pd.concat([a[["type", "loc", "country"]], b[["type", "loc", "country"]]])
    group = both.groupby(["type", "loc", "country"], sort=False).ngroup().to_numpy()
    bucket_a = np.where(a["loc"].to_numpy() != "", group[: len(a)], -1)[:, None]
    bucket_b = group[len(a) :]
    return _day_ranges(bucket_a, a["day"].to_numpy(), bucket_b, b["day"].to_numpy(), days)


def _grid_cells(k: pd.DataFrame, km: float) -> tuple[np.ndarray, np.ndarray]:
    """Each point's cell of the 3-D grid, packed in one integer; and which points have one.

    The side is a little over the tolerance as an arc, which is longer than
    the chord, so points within ``km`` differ by at most one cell per axis.
    """
    side = 1.001 * max(km, _MIN_CELL_KM) / EARTH_RADIUS_KM
    lat, lon = k["lat"].to_numpy(), k["lon"].to_numpy()
    ok = np.isfinite(lat) & np.isfinite(lon)
    phi, lmb = np.radians(np.where(ok, lat, 0.0)), np.radians(np.where(ok, lon, 0.0))
    xyz = (np.cos(phi) * np.cos(lmb), np.cos(phi) * np.sin(lmb), np.sin(phi))
    ix, iy, iz = (np.floor(v / side).astype(np.int64) + _CELL_SHIFT for v in xyz)
    return (ix << (2 * _CELL_BITS)) + (iy << _CELL_BITS) + iz, ok


def _lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Index of each key in ``sorted_keys``, or -1 where it is absent."""
    if not len(sorted_keys):
        return np.full(keys.shape, -1, dtype=np.int64)
    at = np.searchsorted(sorted_keys, keys).clip(0, len(sorted_keys) - 1)
    return np.where(sorted_keys[at] == keys, at, -1)


def _day_ranges(
    bucket_a: np.ndarray, day_a: np.ndarray, bucket_b: np.ndarray, day_b: np.ndarray, days: int
) -> Ranges:
    """For each row of ``a`` and each of its buckets, the range of ``b`` rows within ``days``.

    ``b`` is sorted by (bucket, day), so in one bucket the rows within the
    window are contiguous. Returns ``lo``, ``hi`` (same shape as
    ``bucket_a``) into ``order``, the sorting of ``b``; -1 buckets are empty.
    """
    base = min(int(day_a.min()), int(day_b.min())) - days
    span = max(int(day_a.max()), int(day_b.max())) + days - base + 1
    key_b = np.where(bucket_b >= 0, bucket_b * span + (day_b - base), -1)
    order = np.argsort(key_b, kind="stable")
    sorted_b = key_b[order]
    start = bucket_a * span + (day_a - base)[:, None]
    lo = np.searchsorted(sorted_b, start - days, side="left")
    hi = np.searchsorted(sorted_b, start + days, side="right")
    hi = np.where(bucket_a >= 0, hi, lo)
    return lo, hi, order


def _rankers(
    a: pd.DataFrame, b: pd.DataFrame, km: float, earlier_only: bool
) -> tuple[Ranker, Ranker]:
    """Rank functions of the distance and name rules: inf where the pair does not match."""
    pts_a, pts_b = _radians(a), _radians(b)
    pos_a, pos_b = a["pos"].to_numpy(), b["pos"].to_numpy()
    sources = pd.Index(pd.unique(np.concatenate([a["src"].to_numpy(), b["src"].to_numpy()])))
    # "" (no source) as -1, so one integer test says "has a source"
    src_a, src_b = (np.where(k["src"] == "", -1, sources.get_indexer(k["src"])) for k in (a, b))

    def allowed(ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        # Two different ids from one source are two events by that source's
        # own account; the same id is the same-record rule's, which outranks.
        ok = (src_a[ia] < 0) | (src_a[ia] != src_b[ib])
        return ok & (pos_b[ib] < pos_a[ia]) if earlier_only else ok

    def distance(ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        return _haversine_radians(*(v[ia] for v in pts_a), *(v[ib] for v in pts_b))

    def near(ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        dist = distance(ia, ib)
        return np.where(allowed(ia, ib) & (dist <= km), dist, np.inf)

    def named(ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        rank = np.nan_to_num(distance(ia, ib), nan=km + 1.0)
        return np.where(allowed(ia, ib), rank, np.inf)

    return near, named


def _radians(k: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitude and longitude in radians and the cosine of latitude, once per row."""
    phi = np.radians(k["lat"].to_numpy())
    return phi, np.radians(k["lon"].to_numpy()), np.cos(phi)


def _best_in_blocks(
    lo: np.ndarray, hi: np.ndarray, order: np.ndarray, rank: Ranker
) -> tuple[np.ndarray, np.ndarray]:
    """Lowest rank per row of ``a`` and the ``b`` row (index) that has it; inf / -1 if none.

    Rows are taken in blocks whose pairs total at most ``_BLOCK_PAIRS``.
    """
    n = lo.shape[0]
    best_rank = np.full(n, np.inf)
    best_b = np.full(n, -1, dtype=np.int64)
    per_row = (hi - lo).sum(axis=1)
    ends = np.cumsum(per_row)
    start = 0
    while start < n:
        done = ends[start - 1] if start else 0
        stop = max(int(np.searchsorted(ends, done + _BLOCK_PAIRS, side="right")), start + 1)
        rows = np.arange(start, stop)
        _reduce_block(rows, lo[rows], hi[rows], order, rank, best_rank, best_b)
        start = stop
    return best_rank, best_b


def _reduce_block(
    rows: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    order: np.ndarray,
    rank: Ranker,
    best_rank: np.ndarray,
    best_b: np.ndarray,
) -> None:
    """Every pair of one block of rows, reduced in place to each row's best."""
    counts = (hi - lo).ravel()
    if not counts.sum():
        return
    firsts = np.repeat(lo.ravel(), counts)
    steps = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    ib = order[firsts + steps]
    ia = np.repeat(np.repeat(rows, lo.shape[1]), counts)
    ranks = rank(ia, ib)
    # pairs come grouped by row of a: one segment per row with any pair
    starts = np.flatnonzero(np.r_[True, ia[1:] != ia[:-1]])
    low = np.minimum.reduceat(ranks, starts)
    at_low = ranks == np.repeat(low, np.diff(np.r_[starts, len(ia)]))
    # the earliest row among equals: smallest index, as b is in row order
    first = np.minimum.reduceat(np.where(at_low, ib, np.iinfo(np.int64).max), starts)
    who = ia[starts]
    best_rank[who] = low
    best_b[who] = np.where(np.isfinite(low), first, -1)


def _close_frame(
    a: pd.DataFrame, b: pd.DataFrame, rows: np.ndarray, best_b: np.ndarray, km: float, days: int
) -> pd.DataFrame:
    """The chosen matches of the date-and-place rule, with their reasons."""
    ib = best_b[rows]
    lat_a, lon_a = a["lat"].to_numpy()[rows], a["lon"].to_numpy()[rows]
    dist = haversine_km(lat_a, lon_a, b["lat"].to_numpy()[ib], b["lon"].to_numpy()[ib])
    where = np.where(
        np.nan_to_num(dist, nan=np.inf) <= km,
        # str() of each figure: pandas' astype(str) leaves a missing distance a float
        np.array(["within " + str(d) + " km" for d in np.round(dist, 1)], dtype=object),
        "same location name",
    )
    return pd.DataFrame(
        {
            "pos_a": a["pos"].to_numpy()[rows],
            "pos_b": b["pos"].to_numpy()[ib],
            "event_id_b": b["event_id"].to_numpy()[ib],
            "reason": "same event type, date within " + str(days) + " day(s), " + where,
            "rank": np.nan_to_num(dist, nan=km + 1.0),
        }
    )


def find_duplicates(
    new: pd.DataFrame, existing: pd.DataFrame, days: int | None = 1, km: float = 10.0
) -> pd.DataFrame:
    """Which rows of ``new`` duplicate the store or an earlier row of ``new``.

    Parameters
    ----------
    new, existing : DataFrame
        Typed incident frames (``existing`` may be empty).
    days : int or None
        Date tolerance in days, at most :data:`geo.config.DEDUPE_MAX_DAYS`;
        ``None`` (or a negative number) turns the fuzzy rule off and only
        identical ``origin_id`` values count.
    km : float
        Distance tolerance, from 0 to :data:`geo.config.DEDUPE_MAX_KM`.

    Returns
    -------
    DataFrame
        One row per duplicate: ``pos`` (0-based row of ``new``),
        ``duplicate_of`` (event_id, or "incoming row N" for a batch
        duplicate), ``reason``.

    Raises
    ------
    DedupeLimitError
        When a tolerance is over its cap, or the rows leave too many pairs to
        compare (see the module notes); nothing has been compared then.
    """
    check_tolerances(days, km)
    fuzzy_days = -1 if days is None else int(days)
    a = _keys(new)
    store = _match(a, _keys(existing), fuzzy_days, km, False) if len(existing) else None
    inside = _match(a, a, fuzzy_days, km, True)
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
