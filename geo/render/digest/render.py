"""One call for a digest file in any of the three formats."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import geopandas as gpd

from geo.analysis.watch import WeekDigest
from geo.render.digest.content import document
from geo.render.digest.html import to_html
from geo.render.digest.map import map_png
from geo.render.digest.markdown import to_markdown
from geo.render.digest.pdf import to_pdf

__all__ = ["FORMATS", "MEDIA_TYPES", "DigestFormat", "render_digest"]

DigestFormat = Literal["html", "md", "pdf"]
FORMATS: tuple[str, ...] = ("html", "md", "pdf")
MEDIA_TYPES: dict[str, str] = {
    "html": "text/html",
    "md": "text/markdown",
    "pdf": "application/pdf",
}


def render_digest(
    digest: WeekDigest,
    fmt: DigestFormat | str,
    *,
    areas: gpd.GeoDataFrame | None = None,
    admin0: gpd.GeoDataFrame | None = None,
    generated_at: dt.datetime | None = None,
    with_map: bool = True,
) -> bytes:
    """The digest file as bytes (HTML and Markdown in UTF-8).

    Parameters
    ----------
    digest : WeekDigest
        From :func:`geo.analysis.watch.week_digest`.
    fmt : {"html", "md", "pdf"}
    areas, admin0 : GeoDataFrame, optional
        Layers for the map (the shipped ones of the week's countries by default).
    generated_at : datetime, optional
        Printed as the generation time; none is printed when omitted, so
        the same digest gives the same bytes.
    with_map : bool
        The HTML page embeds the map as a PNG (the PDF always has it; the
        Markdown never does).

    Raises
    ------
    ValueError
        When ``fmt`` is not one of :data:`FORMATS`.
    """
    if fmt not in FORMATS:
        raise ValueError(f"digest format {fmt!r}: expected one of {', '.join(FORMATS)}")
    doc = document(digest, generated_at)
    if fmt == "md":
        return to_markdown(doc).encode("utf-8")
    if fmt == "html":
        png = map_png(digest, areas, admin0) if with_map else None
        return to_html(doc, png).encode("utf-8")
    return to_pdf(doc, digest, areas, admin0)
