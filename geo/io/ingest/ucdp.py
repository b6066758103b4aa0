"""UCDP Georeferenced Event Dataset (GED) CSV -> incident rows.

UCDP GED is licensed CC BY 4.0; keep the attribution in ``source``. The
rules (also in ``docs/ingest.md``):

* ``id`` -> ``origin_id`` = ``ucdp:<id>``; ``event_id`` is left empty and the
  store assigns a fresh one.
* ``date_start`` -> ``event_date``; ``date_prec`` -> ``time_precision``:
  1 -> 1 (day), 2 (2-6 day range) and 3 (week) -> 2, 4 (8-30 days / month)
  -> 3. 5 (known only within more than a month or a year) is rejected by
  default: our coarsest precision is a month.
* ``where_prec`` -> ``geo_precision``: 1 -> 1, 2 -> 2, 3-5 (admin-2,
  admin-1, larger area) -> 3. 6 (country) and 7 (water or airspace) are
  rejected by default: a country centroid would be counted in whichever
  region it falls in.
  ``vague="keep"`` codes both 5-date and 6/7-place rows at precision 3
  instead, with the reason in ``notes``.
* ``type_of_violence``: 1 (state-based) and 2 (non-state) -> Battles /
  Armed clash; 3 (one-sided) -> Violence against civilians / Attack with
  ``civilian_targeting``.
* ``side_a`` -> ``actor1``, ``side_b`` -> ``actor2``, through the actor
  dictionary; "Government of X" becomes "Military Forces of X" when the
  dictionary has no entry (UCDP names the state, ACLED its forces).
* ``best`` -> ``fatalities``; ``low`` / ``high`` -> ``fatalities_low`` /
  ``fatalities_high``.
* ``adm_1`` / ``adm_2`` -> ``admin1`` / ``admin2`` as stated;
  ``where_coordinates`` -> ``location``; ``country`` -> ``country`` and
  ``iso3``.
* ``source_office`` and ``source_date`` -> ``source``; ``source_headline``,
  ``where_description``, the deaths by side and the dyad -> ``notes``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from geo.io.extract.actors import ActorDictionary, load_actors
from geo.io.ingest._common import (
    ImportResult,
    empty_mapped,
    finish,
    mask_problems,
    parse_day,
    require_columns,
    text,
)
from geo.io.ingest.limits import read_capped_csv
from geo.model.schema import CIVILIAN_TARGETING, Problem
from geo.reference.countries import iso3_from_name

UCDP_COLUMNS: tuple[str, ...] = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence",
    "conflict_dset_id", "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id",
    "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id",
    "side_b_new_id", "side_b", "number_of_sources", "source_article", "source_office",
    "source_date", "source_headline", "source_original", "where_prec", "where_coordinates",
    "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec",
    "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
    "best", "high", "low", "gwnoa", "gwnob",
)  # fmt: skip
UCDP_REQUIRED: tuple[str, ...] = (
    "id", "type_of_violence", "side_a", "side_b", "where_prec", "latitude", "longitude",
    "country", "date_prec", "date_start", "best",
)  # fmt: skip

WHERE_PREC = {"1": "1", "2": "2", "3": "3", "4": "3", "5": "3"}
DATE_PREC = {"1": "1", "2": "2", "3": "2", "4": "3"}
VIOLENCE = {
    "1": ("Battles", "Armed clash", "state-based"),
    "2": ("Battles", "Armed clash", "non-state"),
    "3": ("Violence against civilians", "Attack", "one-sided"),
}


def _actor_names(sides: pd.Series, country: pd.Series, actors: ActorDictionary) -> pd.Series:
    """Canonical actor names for UCDP side names (vectorized over unique pairs)."""
    pairs = pd.DataFrame({"side": sides, "country": country})
    lookup: dict[tuple[str, str], str] = {}
    for side, ctry in pairs.drop_duplicates().itertuples(index=False):
        actor = actors.canonical(side)
        if actor is not None:
            name = actor.label(ctry)
        elif side.startswith("Government of "):
            name = "Military Forces of " + side.removeprefix("Government of ")
        else:
            name = side
        lookup[(side, ctry)] = name
    keys = pd.Series(list(zip(pairs["side"], pairs["country"], strict=True)), index=sides.index)
    return keys.map(lookup).astype("string")


def _joined(parts: list[pd.Series], sep: str = " | ") -> pd.Series:
    out = parts[0]
    for part in parts[1:]:
        both = (out != "") & (part != "")
        out = (out + pd.Series(np.where(both, sep, ""), index=out.index) + part).astype("string")
    return out


def map_ucdp(
    source: pd.DataFrame,
    file: str,
    actors: ActorDictionary | None = None,
    vague: Literal["reject", "keep"] = "reject",
) -> tuple[pd.DataFrame, list[Problem]]:
    """Map UCDP GED rows (text cells) to schema text rows, plus mapping problems."""
    actors = actors if actors is not None else load_actors()
    out = empty_mapped(len(source))
    out.index = source.index
    ids = text(source, "id")
    out["origin_id"] = ("ucdp:" + ids).where(ids != "", "")
    start = text(source, "date_start").str.slice(0, 10)
    out["event_date"] = parse_day(start, ("%Y-%m-%d",))
    problems, vague_notes = _fill_precisions(source, out, file, vague)
    problems += _fill_event_types(source, out, file)
    _fill_places_and_actors(source, out, actors)
    out["fatalities"] = text(source, "best")
    out["fatalities_low"] = text(source, "low")
    out["fatalities_high"] = text(source, "high")
    out["source"] = _source_text(source)
    out["notes"] = _notes(source, vague_notes)
    return out, problems


def _fill_precisions(
    source: pd.DataFrame, out: pd.DataFrame, file: str, vague: Literal["reject", "keep"]
) -> tuple[list[Problem], pd.Series]:
    """Set ``time_precision`` / ``geo_precision`` of ``out`` from ``date_prec`` / ``where_prec``.

    Returns the problems (unknown codes, and vague ones unless kept) and,
    per row, the note saying a kept vague code was coded 3.
    """
    date_prec = text(source, "date_prec")
    out["time_precision"] = date_prec.map(DATE_PREC).astype("string").fillna("")
    problems = mask_problems(
        file,
        ~date_prec.isin([*DATE_PREC, "5"]),
        source,
        "date_prec",
        "expected a UCDP date_prec of 1-5",
    )
    where_prec = text(source, "where_prec")
    out["geo_precision"] = where_prec.map(WHERE_PREC).astype("string").fillna("")
    problems += mask_problems(
        file,
        ~where_prec.isin([*WHERE_PREC, "6", "7"]),
        source,
        "where_prec",
        "expected a UCDP where_prec of 1-7",
    )
    vague_date = date_prec == "5"
    vague_place = where_prec.isin(["6", "7"])
    if vague == "keep":
        out.loc[vague_date, "time_precision"] = "3"
        out.loc[vague_place, "geo_precision"] = "3"
        return problems, _vague_notes(vague_date, vague_place, where_prec)
    problems += mask_problems(
        file,
        vague_date,
        source,
        "date_prec",
        "date_prec 5 (known only within more than a month) is coarser than the schema's "
        "month; rejected (import with vague='keep' to code it 3)",
    )
    problems += mask_problems(
        file,
        vague_place,
        source,
        "where_prec",
        "where_prec 6/7 places the event only at country or water/airspace level; "
        "rejected (import with vague='keep' to code it 3)",
    )
    return problems, pd.Series("", index=source.index, dtype="string")


def _vague_notes(vague_date: pd.Series, vague_place: pd.Series, where_prec: pd.Series) -> pd.Series:
    """Why a row kept with ``vague="keep"`` has precision 3 ("" for the others)."""
    dated = pd.Series("", index=vague_date.index, dtype="string").mask(
        vague_date, "UCDP date_prec 5 (date known only within more than a month), coded 3"
    )
    placed = pd.Series(
        np.where(
            vague_place,
            "UCDP where_prec " + where_prec + " (country or water/airspace), coded 3",
            "",
        ),
        index=vague_date.index,
        dtype="string",
    )
    return _joined([dated, placed], "; ")


def _fill_event_types(source: pd.DataFrame, out: pd.DataFrame, file: str) -> list[Problem]:
    """Set event and sub-event type and civilian targeting from ``type_of_violence``."""
    violence = text(source, "type_of_violence")
    out["event_type"] = violence.map({k: v[0] for k, v in VIOLENCE.items()}).astype("string")
    out["sub_event_type"] = violence.map({k: v[1] for k, v in VIOLENCE.items()}).astype("string")
    out["event_type"] = out["event_type"].fillna("")
    out["sub_event_type"] = out["sub_event_type"].fillna("")
    out["civilian_targeting"] = pd.Series(
        np.where(violence == "3", CIVILIAN_TARGETING, ""), index=source.index, dtype="string"
    )
    return mask_problems(
        file,
        ~violence.isin(list(VIOLENCE)),
        source,
        "type_of_violence",
        "expected 1 (state-based), 2 (non-state) or 3 (one-sided)",
    )


def _fill_places_and_actors(
    source: pd.DataFrame, out: pd.DataFrame, actors: ActorDictionary
) -> None:
    """Set country, ISO3, actors, admin areas, location and coordinates of ``out``."""
    # UCDP keeps former names in brackets ("Russia (Soviet Union)"); lookups want the name.
    country = text(source, "country").str.replace(r"\s*\(.*?\)", "", regex=True).str.strip()
    out["country"] = country
    out["iso3"] = country.map({v: iso3_from_name(v) for v in country.unique()}).astype("string")
    out["actor1"] = _actor_names(text(source, "side_a"), country, actors)
    out["actor2"] = _actor_names(text(source, "side_b"), country, actors)
    out["admin1"] = text(source, "adm_1")
    out["admin2"] = text(source, "adm_2")
    location = text(source, "where_coordinates")
    out["location"] = location.where(location != "", text(source, "where_description"))
    out["latitude"] = text(source, "latitude")
    out["longitude"] = text(source, "longitude")


def _source_text(source: pd.DataFrame) -> pd.Series:
    """``UCDP GED (<office>, <date>)``, keeping the attribution the licence asks for."""
    office = text(source, "source_office")
    sdate = text(source, "source_date").str.slice(0, 10)
    detail = _joined([office, sdate], ", ")
    return ("UCDP GED (" + detail + ")").where(detail != "", "UCDP GED")


def _notes(source: pd.DataFrame, vague_notes: pd.Series) -> pd.Series:
    """Headline, place description, deaths by side, dyad and vague-code notes, joined."""
    deaths = (
        "deaths: side A "
        + text(source, "deaths_a")
        + ", side B "
        + text(source, "deaths_b")
        + ", civilians "
        + text(source, "deaths_civilians")
        + ", unknown "
        + text(source, "deaths_unknown")
    )
    where = ("where: " + text(source, "where_description")).where(
        text(source, "where_description") != "", ""
    )
    dyad = ("dyad: " + text(source, "dyad_name")).where(text(source, "dyad_name") != "", "")
    return _joined([text(source, "source_headline"), where, deaths, dyad, vague_notes])


def import_ucdp(
    path: str | os.PathLike[str],
    actors: ActorDictionary | None = None,
    vague: Literal["reject", "keep"] = "reject",
) -> ImportResult:
    """Read a UCDP GED CSV and map it onto the incident schema.

    Parameters
    ----------
    vague : {"reject", "keep"}
        What to do with rows placed only at country / water level
        (``where_prec`` 6-7) or dated only within more than a month
        (``date_prec`` 5): reject them (default) or keep them at precision 3
        with a note.
    """
    file = str(Path(path))
    source = read_capped_csv(path)
    require_columns(source, UCDP_REQUIRED, file, "UCDP GED")
    mapped, problems = map_ucdp(source, file, actors, vague)
    column_map = {
        "event_date": "date_start",
        "time_precision": "date_prec",
        "event_type": "type_of_violence",
        "sub_event_type": "type_of_violence",
        "actor1": "side_a",
        "actor2": "side_b",
        "country": "country",
        "iso3": "country",
        "admin1": "adm_1",
        "admin2": "adm_2",
        "location": "where_coordinates",
        "latitude": "latitude",
        "longitude": "longitude",
        "geo_precision": "where_prec",
        "fatalities": "best",
        "fatalities_low": "low",
        "fatalities_high": "high",
        "source": "source_office",
        "origin_id": "id",
    }
    return finish(file, "ucdp", source, mapped, problems, column_map)
