"""The test OpenID Connect provider, driven by Authlib's own client (no browser, no network)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.app.oidc_provider import CLIENT_ID, CLIENT_SECRET, OIDCProvider

REDIRECT = "http://localhost:8501/oauth2callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[OIDCProvider]:
    with OIDCProvider([REDIRECT]) as running:
        yield running


def _client(**kwargs) -> OAuth2Client:
    return OAuth2Client(
        CLIENT_ID, kwargs.pop("secret", CLIENT_SECRET), redirect_uri=REDIRECT,
        scope="openid email profile", code_challenge_method="S256", trust_env=False, **kwargs,
    )  # fmt: skip


def _sign_in(provider: OIDCProvider, username: str) -> tuple[str, str, str]:
    """Walk the authorize page as a browser would; the code, the verifier and the nonce."""
    meta = httpx.get(provider.metadata_url, trust_env=False).json()
    verifier = "v" * 64
    with _client() as client:
        url, _state = client.create_authorization_url(
            meta["authorization_endpoint"], code_verifier=verifier, nonce="n-0S6"
        )
    page = httpx.get(url, trust_env=False)
    assert page.status_code == 200 and "Eddie Editor" in page.text
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
    fields = {k: unescape(v) for k, v in fields.items()} | {"username": username}
    answer = httpx.post(provider.issuer + "/authorize", data=fields, trust_env=False)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return parse_qs(location.query)["code"][0], verifier, fields["nonce"]


def test_discovery_names_every_endpoint_on_localhost(provider):
    meta = httpx.get(provider.metadata_url, trust_env=False).json()
    assert meta["issuer"] == provider.issuer
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"):
        assert meta[key].startswith("http://127.0.0.1:")
    assert meta["code_challenge_methods_supported"] == ["S256"]


def test_code_flow_gives_a_signed_id_token_with_the_groups(provider):
    code, verifier, nonce = _sign_in(provider, "eddie")
    meta = httpx.get(provider.metadata_url, trust_env=False).json()
    with _client() as client:
        token = client.fetch_token(meta["token_endpoint"], code=code, code_verifier=verifier)
    keys = KeySet.import_key_set(httpx.get(meta["jwks_uri"], trust_env=False).json())
    claims = jwt.decode(token["id_token"], keys).claims
    assert claims["iss"] == provider.issuer and claims["aud"] == CLIENT_ID
    assert claims["nonce"] == nonce
    assert claims["email"] == "eddie@example.org"
    assert claims["groups"] == ["conflict-map-editors"]
    info = httpx.get(
        meta["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {token['access_token']}"},
        trust_env=False,
    ).json()
    assert info["email"] == "eddie@example.org"


def test_a_code_works_once_and_only_with_its_verifier_and_secret(provider):
    meta = httpx.get(provider.metadata_url, trust_env=False).json()
    code, verifier, _ = _sign_in(provider, "vera")
    with _client() as client, pytest.raises(Exception, match="invalid_grant"):
        client.fetch_token(meta["token_endpoint"], code=code, code_verifier="w" * 64)
    with _client() as client, pytest.raises(Exception, match="invalid_grant"):
        client.fetch_token(meta["token_endpoint"], code=code, code_verifier=verifier)  # used up
    code, verifier, _ = _sign_in(provider, "vera")
    with _client(secret="wrong") as client, pytest.raises(Exception, match="invalid_client"):
        client.fetch_token(meta["token_endpoint"], code=code, code_verifier=verifier)


def test_an_unregistered_redirect_is_refused(provider):
    query = f"client_id={CLIENT_ID}&response_type=code&redirect_uri=http://localhost:1/elsewhere"
    assert httpx.get(f"{provider.issuer}/authorize?{query}", trust_env=False).status_code == 400
