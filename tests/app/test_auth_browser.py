"""End-to-end sign-in: the app with ``[auth]`` against the test OpenID Connect provider.

A real ``streamlit run`` with its secrets pointing at
:class:`tests.app.oidc_provider.OIDCProvider` on 127.0.0.1, driven in
headless Chromium: a signed-out visitor sees only the sign-in page; a viewer
signs in through the provider's page and gets the dashboard without
Ingest; an editor imports a file and the audit trail names them; the
viewer's session, sent the editor's own append request word for word,
appends nothing; an admin sees the audit page; sign-out ends the session.
Every request off this machine is aborted. Screenshots go to
``test-artifacts/auth-*.png`` (sign-in, viewer, editor, audit).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from geo.io import audit
from geo.io.store import read_incidents
from tests.app.app_support import ROOT, free_port, wait_for_health, write_store
from tests.app.oidc_provider import OIDCProvider
from tests.app.test_browser import map_frame
from tests.browser_support import needs_chromium

ARTIFACTS = ROOT / "test-artifacts"
WAIT_MS = 60_000  # waits, not speed checks: the machine is shared

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]

ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
    "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
    "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,"
    "source_scale,notes,fatalities,tags,timestamp"
)
ACLED_ROW = (
    "MLI7001,2013-03-20,2013,1,Political violence,Explosions/Remote violence,Suicide bomb,"
    "MUJAO,,2,Civilians (Mali),,7,27,Civilian targeting,466,Western Africa,Mali,Kidal,Kidal,,"
    "Kidal,18.4434,1.4092,1,Example Wire,International,Test fixture: invented for the sign-in "
    "test.,2,,1363737600"
)


@dataclass
class Deployment:
    base: str
    store: Path
    provider: OIDCProvider
    upload: Path
    blocked: list[str] = field(default_factory=list)


def _app(folder: Path, provider: OIDCProvider, port: int) -> subprocess.Popen[bytes]:
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        provider.secrets_toml(f"http://localhost:{port}/oauth2callback", secrets.token_urlsafe(32)),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["GEO_INCIDENTS"] = str(folder / "incidents.csv")
    env.pop("GEO_ALLOW_OPEN", None)
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--secrets.files", str(secrets_file),
    ]  # fmt: skip
    with (folder / "streamlit.log").open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("auth")
    store = write_store(folder / "incidents.csv")
    upload = folder / "march.csv"
    upload.write_text(f"{ACLED_HEADER}\n{ACLED_ROW}\n", encoding="utf-8")
    port = free_port()
    base = f"http://localhost:{port}"
    with OIDCProvider([f"{base}/oauth2callback"]) as provider:
        proc = _app(folder, provider, port)
        try:
            wait_for_health(base, proc, folder / "streamlit.log")
            yield Deployment(base, store, provider, upload)
        finally:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
            if proc.poll() is None:
                proc.kill()


def _context(browser: Any, deployment: Deployment) -> Any:
    """A browser context (its own cookies) that aborts every request off this machine."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})

    def route(r: Any) -> None:
        if urlsplit(r.request.url).hostname in ("localhost", "127.0.0.1"):
            r.continue_()
        else:
            deployment.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return context


def _open(context: Any, url: str) -> Any:
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    return page


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"auth-{name}.png"))


def _sign_in(page: Any, person: str) -> None:
    """From the app's sign-in page through the provider's page and back, as ``person``."""
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("http://127.0.0.1:*/authorize?*")
    page.get_by_role("button", name=person).click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def _nav_links(page: Any) -> list[str]:
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).to_be_visible()
    # Each link's last line is its title (an icon's name may come first).
    return [t.strip().splitlines()[-1] for t in nav.get_by_role("link").all_inner_texts()]


def test_signed_out_visitors_see_only_the_sign_in_page(browser, deployment):
    context = _context(browser, deployment)
    for path in ("/", "/ingest"):
        page = _open(context, deployment.base + path)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        expect(page.get_by_text("Sign in with your organisation's account")).to_be_visible()
        assert page.get_by_test_id("stDataFrame").count() == 0
        assert page.get_by_test_id("stFileUploader").count() == 0
        assert page.get_by_text("Filters").count() == 0
        if path == "/":
            _shot(page, "signin")
        page.close()
    context.close()


def test_viewer_editor_replay_admin_and_sign_out(browser, deployment):
    before = len(read_incidents(deployment.store))
    viewer = _context(browser, deployment)
    page = _open(viewer, deployment.base)
    _sign_in(page, "Vera Viewer")
    expect(page.get_by_text("vera@example.org (viewer)")).to_be_visible()
    assert _nav_links(page) == ["Map", "Trends", "Watch", "Incidents", "About"]

    frame = _editor_imports(browser, deployment)
    stored = read_incidents(deployment.store)
    assert len(stored) == before + 1
    [entry] = audit.read_log(deployment.store).entries
    assert (entry.who, entry.role, entry.action, entry.source) == (
        "eddie@example.org", "editor", "import", "march.csv",
    )  # fmt: skip
    assert stored.loc[stored["event_id"] == entry.event_ids[0], "added_by"].item() == entry.who

    _replay_as_viewer(viewer, deployment, frame)
    assert len(read_incidents(deployment.store)) == before + 1  # nothing more was added
    assert len(audit.read_log(deployment.store).entries) == 1

    _admin_sees_the_audit(browser, deployment)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert any(event == "signed out" for event, _ in deployment.provider.state.events)
    page.goto(deployment.base + "/incidents")  # the cookie is gone: signed out for good
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    viewer.close()


def _editor_imports(browser: Any, deployment: Deployment) -> bytes:
    """The editor imports the test file; returns the websocket message that asked to append."""
    context = _context(browser, deployment)
    page = _open(context, deployment.base)
    sent: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(_bytes(f))))
    _sign_in(page, "Eddie Editor")
    assert "Ingest" in _nav_links(page) and "Audit" not in _nav_links(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Ingest").click()
    page.get_by_role("tab", name="From a file").click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="ACLED export")
    uploader.locator("input[type=file]").set_input_files(str(deployment.upload))
    page.get_by_role("button", name="Check file").click()
    append = page.get_by_role("button", name="Append 1 row(s) to the store")
    expect(append).to_be_visible()
    sent.clear()
    append.click()
    expect(page.get_by_text("1 added")).to_be_visible()
    assert str(deployment.store.parent) not in page.inner_text("body")  # names, not paths
    _shot(page, "editor")
    request = next(m for m in sent if b"ingest_append_file" in m)
    context.close()
    return request


def _bytes(payload: Any) -> bytes:
    return payload if isinstance(payload, bytes) else str(payload).encode("utf-8")


def _replay_as_viewer(context: Any, deployment: Deployment, request: bytes) -> None:
    """Send the editor's append message on a signed-in viewer's own websocket.

    The server answers it with a run of the viewer's default page (the Map):
    Ingest is not among the viewer's pages, so its script never runs, and the
    append's own role check would refuse it if it did.
    """
    replies: list[bytes] = []

    def through(ws: Any) -> None:
        server = ws.connect_to_server()

        def forward(message: Any) -> None:
            replies.append(_bytes(message))
            ws.send(message)

        server.on_message(forward)
        sockets.append(server)

    sockets: list[Any] = []
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.route_web_socket("**/_stcore/stream", through)
    page.goto(deployment.base)
    expect(page.get_by_text("vera@example.org (viewer)")).to_be_visible()
    expect(page.get_by_role("heading", name="Conflict map")).to_be_visible()
    page.wait_for_timeout(500)
    replies.clear()
    sockets[-1].send(request)
    deadline = time.monotonic() + 30
    while not any(b"Conflict map" in r for r in replies) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    answer = b"".join(replies)
    assert b"Conflict map" in answer, "the server did not answer the replayed request"
    assert b"Ingest" not in answer and b"New incidents are appended" not in answer
    map_frame(page)  # the viewer's own view, drawn, after the replay
    _shot(page, "viewer")
    page.close()


def _admin_sees_the_audit(browser: Any, deployment: Deployment) -> None:
    context = _context(browser, deployment)
    page = _open(context, deployment.base)
    _sign_in(page, "Ada Admin")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    _shot(page, "audit")
    context.close()
