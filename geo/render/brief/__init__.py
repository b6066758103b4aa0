"""Static briefing images (PNG) and one-page PDFs of a filter state.

A briefing is what an analyst pastes into a slide deck or mails to a manager:
the admin-1 risk shading, the incidents of the period as symbols by event
type sized by fatalities, borders, towns, a scale bar, the top areas and, in
the PDF, the key incidents of the period as text. It is drawn with
matplotlib (Agg) from the local boundary and place layers: no tiles, no
browser, no network.

The output is deterministic: the same inputs and the same ``generated_at``
give identical bytes (fixed font, no timestamps in the file metadata, fixed
hash salt). Report text is untrusted, so every text artist is created with
math parsing and TeX off: a ``$`` in a note is printed as a dollar sign.

The package, in the order a briefing is made:

* :mod:`.render`: :func:`render_brief`, the page and the file;
* :mod:`.content`: what to show, worked out before drawing;
* :mod:`.basemap`, :mod:`.symbols`, :mod:`.furniture`, :mod:`.labels`:
  the map, its incidents, scale bar and north arrow, and its names;
* :mod:`.tables`, :mod:`.legends`: the panel beside the map, with the
  analysts' override reasons under the top areas;
* :mod:`.notes`, :mod:`.judgements`, :mod:`.incident_list`: the handling
  marking, key judgements (the analyst's, or a draft from the data to edit),
  the coverage caveat, and the deadliest incidents when there are no
  judgements;
* :mod:`.incident_pages`: the PDF's pages listing every incident with its
  source, wrapped, never cut;
* :mod:`.near_sites`: the "Near our sites" section (only when the caller
  passes the team's sites: they are sensitive), a band under the slide's
  map and the top of the PDF's page 2;
* :mod:`.layout`, :mod:`.page`, :mod:`.text`, :mod:`.fonts`: page geometry
  and colours, drawing in inches, wording, and the font fallback for CJK;
* :mod:`.animate`: the same map as a GIF or MP4 stepping over the period
  (imported on its own: ``from geo.render.brief.animate import animate_brief``).

Example
-------
>>> import datetime as dt
>>> from geo.analysis import pipeline
>>> from geo.analysis.filters import FilterState
>>> from geo.io import store
>>> joined = pipeline.prepare(store.read_incidents())  # doctest: +SKIP
>>> state = FilterState(dt.date(2013, 2, 1), dt.date(2013, 2, 28))
>>> png = render_brief(joined, state)  # doctest: +SKIP
"""

from __future__ import annotations

from geo.render.brief.incident_list import key_incidents
from geo.render.brief.judgements import draft_judgements
from geo.render.brief.layout import (
    ADMIN0_LINE_COLOUR,
    COUNTRY_LABEL_COLOUR,
    DEFAULT_ISO3,
    EVENT_MARKERS,
    FONT,
    MARKER_SCALE,
    MAX_KEY_INCIDENTS,
    MAX_LISTED_INCIDENTS,
    MAX_SLIDE_INCIDENTS,
    MAX_TOWN_LABELS,
    MIN_PNG_WIDTH,
    MIN_PT,
    MUTED_COLOUR,
    NOT_ASSESSED_COLOUR,
    PNG_DPI,
    RULE_COLOUR,
    SEA_COLOUR,
    TEXT_COLOUR,
    TOP_AREAS,
    TOWN_MIN_POPULATION,
    Format,
)
from geo.render.brief.near_sites import MAX_NEAR_ROWS, MAX_SLIDE_NEAR_ROWS, near_site_incidents
from geo.render.brief.render import render_brief
from geo.render.brief.symbols import DENSE_CELLS_ACROSS, DENSE_THRESHOLD

__all__ = [
    "ADMIN0_LINE_COLOUR",
    "COUNTRY_LABEL_COLOUR",
    "DEFAULT_ISO3",
    "DENSE_CELLS_ACROSS",
    "DENSE_THRESHOLD",
    "EVENT_MARKERS",
    "FONT",
    "MARKER_SCALE",
    "MAX_KEY_INCIDENTS",
    "MAX_LISTED_INCIDENTS",
    "MAX_NEAR_ROWS",
    "MAX_SLIDE_INCIDENTS",
    "MAX_SLIDE_NEAR_ROWS",
    "MAX_TOWN_LABELS",
    "MIN_PNG_WIDTH",
    "MIN_PT",
    "MUTED_COLOUR",
    "NOT_ASSESSED_COLOUR",
    "PNG_DPI",
    "RULE_COLOUR",
    "SEA_COLOUR",
    "TEXT_COLOUR",
    "TOP_AREAS",
    "TOWN_MIN_POPULATION",
    "Format",
    "draft_judgements",
    "key_incidents",
    "near_site_incidents",
    "render_brief",
]
