"""Who may do what: the viewer / editor / admin policy and where a role comes from.

The policy is pure: no Streamlit, no session, no network. The app asks
:func:`can` (or :func:`require`, which raises) at the moment of every
action, with the role it read for the signed-in person from
:func:`role_for`; hiding a page is a convenience on top, never the check.

Roles are ranked: an editor may do everything a viewer may, an admin
everything an editor may. A role comes from a claim of the identity
provider's ID token (``groups`` by default, mapped group name -> role) or
from an allow-list of e-mail addresses per role; the highest role that any
rule gives wins. Anything unknown (a role name, an action) is refused.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

__all__ = [
    "ACTIONS",
    "ADMIN",
    "APPEND",
    "EDIT_OVERRIDES",
    "EDITOR",
    "MANAGE_GAZETTEERS",
    "MANAGE_SITES",
    "ROLES",
    "VIEW",
    "VIEWER",
    "VIEW_AUDIT",
    "VIEW_SETTINGS",
    "VIEW_SITES",
    "AccessDenied",
    "Exposure",
    "RoleConfigError",
    "RoleRules",
    "can",
    "exposure",
    "highest",
    "is_loopback",
    "read_allow_list",
    "require",
    "role_for",
]

Role = Literal["viewer", "editor", "admin"]
VIEWER: Final = "viewer"
EDITOR: Final = "editor"
ADMIN: Final = "admin"
ROLES: tuple[Role, ...] = (VIEWER, EDITOR, ADMIN)  # lowest first

# Actions, each allowed from one role up.
VIEW: Final = "view"  # map, trends, incidents, briefing, about
APPEND: Final = "append"  # reviewed report candidates and file imports into the store
EDIT_OVERRIDES: Final = "edit_overrides"  # analysts' risk and place overrides
MANAGE_GAZETTEERS: Final = "manage_gazetteers"  # load or remove the store's gazetteers
# The team's own sites and routes are sensitive: only the team sees or loads them.
VIEW_SITES: Final = "view_sites"  # sites on the map, the "near our sites" filter and table
MANAGE_SITES: Final = "manage_sites"  # load or replace the store's sites
VIEW_AUDIT: Final = "view_audit"  # the audit trail and who added each incident
VIEW_SETTINGS: Final = "view_settings"  # server paths, sign-in and role settings

ACTIONS: Mapping[str, Role] = {
    VIEW: VIEWER,
    APPEND: EDITOR,
    EDIT_OVERRIDES: EDITOR,
    MANAGE_GAZETTEERS: EDITOR,
    VIEW_SITES: EDITOR,
    MANAGE_SITES: EDITOR,
    VIEW_AUDIT: ADMIN,
    VIEW_SETTINGS: ADMIN,
}


class AccessDenied(PermissionError):  # noqa: N818 - reads as what happened
    """An action that the role does not allow was attempted."""

    def __init__(self, role: str | None, action: str):
        self.role = role
        self.action = action
        who = f"the {role} role" if role else "a visitor without a role"
        super().__init__(f"{action!r} is not allowed for {who}")


class RoleConfigError(ValueError):
    """The role settings or the allow-list file cannot be used (says which entry)."""


def _rank(role: str | None) -> int:
    """Position of a role in :data:`ROLES`; -1 for no role or an unknown one."""
    return ROLES.index(role) if role in ROLES else -1


def can(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action``; ``False`` for an unknown role or action.

    >>> can("viewer", "append"), can("editor", "append"), can(None, "view")
    (False, True, False)
    """
    needed = ACTIONS.get(action)
    return needed is not None and _rank(role) >= _rank(needed)


def require(role: str | None, action: str) -> None:
    """Raise :class:`AccessDenied` unless ``role`` may do ``action``."""
    if not can(role, action):
        raise AccessDenied(role, action)


def highest(roles: Iterable[str | None]) -> Role | None:
    """The highest known role among ``roles`` (``None`` when there is none)."""
    present = set(roles)
    ranked = [r for r in ROLES if r in present]
    return ranked[-1] if ranked else None


def _role_name(value: Any, where: str) -> Role:
    name = str(value).strip().lower()
    if name not in ROLES:
        raise RoleConfigError(f"{where}: {value!r} is not a role (use one of {', '.join(ROLES)})")
    return ROLES[ROLES.index(name)]


@dataclass(frozen=True)
class RoleRules:
    """Where a signed-in person's role comes from.

    Attributes
    ----------
    claim : str
        ID-token claim holding group or role names; a dotted path reaches
        into an object (Keycloak's ``realm_access.roles``). Empty: no claim.
    groups : mapping
        Group name (exactly as the claim gives it) -> role.
    emails : mapping
        Lower-case e-mail address, or ``@domain`` for a whole domain -> role.
    default : str or None
        Role of a signed-in person whom no rule names; ``None`` refuses them.
    """

    claim: str = "groups"
    groups: Mapping[str, Role] = field(default_factory=dict)
    emails: Mapping[str, Role] = field(default_factory=dict)
    default: Role | None = None

    @classmethod
    def from_settings(
        cls, section: Mapping[str, Any], emails: Mapping[str, Role] | None = None
    ) -> RoleRules:
        """Rules from the ``[access]`` settings (``claim``, ``groups``, ``default_role``).

        Raises
        ------
        RoleConfigError
            When a role name is unknown or a setting has the wrong type.
        """
        claim = section.get("claim", "groups")
        groups = section.get("groups", {})
        if not isinstance(claim, str) or not isinstance(groups, Mapping):
            raise RoleConfigError("[access]: claim must be text and groups a table")
        default = str(section.get("default_role", "") or "").strip()
        return cls(
            claim=claim.strip(),
            groups={str(k): _role_name(v, f"[access.groups] {k!r}") for k, v in groups.items()},
            emails=dict(emails or {}),
            default=_role_name(default, "[access] default_role") if default else None,
        )


def read_allow_list(path: str | Path) -> dict[str, Role]:
    """Read an allow-list TOML file: ``admin = [...]``, ``editor = [...]``, ``viewer = [...]``.

    Each list holds e-mail addresses, or ``@domain`` for everyone of a domain.
    A person named under several roles gets the highest.

    Raises
    ------
    RoleConfigError
        When the file cannot be read or names an unknown role.
    """
    p = Path(path)
    try:
        table = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RoleConfigError(f"{p.name}: the allow-list cannot be read ({exc})") from None
    emails: dict[str, Role] = {}
    for key, entries in table.items():
        role = _role_name(key, p.name)
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise RoleConfigError(f"{p.name}: {key} must be a list of e-mail addresses")
        for entry in entries:
            address = entry.strip().lower()
            emails[address] = highest([emails.get(address), role]) or role
    return emails


def _claim_values(claims: Mapping[str, Any], path: str) -> list[str]:
    """The names a claim holds: a list, or one string, reached by a dotted path."""
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def _trusted_email(claims: Mapping[str, Any]) -> str:
    """The e-mail claim, lower case; empty when the provider says it is not verified."""
    if claims.get("email_verified") is False or str(claims.get("email_verified")) == "false":
        return ""
    return str(claims.get("email") or "").strip().lower()


def role_for(claims: Mapping[str, Any], rules: RoleRules) -> Role | None:
    """The role of a signed-in person from their ID-token claims; ``None`` for no access.

    The highest role of any matching group, the e-mail address, or its
    domain; the rules' default when nothing matches. An e-mail address the
    provider marks unverified (``email_verified: false``) matches nothing.
    """
    found: list[str | None] = []
    if rules.claim:
        found += [rules.groups.get(name) for name in _claim_values(claims, rules.claim)]
    email = _trusted_email(claims)
    if email:
        found += [rules.emails.get(email), rules.emails.get("@" + email.rpartition("@")[2])]
    return highest(found) or rules.default


# --- where the server listens ------------------------------------------------

Exposure = Literal["signed-in", "local", "open", "refused"]


def is_loopback(address: str | None) -> bool:
    """Whether a listen address reaches only this machine (``""``/``None`` is every interface)."""
    text = (address or "").strip().strip("[]")
    if text == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def exposure(
    address: str | None, *, auth: bool, allow_open: bool, proxied: bool = False
) -> Exposure:
    """How the app is reached, which decides who gets which role.

    ``signed-in``: sign-in is configured, roles come from it. ``local``: no
    sign-in, listening on loopback only, everyone is an admin. ``open``: no
    sign-in on a reachable address, allowed explicitly (shown with a warning).
    ``refused``: no sign-in on a reachable address without that permission.

    ``proxied``: the request came through a reverse proxy (it carries a
    forwarding header). A proxy on this machine makes a loopback-only server
    reachable from anywhere, so such a request is never local.
    """
    if auth:
        return "signed-in"
    if is_loopback(address) and not proxied:
        return "local"
    return "open" if allow_open else "refused"


# Headers a reverse proxy adds; a request that has one did not start here.
FORWARDING_HEADERS: tuple[str, ...] = ("forwarded", "x-forwarded-for", "x-real-ip")


def is_proxied(headers: Mapping[str, str]) -> bool:
    """Whether request ``headers`` (any case) show the request came through a proxy."""
    return any(name.lower() in FORWARDING_HEADERS for name in headers)
