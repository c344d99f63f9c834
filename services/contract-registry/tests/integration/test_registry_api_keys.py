"""Managed API keys end to end on PostgreSQL + Kafka: the registry (the key authority) issues, rotates,
expires and revokes; a second service (its own database, the shared key projection) accepts and
refuses the key from api_key.* events alone; last use comes back to the registry (api_key.used);
rate limits answer 429 with Retry-After; failed authentications are logged without the key."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from accord_common.auth import issue_key
from accord_common.db import new_metadata
from accord_common.keys.projection import key_projection_handlers
from accord_common.logs import JsonFormatter
from accord_common.runtime import ServiceRuntime
from accord_common.settings import ServiceSettings
from accord_common.tables import add_infra_tables
from accord_common.testing.kafka import KafkaBroker
from accord_common.testing.postgres import PostgresServer
from accord_common.web.app import create_app
from accord_common.web.deps import CurrentPrincipal
from asgi_lifespan import LifespanManager
from contract_registry.bootstrap import build_app
from contract_registry.config import RegistrySettings
from fastapi import APIRouter, FastAPI
from registry_helpers import new_contract, ok

pytestmark = pytest.mark.integration
ADMIN_SCOPES = {"keys:admin", "contracts:read", "contracts:write", "contracts:approve", "claims:read"}

peer_metadata = new_metadata()
add_infra_tables(peer_metadata)
peer_router = APIRouter()


@peer_router.get("/v1/claims-like")
async def claims_like(who: CurrentPrincipal) -> dict[str, str]:
    who.require("claims:read")
    return {"organization_id": who.organization_id}


@dataclass
class Stack:
    registry: httpx.AsyncClient
    peer_app: FastAPI
    admin_key: str
    admin_key_id: str
    other_admin_key: str
    org: str

    @property
    def peer(self) -> httpx.AsyncClient:
        return self.peer_from("127.0.0.1")

    def peer_from(self, address: str) -> httpx.AsyncClient:
        """The peer as a client at `address` sees it: each test's key polls from its own address, so
        the 401s while a projection catches up count against that address only."""
        transport = httpx.ASGITransport(self.peer_app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://peer")

    def on(self, client: httpx.AsyncClient, key: str) -> Callable[[str], Awaitable[httpx.Response]]:
        if client.base_url.host == "peer":
            client = self.peer_from(f"10.0.{len(key) % 250}.{sum(key.encode()) % 250}")
        return lambda path: client.get(path, headers={"Authorization": f"Bearer {key}"})

    async def admin(self, method: str, path: str, json: Any = None, key: str | None = None) -> httpx.Response:
        auth = {"Authorization": f"Bearer {key or self.admin_key}"}
        return await self.registry.request(method, path, json=json, headers=auth)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 30) -> float:
    """Seconds until `check` holds."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if await check():
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    raise TimeoutError("condition not reached")


@pytest.fixture(scope="module")
async def stack(
    postgres_server: PostgresServer, kafka_broker: KafkaBroker, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    tag = uuid.uuid4().hex[:8]
    registry_settings = RegistrySettings(
        service_name=f"contract-registry-{tag}",
        database_url=await postgres_server.create_database_async(f"registry_keys_{tag}"),
        kafka_bootstrap=kafka_broker.bootstrap,
        documents_dir=str(tmp_path_factory.mktemp("documents")),
        relay_poll_interval_ms=100,
        key_usage_flush_seconds=0.5,
    )
    peer_settings = ServiceSettings(
        service_name=f"peer-{tag}",
        database_url=await postgres_server.create_database_async(f"peer_keys_{tag}"),
        kafka_bootstrap=kafka_broker.bootstrap,
        relay_poll_interval_ms=100,
        key_usage_flush_seconds=0.5,
        rate_limit_failed_auth_per_address_per_minute=5,
    )
    peer_runtime = ServiceRuntime(
        settings=peer_settings,
        metadata=peer_metadata,
        service_root=Path("."),
        handlers=key_projection_handlers(),
        migrate_on_start=False,
    )
    async with peer_runtime.engine.begin() as conn:
        await conn.run_sync(peer_metadata.create_all)
    registry_app = build_app(registry_settings)
    peer_app = create_app(peer_runtime, [peer_router], title="peer", description="a service with keys")
    org = f"org-keys-{tag}"
    async with (
        LifespanManager(registry_app, startup_timeout=120, shutdown_timeout=30),
        LifespanManager(peer_app, startup_timeout=120, shutdown_timeout=30),
    ):
        runtime = registry_app.state.runtime
        async with runtime.sessions() as session, session.begin():
            admin = await issue_key(
                session, runtime.metadata, organization_id=org, name="Ada (admin)", scopes=ADMIN_SCOPES
            )
            other = await issue_key(
                session,
                runtime.metadata,
                organization_id=f"org-other-{tag}",
                name="Eve",
                scopes={"keys:admin"},
            )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(registry_app), base_url="http://registry"
        ) as reg:
            who = ok(await reg.get("/v1/whoami", headers={"Authorization": f"Bearer {admin}"}))
            assert who["organization_id"] == org
            admin_id = await _key_id(reg, admin, "Ada (admin)")
            yield Stack(reg, peer_app, admin, admin_id, other, org)


async def _key_id(registry: httpx.AsyncClient, key: str, name: str) -> str:
    listed = ok(await registry.get("/v1/api-keys", headers={"Authorization": f"Bearer {key}"}))
    return str(next(k["id"] for k in listed["items"] if k["name"] == name))


async def _issue(stack: Stack, **body: Any) -> dict[str, Any]:
    return ok(
        await stack.admin("POST", "/v1/api-keys", {"name": "Dana Lee", "scopes": ["claims:read"], **body}),
        201,
    )  # type: ignore[no-any-return]


async def test_an_issued_key_works_on_another_service_and_a_revocation_reaches_it(stack: Stack) -> None:
    issued = await _issue(stack, scopes=["claims:read", "contracts:read"])
    assert issued["key"].startswith(f"acc_{issued['prefix']}_") and issued["status"] == "active"
    on_peer = stack.on(stack.peer, issued["key"])
    await eventually(lambda: _status_is(on_peer("/v1/claims-like"), 200))
    ok(await stack.on(stack.registry, issued["key"])("/v1/whoami"))

    async def last_use_reported() -> bool:
        key = ok(await stack.admin("GET", f"/v1/api-keys/{issued['id']}"))
        return key["last_used_at"] is not None

    await eventually(last_use_reported)
    ok(await stack.admin("POST", f"/v1/api-keys/{issued['id']}/revoke"))
    refused_after = await eventually(lambda: _status_is(on_peer("/v1/claims-like"), 401))
    print(f"revocation refused on the other service after {refused_after:.2f} s")
    assert refused_after < 10
    assert (await stack.on(stack.registry, issued["key"])("/v1/whoami")).status_code == 401
    listed = ok(await stack.admin("GET", "/v1/api-keys?include_revoked=true"))
    assert next(k for k in listed["items"] if k["id"] == issued["id"])["status"] == "revoked"
    assert issued["id"] not in [k["id"] for k in ok(await stack.admin("GET", "/v1/api-keys"))["items"]]
    again = await stack.admin("POST", f"/v1/api-keys/{issued['id']}/revoke")
    assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"


async def test_the_audit_trail_names_the_acting_key_id(stack: Stack) -> None:
    issued = await _issue(stack)
    trail = ok(await stack.admin("GET", "/v1/audit?limit=500"))["items"]
    entry = next(e for e in trail if e["action"] == "api_key.issued" and e["entity_id"] == issued["id"])
    assert (entry["actor"], entry["actor_key_id"]) == ("Ada (admin)", stack.admin_key_id)


async def test_rotation_without_overlap_swaps_the_keys_everywhere(stack: Stack) -> None:
    old = await _issue(stack)
    await eventually(lambda: _status_is(stack.on(stack.peer, old["key"])("/v1/claims-like"), 200))
    new = ok(await stack.admin("POST", f"/v1/api-keys/{old['id']}/rotate", {"overlap_seconds": 0}), 201)
    assert (new["holder_id"], new["rotated_from_key_id"]) == (old["id"], old["id"])
    await eventually(lambda: _status_is(stack.on(stack.peer, new["key"])("/v1/claims-like"), 200))
    await eventually(lambda: _status_is(stack.on(stack.peer, old["key"])("/v1/claims-like"), 401))


async def test_an_expired_key_is_refused_everywhere(stack: Stack) -> None:
    key = await _issue(stack)
    await eventually(lambda: _status_is(stack.on(stack.peer, key["key"])("/v1/claims-like"), 200))
    expired = ok(await stack.admin("POST", f"/v1/api-keys/{key['id']}/expire", {}))
    assert expired["status"] == "expired"
    await eventually(lambda: _status_is(stack.on(stack.peer, key["key"])("/v1/claims-like"), 401))
    past = await stack.admin(
        "POST", f"/v1/api-keys/{key['id']}/expire", {"expires_at": "2020-01-01T00:00:00Z"}
    )
    assert past.status_code == 409  # already expired: nothing more to change


async def test_a_key_over_its_rate_limit_gets_429_with_retry_after(stack: Stack) -> None:
    key = await _issue(stack, rate_limit_per_minute=3)
    call = stack.on(stack.peer, key["key"])
    await eventually(lambda: _status_is(call("/v1/claims-like"), 200))  # spends 1+ of the 3
    answers = [await call("/v1/claims-like") for _ in range(3)]
    limited = answers[-1]
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    # PostgreSQL counts in one-minute windows shared by the workers: the wait is until this one ends
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "limited to 3 requests a minute" in limited.json()["detail"]


async def test_failed_authentications_are_logged_without_the_key_and_limited_per_address(
    stack: Stack,
) -> None:
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter("peer"))  # the services' own log format
    logging.getLogger("accord.auth").addHandler(handler)
    guess = "acc_0badc0ffee00_" + "s3cr3t" * 7
    client = stack.peer_from("203.0.113.7")
    try:
        answers = [await client.get("/v1/claims-like", headers={"X-API-Key": guess}) for _ in range(6)]
    finally:
        logging.getLogger("accord.auth").removeHandler(handler)
    assert [a.status_code for a in answers] == [401] * 5 + [429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60  # until the minute's window ends
    assert answers[-1].headers["content-type"] == "application/problem+json"
    logged = [json.loads(line) for line in lines.getvalue().splitlines()]
    failed = [entry for entry in logged if entry["msg"] == "authentication failed"]
    assert len(failed) == 5
    assert failed[0]["reason"] == "unknown key" and failed[0]["key_prefix"] == "0badc0ffee00"
    assert failed[0]["client"] == "203.0.113.7"
    assert "s3cr3t" not in lines.getvalue()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "x", "scopes": ["contracts:wirte"]}, 422, "scopes.0"),
        ({"name": "x", "scopes": []}, 422, "scopes"),
        ({"name": "x", "scopes": ["claims:read"], "expires_at": "2020-01-01T00:00:00Z"}, 422, "expires_at"),
        ({"name": "x", "scopes": ["claims:read"], "rate_limit_per_minute": 0}, 422, "rate_limit_per_minute"),
        ({"name": "x", "scopes": ["obligations:write"]}, 422, "scopes"),  # Ada does not hold it
    ],
)
async def test_a_bad_issue_request_is_422_naming_the_field(
    stack: Stack, body: dict[str, Any], status: int, field: str
) -> None:
    answer = await stack.admin("POST", "/v1/api-keys", body)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in answer.json()["errors"]]


async def test_an_administrator_sees_only_their_organisations_keys(stack: Stack) -> None:
    mine = await _issue(stack)
    theirs = await stack.admin("GET", f"/v1/api-keys/{mine['id']}", key=stack.other_admin_key)
    assert theirs.status_code == 404
    revoke = await stack.admin("POST", f"/v1/api-keys/{mine['id']}/revoke", key=stack.other_admin_key)
    assert revoke.status_code == 404
    listed = ok(await stack.admin("GET", "/v1/api-keys", key=stack.other_admin_key))
    assert mine["id"] not in [k["id"] for k in listed["items"]]


async def test_a_key_without_keys_admin_cannot_manage_keys(stack: Stack) -> None:
    reader = await _issue(stack)
    answer = await stack.admin(
        "POST", "/v1/api-keys", {"name": "x", "scopes": ["claims:read"]}, key=reader["key"]
    )
    assert answer.status_code == 403 and "keys:admin" in answer.json()["detail"]


async def test_segregation_of_duties_over_the_api(stack: Stack) -> None:
    profile = {"name": "St Mary", "required_approver_roles": ["legal", "finance"]}
    ok(await stack.admin("PUT", "/v1/organisation", profile))
    approver = (
        await _issue(stack, name="Lee (legal+finance)", scopes=["contracts:read", "contracts:approve"])
    )["key"]
    submitter_client = stack.registry
    submitter_client.headers["Authorization"] = f"Bearer {stack.admin_key}"
    try:
        contract = await new_contract(submitter_client)
    finally:
        del submitter_client.headers["Authorization"]
    ok(await stack.admin("POST", f"/v1/contracts/{contract['id']}/submit"))
    own = await stack.admin("POST", f"/v1/contracts/{contract['id']}/approve", {"role": "legal"})
    assert own.status_code == 409 and "own-submission" in own.json()["detail"]
    approve = {"role": "legal", "comment": "ok"}
    ok(await stack.admin("POST", f"/v1/contracts/{contract['id']}/approve", approve, key=approver))
    twice = await stack.admin(
        "POST", f"/v1/contracts/{contract['id']}/approve", {"role": "finance"}, key=approver
    )
    assert twice.status_code == 409 and "distinct-approvers" in twice.json()["detail"]
    assert twice.headers["content-type"] == "application/problem+json"
    view = ok(await stack.admin("GET", f"/v1/contracts/{contract['id']}"))
    assert (view["status"], [a["role"] for a in view["approvals"]]) == ("in_review", ["legal"])
    ok(await stack.admin("PUT", "/v1/organisation", {**profile, "distinct_approvers": False}))
    ok(
        await stack.admin(
            "POST", f"/v1/contracts/{contract['id']}/approve", {"role": "finance"}, key=approver
        )
    )
    assert ok(await stack.admin("GET", f"/v1/contracts/{contract['id']}"))["status"] == "approved"


async def _status_is(answer: Awaitable[httpx.Response], status: int) -> bool:
    return (await answer).status_code == status
