"""Scores and levels per area: :func:`score_areas` and :func:`level_for_score`.

:func:`score_areas` reads like the steps it takes: check the arguments, find
each incident's area and age, tally the incidents (``components``), weigh the
components into a score and a level, add the trend, then the analysts'
overrides (``overrides``), and sort.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo.analysis.risk.components import _compact, _components, _Tally, _tally
from geo.analysis.risk.config import COMPONENTS, RiskConfig, _is_number, load_risk_config
from geo.analysis.risk.country_level import _country_level_counts
from geo.analysis.risk.overrides import _resolve_overrides
from geo.analysis.risk.trends import BASELINE_WEEKS, RECENT_DAYS, TREND_SPAN, _trend_arrays
from geo.model.levels import LEVELS

__all__ = ["country_level_counts", "level_for_score", "score_areas"]

_TEXT_OUTPUT = (
    "area",
    "area_code",
    "iso3",
    "level",
    "trend",
    "override_level",
    "override_reason",
    "override_set_by",
    "override_status",
    "final_level",
)


def score_areas(
    joined: pd.DataFrame,
    areas: pd.DataFrame,
    as_of: str | dt.date | pd.Timestamp,
    window_days: int = 90,
    config: RiskConfig | None = None,
    overrides: pd.DataFrame | None = None,
    area_col: str = "area",
) -> pd.DataFrame:
    """Score every area of ``areas`` from the incidents joined to it.

    Parameters
    ----------
    joined : DataFrame
        Incidents with their area (see :func:`geo.analysis.pipeline.prepare`). Used
        columns: ``area_col``, ``event_date``, ``event_type``,
        ``fatalities`` (required); ``area_code``, ``sub_event_type``,
        ``actor1``, ``actor2``, ``latitude``, ``longitude``,
        ``civilian_targeting`` (optional). Incidents whose area is empty or
        not in ``areas`` are not scored.
    areas : DataFrame or GeoDataFrame
        The area layer: ``area`` and, when present, ``area_code``, ``iso3``,
        ``aliases``. Every row gets an output row.
    as_of : date-like
        The day the risk is assessed at; later events are ignored.
    window_days : int
        Events from ``as_of - window_days + 1`` to ``as_of`` count.
    config : RiskConfig, optional
        Defaults to :func:`load_risk_config` (``config/risk.toml``).
    overrides : DataFrame, optional
        From :func:`load_overrides`; none when omitted.
    area_col : str
        Column of ``joined`` holding the area name.

    Returns
    -------
    DataFrame
        One row per area, sorted by score (descending) then area name and
        code. Columns: ``area, area_code, iso3, score, level``, the
        components ``c_<name>`` (0-100) and their raw quantities
        ``x_<name>``, ``events, fatalities, civilian_events, locations,
        actors, days_since_last, trend, trend_pct, events_last_7d,
        weekly_baseline``, ``override_level, override_reason,
        override_expires, override_set_by, override_status`` and
        ``final_level``. ``attrs["notices"]`` lists overrides that matched
        no area. ``attrs["country_level"]`` counts the window's
        country-level incidents (``country_level`` True: no area, so in no
        row) per country, as records with ``iso3``, ``country``, ``events``
        and ``fatalities`` (see :mod:`geo.analysis.risk.country_level`).
    """
    cfg = config if config is not None else load_risk_config()
    as_of_ts = _as_timestamp(as_of)
    window = _window(window_days)
    _require_columns(joined, area_col)
    table = _area_table(areas)
    pos = _area_positions(joined, table, area_col)
    age = _ages(joined["event_date"], as_of_ts)
    tally = _tally(joined, pos, age, len(table), window, cfg)
    out = _area_rows(table, tally, window, cfg)
    notices = _add_overrides(out, table, overrides, as_of_ts)
    out = out.sort_values(
        ["score", "area", "area_code"], ascending=[False, True, True], kind="mergesort"
    ).reset_index(drop=True)
    out.attrs["notices"] = notices
    out.attrs["country_level"] = _country_level_counts(joined, age, window).to_dict("records")
    out.attrs["as_of"] = as_of_ts.date().isoformat()
    out.attrs["window_days"] = window
    return out


def country_level_counts(
    joined: pd.DataFrame, as_of: str | dt.date | pd.Timestamp, window_days: int = 90
) -> pd.DataFrame:
    """Country-level incidents of the scoring window, per country.

    What :func:`score_areas` leaves out of every area and keeps in
    ``attrs["country_level"]`` (see :mod:`geo.analysis.risk.country_level`).

    Parameters
    ----------
    joined : DataFrame
        The joined incidents (:func:`geo.analysis.pipeline.prepare`); rows
        count when ``country_level`` is True.
    as_of, window_days
        The window, as for :func:`score_areas`.

    Returns
    -------
    DataFrame
        ``iso3``, ``country``, ``events``, ``fatalities``: one row per
        country with such an incident in the window, most incidents first.
    """
    age = _ages(joined["event_date"], _as_timestamp(as_of))
    return _country_level_counts(joined, age, _window(window_days))


def level_for_score(score: float, config: RiskConfig | None = None) -> str:
    """The level of a score (read against the configured thresholds).

    A score equal to a threshold belongs to the higher level.

    >>> level_for_score(0), level_for_score(10), level_for_score(99.9)
    ('Low', 'Moderate', 'Extreme')
    """
    cfg = config or RiskConfig()
    if not _is_number(score) or not 0 <= score <= 100:
        raise ValueError(f"score: got {score!r}; expected a number in 0..100")
    return LEVELS[int(np.searchsorted(cfg.thresholds, score, side="right"))]


def _levels_for(scores: np.ndarray, cfg: RiskConfig) -> np.ndarray:
    return np.asarray(LEVELS, dtype=object)[np.searchsorted(cfg.thresholds, scores, side="right")]


# --------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------


def _as_timestamp(as_of: object) -> pd.Timestamp:
    try:
        # Strings must be ISO dates: "03/02/2013" is ambiguous between day and month.
        value = dt.date.fromisoformat(as_of.strip()) if isinstance(as_of, str) else as_of
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"as_of: got {as_of!r}; expected a date as YYYY-MM-DD") from None
    if pd.isna(ts):
        raise ValueError(f"as_of: got {as_of!r}; expected a date as YYYY-MM-DD")
    return ts.tz_localize(None).normalize() if ts.tzinfo else ts.normalize()


def _window(window_days: object) -> int:
    """``window_days`` as an int, refusing booleans, fractions and values below 1."""
    if (
        isinstance(window_days, bool)
        or not isinstance(window_days, int | np.integer)
        or window_days < 1
    ):
        raise ValueError(f"window_days: got {window_days!r}; expected a whole number of days >= 1")
    return int(window_days)


def _require_columns(joined: pd.DataFrame, area_col: str) -> None:
    missing = [
        c for c in (area_col, "event_date", "event_type", "fatalities") if c not in joined.columns
    ]
    if missing:
        raise ValueError(f"joined: missing column(s) {', '.join(missing)}")


# --------------------------------------------------------------------------
# Areas and ages
# --------------------------------------------------------------------------


def _area_table(areas: pd.DataFrame) -> pd.DataFrame:
    if "area" not in areas.columns:
        raise ValueError("areas: expected a column 'area' with the area names")
    out = pd.DataFrame(index=pd.RangeIndex(len(areas)))
    for col in ("area", "area_code", "iso3", "aliases"):
        if col in areas.columns:
            out[col] = areas[col].astype("string").fillna("").to_numpy()
        else:
            out[col] = pd.Series("", index=out.index, dtype="string")
    return out


def _area_positions(joined: pd.DataFrame, table: pd.DataFrame, area_col: str) -> np.ndarray:
    """Position in ``table`` of each incident's area, -1 for none.

    Matching uses (name, code) pairs when both frames carry ``area_code``
    and ``area_col`` is the joined area name, so two areas sharing a name in
    different countries stay apart; otherwise the name alone.
    """
    names = joined[area_col].astype("string").fillna("")
    use_codes = area_col == "area" and "area_code" in joined.columns
    if use_codes:
        keys = pd.MultiIndex.from_arrays([table["area"], table["area_code"]])
    else:
        keys = pd.Index(table["area"])
    if not keys.is_unique:
        dup = keys[keys.duplicated()].unique().tolist()
        raise ValueError(f"areas: the area key is not unique ({dup[:5]}); pass area codes")
    name_codes, name_uniques = pd.factorize(names)
    if use_codes:
        code_codes, code_uniques = pd.factorize(joined["area_code"].astype("string").fillna(""))
        pair = name_codes.astype("int64") * (len(code_uniques) + 1) + code_codes
        uniq, inverse = _compact(pair, len(name_uniques) * (len(code_uniques) + 1))
        uniq_names = np.asarray(name_uniques, dtype=object)[uniq // (len(code_uniques) + 1)]
        uniq_codes = np.asarray(code_uniques, dtype=object)[uniq % (len(code_uniques) + 1)]
        lut = keys.get_indexer(pd.MultiIndex.from_arrays([uniq_names, uniq_codes]))
        return lut[inverse].astype("int64")
    lut = keys.get_indexer(pd.Index(np.asarray(name_uniques, dtype=object)))
    return lut[name_codes].astype("int64")


def _ages(dates: pd.Series, as_of: pd.Timestamp) -> np.ndarray:
    """Whole days from each event to ``as_of`` (negative after it); NaT -> -1."""
    days = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]")
    bad = np.isnat(days)
    age = np.datetime64(as_of.date(), "D").astype("int64") - days.astype("int64")
    age[bad] = -1
    return age


# --------------------------------------------------------------------------
# Output rows
# --------------------------------------------------------------------------


def _area_rows(table: pd.DataFrame, tally: _Tally, window: int, cfg: RiskConfig) -> pd.DataFrame:
    """One row per area in ``table`` order: score, level, components, counts, trend."""
    comp = _components(tally.x, cfg)
    total_w = sum(cfg.weights[name] for name in COMPONENTS)
    score = sum(cfg.weights[name] * comp[name] for name in COMPONENTS) / total_w
    score = np.round(np.clip(score, 0.0, 100.0), 1)
    recent = tally.per_day[:, :RECENT_DAYS].sum(axis=1)
    previous = tally.per_day[:, RECENT_DAYS:TREND_SPAN].sum(axis=1)
    trend, trend_pct = _trend_arrays(recent, previous)

    out = pd.DataFrame(
        {
            "area": table["area"],
            "area_code": table["area_code"],
            "iso3": table["iso3"],
            "score": score,
            "level": _levels_for(score, cfg),
        }
    )
    for name in COMPONENTS:
        out[f"c_{name}"] = comp[name]
    for name in COMPONENTS:
        out[f"x_{name}"] = tally.x[name]
    out["events"] = tally.per_day[:, :window].sum(axis=1).astype("int64")
    out["fatalities"] = tally.fatal_day[:, :window].sum(axis=1).astype("int64")
    out["civilian_events"] = tally.civilian_day[:, :window].sum(axis=1).astype("int64")
    out["locations"] = tally.locations
    out["actors"] = tally.actors
    out["days_since_last"] = tally.days_since
    out["trend"] = trend
    out["trend_pct"] = trend_pct
    out["events_last_7d"] = recent.astype("int64")
    out["weekly_baseline"] = previous / BASELINE_WEEKS
    return out


def _add_overrides(
    out: pd.DataFrame, table: pd.DataFrame, overrides: pd.DataFrame | None, as_of: pd.Timestamp
) -> list[str]:
    """Add the override columns and ``final_level`` to ``out`` in place; return the notices."""
    ov, notices = _resolve_overrides(table, overrides, as_of)
    for col in ov.columns:
        out[col] = ov[col].to_numpy()
    active = out["override_status"] == "active"
    out["final_level"] = np.where(active, out["override_level"], out["level"])
    for col in _TEXT_OUTPUT:
        out[col] = out[col].astype("string")
    return notices
