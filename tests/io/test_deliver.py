"""Delivery against servers started in this process: an SMTP server (aiosmtpd) and an HTTP one."""

from __future__ import annotations

import email
import json
import threading
from collections.abc import Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from geo.io.deliver import (
    DeliveryError,
    SmtpSettings,
    compose_email,
    post_webhook,
    send_email,
)

aiosmtpd = pytest.importorskip("aiosmtpd", reason="aiosmtpd is in the test extra")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

from tests.app.app_support import free_port  # noqa: E402


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(
            (
                envelope.mail_from,
                list(envelope.rcpt_tos),
                email.message_from_bytes(envelope.content),
            )
        )
        return "250 OK"


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"watch", b"s3cret")
    if ok:
        return AuthResult(success=True)
    # Without a message this aiosmtpd version answers nothing and the client times out.
    return AuthResult(success=False, handled=False, message="535 5.7.8 Bad credentials")


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticator,
        auth_require_tls=False,  # a loopback test server; real servers get STARTTLS
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _message() -> Any:
    return compose_email(
        "watch@team.example",
        ["manager@team.example", " analyst@team.example "],
        "Digest 2013-W08",
        "# What changed\nKidal: spike",
        "<h1>What changed</h1>",
        [("digest-2013-W08.pdf", b"%PDF-1.4 test", "application/pdf")],
    )


def test_email_arrives_with_text_html_and_attachment(smtp_server: tuple[_Inbox, int]) -> None:
    inbox, port = smtp_server
    settings = SmtpSettings("127.0.0.1", port, starttls=False, user="watch", password="s3cret")
    send_email(settings, _message())
    assert len(inbox.messages) == 1
    sender, rcpts, msg = inbox.messages[0]
    assert sender == "watch@team.example"
    assert rcpts == ["manager@team.example", "analyst@team.example"]
    assert msg["Subject"] == "Digest 2013-W08"
    parts = {p.get_content_type(): p for p in msg.walk()}
    assert "Kidal: spike" in parts["text/plain"].get_payload(decode=True).decode()
    assert b"<h1>What changed</h1>" in parts["text/html"].get_payload(decode=True)
    assert parts["application/pdf"].get_filename() == "digest-2013-W08.pdf"
    assert parts["application/pdf"].get_payload(decode=True) == b"%PDF-1.4 test"


def test_email_failures_are_named(smtp_server: tuple[_Inbox, int]) -> None:
    inbox, port = smtp_server
    wrong = SmtpSettings("127.0.0.1", port, starttls=False, user="watch", password="nope")
    with pytest.raises(DeliveryError, match="refused the login of 'watch'") as caught:
        send_email(wrong, _message())
    assert "nope" not in str(caught.value) and "nope" not in repr(wrong)
    with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        send_email(SmtpSettings("127.0.0.1", port, starttls=True), _message())
    closed = free_port()
    with pytest.raises(DeliveryError, match=f"SMTP server 127.0.0.1:{closed}: ConnectionRefused"):
        send_email(SmtpSettings("127.0.0.1", closed, starttls=False, timeout=5), _message())
    assert inbox.messages == []


def test_compose_refuses_bad_addresses() -> None:
    with pytest.raises(DeliveryError, match="no recipient"):
        compose_email("a@b.example", [" "], "s", "t")
    with pytest.raises(DeliveryError, match="not an address"):
        compose_email("a@b.example", ["x@y.example\r\nBcc: z@z.example"], "s", "t")
    with pytest.raises(DeliveryError, match="no sender"):
        compose_email("", ["x@y.example"], "s", "t")


def test_settings_from_environment_over_secrets(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[smtp]\nhost = "mail.team.example"\nport = 2525\nuser = "watch@team.example"\n'
        'password = "from-file"\n',
        encoding="utf-8",
    )
    settings = SmtpSettings.load({"GEO_SMTP_PASSWORD": "from-env"}, secrets)
    assert (settings.host, settings.port, settings.starttls) == ("mail.team.example", 2525, True)
    assert settings.password == "from-env" and settings.sender == "watch@team.example"
    env = {"GEO_SMTP_HOST": "relay", "GEO_SMTP_STARTTLS": "no", "GEO_SMTP_FROM": "w@t.example"}
    assert SmtpSettings.load(env, tmp_path / "none.toml").starttls is False
    with pytest.raises(DeliveryError, match="no SMTP server configured"):
        SmtpSettings.load({}, tmp_path / "none.toml")
    with pytest.raises(DeliveryError, match="port='x'"):
        SmtpSettings.load({"GEO_SMTP_HOST": "relay", "GEO_SMTP_PORT": "x"}, tmp_path / "none.toml")
    with pytest.raises(DeliveryError, match="starttls='maybe'"):
        SmtpSettings.load(
            {"GEO_SMTP_HOST": "relay", "GEO_SMTP_STARTTLS": "maybe"}, tmp_path / "none.toml"
        )


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook_server() -> Iterator[tuple[type[_Hook], int]]:
    handler = type("Hook", (_Hook,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_posts_json(hook_server: tuple[type[_Hook], int]) -> None:
    handler, port = hook_server
    status = post_webhook(f"http://127.0.0.1:{port}/hooks/T0K3N", {"text": "Kidal: spike ✓"})
    assert status == 200
    path, media_type, body = handler.received[0]
    assert path == "/hooks/T0K3N" and media_type.startswith("application/json")
    assert json.loads(body.decode("utf-8")) == {"text": "Kidal: spike ✓"}


def test_webhook_failures_are_named_without_the_secret_path(
    hook_server: tuple[type[_Hook], int],
) -> None:
    handler, port = hook_server
    handler.status = 403
    with pytest.raises(DeliveryError, match="webhook at 127.0.0.1 answered 403") as caught:
        post_webhook(f"http://127.0.0.1:{port}/hooks/T0K3N", {"text": "x"})
    assert "T0K3N" not in str(caught.value)
    with pytest.raises(DeliveryError, match="expected an http"):
        post_webhook("file:///etc/passwd", {"text": "x"})
    with pytest.raises(DeliveryError, match="could not be reached"):
        post_webhook(f"http://127.0.0.1:{free_port()}/x", {"text": "x"}, timeout=5)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made here (no file from outside the test)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test SMTP server")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_starttls_with_the_team_ca_and_refused_without(tmp_path: Path) -> None:
    import ssl

    pytest.importorskip("cryptography")
    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    inbox, port = _Inbox(), free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticator,
    )
    controller.start()
    try:
        untrusted = SmtpSettings("127.0.0.1", port, user="watch", password="s3cret", timeout=10)
        with pytest.raises(DeliveryError, match="certificate is not trusted.*GEO_SMTP_CAFILE"):
            send_email(untrusted, _message())
        trusted = SmtpSettings(
            "127.0.0.1", port, user="watch", password="s3cret", timeout=10, cafile=str(cert_file)
        )
        send_email(trusted, _message())
    finally:
        controller.stop()
    assert len(inbox.messages) == 1  # sent over TLS, after login (aiosmtpd requires both)
