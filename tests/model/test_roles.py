"""The access policy (geo.model.roles): who may do what, and where a role comes from."""

from __future__ import annotations

import pytest

from geo.model import roles
from geo.model.roles import (
    ACTIONS,
    AccessDenied,
    RoleConfigError,
    RoleRules,
    can,
    exposure,
    highest,
    is_loopback,
    is_proxied,
    read_allow_list,
    require,
    role_for,
)

VIEWER_ACTIONS = {roles.VIEW}
EDITOR_ACTIONS = VIEWER_ACTIONS | {
    roles.APPEND,
    roles.EDIT_OVERRIDES,
    roles.MANAGE_GAZETTEERS,
    roles.VIEW_SITES,
    roles.MANAGE_SITES,
}
ADMIN_ACTIONS = EDITOR_ACTIONS | {roles.VIEW_AUDIT, roles.VIEW_SETTINGS}


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("viewer", VIEWER_ACTIONS), ("editor", EDITOR_ACTIONS), ("admin", ADMIN_ACTIONS)],
)
def test_each_role_may_do_exactly_its_actions(role, allowed):
    assert {a for a in ACTIONS if can(role, a)} == allowed


@pytest.mark.parametrize("role", [None, "", "Admin ", "superuser", "root"])
def test_no_role_or_an_unknown_one_may_do_nothing(role):
    assert not any(can(role, a) for a in ACTIONS)


def test_an_unknown_action_is_refused_even_to_an_admin():
    assert not can("admin", "drop_store")


def test_require_raises_access_denied_naming_role_and_action():
    require("editor", roles.APPEND)
    with pytest.raises(AccessDenied) as caught:
        require("viewer", roles.APPEND)
    assert caught.value.role == "viewer"
    assert caught.value.action == roles.APPEND
    assert isinstance(caught.value, PermissionError)
    with pytest.raises(AccessDenied, match="without a role"):
        require(None, roles.VIEW)


def test_highest_role_wins_and_unknown_names_are_ignored():
    assert highest(["viewer", "admin", "editor"]) == "admin"
    assert highest([None, "viewer", "boss"]) == "viewer"
    assert highest([None, "boss"]) is None


RULES = RoleRules(
    claim="groups",
    groups={"sahel-viewers": "viewer", "sahel-editors": "editor", "sahel-admins": "admin"},
    emails={"ana@example.org": "admin", "@partner.org": "viewer"},
)


def test_role_from_the_group_claim():
    assert role_for({"groups": ["staff", "sahel-editors"]}, RULES) == "editor"
    assert role_for({"groups": ["sahel-viewers", "sahel-admins"]}, RULES) == "admin"
    assert role_for({"groups": "sahel-viewers"}, RULES) == "viewer"  # a single string


def test_role_from_the_allow_list_by_address_or_domain():
    assert role_for({"email": "Ana@Example.org"}, RULES) == "admin"
    assert role_for({"email": "bo@partner.org", "email_verified": True}, RULES) == "viewer"
    assert role_for({"email": "bo@elsewhere.org"}, RULES) is None


def test_the_highest_of_claim_and_allow_list_wins():
    claims = {"groups": ["sahel-editors"], "email": "ana@example.org"}
    assert role_for(claims, RULES) == "admin"


def test_an_unverified_email_matches_nothing():
    assert role_for({"email": "ana@example.org", "email_verified": False}, RULES) is None
    assert role_for({"email": "ana@example.org", "email_verified": "false"}, RULES) is None


def test_the_default_role_covers_everyone_else_and_none_refuses():
    assert role_for({"email": "x@y.org"}, RoleRules(default="viewer")) == "viewer"
    assert role_for({}, RoleRules()) is None


def test_a_dotted_claim_reaches_into_an_object():
    rules = RoleRules(claim="realm_access.roles", groups={"map-editor": "editor"})
    assert role_for({"realm_access": {"roles": ["offline", "map-editor"]}}, rules) == "editor"
    assert role_for({"realm_access": "map-editor"}, rules) is None


def test_rules_from_settings_check_role_names():
    rules = RoleRules.from_settings(
        {"claim": "roles", "groups": {"Analysts": "Editor"}, "default_role": "viewer"}
    )
    assert rules == RoleRules(claim="roles", groups={"Analysts": "editor"}, default="viewer")
    with pytest.raises(RoleConfigError, match="'Analysts'.*'owner' is not a role"):
        RoleRules.from_settings({"groups": {"Analysts": "owner"}})
    with pytest.raises(RoleConfigError, match="default_role"):
        RoleRules.from_settings({"default_role": "guest"})
    assert RoleRules.from_settings({}) == RoleRules()


def test_allow_list_file(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text(
        'admin = ["Ana@Example.org"]\neditor = ["ana@example.org", "ben@example.org"]\n'
        'viewer = ["@example.org"]\n',
        encoding="utf-8",
    )
    assert read_allow_list(path) == {
        "ana@example.org": "admin",  # named twice: the higher role stays
        "ben@example.org": "editor",
        "@example.org": "viewer",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('owner = ["a@b.org"]', "'owner' is not a role"),
        ('editor = "a@b.org"', "editor must be a list"),
        ("editor = [", "cannot be read"),
    ],
)
def test_allow_list_file_problems_are_named(tmp_path, text, message):
    path = tmp_path / "roles.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RoleConfigError, match=message):
        read_allow_list(path)
    with pytest.raises(RoleConfigError, match="cannot be read"):
        read_allow_list(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.3.2.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),  # noqa: S104 - the value under test
        ("", False),
        (None, False),
        ("192.168.1.10", False),
        ("example.org", False),
    ],
)
def test_loopback_addresses(address, loopback):
    assert is_loopback(address) is loopback


def test_exposure_decides_between_sign_in_local_open_and_refused():
    assert exposure("0.0.0.0", auth=True, allow_open=False) == "signed-in"  # noqa: S104
    assert exposure("127.0.0.1", auth=False, allow_open=False) == "local"
    assert exposure("0.0.0.0", auth=False, allow_open=True) == "open"  # noqa: S104
    assert exposure(None, auth=False, allow_open=False) == "refused"


def test_a_request_through_a_proxy_is_never_local():
    # A reverse proxy on this machine makes a loopback server reachable from
    # anywhere: without sign-in, its requests must not all be admins.
    assert exposure("127.0.0.1", auth=False, allow_open=False, proxied=True) == "refused"
    assert exposure("127.0.0.1", auth=False, allow_open=True, proxied=True) == "open"
    assert exposure("127.0.0.1", auth=True, allow_open=False, proxied=True) == "signed-in"
    assert is_proxied({"X-Forwarded-For": "203.0.113.9"})
    assert is_proxied({"forwarded": "for=203.0.113.9"})
    assert not is_proxied({"Host": "localhost:8501", "User-Agent": "x"})
