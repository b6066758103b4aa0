"""Report extraction: security reports (prose) -> candidate incidents for review.

Deterministic and offline (rules, the gazetteer and the actor dictionary).
:func:`extract_candidates` reads a text; the helpers take the reviewed
candidates towards the store (:func:`candidates_to_incidents`,
:func:`check_candidates`, :func:`fill_coordinates`) or to JSON
(:func:`candidates_to_records`). The rules are documented in
``docs/ingest.md``.

Modules, in the order a text passes through them: ``posts`` (posts,
paragraphs, sentences) and ``language`` (English or French), ``events`` and
``french`` (event words), ``textdates``, ``places`` (with the placing
modules), ``figures``, ``victims`` and ``casualties`` (tolls and who was
hit), ``actors`` and ``roles`` (who did what), ``linking`` (which event a
sentence is about), ``candidates`` (one incident filled from its
sentences), ``records`` (rows and confidence); ``report`` runs them.
"""

from __future__ import annotations

from geo.io.extract.actors import ActorDictionary, load_actors
from geo.io.extract.events import TRIGGERS, find_triggers
from geo.io.extract.figures import Figures, find_figures, parse_number
from geo.io.extract.places import GazetteerLike, PlaceMention, find_places
from geo.io.extract.posts import Post, split_posts, split_sentences
from geo.io.extract.records import (
    CANDIDATE_COLUMNS,
    PROVENANCE_COLUMNS,
    candidates_to_incidents,
    candidates_to_records,
    check_candidates,
    fill_coordinates,
    store_style_ids,
)
from geo.io.extract.report import extract_candidates
from geo.io.extract.textdates import DateMention, find_dates

__all__ = [
    "CANDIDATE_COLUMNS",
    "PROVENANCE_COLUMNS",
    "TRIGGERS",
    "ActorDictionary",
    "DateMention",
    "Figures",
    "GazetteerLike",
    "PlaceMention",
    "Post",
    "candidates_to_incidents",
    "candidates_to_records",
    "check_candidates",
    "extract_candidates",
    "fill_coordinates",
    "find_dates",
    "find_figures",
    "find_places",
    "find_triggers",
    "load_actors",
    "parse_number",
    "store_style_ids",
    "split_posts",
    "split_sentences",
]
