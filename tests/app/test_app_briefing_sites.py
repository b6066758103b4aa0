"""Map page, briefing: only a team member's briefing lists the incidents near the sites.

Signed in as the test provider's accounts (as in test_app_sites.py): an
editor's prepared PDF has the "Near our sites" section with the site's
name; a viewer's has neither, and neither has the open-access deployment's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from appkit import auth
from tests.app.app_support import app_test
from tests.app.test_app_briefing import pdf_text
from tests.app.test_app_sites import SITE
from tests.app.test_app_sites import store as store  # noqa: F401 (the fixture)
from tests.app.test_auth_pages import _signed_in


def _caption_warns(at: AppTest) -> bool:
    return any("incidents near our sites" in str(c.value) for c in at.caption)


def _prepared(at: AppTest) -> dict[str, bytes]:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.button[[b.label for b in at.button].index("Prepare briefing")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    _key, files = at.session_state["_briefing"]
    return files


def test_a_team_members_briefing_lists_incidents_near_the_sites(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _signed_in(app_test(store, monkeypatch), "eddie")
    files = _prepared(at)
    assert _caption_warns(at)
    text = pdf_text(files["pdf"])
    assert "Near our sites" in text and f"at {SITE}" in text


@pytest.mark.parametrize("username", ["vera"])
def test_a_viewers_briefing_has_no_site(
    store: Path, monkeypatch: pytest.MonkeyPatch, username: str
) -> None:
    at = _signed_in(app_test(store, monkeypatch), username)
    files = _prepared(at)
    assert not _caption_warns(at)
    text = pdf_text(files["pdf"])
    assert "Key judgements" in text or "Incidents in the period" in text  # a real briefing
    assert SITE not in text and "Near our sites" not in text


def test_open_access_briefing_has_no_site(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "listen_address", lambda: "0.0.0.0")
    monkeypatch.setenv(auth.OPEN_ENV, "1")
    text = pdf_text(_prepared(app_test(store, monkeypatch))["pdf"])
    assert SITE not in text and "Near our sites" not in text
