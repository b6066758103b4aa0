"""The digest PDF prints Chinese, Japanese and Korean text with the briefing's fallback font."""

from __future__ import annotations

import io
import unicodedata

import pandas as pd
import pytest
from pypdf import PdfReader

from geo.analysis.pipeline import prepare
from geo.analysis.watch import week_digest
from geo.io.store import read_incidents
from geo.render.brief.fonts import FALLBACK_FONTS, font_families, has_cjk_font
from geo.render.digest import render_digest
from geo.render.digest.pdf import _wrap

NOTE = "汽车炸弹在基达尔附近爆炸，造成至少两名平民受伤。"  # "A car bomb exploded near Kidal ..."


def _fonts(pdf: bytes) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


@pytest.mark.skipif(not has_cjk_font(), reason="no CJK font installed (fonts-wqy-microhei)")
def test_cjk_notes_embed_the_fallback_font() -> None:
    joined = prepare(read_incidents())
    week = joined["event_date"].between("2013-02-18", "2013-02-24")
    joined.loc[week, "notes"] = NOTE + " " + joined.loc[week, "notes"]
    pdf = render_digest(week_digest(joined, "2013-W08"), "pdf")
    family = font_families()[1]
    assert family in {f for f, _paths in FALLBACK_FONTS}
    embedded = " ".join(_fonts(pdf))
    assert family.replace(" ", "") in embedded, embedded
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "基达尔" in text
    # Plain Latin notes need no fallback: the font is embedded only when used.
    plain = render_digest(week_digest(prepare(read_incidents()), "2013-W08"), "pdf")
    assert family.replace(" ", "") not in " ".join(_fonts(plain))


def _cells(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_wide_text_wraps_by_display_width() -> None:
    text = f"Kidal: {NOTE * 4} Car bomb near the camp."
    lines = _wrap(text, 40)
    assert all(_cells(line) <= 40 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost
    assert len(lines) >= _cells(text) // 40
    # Latin text wraps as before, at spaces.
    latin = "Two car bombs driven by suicide attackers went off in Tessalit"
    assert _wrap(latin, 20) == [
        "Two car bombs driven",
        "by suicide attackers",
        "went off in Tessalit",
    ]
    assert pd.Series(_wrap("a" * 50, 20)).str.len().tolist() == [20, 20, 10]
