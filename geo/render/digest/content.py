"""What a digest says, as plain blocks every format writes the same way.

The week's :class:`geo.analysis.watch.WeekDigest` becomes a title, a line
of figures and sections of paragraphs, items and tables. All text here is
plain and unescaped (report text is only folded onto one line); each writer
escapes it for its own format.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from geo.analysis.watch import WeekDigest
from geo.render.brief.text import clean, day_text, period_text

__all__ = [
    "KIND_LABELS",
    "MAX_INCIDENTS",
    "Document",
    "Item",
    "Section",
    "Table",
    "document",
    "incident_line",
]

KIND_LABELS: dict[str, str] = {
    "site": "Near a site",
    "spike": "Spike",
    "new_actor": "New actor",
    "fatalities": "Deadly incident",
    "quiet": "After a quiet spell",
}
MAX_INCIDENTS = 40  # the week's incidents listed in full; the rest are counted
MAX_NOTE = 280  # characters of an incident's notes shown


@dataclass(frozen=True)
class Item:
    """A bullet: a lead in bold, its text, and lines under it."""

    lead: str
    text: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """Columns, rows of text, and which columns are numbers (right-aligned)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]


@dataclass(frozen=True)
class Section:
    """A heading and what follows it: a note, items, a table."""

    title: str
    note: str = ""
    items: tuple[Item, ...] = ()
    table: Table | None = None


@dataclass(frozen=True)
class Document:
    """A whole digest."""

    title: str
    subtitle: str
    figures: str
    sections: tuple[Section, ...] = field(default_factory=tuple)
    generated: str = ""


def document(digest: WeekDigest, generated_at: dt.datetime | None = None) -> Document:
    """The digest of a week as text blocks."""
    sections = [_alerts(digest)]
    if digest.near is not None:
        sections.append(_near(digest))
    sections += [_changes(digest), _incidents(digest)]
    areas = digest.incidents["area"].nunique()
    figures = (
        f"{len(digest.incidents)} incident(s), {digest.fatalities} fatalit"
        f"{'y' if digest.fatalities == 1 else 'ies'}, in {areas} area(s); "
        f"{len(digest.alerts)} alert(s)."
    )
    return Document(
        title=f"What changed: week {digest.week}",
        subtitle=period_text(digest.start, digest.end),
        figures=figures,
        sections=tuple(sections),
        generated=f"Generated {generated_at:%d %b %Y %H:%M} UTC" if generated_at else "",
    )


def incident_line(row: pd.Series) -> str:
    """One incident in words: day, place, type, fatalities, actors."""
    place = clean(row.get("location", "")) or "unnamed place"
    where = ", ".join(p for p in (clean(row.get("area", "")), clean(row.get("country", ""))) if p)
    actors = " v ".join(
        p for p in (clean(row.get("actor1", "")), clean(row.get("actor2", ""))) if p
    )
    kind = clean(row.get("sub_event_type", "")) or clean(row.get("event_type", ""))
    dead = int(row.get("fatalities", 0) or 0)
    parts = [
        f"{day_text(pd.Timestamp(row['event_date']).date())}",
        f"{place} ({where})" if where and where != place else place,
        kind,
        f"{dead} killed" if dead else "no deaths reported",
    ]
    text = " · ".join(p for p in parts if p)
    return f"{text}. {actors}." if actors else f"{text}."


def _note(row: pd.Series) -> str:
    note = clean(row.get("notes", ""))
    return note if len(note) <= MAX_NOTE else note[: MAX_NOTE - 1].rstrip() + "…"


def _alerts(digest: WeekDigest) -> Section:
    if digest.alerts.empty:
        return Section("Alerts", note="No alert this week.")
    by_id = digest.incidents.set_index("event_id", drop=False)
    items = []
    for _, alert in digest.alerts.iterrows():  # one per alert: tens, not one per incident
        label = KIND_LABELS.get(str(alert["kind"]), str(alert["kind"]))
        subject = clean(alert["subject"])
        lead = f"{clean(alert['area'])}: {label}" + (f" ({subject})" if subject else "")
        details = tuple(
            f"{e}: {incident_line(by_id.loc[e])}" if e in by_id.index else str(e)
            for e in alert["event_ids"]
        )
        items.append(Item(lead, clean(alert["why"]), details))
    return Section("Alerts", items=tuple(items))


def _near(digest: WeekDigest) -> Section:
    near = digest.near
    assert near is not None
    if near.empty:
        return Section("Near our sites", note="No incident near a site this week.")
    items = tuple(
        Item(
            clean(row["where"]),
            f"{row['event_id']}: {day_text(pd.Timestamp(row['event_date']).date())} · "
            f"{clean(row['location'])} · {clean(row['event_type'])} · "
            f"{int(row['fatalities'])} killed"
            + (" · inside the site's radius" if row["within_radius"] else ""),
        )
        for _, row in near.iterrows()
    )
    return Section("Near our sites", items=items)


def _changes(digest: WeekDigest) -> Section:
    table = digest.changes
    if table.empty:
        return Section("Top areas by change", note="No incident this week or in the baseline.")
    rows = tuple(
        (
            clean(r["area"]),
            str(r["iso3"]),
            f"{int(r['incidents'])}",
            f"{r['baseline']:.2f}",
            f"{r['change']:+.2f}",
            "–" if math.isnan(r["change_pct"]) else f"{r['change_pct']:+.0f} %",
            f"{int(r['fatalities'])}",
        )
        for _, r in table.iterrows()
    )
    return Section(
        "Top areas by change",
        note="Incidents this week against the mean of the previous 12 weeks.",
        table=Table(
            ("Area", "Country", "Incidents", "Baseline", "Change", "Change %", "Fatalities"),
            rows,
            (False, False, True, True, True, True, True),
        ),
    )


def _incidents(digest: WeekDigest) -> Section:
    listed = digest.incidents.head(MAX_INCIDENTS)
    if listed.empty:
        return Section("Incidents of the week", note="No incident this week.")
    items = tuple(
        Item(str(row["event_id"]), incident_line(row), (_note(row),) if _note(row) else ())
        for _, row in listed.iterrows()
    )
    more = len(digest.incidents) - len(listed)
    note = (
        f"Most fatalities first; {more} more not listed." if more > 0 else "Most fatalities first."
    )
    return Section("Incidents of the week", note=note, items=items)
