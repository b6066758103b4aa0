"""Sign-in and roles in the app: who is here, what they may do, and the pages that say so.

The policy itself is :mod:`geo.model.roles` (pure, tested without Streamlit);
this module reads the session: Streamlit's native OpenID Connect sign-in
(``st.login`` / ``st.user``, configured by ``[auth]`` in
``.streamlit/secrets.toml``), the ``[access]`` role settings beside it and an
optional e-mail allow-list file. Every guarded action calls :func:`require`
at the moment it acts, so hiding a page is never the only check.

Without ``[auth]`` the app is a one-person tool: it listens on 127.0.0.1
(``.streamlit/config.toml``) and everyone who can reach it is an admin. On
any other address it shows nothing unless ``GEO_ALLOW_OPEN`` allows open
access explicitly, and then it warns on every page. Settings: docs/auth.md.
"""

from __future__ import annotations

import functools
import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from appkit.text import escape_markdown
from geo import config
from geo.model import roles
from geo.model.roles import AccessDenied, Exposure, RoleConfigError, RoleRules

__all__ = [
    "OPEN_ENV",
    "ROLES_FILE_ENV",
    "AccessDenied",
    "Visitor",
    "auth_section",
    "can",
    "gate_page",
    "guard_page",
    "listen_address",
    "mode_notice",
    "providers",
    "public_text",
    "require",
    "rules",
    "show_denied",
    "sidebar",
    "visitor",
]

OPEN_ENV = "GEO_ALLOW_OPEN"  # "1" (everyone an admin) or a role name, on a reachable address
ROLES_FILE_ENV = "GEO_ROLES_FILE"  # allow-list of e-mails per role; wins over [access] allow_list
_YES = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Visitor:
    """The person behind this session, as far as access goes.

    Attributes
    ----------
    role : str or None
        ``viewer``, ``editor``, ``admin``; ``None`` may do nothing.
    who : str
        Name for the audit trail: the e-mail (else name, else subject) of a
        signed-in person, ``local:<user>`` in local mode, ``anonymous`` when open.
    mode : str
        ``signed-in``, ``local``, ``open`` or ``refused`` (see :func:`geo.model.roles.exposure`).
    signed_in : bool
        Whether an identity provider vouched for ``who``.
    problem : str
        Why the role settings could not be used, when they could not.
    """

    role: str | None
    who: str
    mode: Exposure
    signed_in: bool = False
    problem: str = ""


# --------------------------------------------------------------------------
# Settings


def _secret(name: str) -> Mapping[str, Any]:
    try:
        section = st.secrets.get(name)
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return {}
    return section if isinstance(section, Mapping) else {}


def auth_section() -> Mapping[str, Any]:
    """The ``[auth]`` secrets (empty when sign-in is not configured)."""
    return _secret("auth")


def providers() -> list[str]:
    """Provider names ``st.login`` accepts: ``default`` for a flat ``[auth]``, then sub-tables."""
    section = auth_section()
    named = [
        str(k)
        for k, v in section.items()
        if isinstance(v, Mapping) and ("client_id" in v or "server_metadata_url" in v)
    ]
    return (["default"] if "client_id" in section else []) + named


def _open_role() -> str | None:
    """The role ``GEO_ALLOW_OPEN`` gives everyone on a reachable address (``None``: not set)."""
    value = os.environ.get(OPEN_ENV, "").strip().lower()
    if value in _YES:
        return roles.ADMIN
    return value if value in roles.ROLES else None


def _allow_list_path(access: Mapping[str, Any]) -> Path | None:
    text = os.environ.get(ROLES_FILE_ENV) or str(access.get("allow_list", "") or "")
    if not text.strip():
        return None
    path = Path(text.strip()).expanduser()
    return path if path.is_absolute() else config.ROOT / path


@functools.lru_cache(maxsize=8)
def _allow_list(path: str, version: tuple[int, int]) -> dict[str, roles.Role]:
    """The allow-list, read again whenever the file changes (``version``: mtime, size)."""
    del version  # part of the cache key only
    return roles.read_allow_list(path)


def rules() -> RoleRules:
    """The role rules in force now; the allow-list file is re-read when it changes.

    Raises
    ------
    geo.model.roles.RoleConfigError
    """
    access = _secret("access")
    path = _allow_list_path(access)
    emails: dict[str, roles.Role] = {}
    if path is not None:
        try:
            stat = path.stat()
        except OSError:
            raise RoleConfigError(f"{path.name}: the allow-list file is missing") from None
        emails = _allow_list(str(path), (stat.st_mtime_ns, stat.st_size))
    return RoleRules.from_settings(access, emails)


# --------------------------------------------------------------------------
# The visitor


def _local_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's random uid)
        return "user"


def _identity(claims: Mapping[str, Any]) -> str:
    for key in ("email", "preferred_username", "name", "sub"):
        if claims.get(key):
            return str(claims[key])
    return "unknown"


def _signed_in_visitor() -> Visitor:
    claims = st.user.to_dict()
    if not claims.get("is_logged_in"):
        return Visitor(None, "", "signed-in")
    who = _identity(claims)
    try:
        role = roles.role_for(claims, rules())
    except RoleConfigError as exc:
        return Visitor(None, who, "signed-in", signed_in=True, problem=str(exc))
    return Visitor(role, who, "signed-in", signed_in=True)


def listen_address() -> str | None:
    """The address the server listens on (``None`` or ``""``: every interface)."""
    address = st.get_option("server.address")
    return None if address is None else str(address)


def _request_headers() -> Mapping[str, str]:
    try:
        return dict(st.context.headers)
    except Exception:  # no request (bare script, some AppTest runs): nothing was forwarded
        return {}


def visitor() -> Visitor:
    """Who is here now and their role, read afresh (call it at the moment of acting)."""
    mode = roles.exposure(
        listen_address(),
        auth=bool(auth_section()),
        allow_open=_open_role() is not None,
        proxied=roles.is_proxied(_request_headers()),
    )
    if mode == "signed-in":
        return _signed_in_visitor()
    if mode == "local":
        return Visitor(roles.ADMIN, f"local:{_local_user()}", mode)
    if mode == "open":
        return Visitor(_open_role(), "anonymous", mode)
    return Visitor(None, "", mode)


def can(action: str) -> bool:
    """Whether this session may do ``action`` now."""
    return roles.can(visitor().role, action)


def require(action: str) -> Visitor:
    """The visitor, when they may do ``action`` now; else :class:`AccessDenied`.

    Every write goes through this at the moment it happens: a page that is
    hidden, a button that is not drawn and a replayed request all end here.
    """
    current = visitor()
    roles.require(current.role, action)
    return current


def public_text(text: str) -> str:
    """``text`` with the server's folders taken out, unless the visitor may see settings.

    Messages about the store name its files; only admins (and the one local
    user) see where they are kept.
    """
    if can(roles.VIEW_SETTINGS):
        return text
    store = Path(config.INCIDENTS_CSV)
    folders = {str(store.parent), str(store.resolve().parent), str(config.ROOT)}
    for folder in sorted(folders, key=len, reverse=True):
        text = text.replace(folder.rstrip(os.sep) + os.sep, "")
    return text


def show_denied(exc: AccessDenied) -> None:
    """Say that an action was refused (nothing was changed)."""
    st.error(
        f"Not allowed: your role ({exc.role or 'none'}) may not do this. Nothing was changed.",
        icon=":material/block:",
    )


def guard_page(action: str) -> Visitor:
    """Stop the page, saying why, unless the visitor may do ``action``; else the visitor."""
    try:
        return require(action)
    except AccessDenied as exc:
        show_denied(exc)
        st.stop()
        raise  # st.stop raises; this keeps type checkers and readers sure of it


# --------------------------------------------------------------------------
# What the visitor sees about access


def gate_page() -> None:
    """The only page for a visitor who may not view: sign in, no role, or refused."""
    current = visitor()
    st.title("Sahel conflict map")
    if current.mode == "refused":
        _refused()
    elif not current.signed_in:
        _sign_in()
    else:
        _no_role(current)


def _sign_in() -> None:
    st.write("Sign in with your organisation's account to see the dashboard.")
    names = providers()
    for name in names:
        label = "Sign in" if name == "default" else f"Sign in with {name.title()}"
        if st.button(label, key=f"auth_login_{name}", type="primary"):
            st.login(name)
    if not names:
        st.error("Sign-in is switched on but names no identity provider (see docs/auth.md).")


def _no_role(current: Visitor) -> None:
    st.write(
        f"You are signed in as **{escape_markdown(current.who)}**, but no role on this "
        "dashboard is yours."
    )
    if current.problem:
        st.error(f"The role settings cannot be used: {current.problem}")
    else:
        st.write("Ask an administrator to add you to a group or to the allow-list.")
    if st.button("Sign out", key="auth_logout_norole"):
        st.logout()


def _refused() -> None:
    address = listen_address() or "every network interface"
    st.error(
        f"This server listens on {address} without sign-in, so it shows nothing. Configure "
        "sign-in (`[auth]` in `.streamlit/secrets.toml`), listen on 127.0.0.1 only, or allow "
        f"open access explicitly with `{OPEN_ENV}=1`. See docs/auth.md.",
        icon=":material/lock:",
    )


def mode_notice(current: Visitor) -> None:
    """A visible warning on every page when anyone who can reach the server may use it."""
    if current.mode == "open":
        st.warning(
            f"Open access: sign-in is off, and anyone who can reach this server gets the "
            f"{current.role} role ({OPEN_ENV}). Configure sign-in for a team (docs/auth.md).",
            icon=":material/warning:",
        )


def sidebar(current: Visitor) -> None:
    """Who is signed in, their role and sign-out; or a line saying the app is local only."""
    with st.sidebar:
        if current.mode == "local":
            st.caption(
                "Local mode: no sign-in, so this server answers on this computer only "
                f"({listen_address()}); you may do everything."
            )
        elif current.signed_in:
            st.caption(f"Signed in as **{escape_markdown(current.who)}** ({current.role}).")
            if st.button("Sign out", key="auth_logout", icon=":material/logout:"):
                st.logout()
