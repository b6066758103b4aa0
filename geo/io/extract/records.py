"""Candidates as table rows: schema columns, confidence with reasons, and provenance.

Each candidate becomes a row of :data:`CANDIDATE_COLUMNS`: the incident
schema as far as the text allows, plus what the extractor found out about
it (:data:`PROVENANCE_COLUMNS`: confidence, why, what is unresolved, the
sentence). Helpers here take reviewed rows back towards the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from geo.io.extract.candidates import Candidate
from geo.io.extract.events import ONGOING
from geo.io.extract.places import GazetteerLike, PlaceMention
from geo.io.extract.roles import actor_pair, attribution_note
from geo.io.numbering import number_blank, scheme_of
from geo.model.schema import CIVILIAN_TARGETING, COLUMNS, Problem, validate_frame
from geo.reference.countries import country_name

# What the extractor found out about a candidate rather than what it claims
# happened: shown to the analyst for review, never edited.
PROVENANCE_COLUMNS: tuple[str, ...] = (
    "confidence",
    "why",
    "unresolved",
    "sentence",
    "context",
    "post_title",
    "post_date",
    "paragraph",
)
CANDIDATE_COLUMNS: tuple[str, ...] = (
    *COLUMNS,
    "civilian_targeting",
    "injuries",
    *PROVENANCE_COLUMNS,
)

_PLACE_GAIN = {"sentence": 0.3, "neighbour": 0.2, "previous": 0.15, "country": 0.1}
_PLACE_WHERE = {
    "sentence": "in the sentence",
    "neighbour": "in a following sentence",
    "previous": "from the previous incident",
    "country": "(country-level)",
}
_DATE_GAIN = {1: 0.25, 2: 0.15, 3: 0.1}


class _Confidence:
    """A score built up reason by reason, in the order the analyst reads them."""

    def __init__(self) -> None:
        self.score = 0.0
        self.why: list[str] = []
        self.unresolved: list[str] = []

    def add(self, gain: float, reason: str) -> None:
        self.score += gain
        self.why.append(reason)

    def value(self) -> float:
        return round(min(max(self.score, 0.0), 1.0), 2)


def _assume_post_week(cand: Candidate) -> None:
    """Date a candidate whose text states no date at all by its post, flagged.

    In a dated update ("MENA Update (16 February 2013)") the post reports
    its week: the post's date at week precision (the store's convention).
    Otherwise a report that gives no date is taken to report its own day
    (the post date, at week precision, flagged), unless the sentence
    describes a standing situation ("have occupied").
    """
    if cand.date is not None or cand.date_note or cand.post.date is None:
        return
    if cand.post.title:
        cand.date, cand.time_precision, cand.date_how = cand.post.date, 2, "post"
        cand.date_note = "no date stated: the post's week assumed"
        return
    if cand.lang == "en" and ONGOING.search(cand.segment):
        return
    cand.date, cand.time_precision, cand.date_how = cand.post.date, 2, "post"
    cand.date_note = "no date stated: the post date assumed"


def _score_trigger(conf: _Confidence, cand: Candidate) -> None:
    if cand.trigger.priority >= 0:
        conf.add(0.25, f"event words '{cand.trigger.text}' (+0.25)")
    else:
        conf.add(0.1, f"only general event words '{cand.trigger.text}' (+0.10)")


def _score_place(conf: _Confidence, place: PlaceMention, how: str) -> int:
    """Score a gazetteer place; returns its geo_precision ("near X" is at best 2)."""
    result = place.result
    geo_precision = int(result.geo_precision)
    if place.near:
        geo_precision = max(geo_precision, 2)
    gain = _PLACE_GAIN.get(how, 0.1)
    if geo_precision == 3:
        gain -= 0.05
    conf.add(gain, f"place {place.text} {_PLACE_WHERE.get(how, '')} (+{gain:.2f})")
    if getattr(result, "ambiguous", False):
        conf.add(-0.1, "ambiguous place name (-0.10)")
        conf.unresolved.append(f"place name '{place.text}' is ambiguous: check the coordinates")
    conf.unresolved += place.flags  # how the extractor placed it where it could not be sure
    return geo_precision


def _score_no_place(conf: _Confidence, cand: Candidate, country: str) -> None:
    for name in cand.missing_places:
        conf.unresolved.append(f"place '{name}' not found in the gazetteer")
    if country:
        conf.unresolved.append(f"no place named (only the country, {country})")
        conf.add(0.05, "country only (+0.05)")
    else:
        conf.unresolved.append("no place named")


def _score_date(conf: _Confidence, cand: Candidate) -> None:
    if cand.date_how == "post":
        conf.add(0.05, "no date stated, the post's week (+0.05)")
        conf.unresolved.append(cand.date_note)
    elif cand.date is not None:
        gain = _DATE_GAIN.get(cand.time_precision or 1, 0.1)
        if cand.date_how in ("relative", "neighbour"):
            gain -= 0.05
        conf.add(gain, f"date from '{cand.date_how}' (+{gain:.2f})")
    else:
        note = f" ({cand.date_note})" if cand.date_note else ""
        conf.unresolved.append("date not resolved" + note)


def _score_details(conf: _Confidence, cand: Candidate, actors: tuple[str, str]) -> None:
    if cand.fatalities is not None or cand.injuries is not None:
        conf.add(0.1, "casualty figures stated (+0.10)")
    if any(actors):
        conf.add(0.05, "actor named (+0.05)")
    if cand.generic:
        conf.add(-0.15, "reads like a general statement (-0.15)")


# Linked sentences kept in the notes beside the event's own clause: enough to
# say where and who; the review table still shows every linked sentence.
_NOTE_CONTEXT = 2


def _own_text(cand: Candidate) -> str:
    """The event's own words: its clause of the sentence, then its linked sentences.

    A sentence may report two events ("five died in car bombings ... one day
    after fierce battles ... killed twenty"): each candidate keeps its own
    clause (``segment``), so the notes of the battle do not describe the
    bombing. The sentences the extractor linked to the event (``context``)
    follow, up to :data:`_NOTE_CONTEXT`.
    """
    own = " ".join(cand.segment.split()) or cand.sentence
    if own and own[0].islower():
        own = own[0].upper() + own[1:]
    if own and own[-1] not in ".!?\"'\u201d\u2019)":
        own += "."  # a clause cut from its sentence still reads as one
    extra = [c for c in cand.context[:_NOTE_CONTEXT] if c and c not in own]
    return " ".join([own, *extra])


def _notes(cand: Candidate) -> str:
    """The event's own text, with what the extractor assumed about it in brackets."""
    extra = [*cand.figure_notes, *cand.casualties.summary()]
    attribution = attribution_note(cand.actors, cand.unidentified)
    if attribution:
        extra.append(attribution)
    if cand.fatalities is None:
        extra.append("no deaths stated")
    if cand.injuries:
        extra.append(f"injuries: {cand.injuries}")
    if cand.date_note and cand.date is not None:
        extra.append(cand.date_note)
    if cand.place is not None and cand.place.near:
        extra.append(f"near {cand.place.text}: geo_precision 2")
    if cand.place is not None and cand.place.how:
        extra.append(cand.place.how)  # how the point was made (offset, region, country)
    return _own_text(cand) + (" [extraction: " + "; ".join(extra) + "]" if extra else "")


# "Mali Security Update (22 February 2013)": the date in a post's title.
_TITLE_DATE = re.compile(
    r"\s*[(\[]?\s*\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+\.?\s+\d{4}\s*[)\]]?\s*$"
)


def _source_label(cand: Candidate, source: str | None, publisher: str = "") -> str:
    """ "Publisher, title, date", as the store's sources read ("MS Risk Blog, Mali
    Security Update, 22 February 2013"); the file name stands in for a missing title."""
    title = _TITLE_DATE.sub("", cand.post.title or "").strip(" -\u2013\u2014,")
    parts = [publisher, title or source or "report"]
    if cand.post.date is not None:
        parts.append(f"{cand.post.date.day} {cand.post.date:%B %Y}")
    return ", ".join(p for i, p in enumerate(parts) if p and p not in parts[:i])


def report_publisher(text: str, titles: Iterable[str] = ()) -> str:
    r"""The publisher a report file names on its first line ("MS Risk Blog"), or "".

    Only a short first line that is neither prose nor a post's title counts:
    a name, no digits, no closing punctuation, at most six words.

    >>> report_publisher("MS Risk Blog\n\nMali Security Update (22 February 2013)\n\nText.")
    'MS Risk Blog'
    >>> report_publisher("Gunmen attacked Gao on Friday.")
    ''
    """
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    words = first.split()
    if (
        not 0 < len(words) <= 6
        or re.search(r"\d|[.!?:;,\"\u201d]$", first)
        or first in set(titles)
        or not first[0].isupper()
    ):
        return ""
    return first


def _place_fields(result: Any) -> dict[str, Any]:
    if result is None:
        return {"admin1": "", "location": "", "latitude": float("nan"), "longitude": float("nan")}
    return {
        "admin1": str(getattr(result, "admin1", "") or ""),
        "location": str(result.name),
        "latitude": float(result.latitude),
        "longitude": float(result.longitude),
    }


def _row(cand: Candidate, source: str | None, publisher: str = "") -> dict[str, Any]:
    """The candidate as a row of :data:`CANDIDATE_COLUMNS`, scored."""
    _assume_post_week(cand)
    place = cand.place
    result = place.result if place is not None else None
    iso3 = place.iso3 if place is not None else cand.country_iso3
    country = country_name(iso3) if iso3 else ""
    conf = _Confidence()
    _score_trigger(conf, cand)
    geo_precision: int | None = None
    if result is not None and place is not None:
        geo_precision = _score_place(conf, place, cand.place_how)
    else:
        _score_no_place(conf, cand, country)
    _score_date(conf, cand)
    conf.unresolved += cand.flags
    actor1, actor2 = actor_pair(
        cand.actors, cand.event_type, cand.civilian, country, cand.unidentified
    )
    _score_details(conf, cand, (actor1, actor2))
    fields = _place_fields(result)
    if place is not None and result is None and not place.country_only:
        fields["location"] = place.text  # a place the gazetteer lacks keeps its name
    # ACLED's flag: violence against civilians always targets them; an
    # explosion does when civilians were what it hit.
    victims = cand.event_type == "Violence against civilians" or (
        cand.civilian and cand.event_type == "Explosions/Remote violence"
    )
    return {
        "event_id": "",
        "event_date": pd.Timestamp(cand.date) if cand.date else pd.NaT,
        "time_precision": cand.time_precision if cand.date else None,
        "event_type": cand.event_type,
        "sub_event_type": cand.sub_event_type,
        "actor1": actor1,
        "actor2": actor2,
        "country": country,
        "iso3": iso3,
        "admin1": fields["admin1"],
        "admin2": "",
        "location": fields["location"],
        "latitude": fields["latitude"],
        "longitude": fields["longitude"],
        "geo_precision": geo_precision,
        "fatalities": cand.fatalities if cand.fatalities is not None else 0,
        "source": _source_label(cand, source, publisher),
        "notes": _notes(cand),
        "civilian_targeting": CIVILIAN_TARGETING if victims else "",
        "injuries": cand.injuries if cand.injuries is not None else 0,
        "confidence": conf.value(),
        "why": "; ".join(conf.why),
        "unresolved": "; ".join(conf.unresolved),
        "sentence": cand.sentence,
        "context": " ".join(cand.context),
        "post_title": cand.post.title,
        "post_date": pd.Timestamp(cand.post.date) if cand.post.date else pd.NaT,
        "paragraph": cand.paragraph,
    }


def candidates_frame(
    candidates: list[Candidate], source: str | None, publisher: str = ""
) -> pd.DataFrame:
    """The table of candidates, one row each, typed for review and appending."""
    return _frame([_row(c, source, publisher) for c in candidates])


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS))
    for col in ("event_date", "post_date"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    for col in ("time_precision", "geo_precision", "fatalities", "injuries", "paragraph"):
        frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    for col in ("latitude", "longitude", "confidence"):
        frame[col] = frame[col].astype("float64")
    text_cols = [c for c in CANDIDATE_COLUMNS if frame[c].dtype == object]
    for col in text_cols:
        frame[col] = frame[col].astype("string").fillna("")
    return frame


def candidates_to_incidents(candidates: pd.DataFrame) -> pd.DataFrame:
    """The schema part of candidate rows (what the store keeps), ready to append."""
    keep = [*COLUMNS, "civilian_targeting"]
    return candidates[[c for c in keep if c in candidates.columns]].copy()


def store_style_ids(rows: pd.DataFrame, existing: pd.Series) -> pd.Series:
    """``event_id`` for new rows in the store's own scheme, numbered on from its highest.

    When most of the store's ids are a country code and a number (MLI0001,
    DZA0001), a row without an id gets its country's next one (MLI0042
    after MLI0041), with the store's digit count. Rows that have an id,
    rows without ``iso3``, and stores with another scheme keep what they
    have (the store then gives its own ``GEO-`` ids). An audited append
    leaves the numbering to the store, under its lock
    (:mod:`geo.io.numbering`).

    >>> new = pd.DataFrame({"event_id": ["", "", "X1"], "iso3": ["MLI", "DZA", "MLI"]})
    >>> store_style_ids(new, pd.Series(["MLI0001", "MLI0041", "DZA0001"])).tolist()
    ['MLI0042', 'DZA0002', 'X1']
    """
    # The stores' own rule (ids like ACLED's event_id_cnty), which they number by under their lock.
    return number_blank(rows, scheme_of(existing))


def candidates_to_records(candidates: pd.DataFrame) -> list[dict[str, Any]]:
    """Candidates as JSON-ready dicts (dates as YYYY-MM-DD, missing values as None)."""
    out = candidates.copy()
    for col in ("event_date", "post_date"):
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    records = out.astype(object).where(out.notna(), None).to_dict(orient="records")
    for record in records:
        record["unresolved"] = [u for u in str(record["unresolved"] or "").split("; ") if u]
    return records


def check_candidates(candidates: pd.DataFrame) -> list[Problem]:
    """Validation problems of candidate rows as they would be stored.

    ``row`` in each problem is the candidate's position + 1 (the number the
    review table shows), so the analyst can find and fix it. ``event_id``
    may be empty: the store assigns one.
    """
    from geo.io.store import to_csv_frame

    text = to_csv_frame(candidates_to_incidents(candidates).reset_index(drop=True))
    text["event_id"] = [f"candidate {i + 1}" for i in range(len(text))]
    return [
        Problem(p.file, p.row - 1, p.column, p.value, p.expected)
        for p in validate_frame(text, file="candidate")
    ]


def fill_coordinates(candidates: pd.DataFrame, gazetteer: GazetteerLike) -> pd.DataFrame:
    """Place rows that have a location name but no coordinates, using the gazetteer.

    Rows that already have coordinates are left as they are; rows whose name
    the gazetteer does not know keep empty coordinates. The country (ISO3)
    of the row, when set, restricts the lookup.
    """
    out = candidates.copy()
    todo = out["latitude"].isna() & (out["location"].astype("string").fillna("").str.strip() != "")
    for i in out.index[todo]:
        iso3 = str(out.at[i, "iso3"] or "")
        result = gazetteer.lookup(str(out.at[i, "location"]), country=iso3 or None)
        if result is None:
            continue
        out.at[i, "latitude"] = float(result.latitude)
        out.at[i, "longitude"] = float(result.longitude)
        out.at[i, "location"] = str(result.name)
        out.at[i, "iso3"] = str(result.iso3)
        out.at[i, "country"] = country_name(str(result.iso3)) or out.at[i, "country"]
        out.at[i, "admin1"] = str(result.admin1 or "")
        if pd.isna(out.at[i, "geo_precision"]):
            out.at[i, "geo_precision"] = int(result.geo_precision)
    return out
