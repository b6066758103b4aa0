"""The evaluation key: what a careful analyst codes from each corpus report.

``key.json`` (format in ``tests/data/eval/README.md``) holds, per report
file, the post date and the incidents: allowed dates, a place (a point with
a tolerance in km, or an admin-1 area or country known only at precision 3),
event and sub-event type, and a fatalities range. Every place carries the
source of its coordinates. :mod:`geo.io.evaluate` scores extraction against it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.reference.names import fold

__all__ = [
    "KEY_FILE",
    "AreaKey",
    "CorpusKeyError",
    "KeyIncident",
    "KeyReport",
    "PointKey",
    "destination_point",
    "haversine_km",
    "load_key",
    "midpoint",
]

KEY_FILE = "key.json"
EARTH_RADIUS_KM = 6371.0088


class CorpusKeyError(ValueError):
    """The key file cannot be used; the message names the report and the field."""


# --------------------------------------------------------------------------
# Geometry helpers (also used to check the key's derived points)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a sphere of the mean Earth radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def destination_point(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """The point ``km`` away from (lat, lon) on the initial bearing (degrees from north)."""
    d = km / EARTH_RADIUS_KM
    p1, l1, b = math.radians(lat), math.radians(lon), math.radians(bearing)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return round(math.degrees(p2), 5), round(math.degrees(l2), 5)


def midpoint(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    """The great-circle midpoint of two points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    l1, dl = math.radians(lon1), math.radians(lon2 - lon1)
    bx, by = math.cos(p2) * math.cos(dl), math.cos(p2) * math.sin(dl)
    p3 = math.atan2(math.sin(p1) + math.sin(p2), math.sqrt((math.cos(p1) + bx) ** 2 + by**2))
    l3 = l1 + math.atan2(by, math.cos(p1) + bx)
    return round(math.degrees(p3), 5), round(math.degrees(l3), 5)


# --------------------------------------------------------------------------
# The key


@dataclass(frozen=True)
class PointKey:
    """The incident happened within ``km`` of (lat, lon)."""

    lat: float
    lon: float
    km: float
    source: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class AreaKey:
    """The incident is known only to an admin-1 area (or, ``area == ""``, a country).

    A candidate is right when its point lies in the area and it claims no
    more than the key knows (``geo_precision >= precision``), or when it is
    a place the key names (``names``: the village itself, should a gazetteer
    learn it). ``unplaced_ok``: a candidate left without a place is right too.
    """

    iso3: str
    area: str = ""
    precision: int = 3
    names: tuple[str, ...] = ()
    unplaced_ok: bool = False
    source: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class KeyIncident:
    """One incident a report describes, as an analyst would code it."""

    id: str
    dates: tuple[dt.date, ...]
    where: PointKey | AreaKey
    event_type: str
    sub_event_type: str | None
    fatalities: tuple[int, int]
    note: str = ""


@dataclass(frozen=True)
class KeyReport:
    """One report of the corpus and its key."""

    name: str
    post_date: dt.date
    incidents: tuple[KeyIncident, ...]
    meta: dict[str, Any] = field(default_factory=dict, compare=False)


def _date(value: object, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CorpusKeyError(f"{where}: not a YYYY-MM-DD date: {value!r}") from None


def _where(spec: Any, where: str) -> PointKey | AreaKey:
    if not isinstance(spec, dict):
        raise CorpusKeyError(f"{where}: 'where' must be an object")
    source = spec.get("source")
    if not source or not isinstance(source, dict):
        raise CorpusKeyError(f"{where}: every key place needs a 'source' object")
    if "lat" in spec:
        lat, lon, km = float(spec["lat"]), float(spec["lon"]), float(spec.get("km", 0))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or km <= 0:
            raise CorpusKeyError(f"{where}: bad point or tolerance {lat}, {lon}, {km} km")
        return PointKey(lat, lon, km, source)
    if "iso3" not in spec:
        raise CorpusKeyError(f"{where}: 'where' needs lat/lon/km or iso3 (and area)")
    return AreaKey(
        iso3=str(spec["iso3"]),
        area=str(spec.get("area", "")),
        precision=int(spec.get("precision", 3)),
        names=tuple(fold(n) for n in spec.get("names", ())),
        unplaced_ok=bool(spec.get("unplaced_ok", False)),
        source=source,
    )


def _incident(spec: dict[str, Any], where: str) -> KeyIncident:
    ident = str(spec.get("id", ""))
    where = f"{where} {ident}".strip()
    for name in ("id", "date", "where", "event_type", "fatalities"):
        if name not in spec:
            raise CorpusKeyError(f"{where}: missing '{name}'")
    dates = [_date(spec["date"], where)] + [_date(d, where) for d in spec.get("dates", ())]
    low, high = (int(n) for n in spec["fatalities"])
    if not 0 <= low <= high:
        raise CorpusKeyError(f"{where}: fatalities range must be [min, max] with 0 <= min <= max")
    return KeyIncident(
        id=ident,
        dates=tuple(dict.fromkeys(dates)),
        where=_where(spec["where"], where),
        event_type=str(spec["event_type"]),
        sub_event_type=spec.get("sub_event_type") or None,
        fatalities=(low, high),
        note=str(spec.get("note", "")),
    )


def load_key(corpus_dir: str | Path) -> list[KeyReport]:
    """Read ``key.json`` of a corpus folder, in report-name order.

    Raises
    ------
    CorpusKeyError
        The file is missing or not valid JSON, or an entry lacks a field or
        has a bad value (the message names the report and incident).
    """
    path = Path(corpus_dir) / KEY_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusKeyError(f"{path}: no key file") from None
    except json.JSONDecodeError as exc:
        raise CorpusKeyError(f"{path}: not valid JSON ({exc})") from None
    reports = data.get("reports") if isinstance(data, dict) else None
    if not isinstance(reports, dict):
        raise CorpusKeyError(f"{path}: expected an object with 'reports'")
    out = []
    for name in sorted(reports):
        entry = reports[name]
        incidents = tuple(_incident(s, name) for s in entry.get("incidents", ()))
        meta = {k: v for k, v in entry.items() if k not in ("post_date", "incidents")}
        out.append(KeyReport(name, _date(entry.get("post_date"), name), incidents, meta))
    return out
