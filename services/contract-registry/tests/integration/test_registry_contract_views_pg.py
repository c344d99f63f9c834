"""GET /v1/contracts/{id}?as_of= answered from the kept answers (adapters/contract_views.py) by two
registry workers on one PostgreSQL database (two apps, as two uvicorn workers are): an amendment made
through one worker is what the other answers next, within the NOTIFY's delivery (not the 60 s TTL);
while a worker's listener is down it answers from the database; and the kept answer is the very JSON
the API answers for the contract otherwise."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from accord_common.auth import issue_key
from accord_common.testing.postgres import PostgresServer
from asgi_lifespan import LifespanManager
from contract_registry.bootstrap import build_app
from contract_registry.config import RegistrySettings
from fastapi import FastAPI
from registry_helpers import active_contract, ok

pytestmark = pytest.mark.integration
PROMPT_S = 2.0  # far below the kept answers' TTL (60 s): only the ring can make it this soon
SCOPES = {"contracts:read", "contracts:write", "contracts:approve"}


@pytest.fixture
async def workers(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[list[FastAPI], list[httpx.AsyncClient]]]:
    url = await postgres_server.create_database_async(f"views_{uuid.uuid4().hex[:8]}")
    apps: list[FastAPI] = []
    clients: list[httpx.AsyncClient] = []
    async with AsyncExitStack() as stack:
        for n in range(2):
            settings = RegistrySettings(
                database_url=url,
                kafka_enabled=False,
                documents_dir=str(tmp_path_factory.mktemp(f"documents{n}")),
                log_json=False,
            )
            app = build_app(settings)
            await stack.enter_async_context(LifespanManager(app, startup_timeout=120, shutdown_timeout=30))
            apps.append(app)
        runtime = apps[0].state.runtime
        async with runtime.sessions() as session, session.begin():
            key = await issue_key(
                session, runtime.metadata, organization_id="org-views", name="b", scopes=SCOPES
            )
        for app in apps:
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app),
                base_url="http://registry",
                headers={"Authorization": f"Bearer {key}"},
            )
            clients.append(await stack.enter_async_context(client))
        for app in apps:  # both listening before the test begins
            async with asyncio.timeout(30):
                await app.state.runtime.wakeups.listening.wait()
        yield apps, clients


async def _number_as_of(client: httpx.AsyncClient, cid: str, day: str) -> int:
    return int(ok(await client.get(f"/v1/contracts/{cid}", params={"as_of": day}))["version"]["version"])


async def test_an_amendment_through_one_worker_is_what_the_other_answers_next(workers: Any) -> None:
    apps, (first, second) = workers
    cid = (await active_contract(first))["id"]
    assert await _number_as_of(second, cid, "2027-02-01") == 1
    kept = len(apps[1].state.contract_views)
    assert kept >= 1 and await _number_as_of(second, cid, "2027-02-01") == 1  # answered from memory
    body = {"effective_from": "2027-01-01", "notice_days": 120}
    ok(await first.post(f"/v1/contracts/{cid}/versions", json=body), 201)
    began = time.monotonic()
    while await _number_as_of(second, cid, "2027-02-01") != 2:
        assert time.monotonic() - began < PROMPT_S, "the other worker still answers version 1"
        await asyncio.sleep(0.01)
    assert await _number_as_of(first, cid, "2027-02-01") == 2  # the worker that amended: at once


async def test_a_worker_whose_listener_is_down_answers_from_the_database(workers: Any) -> None:
    apps, (first, second) = workers
    cid = (await active_contract(first))["id"]
    assert await _number_as_of(second, cid, "2027-07-01") == 1
    await apps[1].state.runtime.wakeups.stop()  # rings from the first worker no longer reach it
    body = {"effective_from": "2027-06-01", "notice_days": 60}
    ok(await first.post(f"/v1/contracts/{cid}/versions", json=body), 201)
    assert await _number_as_of(second, cid, "2027-07-01") == 2  # not the kept version 1
    assert len(apps[1].state.contract_views) <= 1  # and nothing new kept meanwhile


async def test_the_kept_answer_is_the_json_the_api_answers_otherwise(workers: Any) -> None:
    _, (first, second) = workers
    contract = await active_contract(first)  # answered through FastAPI's response_model
    read = ok(await second.get(f"/v1/contracts/{contract['id']}"))
    again = ok(await second.get(f"/v1/contracts/{contract['id']}"))
    assert read == again == contract
    response = await second.get(f"/v1/contracts/{contract['id']}")
    assert response.headers["content-type"] == "application/json"
