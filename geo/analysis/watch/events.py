"""The incident columns the rules read, with each incident's area key and week.

Rules group by area: the admin-1 area :func:`geo.analysis.pipeline.prepare`
placed the incident in, named with its country (two countries can both have
a "Northern" region). An incident with no area (placed at country level, or
outside every area) counts for its country as a whole, ``Tunisia (no
region)``, so it is watched too rather than dropped.
"""

from __future__ import annotations

import pandas as pd

from geo.analysis.watch.weeks import week_monday
from geo.model.params import text_column

__all__ = ["ALERT_COLUMNS", "NO_REGION", "alert_frame", "events", "split_keys"]

NO_REGION = "(no region)"
_SEP = "\x1f"  # between country and area in a key: never in a name

ALERT_COLUMNS: tuple[str, ...] = (
    "week",
    "week_start",
    "area",
    "iso3",
    "kind",
    "subject",
    "incidents",
    "event_ids",
    "value",
    "reference",
    "p_value",
    "why",
)
_REQUIRED = ("event_id", "event_date")


def events(joined: pd.DataFrame) -> pd.DataFrame:
    """One row per incident: ``event_id``, ``day``, ``monday``, ``key``, ``area``,
    ``iso3``, ``fatalities``, ``actor1``, ``actor2`` (index kept).

    Rows without a date are left out: they belong to no week.

    Raises
    ------
    ValueError
        When ``joined`` lacks ``event_id`` or ``event_date``.
    """
    missing = [c for c in _REQUIRED if c not in joined.columns]
    if missing:
        raise ValueError(f"the incident frame lacks column(s) {', '.join(missing)}")
    area = text_column(joined, "area").str.strip()
    own = text_column(joined, "area_iso3").str.strip()
    iso3 = own.where(own != "", text_column(joined, "iso3").str.strip())
    country = text_column(joined, "country").str.strip()
    country = country.where(country != "", iso3).where(lambda s: s != "", "Unknown country")
    label = area.where(area != "", country + " " + NO_REGION)
    day = pd.to_datetime(joined["event_date"]).dt.normalize()
    fatalities = (
        pd.to_numeric(joined["fatalities"], errors="coerce")
        if "fatalities" in joined
        else pd.Series(0, index=joined.index)
    )
    out = pd.DataFrame(
        {
            "event_id": joined["event_id"].astype("string"),
            "day": day,
            "monday": week_monday(day),
            "key": iso3 + _SEP + label,
            "area": label,
            "iso3": iso3,
            "fatalities": fatalities.fillna(0).astype("int64"),
            "actor1": text_column(joined, "actor1").str.strip(),
            "actor2": text_column(joined, "actor2").str.strip(),
        },
        index=joined.index,
    )
    return out[out["day"].notna()]


def alert_frame(rows: dict[str, object], kind: str) -> pd.DataFrame:
    """Alerts of one kind from column arrays (``key``, ``monday``, ``event_ids``, ...)."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=[*ALERT_COLUMNS, "key"])
    frame["kind"] = kind
    frame["iso3"], frame["area"] = split_keys(frame["key"])
    # Tuples, whatever the rule's groupby gave: hashable and the same on every run.
    ids = pd.Series([tuple(x) for x in frame["event_ids"]], index=frame.index, dtype=object)
    frame["event_ids"] = ids
    frame["incidents"] = ids.map(len)
    if "subject" not in frame:
        frame["subject"] = ""
    for column in ("value", "reference", "p_value"):
        if column not in frame:
            frame[column] = float("nan")
    return frame


def split_keys(keys: pd.Series) -> tuple[list[str], list[str]]:
    """Country codes and area labels of area keys."""
    pairs = [str(k).partition(_SEP) for k in keys]
    return [p[0] for p in pairs], [p[2] for p in pairs]
