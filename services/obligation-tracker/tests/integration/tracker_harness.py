"""The tracker app in-process on a fresh PostgreSQL database and the test broker, with a clock
the tests move."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from accord_common.auth import issue_key
from accord_common.events import CloudEvent, new_event
from accord_common.runtime import ServiceRuntime
from accord_common.testing.kafka import KafkaBroker
from accord_common.testing.outbox import outbox_events
from accord_common.testing.postgres import PostgresServer
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from obligation_tracker.bootstrap import build_app
from obligation_tracker.config import TrackerSettings

SCOPES = {"obligations:read", "obligations:write"}
T = TypeVar("T")


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Harness:
    app: FastAPI
    runtime: ServiceRuntime
    client: httpx.AsyncClient
    clock: FakeClock
    url: str
    org_a: str
    org_b: str
    keys: dict[str, str]

    def auth(self, org: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[org]}"}

    async def new_org(self) -> str:
        """An organisation of the test's own, with an API key (`auth(org)` gives its headers)."""
        org = f"org-{uuid.uuid4().hex[:10]}"
        async with self.runtime.sessions() as session, session.begin():
            self.keys[org] = await issue_key(
                session, self.runtime.metadata, organization_id=org, name="staff", scopes=set(SCOPES)
            )
        return org

    async def publish(self, event: CloudEvent) -> None:
        """Produce to the broker as the registry's relay would (key = the subject)."""
        producer = self.runtime.kafka.producer()
        await producer.start()
        try:
            await producer.send_and_wait(event.type, event.to_bytes(), key=event.subject.encode())
        finally:
            await producer.stop()

    async def deliver(self, event: CloudEvent) -> None:
        """What the consumer loop does with one event (minus the inbox): handler, then commit."""
        async with self.runtime.uow() as uow:
            await self.runtime.handlers[event.type](event, uow)
            if not uow.committed:
                await uow.commit()

    async def outbox(self, subject: str | None = None, topic: str | None = None) -> list[CloudEvent]:
        table = self.runtime.metadata.tables["outbox"]
        async with self.runtime.sessions() as session:
            found = await outbox_events(session, table, topic=topic, key=subject or None)
        return [CloudEvent.from_bytes(event.payload) for event in found]

    async def obligations(self, org: str, **params: Any) -> list[dict[str, Any]]:
        response = await self.client.get("/v1/obligations", params=params, headers=self.auth(org))
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


def contract_event(
    event_type: str, contract_id: str, org: str, version: int, *, status: str = "active", **terms: Any
) -> CloudEvent:
    data = {
        "contract_id": contract_id,
        "organization_id": org,
        "payer_id": "payer-acme",
        "payer_name": "Acme Health Plan",
        "contract_name": "Acme PPO professional",
        "status": status,
        "version": version,
        "effective_from": "2026-01-01",
        "payer_initiated": terms.pop("payer_initiated", False),
        "objection_window_days": terms.pop("objection_window_days", None),
        "terms": {"effective_date": "2026-01-01", **terms},
    }
    return new_event(event_type, source="test", subject=contract_id, data=data, organization_id=org)


def claim_event(event_type: str, claim_id: str, org: str, **fields: Any) -> CloudEvent:
    data = {
        "claim_id": claim_id,
        "organization_id": org,
        "patient_control_number": "PCN-1",
        "payer_id": "payer-acme",
        **fields,
    }
    return new_event(event_type, source="test", subject=claim_id, data=data, organization_id=org)


@asynccontextmanager
async def running_tracker(
    postgres: PostgresServer, broker: KafkaBroker, start: datetime = datetime(2026, 6, 1, 12, tzinfo=UTC)
) -> AsyncIterator[Harness]:
    suffix = uuid.uuid4().hex[:8]
    url = await postgres.create_database_async(f"tracker_{suffix}")
    settings = TrackerSettings(
        database_url=url,
        kafka_bootstrap=broker.bootstrap,
        environment="test",
        service_name=f"obligation-tracker-test-{suffix}",
        scheduler_enabled=False,
        consumer_max_attempts=2,
        consumer_backoff_ms=20,
        relay_poll_interval_ms=100,
        public_base_url="http://tracker.test",
        log_json=False,
        outbox_retention_days=1,  # published rows kept: tests read what was published from them
    )
    clock = FakeClock(start)
    app = build_app(settings, clock)
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=60):
        runtime: ServiceRuntime = app.state.runtime
        orgs = {"a": f"org-a-{suffix}", "b": f"org-b-{suffix}"}
        keys = {}
        async with runtime.sessions() as session, session.begin():
            for org in orgs.values():
                keys[org] = await issue_key(
                    session,
                    runtime.metadata,
                    organization_id=org,
                    name="staff",
                    scopes=set(SCOPES),
                )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tracker.test") as client:
            yield Harness(app, runtime, client, clock, url, orgs["a"], orgs["b"], keys)


async def wait_for(what: str, check: Callable[[], Awaitable[T]], timeout: float = 90) -> T:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout` seconds."""
    try:
        async with asyncio.timeout(timeout):
            while not (value := await check()):
                await asyncio.sleep(0.3)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None
    return value
