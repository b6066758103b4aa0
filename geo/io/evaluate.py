"""Score report extraction against a hand-written key.

The evaluation corpus (``tests/data/eval/``, see its README) is a folder of
short reports and one ``key.json`` that says, for each report, its post date
and the incidents a careful analyst would code from it. :func:`evaluate`
runs :func:`geo.io.extract.report.extract_candidates` on every report with
its post date, pairs candidates with key incidents and counts:

* **found**: a key incident paired with a candidate of an allowed date whose
  place is right (within the key's tolerance of the key point, or inside the
  key's area at the key's precision);
* **right**: found, and the event type, the sub-event type (when keyed) and
  the fatalities (within the keyed range) agree;
* **unmatched**: candidates paired with no key incident (invented or split
  events).

Pairing is one-to-one and greedy: among all (incident, candidate) pairs that
agree on day and place, the closest pair is taken first, a right candidate
before a wrong one at the same distance. It is a measurement, not a gate:
every miss comes back with the reason it was missed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from geo.io.eval_key import (
    KEY_FILE,
    AreaKey,
    CorpusKeyError,
    KeyIncident,
    KeyReport,
    PointKey,
    destination_point,
    haversine_km,
    load_key,
    midpoint,
)
from geo.reference.names import fold

__all__ = [
    "KEY_FILE",
    "AreaKey",
    "Candidate",
    "CorpusKeyError",
    "Evaluation",
    "KeyIncident",
    "KeyReport",
    "Miss",
    "PointKey",
    "ReportScore",
    "candidates_from_frame",
    "destination_point",
    "evaluate",
    "faults",
    "haversine_km",
    "load_key",
    "match_report",
    "midpoint",
    "place_rank",
    "shipped_area_test",
]

# A candidate with no usable point can only stand for an area key that allows
# it; it ranks after every placed candidate.
_UNPLACED_RANK = 1.0e6


# --------------------------------------------------------------------------
# Candidates


@dataclass(frozen=True)
class Candidate:
    """What matching needs of one extracted candidate row."""

    date: dt.date | None
    lat: float | None
    lon: float | None
    precision: int | None
    iso3: str = ""
    location: str = ""
    country: str = ""
    event_type: str = ""
    sub_event_type: str = ""
    fatalities: int = 0
    sentence: str = ""

    @property
    def placed(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def country_only(self) -> bool:
        """Placed at a country's own point ("Mali"), not at a place in it."""
        return bool(self.location) and fold(self.location) in {fold(self.country), fold(self.iso3)}

    def label(self) -> str:
        where = self.location or "(no place)"
        day = self.date.isoformat() if self.date else "(no date)"
        return f"{day} {where}: {self.event_type} / {self.sub_event_type}, {self.fatalities} dead"


def _opt_float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def candidates_from_frame(frame: pd.DataFrame) -> list[Candidate]:
    """Candidates from :func:`extract_candidates` rows."""
    out = []
    for rec in frame.to_dict(orient="records"):
        day = rec.get("event_date")
        precision = rec.get("geo_precision")
        out.append(
            Candidate(
                date=None if day is None or pd.isna(day) else pd.Timestamp(day).date(),
                lat=_opt_float(rec.get("latitude")),
                lon=_opt_float(rec.get("longitude")),
                precision=None if precision is None or pd.isna(precision) else int(precision),
                iso3=str(rec.get("iso3") or ""),
                location=str(rec.get("location") or ""),
                country=str(rec.get("country") or ""),
                event_type=str(rec.get("event_type") or ""),
                sub_event_type=str(rec.get("sub_event_type") or ""),
                fatalities=int(rec.get("fatalities") or 0),
                sentence=str(rec.get("sentence") or ""),
            )
        )
    return out


# --------------------------------------------------------------------------
# Matching

AreaTest = Callable[[AreaKey, float, float], bool]
"""Whether a point (lat, lon) lies inside a key area."""


def shipped_area_test() -> AreaTest:
    """Area membership on the shipped admin-1 and country layers."""
    import shapely

    from geo.reference.boundaries import load_admin0, load_admin1

    admin1, admin0 = load_admin1(), load_admin0()
    shapes: dict[tuple[str, str], Any] = {}
    for row in admin1.itertuples():
        for name in [str(row.area), *str(row.aliases).split("|")]:
            if name:
                shapes.setdefault((str(row.iso3), fold(name)), row.geometry)
    for row in admin0.itertuples():
        shapes[(str(row.iso3), "")] = row.geometry

    def inside(area: AreaKey, lat: float, lon: float) -> bool:
        shape = shapes.get((area.iso3, fold(area.area)))
        if shape is None:
            raise CorpusKeyError(f"no shipped area {area.area or '(country)'} in {area.iso3}")
        return bool(shape.covers(shapely.Point(lon, lat)))

    return inside


def _area_rank(area: AreaKey, cand: Candidate, inside: AreaTest) -> float | None:
    usable = cand.placed and not (area.area and cand.country_only)
    if not usable:
        same_country = cand.iso3 in ("", area.iso3)
        return _UNPLACED_RANK if area.unplaced_ok and same_country else None
    assert cand.lat is not None and cand.lon is not None
    if not inside(area, cand.lat, cand.lon):
        return None
    if fold(cand.location) in area.names or (cand.precision or 1) >= area.precision:
        return 0.0
    return None


def place_rank(where: PointKey | AreaKey, cand: Candidate, inside: AreaTest) -> float | None:
    """Distance-like rank of a candidate's place for a key place; None if wrong."""
    if isinstance(where, AreaKey):
        return _area_rank(where, cand, inside)
    if not cand.placed:
        return None
    assert cand.lat is not None and cand.lon is not None
    km = haversine_km(where.lat, where.lon, cand.lat, cand.lon)
    return km if km <= where.km else None


def faults(incident: KeyIncident, cand: Candidate) -> list[tuple[str, str]]:
    """(kind, detail) for each way a found candidate differs from its key incident."""
    out = []
    if cand.event_type != incident.event_type:
        out.append(("event_type", f"type {cand.event_type!r}, key {incident.event_type!r}"))
    if incident.sub_event_type and cand.sub_event_type != incident.sub_event_type:
        detail = f"sub-event {cand.sub_event_type!r}, key {incident.sub_event_type!r}"
        out.append(("sub_event_type", detail))
    low, high = incident.fatalities
    if not low <= cand.fatalities <= high:
        span = f"{low}" if low == high else f"{low}-{high}"
        out.append(("fatalities", f"fatalities {cand.fatalities}, key {span}"))
    return out


@dataclass(frozen=True)
class Miss:
    """A key incident not found or not right, or a candidate that matched nothing."""

    report: str
    incident: str
    kind: str
    detail: str


@dataclass
class ReportScore:
    """The pairing of one report's candidates with its key."""

    name: str
    total: int
    candidates: list[Candidate]
    pairs: list[tuple[KeyIncident, Candidate]]
    misses: list[Miss]
    unmatched: list[Candidate]

    @property
    def found(self) -> int:
        return len(self.pairs)

    @property
    def right(self) -> int:
        return sum(1 for inc, cand in self.pairs if not faults(inc, cand))


def _pairs(
    incidents: Sequence[KeyIncident], cands: Sequence[Candidate], inside: AreaTest
) -> list[tuple[int, int]]:
    ranked = []
    for i, inc in enumerate(incidents):
        for j, cand in enumerate(cands):
            if cand.date is None or cand.date not in inc.dates:
                continue
            rank = place_rank(inc.where, cand, inside)
            if rank is not None:
                ranked.append((rank, bool(faults(inc, cand)), i, j))
    taken_i: set[int] = set()
    taken_j: set[int] = set()
    out = []
    for _, _, i, j in sorted(ranked):
        if i not in taken_i and j not in taken_j:
            taken_i.add(i)
            taken_j.add(j)
            out.append((i, j))
    return out


def _why_not_found(
    inc: KeyIncident, cands: Sequence[Candidate], inside: AreaTest, owner: dict[int, str]
) -> Miss:
    at_place = [j for j, c in enumerate(cands) if place_rank(inc.where, c, inside) is not None]
    on_day = [c for c in cands if c.date is not None and c.date in inc.dates]
    wanted = "/".join(d.isoformat() for d in inc.dates)
    taken = [owner[j] for j in at_place if j in owner and cands[j].date in inc.dates]
    if taken:
        detail = f"its only candidate on {wanted} at the place went to {', '.join(taken)}"
        return Miss("", inc.id, "merged", detail)
    if at_place:
        days = sorted({_day(cands[j]) for j in at_place})
        return Miss("", inc.id, "date", f"at the place but dated {', '.join(days)}, key {wanted}")
    if on_day:
        got = "; ".join(f"{c.location or '(no place)'}{_off(inc.where, c)}" for c in on_day)
        return Miss("", inc.id, "place", f"on {wanted} but placed at {got}")
    return Miss("", inc.id, "missed", f"no candidate on {wanted} or at the place")


def _day(cand: Candidate) -> str:
    return cand.date.isoformat() if cand.date else "no date"


def _off(where: PointKey | AreaKey, cand: Candidate) -> str:
    if cand.lat is None or cand.lon is None:
        return f" (country {cand.iso3})" if cand.iso3 else ""
    if isinstance(where, PointKey):
        km = haversine_km(where.lat, where.lon, cand.lat, cand.lon)
        return f" ({km:.0f} km off, tolerance {where.km:g})"
    area = f"{where.area} ({where.iso3})" if where.area else where.iso3
    return f" (precision {cand.precision}; key: {area} at precision {where.precision})"


def match_report(
    name: str,
    incidents: Sequence[KeyIncident],
    cands: Sequence[Candidate],
    inside: AreaTest,
) -> ReportScore:
    """Pair one report's candidates with its key incidents and list the misses."""
    pairs = _pairs(incidents, cands, inside)
    paired_i = {i for i, _ in pairs}
    paired_j = {j for _, j in pairs}
    misses = []
    owner = {j: incidents[i].id for i, j in pairs}
    for i, inc in enumerate(incidents):
        if i not in paired_i:
            miss = _why_not_found(inc, cands, inside, owner)
            misses.append(Miss(name, miss.incident, miss.kind, miss.detail))
    for i, j in pairs:
        for kind, detail in faults(incidents[i], cands[j]):
            misses.append(Miss(name, incidents[i].id, kind, detail))
    unmatched = [c for j, c in enumerate(cands) if j not in paired_j]
    return ReportScore(
        name=name,
        total=len(incidents),
        candidates=list(cands),
        pairs=[(incidents[i], cands[j]) for i, j in pairs],
        misses=misses,
        unmatched=unmatched,
    )


# --------------------------------------------------------------------------
# The corpus


@dataclass
class Evaluation:
    """Scores of a whole corpus."""

    reports: list[ReportScore]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.reports)

    @property
    def found(self) -> int:
        return sum(r.found for r in self.reports)

    @property
    def right(self) -> int:
        return sum(r.right for r in self.reports)

    @property
    def candidates(self) -> int:
        return sum(len(r.candidates) for r in self.reports)

    @property
    def unmatched(self) -> int:
        return sum(len(r.unmatched) for r in self.reports)

    @property
    def misses(self) -> list[Miss]:
        return [m for r in self.reports for m in r.misses]

    def miss_kinds(self) -> dict[str, int]:
        """How many misses of each kind (missed, place, date, event_type, ...)."""
        return dict(Counter(m.kind for m in self.misses).most_common())

    def summary(self) -> dict[str, Any]:
        """The headline figures as a JSON-ready dict."""
        n, reports = self.total, len(self.reports)
        return {
            "reports": reports,
            "incidents": n,
            "found": self.found,
            "found_pct": round(100 * self.found / n, 1) if n else 0.0,
            "right": self.right,
            "right_pct": round(100 * self.right / n, 1) if n else 0.0,
            "candidates": self.candidates,
            "unmatched": self.unmatched,
            "unmatched_per_report": round(self.unmatched / reports, 2) if reports else 0.0,
            "miss_kinds": self.miss_kinds(),
        }

    def to_dict(self) -> dict[str, Any]:
        """Figures, per-report scores, misses and unmatched candidates, JSON-ready."""
        return {
            **self.summary(),
            "per_report": [_report_dict(r) for r in self.reports],
            "misses": [asdict(m) for m in self.misses],
        }


def _report_dict(score: ReportScore) -> dict[str, Any]:
    n = len(score.candidates)
    return {
        "report": score.name,
        "incidents": score.total,
        "found": score.found,
        "right": score.right,
        "candidates": n,
        "unmatched": len(score.unmatched),
        "unmatched_ratio": round(len(score.unmatched) / n, 2) if n else 0.0,
        "unmatched_candidates": [c.label() for c in score.unmatched],
    }


Extractor = Callable[[str, dt.date], pd.DataFrame]
"""Report text and post date -> candidate rows (``extract_candidates``' columns)."""


def _default_extractor() -> Extractor:
    from geo.io.extract import extract_candidates
    from geo.reference.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()

    def run(text: str, post_date: dt.date) -> pd.DataFrame:
        return extract_candidates(text, post_date, gazetteer=gazetteer)

    return run


def evaluate(
    corpus_dir: str | Path,
    *,
    extract: Extractor | None = None,
    inside: AreaTest | None = None,
    only: Iterable[str] = (),
) -> Evaluation:
    """Run extraction on every report of a corpus and score it against the key.

    Parameters
    ----------
    corpus_dir : path-like
        A folder with ``key.json`` and the report files it names.
    extract : callable, optional
        ``(text, post_date) -> candidates``; the shipped extractor with the
        shipped gazetteer by default.
    inside : callable, optional
        Area membership test; :func:`shipped_area_test` by default.
    only : iterable of str, optional
        Report names to score (all when empty).

    Raises
    ------
    CorpusKeyError
        The key cannot be read, or names a report file that is not there.
    """
    folder = Path(corpus_dir)
    key = load_key(folder)
    wanted = set(only)
    if wanted - {r.name for r in key}:
        raise CorpusKeyError(f"not in the key: {', '.join(sorted(wanted - {r.name for r in key}))}")
    run = extract or _default_extractor()
    test = inside or shipped_area_test()
    scores = []
    for report in key:
        if wanted and report.name not in wanted:
            continue
        path = folder / report.name
        if not path.is_file():
            raise CorpusKeyError(f"{path}: report named in the key is missing")
        frame = run(path.read_text(encoding="utf-8"), report.post_date)
        scores.append(
            match_report(report.name, report.incidents, candidates_from_frame(frame), test)
        )
    return Evaluation(scores)
