"""What a week's digest says, worked out before any drawing.

:func:`week_digest` gathers the week's alerts, its incidents, those near the
team's sites (with distance and bearing in words) and the areas that
changed most; :mod:`geo.render.digest` lays the result out as HTML,
Markdown or PDF, and the Watch page shows the same frames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.analysis.watch.alerts import alerts_for_week, detect_alerts, top_changes
from geo.analysis.watch.config import WatchConfig
from geo.analysis.watch.events import events
from geo.analysis.watch.weeks import parse_week, week_label
from geo.model.params import text_column

__all__ = ["INCIDENT_COLUMNS", "NEAR_COLUMNS", "NEAR_KM", "WeekDigest", "week_digest"]

# Incidents this close to a site are listed even outside its radius.
NEAR_KM = 50.0
INCIDENT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "event_date",
    "area",
    "iso3",
    "country",
    "location",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "fatalities",
    "notes",
    "latitude",
    "longitude",
)
NEAR_COLUMNS: tuple[str, ...] = (
    "event_id",
    "event_date",
    "location",
    "event_type",
    "fatalities",
    "site",
    "site_kind",
    "distance_km",
    "within_radius",
    "where",
)


@dataclass(frozen=True)
class WeekDigest:
    """Everything a week's digest shows.

    Attributes
    ----------
    week : str
        ISO week, ``2013-W08``.
    start, end : date
        Its Monday and Sunday.
    alerts : DataFrame
        The week's alerts (:func:`geo.analysis.watch.detect_alerts` columns).
    incidents : DataFrame
        The week's incidents (:data:`INCIDENT_COLUMNS`), most fatalities first.
    changes : DataFrame
        The areas that changed most (:func:`geo.analysis.watch.top_changes`).
    near : DataFrame or None
        The week's incidents within a site's radius or :data:`NEAR_KM` of a
        site (:data:`NEAR_COLUMNS`), nearest first; ``None`` when no sites
        were given (the reader may not see them), empty when none is near.
    sites : GeoDataFrame or None
        The sites, for the map; ``None`` with ``near``.
    """

    week: str
    start: dt.date
    end: dt.date
    alerts: pd.DataFrame
    incidents: pd.DataFrame
    changes: pd.DataFrame
    near: pd.DataFrame | None = None
    sites: gpd.GeoDataFrame | None = None

    @property
    def fatalities(self) -> int:
        """Fatalities of the week's incidents."""
        return int(pd.to_numeric(self.incidents["fatalities"]).fillna(0).sum())


def week_digest(
    joined: pd.DataFrame,
    week: dt.date | str,
    config: WatchConfig | None = None,
    *,
    sites: gpd.GeoDataFrame | None = None,
    alerts: pd.DataFrame | None = None,
    near_km: float = NEAR_KM,
    top: int = 8,
) -> WeekDigest:
    """The digest of ``week`` (``2013-W08`` or any day of it).

    ``alerts`` (all weeks, from :func:`detect_alerts` with the same sites)
    is computed when omitted. Give ``sites`` only to readers allowed to see
    them: without them the digest has no site alerts and no ``near`` table.
    """
    monday = parse_week(week)
    if alerts is None:
        alerts = detect_alerts(joined, config, sites=sites, until=monday)
    frame = events(joined)
    in_week = joined.loc[frame.index[frame["monday"] == pd.Timestamp(monday)]]
    listed = _incidents(in_week, frame)
    return WeekDigest(
        week=week_label(monday),
        start=monday,
        end=monday + dt.timedelta(days=6),
        alerts=alerts_for_week(alerts, monday),
        incidents=listed,
        changes=top_changes(joined, monday, config, n=top),
        near=None if sites is None else _near(in_week, sites, near_km),
        sites=sites,
    )


def _incidents(in_week: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=in_week.index)
    for column in INCIDENT_COLUMNS:
        if column in ("latitude", "longitude", "event_date"):
            out[column] = in_week.get(column, pd.NA)
        elif column == "fatalities":
            out[column] = frame.loc[in_week.index, "fatalities"]
        elif column in ("area", "iso3"):
            out[column] = frame.loc[in_week.index, column]
        else:
            out[column] = text_column(in_week, column)
    out = out.sort_values(
        ["fatalities", "event_date", "event_id"], ascending=[False, True, True], kind="stable"
    )
    return out.reset_index(drop=True)


def _near(in_week: pd.DataFrame, sites: gpd.GeoDataFrame, near_km: float) -> pd.DataFrame:
    from geo.analysis.proximity import describe, near_sites

    if in_week.empty or not len(sites):
        return pd.DataFrame(columns=list(NEAR_COLUMNS))
    near = near_sites(in_week, sites)
    close = near["within_radius"].fillna(False).astype(bool) | (near["distance_km"] <= near_km)
    near = near[close]
    rows = in_week.loc[near.index]
    out = pd.DataFrame(
        {
            "event_id": rows["event_id"].astype(str),
            "event_date": rows["event_date"],
            "location": text_column(rows, "location"),
            "event_type": text_column(rows, "event_type"),
            "fatalities": pd.to_numeric(rows["fatalities"]).fillna(0).astype("int64"),
            "site": near["site"].astype(str),
            "site_kind": near["site_kind"].astype(str),
            "distance_km": near["distance_km"].astype(float),
            "within_radius": near["within_radius"].fillna(False).astype(bool),
        }
    )
    out["where"] = [
        describe(d, b, s)
        for d, b, s in zip(near["distance_km"], near["bearing_deg"], near["site"], strict=True)
    ]
    return out.sort_values(["distance_km", "event_id"], kind="stable").reset_index(drop=True)
