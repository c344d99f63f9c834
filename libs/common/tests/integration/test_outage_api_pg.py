"""During a database outage the API answers 503 problem+json with Retry-After, logged once, not per request."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from accord_common.auth import issue_key
from accord_common.db import new_metadata
from accord_common.runtime import ServiceRuntime
from accord_common.settings import ServiceSettings
from accord_common.tables import add_infra_tables
from accord_common.testing.postgres import LocalCluster
from accord_common.web.app import create_app
from accord_common.web.deps import CurrentPrincipal
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from sqlalchemy import func, select

metadata = new_metadata()
add_infra_tables(metadata)
router = APIRouter()
runtimes: list[ServiceRuntime] = []


@router.get("/v1/keys/count")
async def count_keys(who: CurrentPrincipal) -> dict[str, int]:
    who.require("contracts:read")
    async with runtimes[-1].sessions() as session:
        return {
            "keys": int(
                await session.scalar(select(func.count()).select_from(metadata.tables["api_keys"])) or 0
            )
        }


@pytest.fixture
async def api() -> AsyncIterator[tuple[httpx.AsyncClient, str, LocalCluster]]:
    cluster = LocalCluster()
    await asyncio.to_thread(cluster.start)
    try:
        url = await cluster.server().create_database_async("outage_api")
        settings = ServiceSettings(service_name="outage-api", database_url=url, kafka_enabled=False)
        runtime = ServiceRuntime(
            settings=settings, metadata=metadata, service_root=Path("."), migrate_on_start=False
        )
        runtimes.append(runtime)
        async with runtime.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        async with runtime.sessions() as session, session.begin():
            key = await issue_key(
                session, metadata, organization_id="org-a", name="r", scopes={"contracts:read"}
            )
        app = create_app(runtime, [router], title="t", description="d")
        async with LifespanManager(app, startup_timeout=120, shutdown_timeout=60):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                yield client, key, cluster
    finally:
        await asyncio.to_thread(cluster.remove)


async def test_a_database_outage_answers_503_with_retry_after_and_logs_it_once(
    api: tuple[httpx.AsyncClient, str, LocalCluster], caplog: pytest.LogCaptureFixture
) -> None:
    client, key, cluster = api
    auth = {"Authorization": f"Bearer {key}"}
    assert (await client.get("/v1/keys/count", headers=auth)).json() == {"keys": 1}

    await asyncio.to_thread(cluster.halt)
    caplog.set_level(logging.INFO)
    answers = [await client.get("/v1/keys/count", headers=auth) for _ in range(20)]
    assert {a.status_code for a in answers} == {503}
    assert {a.headers["retry-after"] for a in answers} == {"5"}
    assert {a.headers["content-type"] for a in answers} == {"application/problem+json"}
    body = answers[0].json()
    assert body["status"] == 503 and body["title"] == "Service unavailable"
    assert "retry in 5 seconds" in body["detail"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []  # an outage is not a defect: no ERROR line, no traceback
    # the API's own line, once (a background loop of the same process, e.g. retention, may log its own)
    outage_lines = [r for r in caplog.records if r.getMessage().startswith("api: infrastructure unavailable")]
    assert len(outage_lines) == 1

    await asyncio.to_thread(cluster.start)
    async with asyncio.timeout(30):
        while (answer := await client.get("/v1/keys/count", headers=auth)).status_code != 200:
            await asyncio.sleep(0.2)
    assert answer.json() == {"keys": 1}
