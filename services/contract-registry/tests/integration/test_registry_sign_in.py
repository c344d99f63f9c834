"""Signing a person in with the organisation's identity provider: a real OpenID Connect provider
(oidc-provider-mock) signs ID tokens, the registry on PostgreSQL verifies them and issues the person
a key for one session with the scopes their groups grant."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest
from accord_common.auth import issue_key
from accord_common.testing.identity_provider import IdentityProvider, running_identity_provider

from conftest import Registry, _client

pytestmark = pytest.mark.integration
CLIENT_ID = "accord-console"


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    with running_identity_provider() as provider:
        provider.add_person("dana@st-mary.org", email="dana@st-mary.org", groups=["revenue-cycle"])
        provider.add_person("eve@st-mary.org", email="eve@st-mary.org", groups=["cafeteria"])
        yield provider


async def _keyed(registry: Registry, org: str, name: str, scopes: set[str]) -> httpx.AsyncClient:
    runtime = registry.runtime
    async with runtime.sessions() as session, session.begin():
        key = await issue_key(session, runtime.metadata, organization_id=org, name=name, scopes=scopes)
    return await _client(registry.app, key)


async def _trust(registry: Registry, idp: IdentityProvider) -> None:
    admin = await _keyed(registry, registry.org_a, "admin@st-mary", {"admin"})
    answer = await admin.put(
        "/v1/identity-provider",
        json={
            "issuer": idp.issuer,
            "client_id": CLIENT_ID,
            "scopes_by_group": {
                "revenue-cycle": ["claims:read", "contracts:read"],
                "accord-admins": ["admin"],
            },
            "session_hours": 8,
        },
    )
    assert answer.status_code == 200, answer.text


async def test_a_person_signs_in_with_the_organisations_provider(
    registry: Registry, idp: IdentityProvider
) -> None:
    await _trust(registry, idp)
    console = await _keyed(registry, registry.org_a, "console", {"sessions:exchange"})
    nonce = secrets.token_urlsafe(16)
    token = idp.id_token("dana@st-mary.org", CLIENT_ID, nonce)

    answer = await console.post("/v1/sign-ins/oidc", json={"id_token": token, "nonce": nonce})

    assert answer.status_code == 201, answer.text
    signed_in = answer.json()
    assert signed_in["scopes"] == ["claims:read", "contracts:read"]
    assert signed_in["subject"] == "dana@st-mary.org"
    assert signed_in["name"].startswith("dana@st-mary.org (signed in with localhost:")
    person = await _client(registry.app, signed_in["api_key"])
    assert (await person.get("/v1/payers")).status_code == 200  # contracts:read
    assert (await person.post("/v1/payers", json={"name": "X"})).status_code == 403  # no contracts:write
    audit = (await person.get("/v1/audit", params={"limit": 200})).json()["items"]
    assert any(e["action"] == "person.signed_in" and e["entity_id"] == signed_in["key_id"] for e in audit)
    admin = await _keyed(registry, registry.org_a, "admin@st-mary", {"admin"})
    listed = (await admin.get(f"/v1/api-keys/{signed_in['key_id']}")).json()
    assert listed["expires_at"] == signed_in["expires_at"] and listed["scopes"] == signed_in["scopes"]

    # signing out revokes the person's key (on every service: published as api_key.revoked)
    assert (await person.post("/v1/sign-ins/current/end")).status_code == 204
    assert (await person.get("/v1/payers")).status_code == 401
    assert (await admin.get(f"/v1/api-keys/{signed_in['key_id']}")).json()["status"] == "revoked"


@pytest.mark.parametrize(
    ("who", "tamper", "status", "says"),
    [
        ("dana@st-mary.org", "nonce", 401, "nonce"),
        ("dana@st-mary.org", "audience", 401, "aud"),
        ("dana@st-mary.org", "signature", 401, "not valid"),
        ("eve@st-mary.org", None, 403, "none of this person's groups"),
    ],
)
async def test_a_sign_in_is_refused_with_the_reason(
    registry: Registry, idp: IdentityProvider, who: str, tamper: str | None, status: int, says: str
) -> None:
    await _trust(registry, idp)
    console = await _keyed(registry, registry.org_a, "console", {"sessions:exchange"})
    nonce = secrets.token_urlsafe(16)
    token = idp.id_token(who, "another-app" if tamper == "audience" else CLIENT_ID, nonce)
    if tamper == "signature":
        head, body, signature = token.split(".")
        token = ".".join(
            (head, body, signature[:-6] + ("AAAAAA" if signature[-6:] != "AAAAAA" else "BBBBBB"))
        )
    sent_nonce = secrets.token_urlsafe(16) if tamper == "nonce" else nonce

    answer = await console.post("/v1/sign-ins/oidc", json={"id_token": token, "nonce": sent_nonce})

    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert says in answer.json()["detail"]


async def test_only_an_admin_names_the_provider_and_only_the_consoles_key_exchanges(
    registry: Registry, idp: IdentityProvider
) -> None:
    await _trust(registry, idp)
    plain = await _keyed(registry, registry.org_a, "analyst", {"contracts:read", "contracts:write"})
    setting = {"issuer": idp.issuer, "client_id": CLIENT_ID, "scopes_by_group": {}}
    assert (await plain.put("/v1/identity-provider", json=setting)).status_code == 403
    # a key administrator maps only scopes their own key holds
    keys_admin = await _keyed(registry, registry.org_a, "key admin", {"keys:admin", "claims:read"})
    beyond = setting | {"scopes_by_group": {"revenue-cycle": ["claims:read", "claims:write"]}}
    answer = await keys_admin.put("/v1/identity-provider", json=beyond)
    assert answer.status_code == 422 and "claims:write" in answer.json()["detail"]
    nonce = secrets.token_urlsafe(16)
    token = idp.id_token("dana@st-mary.org", CLIENT_ID, nonce)
    assert (
        await plain.post("/v1/sign-ins/oidc", json={"id_token": token, "nonce": nonce})
    ).status_code == 403
    # another organisation's console cannot use this organisation's provider: it has none
    other = await _keyed(registry, registry.org_b, "console", {"sessions:exchange"})
    answer = await other.post("/v1/sign-ins/oidc", json={"id_token": token, "nonce": nonce})
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ({"issuer": "http://idp.example.org", "client_id": "c", "scopes_by_group": {}}, "issuer"),
        ({"issuer": "https://idp.example.org", "client_id": " ", "scopes_by_group": {}}, "client_id"),
        (
            {
                "issuer": "https://idp.example.org",
                "client_id": "c",
                "scopes_by_group": {"g": ["contracts:rule"]},
            },
            "scopes_by_group.g.0",
        ),
    ],
)
async def test_a_provider_setting_that_cannot_work_is_refused_naming_the_field(
    registry: Registry, setting: dict[str, object], field: str
) -> None:
    admin = await _keyed(registry, registry.org_a, "admin@st-mary", {"admin"})
    answer = await admin.put("/v1/identity-provider", json=setting)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == field
