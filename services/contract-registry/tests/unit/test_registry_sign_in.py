"""Which scopes a person's groups grant, and which provider settings are refused."""

from __future__ import annotations

from typing import Any

import pytest
from contract_registry.domain import InvalidField
from contract_registry.domain.sign_in import SignInRefused, identity_provider, person_for

KNOWN = {"contracts:read", "contracts:write", "claims:read", "claims:write", "admin"}
PROVIDER = identity_provider(
    issuer="https://login.st-mary.org/realms/staff/",
    client_id="accord-console",
    scopes_by_group={"contracting": ["contracts:read", "contracts:write"], "revenue-cycle": ["claims:read"]},
    known_scopes=KNOWN,
)


@pytest.mark.parametrize(
    ("groups", "scopes"),
    [
        (["contracting"], {"contracts:read", "contracts:write"}),
        (["contracting", "revenue-cycle"], {"contracts:read", "contracts:write", "claims:read"}),
        ("revenue-cycle", {"claims:read"}),  # some providers send one group as a string
        (["revenue-cycle", "cafeteria"], {"claims:read"}),  # unmapped groups grant nothing
    ],
)
def test_a_person_gets_the_union_of_their_groups_scopes(groups: Any, scopes: set[str]) -> None:
    person = person_for(PROVIDER, {"sub": "u-1", "email": "dana@st-mary.org", "groups": groups})
    assert person.scopes == scopes
    assert person.display_name == "dana@st-mary.org (signed in with login.st-mary.org)"


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "u-1", "groups": ["cafeteria"]},
        {"sub": "u-1"},
        {"sub": "u-1", "groups": {"contracting": True}},  # not a list: nothing is guessed
        {"groups": ["contracting"]},  # no subject
    ],
)
def test_a_person_without_a_mapped_group_or_subject_is_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(SignInRefused):
        person_for(PROVIDER, claims)


def test_the_issuer_is_held_without_its_trailing_slash() -> None:
    assert PROVIDER.issuer == "https://login.st-mary.org/realms/staff"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"issuer": "http://login.st-mary.org"}, "issuer"),
        ({"issuer": "https://login.st-mary.org?tenant=1"}, "issuer"),
        ({"issuer": "ftp://localhost"}, "issuer"),
        ({"client_id": "  "}, "client_id"),
        ({"session_hours": 0}, "session_hours"),
        ({"session_hours": 25}, "session_hours"),
        ({"scopes_by_group": {"g": ["claims:approve"]}}, "scopes_by_group[g]"),
    ],
)
def test_a_setting_that_cannot_work_is_refused(overrides: dict[str, Any], field: str) -> None:
    setting: dict[str, Any] = {
        "issuer": "https://login.st-mary.org",
        "client_id": "accord-console",
        "scopes_by_group": {},
        "known_scopes": KNOWN,
    } | overrides
    with pytest.raises(InvalidField) as refused:
        identity_provider(**setting)
    assert refused.value.field == field


def test_http_is_allowed_for_a_provider_on_this_machine() -> None:
    local = identity_provider(
        issuer="http://127.0.0.1:9400", client_id="c", scopes_by_group={}, known_scopes=KNOWN
    )
    assert local.issuer == "http://127.0.0.1:9400"
