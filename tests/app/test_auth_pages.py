"""Sign-in and roles in the app, driven with AppTest: what each role sees and may do.

``[auth]`` and ``[access]`` are given as AppTest secrets and the signed-in
person as ``AppTest.user`` (the claims Streamlit keeps from the ID token),
so no identity provider is needed here; the browser test signs in for real.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from appkit import auth
from geo import config
from geo.io import audit
from geo.io.store import read_incidents
from geo.model import roles
from tests.app.app_support import app_test, write_store
from tests.app.oidc_provider import ACCESS_TOML, ACCOUNTS
from tests.conftest import make_rows

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
INGEST = str(ROOT / "views" / "ingest.py")

SECRETS: dict[str, Any] = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret-long-enough",
        "client_id": "conflict-map",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    },
    "access": {
        "claim": "groups",
        "groups": {
            "conflict-map-viewers": "viewer",
            "conflict-map-editors": "editor",
            "conflict-map-admins": "admin",
        },
    },
}
ACCOUNT = {a.username: a for a in ACCOUNTS}


def _user(username: str) -> dict[str, Any]:
    return {"is_logged_in": True, **ACCOUNT[username].claims()}


def _signed_in(at: AppTest, username: str | None) -> AppTest:
    at.secrets.update(SECRETS)
    at.user = _user(username) if username else {"is_logged_in": False}
    return at


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for kind in (at.title, at.markdown, at.caption, at.error, at.warning)
             for e in kind]  # fmt: skip
    return "\n".join(str(p) for p in parts)


def _keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key} | {t.key for t in at.toggle if t.key}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return write_store(tmp_path / "incidents.csv")


def test_the_example_access_settings_match_the_test_provider():
    import tomllib

    assert tomllib.loads(ACCESS_TOML)["access"] == SECRETS["access"]


def test_signed_out_visitor_sees_only_the_sign_in_page(store, monkeypatch):
    at = _run(_signed_in(app_test(store, monkeypatch), None))
    assert [t.value for t in at.title] == ["Sahel conflict map"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.sidebar.multiselect and not at.dataframe  # no filters, no data
    for path in ("views/map.py", "views/ingest.py", "views/incidents.py", "views/audit.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(path)  # not in this session's navigation at all


def test_signed_in_without_a_role_sees_no_data(store, monkeypatch):
    at = _run(_signed_in(app_test(store, monkeypatch), "olga"))
    assert "no role on this dashboard" in _texts(at)
    assert "olga@elsewhere" in _texts(at)
    assert not at.dataframe and not at.sidebar.multiselect


def test_viewer_sees_the_dashboard_but_no_ingest_or_audit(store, monkeypatch):
    at = _run(_signed_in(app_test(store, monkeypatch), "vera"))
    assert at.title[0].value != "Sahel conflict map"  # the Map page
    assert "Signed in as" in _texts(at) and "(viewer)" in _texts(at)
    at.switch_page("views/incidents.py")
    _run(at)
    assert at.title[0].value == "Incidents"
    assert "incidents_audit" not in _keys(at)  # who added what is for admins
    for hidden in ("views/ingest.py", "views/audit.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(hidden)


def test_viewer_opening_the_ingest_page_itself_is_stopped(store, monkeypatch):
    monkeypatch.setattr(config, "INCIDENTS_CSV", store)
    at = _run(_signed_in(AppTest.from_file(INGEST, default_timeout=60), "vera"))
    assert "Not allowed" in _texts(at)
    assert not at.button and not at.get("file_uploader")
    assert not any(k.startswith("ingest_append") for k in _keys(at))


def _checked_import(at: AppTest) -> AppTest:
    """Upload the test ACLED file on the Ingest page and check it (nothing stored yet)."""
    at.file_uploader(key="ingest_data_file").set_value(
        ("acled.csv", (DATA / "ingest_acled.csv").read_bytes(), "text/csv")
    )
    at.selectbox(key="ingest_format").set_value("acled")
    _run(at)
    next(b for b in at.button if b.key == "ingest_check").click()
    return _run(at)


def _click_append(at: AppTest) -> AppTest:
    next(b for b in at.button if b.key == "ingest_append_file").click()
    return _run(at)


def test_editor_imports_and_the_audit_trail_names_them(incident_csv, monkeypatch):
    store = incident_csv  # the ACLED test file adds one new incident to this one
    monkeypatch.setattr(config, "INCIDENTS_CSV", store)
    at = _run(_signed_in(AppTest.from_file(INGEST, default_timeout=60), "eddie"))
    assert at.title[0].value == "Ingest"
    assert str(store.parent) not in _texts(at)  # a file name, not the server path
    assert store.name in _texts(at)
    _click_append(_checked_import(at))
    [entry] = audit.read_log(store).entries
    assert (entry.who, entry.role, entry.action, entry.source) == (
        "eddie@example.org", "editor", "import", "acled.csv",
    )  # fmt: skip
    stored = read_incidents(store)
    added = stored[stored["added_by"] == "eddie@example.org"]
    assert tuple(added["event_id"]) == entry.event_ids == ("MLI9001",)
    assert entry.detail["added"] == 1
    assert str(store.parent) not in _texts(at)  # the append report names files only


def test_an_editor_demoted_before_pressing_append_appends_nothing(
    incident_csv, monkeypatch, tmp_path
):
    store = incident_csv
    allow = tmp_path / "roles.toml"
    allow.write_text('editor = ["olga@elsewhere.org"]\n', encoding="utf-8")
    monkeypatch.setenv(auth.ROLES_FILE_ENV, str(allow))
    monkeypatch.setattr(config, "INCIDENTS_CSV", store)
    at = _checked_import(_run(_signed_in(AppTest.from_file(INGEST, default_timeout=60), "olga")))
    assert any(b.key == "ingest_append_file" for b in at.button)
    before = store.read_bytes()
    allow.write_text('viewer = ["olga@elsewhere.org"]\n', encoding="utf-8")  # demoted meanwhile
    _click_append(at)
    assert "Not allowed" in _texts(at)
    assert store.read_bytes() == before
    assert audit.read_log(store).entries == []


def _append_script(store: str, row: dict[str, str]) -> None:
    """The page's append step (guard, then audited append), as a script run of its own."""
    import streamlit as st
    from pandas import DataFrame

    from appkit import auth
    from geo.io.audit import audited_append
    from geo.model import roles as policy

    try:
        who = auth.require(policy.APPEND)
    except auth.AccessDenied as exc:
        st.session_state["denied"] = str(exc)
        return
    st.session_state["report"] = audited_append(
        DataFrame([row]), store, who=who.who, role=str(who.role),
        action="import", source="june.csv",
    )  # fmt: skip


def _append_as(store: Path, username: str | None) -> Any:
    """Append one new incident as ``username``; the report, or the refusal's text."""
    row = dict(make_rows(1)[0], event_id="", event_date="2013-06-01")
    at = AppTest.from_function(_append_script, args=(str(store), row), default_timeout=60)
    _run(_signed_in(at, username))
    return (
        at.session_state["report"] if "report" in at.session_state else (at.session_state["denied"])
    )


@pytest.mark.parametrize("username", [None, "olga", "vera"])
def test_the_append_guard_refuses_anyone_below_editor(store, monkeypatch, username):
    before = store.read_bytes()
    assert "is not allowed" in _append_as(store, username)
    assert store.read_bytes() == before
    assert audit.read_log(store).entries == []


def _guard_script(action: str) -> None:
    import streamlit as st

    from appkit import auth

    try:
        st.session_state["result"] = str(auth.require(action).role)
    except auth.AccessDenied as exc:
        st.session_state["result"] = f"denied: {exc}; {auth.visitor().problem}"


def _guard_result(username: str | None, action: str) -> str:
    """What ``auth.require(action)`` does for ``username`` in a script run: a role or the error."""
    at = AppTest.from_function(_guard_script, args=(action,), default_timeout=30)
    _run(_signed_in(at, username))
    return str(at.session_state["result"])


def test_require_reads_the_role_at_the_moment_of_acting():
    assert _guard_result("eddie", roles.APPEND) == "editor"
    assert _guard_result("vera", roles.APPEND).startswith("denied")
    assert _guard_result("eddie", roles.VIEW_AUDIT).startswith("denied")
    assert _guard_result("ada", roles.VIEW_AUDIT) == "admin"
    assert _guard_result(None, roles.VIEW).startswith("denied")


def test_allow_list_changes_apply_at_the_next_action(tmp_path, monkeypatch):
    allow = tmp_path / "roles.toml"
    allow.write_text('editor = ["olga@elsewhere.org"]\n', encoding="utf-8")
    monkeypatch.setenv(auth.ROLES_FILE_ENV, str(allow))
    assert _guard_result("olga", roles.APPEND) == "editor"
    allow.write_text('viewer = ["olga@elsewhere.org"]\n', encoding="utf-8")  # demoted
    assert _guard_result("olga", roles.APPEND).startswith("denied")
    allow.unlink()
    assert "allow-list file is missing" in _guard_result("olga", roles.VIEW)


def _remove_gazetteer_script(store: str) -> None:
    from pathlib import Path

    import streamlit as st

    from appkit import gazetteers
    from geo.model.roles import AccessDenied

    try:
        gazetteers.remove_store_gazetteer(Path(store), "anything")
    except AccessDenied:
        st.session_state["result"] = "denied"
    except Exception as exc:  # past the guard: the library's own answer
        st.session_state["result"] = type(exc).__name__


def test_gazetteer_changes_are_guarded(store):
    for username, expected in (("vera", "denied"), ("eddie", "StoreGazetteerError")):
        at = AppTest.from_function(_remove_gazetteer_script, args=(str(store),))
        _run(_signed_in(at, username))
        assert at.session_state["result"] == expected, username


def test_admin_sees_the_audit_page_and_who_added_each_incident(store, monkeypatch):
    _append_as(store, "eddie")  # one incident, GEO-000001, recorded as Eddie's
    at = _run(_signed_in(app_test(store, monkeypatch), "ada"))
    at.switch_page("views/audit.py")
    _run(at)
    assert at.title[0].value == "Audit trail"
    log = at.dataframe[0].value
    assert log["who"].tolist() == ["eddie@example.org"]
    assert log["event_ids"].tolist() == ["GEO-000001"]
    settings = at.dataframe[1].value.set_index("setting")["value"]
    assert settings["Access"] == "signed-in"
    assert settings["Incident store"] == str(store)  # admins may see server paths
    at.switch_page("views/incidents.py")
    _run(at)
    assert "added_by" not in at.dataframe[0].value.columns
    at.toggle(key="incidents_audit").set_value(True)
    _run(at)
    table = at.dataframe[0].value
    assert table.loc[table["event_id"] == "GEO-000001", "added_by"].tolist() == [
        "eddie@example.org"
    ]


def test_editor_cannot_open_the_audit_page(store, monkeypatch):
    at = _run(_signed_in(app_test(store, monkeypatch), "eddie"))
    at.switch_page("views/ingest.py")  # editors have Ingest
    _run(at)
    assert at.title[0].value == "Ingest"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/audit.py")


def test_local_mode_says_so_and_everyone_is_admin(store, monkeypatch):
    at = _run(app_test(store, monkeypatch))
    assert "Local mode" in _texts(at) and "127.0.0.1" in _texts(at)
    at.switch_page("views/audit.py")
    _run(at)
    assert at.title[0].value == "Audit trail"


def test_a_reachable_address_without_sign_in_is_refused(store, monkeypatch):
    monkeypatch.setattr(auth, "listen_address", lambda: "0.0.0.0")
    monkeypatch.delenv(auth.OPEN_ENV, raising=False)
    at = _run(app_test(store, monkeypatch))
    assert "without sign-in, so it shows nothing" in _texts(at)
    assert not at.dataframe and not at.sidebar.multiselect


@pytest.mark.parametrize(("setting", "role"), [("1", "admin"), ("viewer", "viewer")])
def test_open_access_is_explicit_and_warned_on_every_page(store, monkeypatch, setting, role):
    monkeypatch.setattr(auth, "listen_address", lambda: "0.0.0.0")
    monkeypatch.setenv(auth.OPEN_ENV, setting)
    at = _run(app_test(store, monkeypatch))
    assert any("Open access" in w.value for w in at.warning)
    if role == "admin":
        at.switch_page("views/ingest.py")
        _run(at)
        assert at.title[0].value == "Ingest"
        assert any("Open access" in w.value for w in at.warning)
    else:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("views/ingest.py")
