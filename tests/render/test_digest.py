"""The weekly digest in HTML, Markdown and PDF: same content, report text escaped."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from pypdf import PdfReader

from geo.analysis.pipeline import prepare
from geo.analysis.watch import week_digest
from geo.io.store import read_incidents
from geo.render.digest import FORMATS, escape_md, render_digest

WEEK = "2013-W08"


@pytest.fixture(scope="module")
def joined() -> pd.DataFrame:
    return prepare(read_incidents())


def _text(data: bytes, fmt: str) -> str:
    if fmt == "pdf":
        pages = PdfReader(io.BytesIO(data)).pages
        return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages))
    return data.decode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_week_of_18_february_names_the_kidal_incidents(joined: pd.DataFrame, fmt: str) -> None:
    """Ifoghas fighting, Tessalit and Kidal car bombs: every incident of the week, from the data."""
    in_week = joined[joined["event_date"].between("2013-02-18", "2013-02-24")]
    assert len(in_week) >= 3
    text = _text(render_digest(week_digest(joined, WEEK), fmt), fmt)
    assert "2013-W08" in text and "18–24 February 2013" in text
    for _, row in in_week.iterrows():
        assert row["event_id"] in text
        assert row["location"] in text
    for words in ("Ifoghas", "Tessalit", "Kidal", "Suicide bomb", "Spike"):
        assert words in text
    # a week of other places does not name them
    other = _text(render_digest(week_digest(joined, "2013-W07"), fmt), fmt)
    assert "Tessalit" not in other and "Ifoghas" not in other


def test_formats_are_what_they_say(joined: pd.DataFrame) -> None:
    digest = week_digest(joined, WEEK)
    pdf = render_digest(digest, "pdf")
    assert pdf.startswith(b"%PDF") and render_digest(digest, "pdf") == pdf
    html = render_digest(digest, "html").decode()
    assert html.startswith("<!DOCTYPE html>") and "data:image/png;base64," in html
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)  # the map's bytes
    assert "<script" not in text and "http" not in text  # nothing fetched, nothing run
    md = render_digest(digest, "md").decode()
    assert md.startswith("# What changed: week 2013-W08")
    assert "| Kidal | MLI | 3 | 0.20 | +2.80 |" in md
    with pytest.raises(ValueError, match="expected one of html, md, pdf"):
        render_digest(digest, "docx")


def test_report_text_is_escaped_in_every_format(joined: pd.DataFrame) -> None:
    hostile = joined.copy()
    row = hostile.index[hostile["event_id"] == "MLI0001"][0]
    hostile.loc[row, "notes"] = "<script>alert(1)</script> [click](javascript:x) $x^2$ *bold*"
    hostile.loc[row, "location"] = "Tessalit <b>&amp;</b>"
    digest = week_digest(hostile, WEEK)
    html = render_digest(digest, "html", with_map=False).decode()
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Tessalit &lt;b&gt;&amp;amp;&lt;/b&gt;" in html
    md = render_digest(digest, "md").decode()
    assert "<script>" not in md and "[click]" not in md
    assert r"\<script\>alert(1)\</script\> \[click\](javascript:x) $x^2$ \*bold\*" in md
    pdf_text = _text(render_digest(digest, "pdf"), "pdf")
    assert "$x^2$" in pdf_text and "<script>alert(1)</script>" in pdf_text


def test_escape_md() -> None:
    assert escape_md("a_b | c # d") == r"a\_b \| c \# d"
    assert escape_md("plain text, 12 km NE.") == "plain text, 12 km NE."


def test_an_empty_week_says_so(joined: pd.DataFrame) -> None:
    md = render_digest(week_digest(joined, "2013-W20"), "md").decode()
    assert "No alert this week." in md and "No incident this week." in md
    assert render_digest(week_digest(joined, "2013-W20"), "pdf").startswith(b"%PDF")
