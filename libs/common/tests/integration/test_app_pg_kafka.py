"""The shared app factory on a real database and broker: health, readiness, metrics, auth, problems."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from accord_common.auth import issue_key
from accord_common.db import new_metadata
from accord_common.errors import NotFound
from accord_common.runtime import ServiceRuntime
from accord_common.settings import ServiceSettings
from accord_common.tables import add_infra_tables
from accord_common.testing.kafka import KafkaBroker
from accord_common.testing.postgres import PostgresServer
from accord_common.web.app import create_app
from accord_common.web.deps import CurrentPrincipal
from asgi_lifespan import LifespanManager
from fastapi import APIRouter

metadata = new_metadata()
add_infra_tables(metadata)
router = APIRouter()


@router.get("/v1/things/{thing_id}")
async def get_thing(thing_id: str, who: CurrentPrincipal) -> dict[str, str]:
    who.require("contracts:read")
    if thing_id != "mine":
        raise NotFound(f"thing {thing_id} not found")
    return {"id": thing_id, "organization_id": who.organization_id}


@pytest.fixture
async def client(
    postgres_server: PostgresServer, kafka_broker: KafkaBroker
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    url = await postgres_server.create_database_async(f"app_{uuid.uuid4().hex[:8]}")
    settings = ServiceSettings(
        service_name="app-test", database_url=url, kafka_bootstrap=kafka_broker.bootstrap, log_json=True
    )
    runtime = ServiceRuntime(
        settings=settings, metadata=metadata, service_root=Path("."), migrate_on_start=False
    )
    async with runtime.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with runtime.sessions() as session, session.begin():
        key = await issue_key(
            session, metadata, organization_id="org-a", name="reader", scopes={"contracts:read"}
        )
    app = create_app(runtime, [router], title="t", description="d")
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=60):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            yield c, key


async def test_health_readiness_and_metrics(client: tuple[httpx.AsyncClient, str]) -> None:
    c, key = client
    assert (await c.get("/healthz")).json() == {"status": "ok"}
    ready = await c.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}
    before = await _requests_counted(c)  # the registry is process-wide: other tests count too
    assert (await c.get("/v1/things/mine", headers={"Authorization": f"Bearer {key}"})).status_code == 200
    assert await _requests_counted(c) == before + 1


async def _requests_counted(c: httpx.AsyncClient) -> float:
    """accord_http_requests_total for GET /v1/things/{thing_id} answered 200, as /metrics shows it."""
    series = 'accord_http_requests_total{method="GET",route="/v1/things/{thing_id}",status="200"} '
    metrics = (await c.get("/metrics")).text
    values = [float(line.removeprefix(series)) for line in metrics.splitlines() if line.startswith(series)]
    return values[0] if values else 0.0


async def test_requests_need_a_key_and_errors_are_problem_json(
    client: tuple[httpx.AsyncClient, str],
) -> None:
    c, key = client
    missing = await c.get("/v1/things/mine")
    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = await c.get("/v1/things/mine", headers={"Authorization": "Bearer acc_nope_nope"})
    assert wrong.status_code == 401
    ok = await c.get("/v1/things/mine", headers={"X-API-Key": key})
    assert ok.json() == {"id": "mine", "organization_id": "org-a"}
    other = await c.get("/v1/things/yours", headers={"X-API-Key": key})
    assert other.status_code == 404
    assert other.json()["detail"] == "thing yours not found"
