"""``python -m geo digest``: files, e-mail and webhook, sites only when asked for."""

from __future__ import annotations

import email
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import cli, config
from tests.app.app_support import free_port


def test_digest_writes_the_week(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "digest.md"
    assert cli.main(["digest", "--week", "2013-W08", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    for words in ("Adrar des Ifoghas", "Tessalit", "Kidal: Spike", "MLI0002"):
        assert words in text
    assert "Near our sites" not in text  # no --sites: nothing about them
    said = capsys.readouterr().out
    assert "2013-W08 (2013-02-18 to 2013-02-24): 3 incident(s), 3 alert(s)" in said
    pdf = tmp_path / "digest.pdf"
    assert cli.main(["digest", "--week", "2013-W08", "--out", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_an_empty_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "empty.csv"
    store.write_text(config.INCIDENTS_CSV.read_text(encoding="utf-8").splitlines()[0] + "\n")
    assert cli.main(["digest", str(store), "--out", str(tmp_path / "d.md")]) == 2
    assert "no dated incidents; give --week" in capsys.readouterr().err
    out = tmp_path / "d.md"
    assert cli.main(["digest", str(store), "--week", "2013-W08", "--out", str(out)]) == 0
    assert "No alert this week." in out.read_text(encoding="utf-8")
    assert cli.main(["digest", str(tmp_path / "none.csv"), "--out", str(out)]) == 1
    assert "file not found" in capsys.readouterr().err


def test_rule_options_change_the_alerts(tmp_path: Path) -> None:
    out = tmp_path / "d.md"
    args = ["digest", "--week", "2013-W08", "--out", str(out)]
    assert cli.main([*args, "--spike-min-count", "4"]) == 0
    assert "Kidal: Spike" not in out.read_text(encoding="utf-8")
    assert cli.main([*args, "--spike-test", "poisson", "--spike-alpha", "0.05"]) == 0
    assert "Kidal: Spike" in out.read_text(encoding="utf-8")


def test_default_week_is_the_latest(tmp_path: Path) -> None:
    out = tmp_path / "latest.html"
    assert cli.main(["digest", "--out", str(out)]) == 0
    latest = pd.read_csv(config.INCIDENTS_CSV)["event_date"].max()
    week = pd.Timestamp(latest).isocalendar()
    assert f"{week.year}-W{week.week:02d}" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2013-W08"], "nothing to do"),
        (["--week", "2013-W54", "--out", "x.md"], "--week: week '2013-W54': 2013 has no week 54"),
        (["--week", "last", "--out", "x.md"], "expected an ISO week"),
        (["--week", "9999-W52", "--out", "x.md"], "expected a week from"),
        (["--out", "x.docx"], "must end in .html, .md or .pdf"),
        (["--out", "no/such/folder/x.md"], "does not exist"),
        (["--webhook", "ftp://x/y"], "expected an http:// or https:// URL"),
        (["--out", "x.md", "--spike-alpha", "2"], "--spike-alpha: expected a number between 0"),
        (["--out", "x.md", "--spike-test", "t"], "--spike-test: expected 'negbin' or 'poisson'"),
        (["--out", "x.md", "--quiet-days", "0"], "--quiet-days: expected a whole number >= 1"),
    ],
)
def test_usage_errors(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [str(tmp_path / a) if a.endswith((".md", ".docx")) else a for a in args]
    assert cli.main(["digest", *args]) == 2
    assert message in capsys.readouterr().err


@pytest.fixture
def store_with_site(tmp_path: Path) -> Path:
    """A copy of the shipped store and one site 10-odd km from an incident of 2013-W08."""
    from geo.io.sites import save_sites

    store = tmp_path / "incidents.csv"
    shutil.copy(config.INCIDENTS_CSV, store)
    incidents = pd.read_csv(store)
    tessalit = incidents.set_index("event_id").loc["MLI0001"]
    site = shapely.Point(tessalit["longitude"] - 0.1, tessalit["latitude"] - 0.05)
    save_sites(
        store,
        gpd.GeoDataFrame(
            {"name": ["Team base <b>"], "kind": ["compound"], "radius_km": [25.0]},
            geometry=[site],
            crs="EPSG:4326",
        ),
    )
    return store


def test_sites_only_with_sites(store_with_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.md"
    assert cli.main(["digest", str(store_with_site), "--week", "2013-W08", "--out", str(out)]) == 0
    assert "Team base" not in out.read_text(encoding="utf-8")
    args = ["digest", str(store_with_site), "--week", "2013-W08", "--sites", "--out", str(out)]
    assert cli.main(args) == 0
    text = out.read_text(encoding="utf-8")
    assert "## Near our sites" in text
    assert "km NE of Team base \\<b\\>" in text  # the incident lies north-east of the site
    assert "Kidal: Near a site (Team base \\<b\\>)" in text


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[_Inbox]:
    pytest.importorskip("aiosmtpd", reason="aiosmtpd is in the test extra")
    from aiosmtpd.controller import Controller

    from geo.io import deliver

    # A developer's own [smtp] settings must not leak into the test.
    monkeypatch.setattr(deliver, "SECRETS_FILE", tmp_path / "no-secrets.toml")

    inbox, port = _Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "STARTTLS": "false",
        "FROM": "watch@team.example",
    }.items():
        monkeypatch.setenv(f"GEO_SMTP_{key}", value)
    monkeypatch.delenv("GEO_SMTP_USER", raising=False)
    try:
        yield inbox
    finally:
        controller.stop()


def test_email(smtp: _Inbox, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["digest", "--week", "2013-W08", "--email", "a@team.example,b@team.example"]
    assert cli.main(args) == 0
    (msg,) = smtp.messages
    assert msg["To"] == "a@team.example, b@team.example"
    assert msg["Subject"] == "What changed: week 2013-W08 (3 alert(s))"
    types = [p.get_content_type() for p in msg.walk()]
    assert {"text/plain", "text/html", "application/pdf"} <= set(types)
    assert "mailed to a@team.example, b@team.example through 127.0.0.1" in capsys.readouterr().out


def test_email_without_server_settings_fails_cleanly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.io import deliver

    monkeypatch.delenv("GEO_SMTP_HOST", raising=False)
    monkeypatch.setattr(deliver, "SECRETS_FILE", tmp_path / "none.toml")
    assert cli.main(["digest", "--week", "2013-W08", "--email", "a@team.example"]) == 1
    assert "e-mail not sent: no SMTP server configured" in capsys.readouterr().err


def test_webhook(capsys: pytest.CaptureFixture[str]) -> None:
    received: list[bytes] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        assert cli.main(["digest", "--week", "2013-W08", "--webhook", url]) == 0
    finally:
        server.shutdown()
        server.server_close()
    payload = json.loads(received[0])
    assert payload["week"] == "2013-W08" and payload["incidents"] == 3
    assert payload["text"].startswith("# What changed: week 2013-W08")
    spike = [a for a in payload["alerts"] if a["kind"] == "spike"]
    assert spike[0]["area"] == "Kidal" and sorted(spike[0]["event_ids"]) == [
        "MLI0001",
        "MLI0002",
        "MLI0003",
    ]
    assert "posted to the webhook at 127.0.0.1 (204)" in capsys.readouterr().out
