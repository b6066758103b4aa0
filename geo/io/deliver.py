"""Sending a digest out: e-mail through the team's SMTP server, and a webhook POST.

Settings come from one place, like the rest of :mod:`geo.config`: the
environment (``GEO_SMTP_HOST``, ``GEO_SMTP_PORT``, ``GEO_SMTP_STARTTLS``,
``GEO_SMTP_USER``, ``GEO_SMTP_PASSWORD``, ``GEO_SMTP_FROM``,
``GEO_SMTP_TIMEOUT``, ``GEO_SMTP_CAFILE``) over the ``[smtp]`` table of
``.streamlit/secrets.toml`` (``host``, ``port``, ``starttls``, ``user``,
``password``, ``from``, ``timeout``, ``cafile``), so a password never sits in a file the
repository tracks. Network calls are kept apart from composing the message
(:func:`compose_email`), which is tested on its own; the sending is tested
against servers started in the test process, never a real one.

A webhook receives JSON (``{"text": ..., ...}``): the shape Slack,
Mattermost, Rocket.Chat and Teams' incoming webhooks accept for a plain
message, with the structured digest beside it for tools that want it.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from geo import config

__all__ = [
    "SECRETS_FILE",
    "DeliveryError",
    "SmtpSettings",
    "compose_email",
    "post_webhook",
    "send_email",
]

SECRETS_FILE = config.ROOT / ".streamlit" / "secrets.toml"
_ENV = "GEO_SMTP_"
_YES = ("1", "true", "yes", "on")
_NO = ("0", "false", "no", "off")


class DeliveryError(RuntimeError):
    """A digest could not be sent; the message says where and why (never the password)."""


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the team's SMTP server.

    Attributes
    ----------
    host : str
        Server name or address.
    port : int
        587 by default (submission with STARTTLS).
    starttls : bool
        Upgrade the connection with STARTTLS before logging in (default on;
        a server that does not offer it is refused rather than used in clear).
    user, password : str
        Login; empty means no login.
    sender : str
        The From address (default: ``user``).
    timeout : float
        Seconds to wait for the server.
    cafile : str
        A file of CA certificates to trust besides the system's (a team's
        own certificate authority); empty for the system's only.
    """

    host: str
    port: int = 587
    starttls: bool = True
    user: str = ""
    password: str = ""
    sender: str = ""
    timeout: float = 30.0
    cafile: str = ""

    def __repr__(self) -> str:  # keep the password out of logs and tracebacks
        return (
            f"SmtpSettings(host={self.host!r}, port={self.port}, starttls={self.starttls}, "
            f"user={self.user!r}, sender={self.sender!r})"
        )

    @classmethod
    def load(
        cls, environ: Mapping[str, str] | None = None, secrets: Path | None = None
    ) -> SmtpSettings:
        """The settings from the environment over ``[smtp]`` in the secrets file.

        Raises
        ------
        DeliveryError
            When no host is set, or a value is not usable (names the setting).
        """
        env = os.environ if environ is None else environ
        table = _secrets_table(SECRETS_FILE if secrets is None else secrets)
        merged: dict[str, Any] = dict(table)
        for key in ("host", "port", "starttls", "user", "password", "from", "timeout", "cafile"):
            value = env.get(_ENV + key.upper(), "").strip()
            if value:
                merged[key] = value
        host = str(merged.get("host", "") or "").strip()
        if not host:
            raise DeliveryError(
                "no SMTP server configured: set GEO_SMTP_HOST (and GEO_SMTP_PORT, "
                "GEO_SMTP_USER, GEO_SMTP_PASSWORD, GEO_SMTP_FROM) or [smtp] host in "
                ".streamlit/secrets.toml (docs/watch.md)"
            )
        user = str(merged.get("user", "") or "").strip()
        return cls(
            host=host,
            port=_whole(merged.get("port", 587), "port"),
            starttls=_flag(merged.get("starttls", True), "starttls"),
            user=user,
            password=str(merged.get("password", "") or ""),
            sender=str(merged.get("from", "") or "").strip() or user,
            timeout=float(_whole(merged.get("timeout", 30), "timeout")),
            cafile=str(merged.get("cafile", "") or "").strip(),
        )


def _secrets_table(path: Path) -> Mapping[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DeliveryError(f"{path.name}: cannot be read ({exc})") from None
    table = data.get("smtp", {})
    if not isinstance(table, Mapping):
        raise DeliveryError(f"{path.name}: [smtp] must be a table")
    return table


def _whole(value: Any, name: str) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 0 < int(text) < 65536:
        raise DeliveryError(f"SMTP setting {name}={value!r}: expected a whole number from 1")
    return int(text)


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _YES or text in _NO:
        return text in _YES
    raise DeliveryError(f"SMTP setting {name}={value!r}: expected true or false")


def compose_email(
    sender: str,
    to: Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> EmailMessage:
    """The message: plain text, an HTML alternative, and attachments ``(name, data, type)``.

    Raises
    ------
    DeliveryError
        When there is no recipient, no sender, or an address holds a line break.
    """
    addresses = [a.strip() for a in to if a.strip()]
    if not addresses:
        raise DeliveryError("no recipient: give at least one e-mail address")
    if not sender:
        raise DeliveryError("no sender: set GEO_SMTP_FROM (or GEO_SMTP_USER)")
    for address in [sender, *addresses]:
        if any(c in address for c in "\r\n") or "@" not in address:
            raise DeliveryError(f"e-mail address {address!r}: not an address")
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(addresses)
    msg["Subject"] = " ".join(subject.split())
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, data, media_type in attachments:
        main, _, sub = media_type.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub or "octet-stream", filename=name)
    return msg


def send_email(settings: SmtpSettings, message: EmailMessage) -> None:
    """Send ``message`` through the server of ``settings``.

    Raises
    ------
    DeliveryError
        The server cannot be reached, does not offer STARTTLS when asked,
        refuses the login or a recipient.
    """
    where = f"SMTP server {settings.host}:{settings.port}"
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context(cafile=settings.cafile or None))
            if settings.user:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(
            f"{where}: its certificate is not trusted ({exc.verify_message}); give the CA "
            "file as GEO_SMTP_CAFILE if the team has its own"
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(
            f"{where} does not offer STARTTLS; set GEO_SMTP_STARTTLS=false only for a server "
            "on this machine or a trusted network"
        ) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{where} refused the login of {settings.user!r}: {exc.smtp_code}"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"{where} refused recipient(s) {', '.join(exc.recipients)}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{where}: {type(exc).__name__}: {exc}") from None


def post_webhook(url: str, payload: Mapping[str, Any], timeout: float = 30.0) -> int:
    """POST ``payload`` as JSON to ``url``; returns the HTTP status.

    Raises
    ------
    DeliveryError
        When ``url`` is not http(s), or the server cannot be reached or
        answers with an error status.
    """
    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("http", "https") or "://" not in url:
        raise DeliveryError(f"webhook {url!r}: expected an http:// or https:// address")
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    host = urllib.parse.urlsplit(url).hostname or "?"  # the path of a webhook is its secret
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"webhook at {host} answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"webhook at {host} could not be reached: {reason}") from None
