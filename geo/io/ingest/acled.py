"""ACLED export CSV -> incident rows.

ACLED's columns are the model our schema keeps, so most map one to one. The
rules (also in ``docs/ingest.md``):

* ``event_id_cnty`` -> ``event_id`` and ``origin_id`` = ``acled:<event_id_cnty>``.
* ``event_date``: ``YYYY-MM-DD`` or ACLED's ``22 February 2013`` style.
* ``time_precision``, ``geo_precision``, ``event_type``, ``sub_event_type``,
  ``actor1``, ``actor2``, ``country``, ``admin1``, ``admin2``, ``location``,
  ``latitude``, ``longitude``, ``fatalities``, ``source``, ``notes``,
  ``civilian_targeting``: copied as they are (then validated).
* ``iso`` (ISO 3166-1 numeric) -> ``iso3``; where it is unknown, ``country``
  is looked up by name.
* ``assoc_actor_1`` / ``assoc_actor_2`` are appended to ``notes`` as
  "[assoc_actor_1: ...]" so they are not lost.
* ``year``, ``disorder_type``, ``inter1``, ``inter2``, ``interaction``,
  ``region``, ``admin3``, ``source_scale``, ``tags``, ``timestamp`` are not
  stored (derivable or ACLED-internal).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from geo.io.ingest._common import (
    ImportResult,
    empty_mapped,
    finish,
    parse_day,
    require_columns,
    text,
)
from geo.io.ingest.limits import read_capped_csv
from geo.reference.countries import iso3_from_name, iso3_from_number

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
ACLED_REQUIRED: tuple[str, ...] = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
    "actor1", "actor2", "country", "location", "latitude", "longitude", "geo_precision",
    "source", "fatalities",
)  # fmt: skip

_COPY = (
    "time_precision", "event_type", "sub_event_type", "actor1", "actor2", "country",
    "admin1", "admin2", "location", "latitude", "longitude", "geo_precision", "fatalities",
    "source", "civilian_targeting",
)  # fmt: skip
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%Y-%m-%d %H:%M:%S")


def map_acled(source: pd.DataFrame) -> pd.DataFrame:
    """Map ACLED rows (text cells) to schema text rows, same order."""
    out = empty_mapped(len(source))
    out.index = source.index
    ids = text(source, "event_id_cnty")
    out["event_id"] = ids
    out["origin_id"] = ("acled:" + ids).where(ids != "", "")
    out["event_date"] = parse_day(text(source, "event_date"), DATE_FORMATS)
    for col in _COPY:
        out[col] = text(source, col)
    country = text(source, "country")
    iso = text(source, "iso")
    by_number = iso.map({v: _iso3_of_code(v) for v in iso.unique()})
    by_name = country.map({v: iso3_from_name(v) for v in country.unique()})
    out["iso3"] = by_number.where(by_number != "", by_name).astype("string")
    notes = text(source, "notes")
    for col in ("assoc_actor_1", "assoc_actor_2"):
        assoc = text(source, col)
        tag = ("[" + col + ": " + assoc + "]").where(assoc != "", "")
        notes = (notes + " " + tag).where(tag != "", notes).str.strip()
    out["notes"] = notes
    return out


def _iso3_of_code(code: str) -> str:
    """ISO3 of an ISO 3166-1 numeric code, "" unless the cell is such a code.

    Only whole numbers of up to three digits are looked up: "1e400" or "inf"
    would overflow the conversion to an integer, and no such code exists.
    """
    return iso3_from_number(code) if re.fullmatch(r"\d{1,3}(\.0*)?", code) else ""


def import_acled(path: str | os.PathLike[str]) -> ImportResult:
    """Read an ACLED export CSV and map it onto the incident schema.

    Raises
    ------
    IncidentFileError
        When the file cannot be read or lacks an ACLED column we need.
    """
    file = str(Path(path))
    source = read_capped_csv(path)
    require_columns(source, ACLED_REQUIRED, file, "ACLED")
    mapped = map_acled(source)
    column_map = {c: c for c in _COPY} | {
        "event_id": "event_id_cnty",
        "event_date": "event_date",
        "iso3": "iso",
        "notes": "notes",
        "origin_id": "event_id_cnty",
    }
    return finish(file, "acled", source, mapped, [], column_map)
