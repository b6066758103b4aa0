"""The weekly "what changed" digest as HTML, Markdown or PDF.

Built from a :class:`geo.analysis.watch.WeekDigest` (the week's alerts,
incidents near the team's sites, the top areas by change and the week's
incidents). Every format says the same things: :mod:`.content` turns the
digest into plain blocks, and each writer escapes report text for its own
format (HTML entities, Markdown backslashes, no math in PDF text). The map
is drawn offline with matplotlib.

* :mod:`.content`: the digest as titled sections of items and tables;
* :mod:`.markdown`, :mod:`.html`, :mod:`.pdf`: the three writers;
* :mod:`.map`: the small static map;
* :mod:`.render`: :func:`render_digest`, the file in the asked format.

Example
-------
>>> from geo.analysis.watch import week_digest
>>> digest = week_digest(joined, "2013-W08")  # doctest: +SKIP
>>> html = render_digest(digest, "html")  # doctest: +SKIP
"""

from __future__ import annotations

from geo.render.digest.content import KIND_LABELS, Document, document, incident_line
from geo.render.digest.markdown import escape_md
from geo.render.digest.render import FORMATS, DigestFormat, render_digest

__all__ = [
    "FORMATS",
    "KIND_LABELS",
    "DigestFormat",
    "Document",
    "document",
    "escape_md",
    "incident_line",
    "render_digest",
]
