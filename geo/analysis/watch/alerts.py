"""All alerts of a store, the alerts of one week, and the areas that changed most.

:func:`detect_alerts` runs every rule over the whole store at once (the
rules are vectorised, so this costs about what one week would) and returns
one table; :func:`alerts_for_week` and :func:`top_changes` cut it and the
baselines to one week.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis.watch import rules
from geo.analysis.watch.config import KINDS, WatchConfig
from geo.analysis.watch.events import ALERT_COLUMNS, events, split_keys
from geo.analysis.watch.weeks import parse_week, week_labels

__all__ = ["CHANGE_COLUMNS", "alerts_for_week", "detect_alerts", "top_changes"]

CHANGE_COLUMNS: tuple[str, ...] = (
    "area",
    "iso3",
    "incidents",
    "baseline",
    "change",
    "change_pct",
    "fatalities",
)


def detect_alerts(
    joined: pd.DataFrame,
    config: WatchConfig | None = None,
    *,
    sites: gpd.GeoDataFrame | None = None,
    near: pd.DataFrame | None = None,
    until: dt.date | str | None = None,
) -> pd.DataFrame:
    """Every alert of every area and week of ``joined``.

    Parameters
    ----------
    joined : DataFrame
        Incidents joined to areas (:func:`geo.analysis.pipeline.prepare`).
    config : WatchConfig, optional
        The rules' settings (defaults: docs/watch.md).
    sites : GeoDataFrame, optional
        The team's sites (``name``, ``radius_km``, geometry); without them
        there are no site alerts. Pass them only for people allowed to see them.
    near : DataFrame, optional
        :func:`geo.analysis.proximity.near_sites` of ``joined`` and
        ``sites``, when already computed.
    until : date or ISO week, optional
        Weeks up to this one get baselines even when they hold no incident.

    Returns
    -------
    DataFrame
        Columns ``week`` (``2013-W08``), ``week_start`` (its Monday),
        ``area``, ``iso3``, ``kind`` (``site``, ``spike``, ``new_actor``,
        ``fatalities``, ``quiet``), ``subject`` (the actor or site, else
        empty), ``incidents``, ``event_ids`` (tuple), ``value`` and
        ``reference`` (the observed number and what it was tested against),
        ``p_value`` (spikes), ``why``; sorted by week, kind, area, subject.
    """
    config = config or WatchConfig()
    frame = events(joined)
    last = pd.Timestamp(parse_week(until)) if until is not None else frame["monday"].max()
    found = [
        rules.spike_alerts(frame, config, last),
        rules.quiet_alerts(frame, config),
        rules.new_actor_alerts(frame, config),
        rules.fatality_alerts(frame, config),
    ]
    if sites is not None and len(sites):
        found.append(_site_alerts(joined, frame, sites, near))
    return _tidy(pd.concat([f for f in found if len(f)] or [found[0]], ignore_index=True))


def _site_alerts(
    joined: pd.DataFrame, frame: pd.DataFrame, sites: gpd.GeoDataFrame, near: pd.DataFrame | None
) -> pd.DataFrame:
    if near is None:
        from geo.analysis.proximity import near_sites

        near = near_sites(joined, sites)
    radius = dict(zip(sites["name"].astype(str), sites["radius_km"].astype(float), strict=False))
    return rules.site_alerts(frame, near, radius)


def _tidy(found: pd.DataFrame) -> pd.DataFrame:
    """The alert columns, in reading order."""
    if found.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ALERT_COLUMNS})
    found["monday"] = pd.to_datetime(found["monday"])
    found["week"] = week_labels(found["monday"])
    found["week_start"] = found["monday"].dt.date
    found["order"] = found["kind"].map({k: i for i, k in enumerate(KINDS)})
    found = found.sort_values(["monday", "order", "area", "subject", "iso3"], kind="stable")
    out = found[list(ALERT_COLUMNS)].reset_index(drop=True)
    out["incidents"] = out["incidents"].astype("int64")
    for column in ("value", "reference", "p_value"):
        out[column] = out[column].astype(float)
    return out


def alerts_for_week(alerts: pd.DataFrame, week: dt.date | str) -> pd.DataFrame:
    """The alerts of one ISO week (``2013-W08`` or any day of it)."""
    monday = parse_week(week)
    return alerts[alerts["week_start"] == monday].reset_index(drop=True)


def top_changes(
    joined: pd.DataFrame,
    week: dt.date | str,
    config: WatchConfig | None = None,
    n: int = 10,
    rising_only: bool = True,
) -> pd.DataFrame:
    """The areas whose count rose most above their baseline in ``week``.

    The baseline is the spike rule's: the mean count of the previous
    ``baseline_weeks`` weeks. Areas with nothing this week and nothing in
    the baseline are left out, and so, with ``rising_only``, are areas
    that did not rise.

    Returns
    -------
    DataFrame
        Columns ``area``, ``iso3``, ``incidents`` (this week), ``baseline``,
        ``change`` (incidents - baseline), ``change_pct`` (NaN on a zero
        baseline), ``fatalities`` (this week); largest change first, then area.
    """
    config = config or WatchConfig()
    monday = pd.Timestamp(parse_week(week))
    frame = events(joined)
    table = rules.baselines(frame, config, monday)
    table = table[table["monday"] == monday]
    table = table[(table["count"] > 0) | (table["baseline"].fillna(0) > 0)]
    dead = frame[frame["monday"] == monday].groupby("key")["fatalities"].sum()
    base = table["baseline"].fillna(0.0).to_numpy(float)
    count = table["count"].to_numpy(float)
    iso3, area = split_keys(table["key"])
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(base > 0, (count - base) / base * 100, np.nan)
    out = pd.DataFrame(
        {
            "area": area,
            "iso3": iso3,
            "incidents": table["count"].to_numpy(np.int64),
            "baseline": base,
            "change": count - base,
            "change_pct": pct,
            "fatalities": table["key"].map(dead).fillna(0).astype("int64").to_numpy(),
        }
    )
    if rising_only:
        out = out[out["change"] > 0]
    out = out.sort_values(["change", "area"], ascending=[False, True], kind="stable")
    return out.head(n).reset_index(drop=True)
