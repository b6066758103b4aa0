"""Map page, briefing section: a draft of key judgements to edit, a marking
and an author, all on the prepared PNG and PDF (AppTest, no browser)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.app_support import app_test, write_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_store(tmp_path_factory.mktemp("briefing") / "incidents.csv")


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(p.extract_text().split()) for p in pages)


def test_the_draft_is_edited_and_printed_with_marking_and_author(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = ok(app_test(store, monkeypatch).run())
    box = at.text_area(key="_brief_judgements")
    # A draft from the data is there to edit: one sentence per line.
    assert box.value and len(box.value.splitlines()) >= 2
    box.set_value("Gao is the focus this month.\n\nExpect more car bombs.")
    at.text_input(key="_brief_marking").set_value("TLP:AMBER")
    at.text_input(key="_brief_author").set_value("Sahel desk")
    ok(at.run())
    ok(at.button[[b.label for b in at.button].index("Prepare briefing")].click().run())
    key, files = at.session_state["_briefing"]
    assert key[-3:] == (
        ("Gao is the focus this month.", "Expect more car bombs."),
        "TLP:AMBER",
        "Sahel desk",
    )
    text = pdf_text(files["pdf"])
    assert "Key judgements" in text and "Expect more car bombs." in text
    assert "TLP:AMBER" in text and "Prepared by Sahel desk" in text
    # Editing the notes retires the prepared files.
    at.text_input(key="_brief_author").set_value("Someone else")
    ok(at.run())
    assert not at.download_button


def test_the_draft_box_holds_the_library_draft_and_follows_the_filters(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo.analysis.pipeline import covered_areas_for
    from geo.render.brief import draft_judgements

    def expected(at: AppTest) -> str:
        # Straight from the store's rows (not the app's coded copy of them).
        ctx = at.session_state["_ctx"]
        areas, outlines = covered_areas_for(ctx.data)
        return "\n".join(draft_judgements(ctx.data, ctx.app.filters, ctx.risk, areas, outlines))

    at = ok(app_test(store, monkeypatch).run())
    everything = at.text_area(key="_brief_judgements").value
    assert everything and everything == expected(at)
    ok(at.multiselect(key="f_type").set_value(["Battles"]).run())
    battles = at.text_area(key="_brief_judgements").value
    assert at.session_state["_ctx"].app.filters.event_types == ("Battles",)
    assert battles == expected(at) and battles != everything
