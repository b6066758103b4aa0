"""The five components: per-area quantities counted from the incidents, then 0-100.

Incidents are first counted into integer histograms per (area, day, severity
class, civilian flag); every sum after that is a fixed-order product with a
histogram, so the floating-point results never depend on the order rows
arrive in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.analysis.risk.config import COMPONENTS, RiskConfig
from geo.analysis.risk.trends import TREND_SPAN
from geo.model.params import text_column
from geo.model.schema import CIVILIAN_TARGETING

__all__ = ["COMPONENTS"]


@dataclass(frozen=True)
class _Tally:
    """What the incidents add up to, per area position (first axis).

    Attributes
    ----------
    x : dict
        The raw quantity of each component over the window.
    per_day, civilian_day, fatal_day : ndarray
        Events, events targeting civilians and fatalities per (area, age in
        days), over the longer of the window and the trend span.
    locations, actors : ndarray
        Distinct locations and distinct non-state armed actors in the window.
    days_since : Series
        Days since the area's latest event up to the as-of date (``<NA>`` when
        none).
    """

    x: dict[str, np.ndarray]
    per_day: np.ndarray
    civilian_day: np.ndarray
    fatal_day: np.ndarray
    locations: np.ndarray
    actors: np.ndarray
    days_since: pd.Series


def _tally(
    joined: pd.DataFrame, pos: np.ndarray, age: np.ndarray, n: int, window: int, cfg: RiskConfig
) -> _Tally:
    """Count the incidents at area positions ``pos`` (-1: none) and ages ``age``.

    Events after the as-of date (negative age) and in no area are left out;
    the histograms reach back over the trend span even when the window is
    shorter.
    """
    known = (pos >= 0) & (age >= 0)
    span = max(window, TREND_SPAN)
    in_span = known & (age < span)
    in_window = known & (age < window)
    et_codes, et_uniques = pd.factorize(text_column(joined, "event_type"))
    sev_class, sev_values = _severity_classes(joined, et_codes, et_uniques, in_span, cfg)
    civ = _civilian_flags(joined, et_codes, et_uniques)

    a = pos[in_span]
    g = age[in_span]
    n_sev = len(sev_values)
    key = ((a * span + g) * n_sev + sev_class) * 2 + civ[in_span]
    hist = np.bincount(key, minlength=n * span * n_sev * 2).reshape(n, span, n_sev, 2)
    fatal = pd.to_numeric(joined["fatalities"], errors="coerce").fillna(0).to_numpy("float64")
    fat_day = np.bincount(a * span + g, weights=fatal[in_span], minlength=n * span).reshape(n, span)

    days = np.arange(span)
    decay = np.where(days < window, np.exp2(-days / cfg.half_life_days), 0.0)
    per_day = hist.sum(axis=(2, 3))
    civ_day = hist[:, :, :, 1].sum(axis=2)
    sev_day = hist.sum(axis=3) @ sev_values
    locations = _location_counts(joined, pos, in_window, n, cfg)
    x = {
        "activity": per_day @ decay,
        "severity": sev_day @ decay,
        "fatalities": fat_day @ decay,
        "civilians": civ_day @ decay,
        "diffusion": locations.astype("float64"),
    }
    return _Tally(
        x=x,
        per_day=per_day,
        civilian_day=civ_day,
        fatal_day=fat_day,
        locations=locations,
        actors=_actor_counts(joined, pos, in_window, n, cfg),
        days_since=_days_since(pos, age, known, n),
    )


def _components(x: dict[str, np.ndarray], cfg: RiskConfig) -> dict[str, np.ndarray]:
    """Each component on 0-100 from its raw quantity."""
    comp = {name: _saturate(x[name], cfg.half_at[name]) for name in COMPONENTS}
    # Deaths are on a log scale: one mass-casualty event must not swamp the rest.
    comp["fatalities"] = _saturate(np.log1p(x["fatalities"]), math.log1p(cfg.half_at["fatalities"]))
    return comp


def _saturate(x: np.ndarray, half_at: float) -> np.ndarray:
    return 100.0 * (1.0 - np.exp2(-x / half_at))


# --------------------------------------------------------------------------
# Per-event classes
# --------------------------------------------------------------------------


def _severity_classes(
    joined: pd.DataFrame,
    et_codes: np.ndarray,
    et_uniques: pd.Index,
    in_span: np.ndarray,
    cfg: RiskConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """Severity class of each event in the span, and the distinct severities.

    The few (type, sub-type) pairs are looked up once rather than per event.
    """
    sub_codes, sub_uniques = pd.factorize(text_column(joined, "sub_event_type"))
    width = len(sub_uniques) + 1
    pair = et_codes.astype("int64") * width + sub_codes
    pair_uniq, pair_inv = _compact(pair[in_span], len(et_uniques) * width)
    pair_sev = np.array(
        [
            cfg.severity_of(str(et_uniques[p // width]), str(sub_uniques[p % width]))
            for p in pair_uniq
        ],
        dtype="float64",
    )
    sev_values, pair_class = np.unique(pair_sev, return_inverse=True)
    sev_class = pair_class.reshape(-1)[pair_inv].astype("int64")
    if len(sev_values) == 0:
        sev_values = np.zeros(1)
    return sev_class, sev_values


def _civilian_flags(joined: pd.DataFrame, et_codes: np.ndarray, et_uniques: pd.Index) -> np.ndarray:
    """Whether each event targets civilians (by its type or its ACLED flag)."""
    vac = [k for k, t in enumerate(et_uniques) if t == "Violence against civilians"]
    civ = np.isin(et_codes, vac)
    if "civilian_targeting" in joined.columns:
        civ |= (text_column(joined, "civilian_targeting") == CIVILIAN_TARGETING).to_numpy(
            dtype=bool
        )
    return civ


# --------------------------------------------------------------------------
# Distinct counts
# --------------------------------------------------------------------------


def _compact(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of non-negative int ``keys`` (all < ``size``) and each key's
    position among them, like ``np.unique(keys, return_inverse=True)`` but by
    counting instead of sorting when ``size`` is small."""
    if size > 4 * len(keys) + 1_000_000:
        uniq, inverse = np.unique(keys, return_inverse=True)
        return uniq, inverse.reshape(-1)
    present = np.flatnonzero(np.bincount(keys, minlength=size))
    lut = np.full(size, -1, dtype="int64")
    lut[present] = np.arange(len(present))
    return present, lut[keys]


def _distinct_per_area(area: np.ndarray, item: np.ndarray, n_areas: int) -> np.ndarray:
    """Number of distinct non-negative ``item`` codes per area position."""
    keep = item >= 0
    if not keep.any():
        return np.zeros(n_areas, dtype="int64")
    width = int(item[keep].max()) + 1
    keys = area[keep].astype("int64") * width + item[keep]
    if n_areas * width <= 4 * len(keys) + 1_000_000:
        # Few distinct items: a presence table is cheaper than sorting or hashing.
        seen = np.bincount(keys, minlength=n_areas * width).reshape(n_areas, width) > 0
        return seen.sum(axis=1).astype("int64")
    pairs = np.unique(keys)
    return np.bincount(pairs // width, minlength=n_areas).astype("int64")


def _location_counts(
    joined: pd.DataFrame, pos: np.ndarray, in_window: np.ndarray, n: int, cfg: RiskConfig
) -> np.ndarray:
    """Distinct locations per area in the window (coordinates rounded first)."""
    lat = pd.to_numeric(joined["latitude"], errors="coerce") if "latitude" in joined else None
    lon = pd.to_numeric(joined["longitude"], errors="coerce") if "longitude" in joined else None
    if lat is None or lon is None:
        return np.zeros(n, dtype="int64")
    scale = 10**cfg.location_decimals
    la = np.round(lat.to_numpy("float64")[in_window] * scale)
    lo = np.round(lon.to_numpy("float64")[in_window] * scale)
    ok = np.isfinite(la) & np.isfinite(lo)
    # One integer per grid cell: latitude row times the row width plus longitude.
    loc = np.where(ok, (la + 90 * scale) * (360 * scale + 1) + (lo + 180 * scale), -1)
    return _distinct_per_area(pos[in_window], loc.astype("int64"), n)


def _actor_counts(
    joined: pd.DataFrame, pos: np.ndarray, in_window: np.ndarray, n: int, cfg: RiskConfig
) -> np.ndarray:
    """Distinct non-state armed actors per area in the window.

    actor1 and actor2 are pooled; empty names and names starting with one of
    ``cfg.actor_exclude_prefixes`` (state forces, civilians, protesters,
    rioters) are not counted. Names are compared after trimming spaces.
    """
    columns = [c for c in ("actor1", "actor2") if c in joined.columns]
    if not columns:
        return np.zeros(n, dtype="int64")
    # Factorize each column, then map its few distinct names to one shared id.
    ids: dict[str, int] = {}
    areas, items = [], []
    for col in columns:
        codes, uniques = pd.factorize(text_column(joined, col)[in_window])
        names = [str(u).strip() for u in uniques]
        keep = [
            bool(name) and not name.startswith(tuple(cfg.actor_exclude_prefixes)) for name in names
        ]
        lut = np.array(
            [
                ids.setdefault(name, len(ids)) if k else -1
                for name, k in zip(names, keep, strict=True)
            ]
            + [-1],
            dtype="int64",
        )
        items.append(lut[codes])  # code -1 (missing) picks the trailing -1
        areas.append(pos[in_window])
    return _distinct_per_area(np.concatenate(areas), np.concatenate(items), n)


def _days_since(pos: np.ndarray, age: np.ndarray, known: np.ndarray, n: int) -> pd.Series:
    """Age in days of each area's latest event up to the as-of date; ``<NA>`` for none."""
    since = pd.Series(age[known]).groupby(pos[known]).min()
    days_since = pd.Series(pd.NA, index=range(n), dtype="Int64")
    days_since.iloc[since.index.to_numpy()] = since.to_numpy()
    return days_since
