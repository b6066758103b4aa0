"""A small OpenID Connect provider on localhost, for tests and for trying sign-in by hand.

It speaks the authorization-code flow the way the app's Streamlit client
(Authlib) expects it: a discovery document, an authorize page where you pick
one of a few made-up accounts, a token endpoint that checks the client's
secret, the one-time code, the redirect URI and the PKCE verifier, ID tokens
signed RS256 with a fresh key whose public half is at the JWKS endpoint,
userinfo, and an end-session endpoint. Codes, tokens and the key live in
memory; nothing is reached off the machine.

Built on Authlib's pieces (PKCE and hash helpers, token generation) and
joserfc, Authlib's JOSE library that ``streamlit[auth]`` installs. Not a
security product: any visitor may pick any account.

Run by hand through ``python scripts/dev_oidc.py``.
"""

from __future__ import annotations

import base64
import html
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core.util import create_half_hash
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "conflict-map"
CLIENT_SECRET = "dev-client-secret"  # noqa: S105 - a test provider's made-up secret


@dataclass(frozen=True)
class Account:
    """A made-up person the provider can sign in."""

    username: str
    name: str
    email: str
    groups: tuple[str, ...] = ()

    def claims(self) -> dict[str, Any]:
        return {
            "sub": f"user-{self.username}",
            "name": self.name,
            "preferred_username": self.username,
            "email": self.email,
            "email_verified": True,
            "groups": list(self.groups),
        }


ACCOUNTS: tuple[Account, ...] = (
    Account("vera", "Vera Viewer", "vera@example.org", ("conflict-map-viewers",)),
    Account("eddie", "Eddie Editor", "eddie@example.org", ("conflict-map-editors",)),
    Account("ada", "Ada Admin", "ada@example.org", ("conflict-map-admins",)),
    Account("olga", "Olga Outsider", "olga@elsewhere.org", ("other-team",)),
)

# The [access] settings that give these accounts their roles in the app.
ACCESS_TOML = """
[access]
claim = "groups"

[access.groups]
"conflict-map-viewers" = "viewer"
"conflict-map-editors" = "editor"
"conflict-map-admins" = "admin"
"""


@dataclass
class _Grant:
    account: Account
    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str | None
    method: str | None


@dataclass
class ProviderState:
    """What the provider keeps and what it saw (tests read ``events``)."""

    issuer: str
    accounts: dict[str, Account]
    redirect_uris: tuple[str, ...]
    key: RSAKey
    codes: dict[str, _Grant] = field(default_factory=dict)
    access_tokens: dict[str, Account] = field(default_factory=dict)
    events: list[tuple[str, str]] = field(default_factory=list)  # (endpoint, detail)
    lock: threading.Lock = field(default_factory=threading.Lock)


class OIDCProvider:
    """The provider on ``http://127.0.0.1:<port>``, served from a background thread.

    Parameters
    ----------
    redirect_uris : sequence of str
        Redirect URIs the client may use (empty: any ``http://localhost`` or
        ``http://127.0.0.1`` URI, which is what a developer wants).
    port : int
        0 picks a free port.
    """

    def __init__(
        self,
        redirect_uris: Sequence[str] = (),
        *,
        port: int = 0,
        accounts: Sequence[Account] = ACCOUNTS,
    ):
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        host, bound = self._server.server_address[:2]
        key = RSAKey.generate_key(2048, parameters={"kid": generate_token(12), "use": "sig"})
        self.state = ProviderState(
            issuer=f"http://{host!s}:{bound}",
            accounts={a.username: a for a in accounts},
            redirect_uris=tuple(redirect_uris),
            key=key,
        )
        self._server.state = self.state  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        return self.state.issuer

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def secrets_toml(self, redirect_uri: str, cookie_secret: str) -> str:
        """The app's ``secrets.toml``: ``[auth]`` for this provider and ``[access]`` roles."""
        auth = {
            "redirect_uri": redirect_uri,
            "cookie_secret": cookie_secret,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "server_metadata_url": self.metadata_url,
        }
        lines = ["[auth]", *(f"{k} = {json.dumps(v)}" for k, v in auth.items())]
        return "\n".join(lines) + "\n" + ACCESS_TOML

    def start(self) -> OIDCProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> OIDCProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --------------------------------------------------------------------------
# The endpoints


def _metadata(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "end_session_endpoint": f"{issuer}/logout",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "name", "email", "email_verified", "groups"],
    }


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Test sign-in</title>
<style>body{{font-family:sans-serif;max-width:28rem;margin:4rem auto}}
button{{display:block;width:100%;margin:.4rem 0;padding:.6rem;font-size:1rem}}</style>
</head><body><h1>Test identity provider</h1><p>Sign in to <b>{client}</b> as:</p>
<form method="post" action="/authorize">{hidden}{buttons}</form></body></html>"""


def _authorize_page(params: dict[str, str], accounts: dict[str, Account]) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
    )
    buttons = "".join(
        f'<button name="username" value="{html.escape(a.username)}">'
        f"{html.escape(a.name)} ({html.escape(', '.join(a.groups) or 'no group')})</button>"
        for a in accounts.values()
    )
    return _PAGE.format(client=html.escape(params.get("client_id", "")), hidden=hidden,
                        buttons=buttons)  # fmt: skip


def _redirect_ok(state: ProviderState, uri: str) -> bool:
    if state.redirect_uris:
        return uri in state.redirect_uris
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1")


def _id_token(state: ProviderState, grant: _Grant, access_token: str) -> str:
    now = int(time.time())
    claims = {
        **grant.account.claims(),
        "iss": state.issuer,
        "aud": grant.client_id,
        "iat": now,
        "auth_time": now,
        "exp": now + 600,
        "at_hash": create_half_hash(access_token, "RS256").decode("ascii"),
    }
    if grant.nonce:
        claims["nonce"] = grant.nonce
    header = {"alg": "RS256", "kid": state.key.kid}
    return jwt.encode(header, claims, state.key)


def _client_credentials(headers: Any, form: dict[str, str]) -> tuple[str, str]:
    """client_secret_basic (Authorization header) or client_secret_post (form)."""
    auth = headers.get("Authorization", "")
    if auth.startswith("Basic "):
        decoded = base64.b64decode(auth[6:]).decode("utf-8")
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return form.get("client_id", ""), form.get("client_secret", "")


def _redeem(state: ProviderState, form: dict[str, str], headers: Any) -> _Grant | str:
    """The grant a token request redeems, or why it is refused (an OAuth error code).

    The code is used up either way: a replayed code gets nothing.
    """
    client_id, secret = _client_credentials(headers, form)
    if (client_id, secret) != (CLIENT_ID, CLIENT_SECRET):
        return "invalid_client"
    if form.get("grant_type") != "authorization_code":
        return "unsupported_grant_type"
    with state.lock:
        grant = state.codes.pop(form.get("code", ""), None)
    if grant is None or grant.client_id != client_id:
        return "invalid_grant"
    if grant.redirect_uri != form.get("redirect_uri"):
        return "invalid_grant"
    if grant.challenge is not None:
        verifier = form.get("code_verifier", "")
        if grant.method != "S256" or create_s256_code_challenge(verifier) != grant.challenge:
            return "invalid_grant"
    return grant


class _Handler(BaseHTTPRequestHandler):
    server_version = "TestOIDC/1"

    @property
    def state(self) -> ProviderState:
        return self.server.state  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass  # quiet: tests read ``state.events`` instead

    def _send(self, status: int, body: str, content_type: str, headers: dict[str, str]) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, payload: Any, status: int = 200) -> None:
        self._send(status, json.dumps(payload), "application/json", {})

    def _redirect(self, url: str) -> None:
        self._send(302, "", "text/plain", {"Location": url})

    def _query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8")
        return {k: v[-1] for k, v in parse_qs(body).items()}

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        route = urlsplit(self.path).path
        self.state.events.append(("GET " + route, ""))
        if route == "/.well-known/openid-configuration":
            self._json(_metadata(self.state.issuer))
        elif route == "/jwks":
            self._json({"keys": [self.state.key.as_dict(private=False)]})
        elif route == "/authorize":
            self._authorize_form()
        elif route == "/userinfo":
            self._userinfo()
        elif route == "/logout":
            self._logout()
        else:
            self._send(404, "not found", "text/plain", {})

    def do_POST(self) -> None:  # noqa: N802 - the base class's name
        route = urlsplit(self.path).path
        self.state.events.append(("POST " + route, ""))
        if route == "/authorize":
            self._authorize_choice()
        elif route == "/token":
            self._token()
        else:
            self._send(404, "not found", "text/plain", {})

    def _authorize_form(self) -> None:
        params = self._query()
        if params.get("client_id") != CLIENT_ID or params.get("response_type") != "code":
            self._send(400, "unknown client or response type", "text/plain", {})
        elif not _redirect_ok(self.state, params.get("redirect_uri", "")):
            self._send(400, "redirect_uri not registered", "text/plain", {})
        else:
            self._send(200, _authorize_page(params, self.state.accounts), "text/html", {})

    def _authorize_choice(self) -> None:
        form = self._form()
        account = self.state.accounts.get(form.get("username", ""))
        redirect_uri = form.get("redirect_uri", "")
        if account is None or not _redirect_ok(self.state, redirect_uri):
            self._send(400, "unknown account or redirect_uri", "text/plain", {})
            return
        code = generate_token(32)
        with self.state.lock:
            self.state.codes[code] = _Grant(
                account, form.get("client_id", ""), redirect_uri, form.get("nonce"),
                form.get("code_challenge"), form.get("code_challenge_method"),
            )  # fmt: skip
        self.state.events.append(("signed in", account.username))
        query = {"code": code, **({"state": form["state"]} if "state" in form else {})}
        self._redirect(f"{redirect_uri}?{urlencode(query)}")

    def _token(self) -> None:
        grant = _redeem(self.state, self._form(), self.headers)
        if isinstance(grant, str):
            self.state.events.append(("token refused", grant))
            self._json({"error": grant}, status=401 if grant == "invalid_client" else 400)
            return
        access_token = generate_token(40)
        with self.state.lock:
            self.state.access_tokens[access_token] = grant.account
        self.state.events.append(("token", grant.account.username))
        self._json(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 600,
                "id_token": _id_token(self.state, grant, access_token),
                "scope": "openid email profile",
            }
        )

    def _userinfo(self) -> None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        account = self.state.access_tokens.get(token)
        if account is None:
            self._json({"error": "invalid_token"}, status=401)
        else:
            self._json(account.claims())

    def _logout(self) -> None:
        params = self._query()
        self.state.events.append(("signed out", params.get("id_token_hint", "")[:12]))
        target = params.get("post_logout_redirect_uri", "")
        if target and _redirect_ok(self.state, target):
            self._redirect(target)
        else:
            self._send(200, "<p>Signed out of the test provider.</p>", "text/html", {})
