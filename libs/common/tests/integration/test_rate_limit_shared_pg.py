"""Rate limits hold across the workers of a service on PostgreSQL: two runtimes (two app instances,
as two uvicorn workers are) on one database share each key's and each address's count, so the
limit summed over both answers 429 with Retry-After; not twice the limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from accord_common.auth import issue_key
from accord_common.db import new_metadata
from accord_common.runtime import ServiceRuntime
from accord_common.settings import ServiceSettings
from accord_common.tables import add_infra_tables
from accord_common.testing.postgres import PostgresServer
from accord_common.web.app import create_app
from accord_common.web.deps import CurrentPrincipal
from asgi_lifespan import LifespanManager
from fastapi import APIRouter

pytestmark = pytest.mark.integration

metadata = new_metadata()
add_infra_tables(metadata)
router = APIRouter()
WINDOW_START = 1_800_000_000.0  # a whole minute; the clock stands 30 s into it


@router.get("/v1/ping")
async def ping(who: CurrentPrincipal) -> dict[str, str]:
    return {"org": who.organization_id}


Workers = tuple[httpx.AsyncClient, httpx.AsyncClient, str]


@pytest.fixture
async def two_workers(postgres_server: PostgresServer) -> AsyncIterator[Workers]:
    url = await postgres_server.create_database_async("shared_limits")
    async with AsyncExitStack() as stack:
        clients = []
        for _ in range(2):
            settings = ServiceSettings(
                service_name="limits",
                database_url=url,
                kafka_enabled=False,
                rate_limit_per_key_per_minute=6,
                rate_limit_failed_auth_per_address_per_minute=4,
            )
            runtime = ServiceRuntime(
                settings=settings, metadata=metadata, service_root=Path("."), migrate_on_start=False
            )
            runtime.key_guard.clock = lambda: WINDOW_START + 30
            stack.push_async_callback(runtime.engine.dispose)
            if not clients:
                async with runtime.engine.begin() as conn:
                    await conn.run_sync(metadata.create_all)
                async with runtime.sessions() as session, session.begin():
                    key = await issue_key(session, metadata, organization_id="org-a", name="r", scopes=set())
            app = create_app(runtime, [router], title="t", description="d")
            await stack.enter_async_context(LifespanManager(app, startup_timeout=120, shutdown_timeout=60))
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            clients.append(
                await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://t"))
            )
        yield clients[0], clients[1], key


async def test_two_workers_share_a_keys_limit(two_workers: Workers) -> None:
    first, second, key = two_workers
    auth = {"Authorization": f"Bearer {key}"}
    answers = [await worker.get("/v1/ping", headers=auth) for worker in (first, second) * 3]
    assert [a.status_code for a in answers] == [200] * 6  # 3 + 3 = the key's 6 a minute
    for worker in (first, second):
        limited = await worker.get("/v1/ping", headers=auth)
        assert limited.status_code == 429, limited.text
        assert limited.headers["retry-after"] == "30"  # the window ends 30 s on
        assert limited.headers["content-type"] == "application/problem+json"
        assert "limited to 6 requests a minute" in limited.json()["detail"]


async def test_two_workers_share_an_addresses_failed_authentications(two_workers: Workers) -> None:
    first, second, key = two_workers
    for worker in (first, second, first, second):  # 2 + 2 = the address's 4 failures a minute
        wrong = await worker.get("/v1/ping", headers={"Authorization": "Bearer acc_000000000000_guess"})
        assert wrong.status_code == 401
    for worker in (first, second):  # now even a good key from that address waits
        refused = await worker.get("/v1/ping", headers={"Authorization": f"Bearer {key}"})
        assert (refused.status_code, refused.headers["retry-after"]) == (429, "30"), refused.text
