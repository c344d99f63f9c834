"""The verified-key cache and the sliced key counts on PostgreSQL, across two workers (two runtimes
on one database, as two uvicorn workers are): a key change rung on commit empties both workers'
caches at once; a change nobody rang (the command line's) is refused once the TTL has passed; and
the workers reserving a busy key's count a slice at a time still admit at most its limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from accord_common.auth import issue_key
from accord_common.db import new_metadata
from accord_common.keys.counters import DatabaseCounters
from accord_common.runtime import ServiceRuntime
from accord_common.settings import ServiceSettings
from accord_common.tables import add_infra_tables
from accord_common.testing.postgres import PostgresServer
from accord_common.wakeups import KEYS
from accord_common.web.app import create_app
from accord_common.web.deps import CurrentPrincipal
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from sqlalchemy import select, update

pytestmark = pytest.mark.integration

metadata = new_metadata()
add_infra_tables(metadata)
router = APIRouter()
TTL_S = 2.0


@router.get("/v1/ping")
async def ping(who: CurrentPrincipal) -> dict[str, str]:
    return {"org": who.organization_id}


class Workers:
    def __init__(self) -> None:
        self.runtimes: list[ServiceRuntime] = []
        self.clients: list[httpx.AsyncClient] = []
        self.key = ""

    async def statuses(self) -> list[int]:
        auth = {"Authorization": f"Bearer {self.key}"}
        return [(await client.get("/v1/ping", headers=auth)).status_code for client in self.clients]

    async def revoke(self, *, ring: bool) -> None:
        """Revoke the key as the registry does (its unit of work rings `api_keys`), or behind every
        cache's back (a plain UPDATE, as a change from the command line is)."""
        uow = self.runtimes[0].uow()
        async with uow:
            table = metadata.tables["api_keys"]
            await uow.session.execute(update(table).values(revoked_at=datetime.now(UTC)))
            if ring:
                uow.wake_on_commit(KEYS)
            await uow.commit()


@pytest.fixture
async def workers(postgres_server: PostgresServer) -> AsyncIterator[Workers]:
    url = await postgres_server.create_database_async("key_cache")
    found = Workers()
    async with AsyncExitStack() as stack:
        for _ in range(2):
            settings = ServiceSettings(
                service_name="keycache", database_url=url, kafka_enabled=False, key_cache_seconds=TTL_S
            )
            runtime = ServiceRuntime(
                settings=settings, metadata=metadata, service_root=Path("."), migrate_on_start=False
            )
            stack.push_async_callback(runtime.engine.dispose)
            if not found.runtimes:
                async with runtime.engine.begin() as conn:
                    await conn.run_sync(metadata.create_all)
                async with runtime.sessions() as session, session.begin():
                    found.key = await issue_key(
                        session, metadata, organization_id="org-a", name="r", scopes=set()
                    )
            app = create_app(runtime, [router], title="t", description="d")
            await stack.enter_async_context(LifespanManager(app, startup_timeout=120, shutdown_timeout=60))
            await asyncio.wait_for(runtime.wakeups.listening.wait(), 30)
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            client = httpx.AsyncClient(transport=transport, base_url="http://t")
            found.clients.append(await stack.enter_async_context(client))
            found.runtimes.append(runtime)
        yield found


async def test_a_revocation_empties_every_workers_cache_at_once(workers: Workers) -> None:
    assert await workers.statuses() == [200, 200]
    assert [len(r.key_guard.verified) for r in workers.runtimes] == [1, 1]  # both cached the key
    await workers.revoke(ring=True)
    began = time.monotonic()
    while await workers.statuses() != [401, 401]:
        assert time.monotonic() - began < TTL_S / 2, "the ring should beat the TTL"
        await asyncio.sleep(0.02)


async def test_a_revocation_nobody_rang_is_refused_once_the_ttl_has_passed(workers: Workers) -> None:
    assert await workers.statuses() == [200, 200]
    await workers.revoke(ring=False)
    revoked_at = time.monotonic()
    assert await workers.statuses() == [200, 200]  # the cached key, within the TTL
    while await workers.statuses() != [401, 401]:
        assert time.monotonic() - revoked_at < TTL_S + 1
        await asyncio.sleep(0.05)
    assert time.monotonic() - revoked_at >= TTL_S - 0.1


@pytest.mark.parametrize(("per_minute", "slice_"), [(1000, 10), (150, 1)])
async def test_two_workers_counting_in_slices_admit_at_most_the_limit(
    workers: Workers, per_minute: int, slice_: int
) -> None:
    sessions = workers.runtimes[0].sessions
    table = metadata.tables["rate_limit_hits"]
    now = 1_800_000_030.0  # 30 s into a window
    counters = [DatabaseCounters(table), DatabaseCounters(table)]
    admitted = [0, 0]
    for turn in range(2 * per_minute):
        worker = turn % 2
        async with sessions() as session:
            wait = await counters[worker].take(session, "key:k1", per_minute, now, batch=True)
            await session.commit()
        admitted[worker] += wait == 0
    assert per_minute - 2 * (slice_ - 1) <= sum(admitted) <= per_minute
    async with sessions() as session:  # the next window starts afresh
        wait = await counters[0].take(session, "key:k1", per_minute, now + 30, batch=True)
        await session.commit()
    assert wait == 0


async def test_requests_in_flight_together_share_one_slice(workers: Workers) -> None:
    """Fifty requests of one key that find nothing reserved at once (a window's start, a busy
    client's connections): one of them reserves a slice and the others take from it. Each reserving
    a slice of its own counted 50 slices for 50 requests, and a 1,000,000-a-minute key was refused
    at 200,000 a minute."""
    sessions = workers.runtimes[0].sessions
    table = metadata.tables["rate_limit_hits"]
    now = 1_800_000_090.0
    counter = DatabaseCounters(table)

    async def request() -> int:
        async with sessions() as session:
            wait = await counter.take(session, "key:k2", 100_000, now, batch=True)
            await session.commit()
            return wait

    waits = await asyncio.gather(*(request() for _ in range(50)))
    async with sessions() as session:
        counted = await session.scalar(select(table.c.hits).where(table.c.name == "key:k2"))
    assert (waits, counted) == ([0] * 50, 1_000)  # admitted, and counted as one slice of 1,000
