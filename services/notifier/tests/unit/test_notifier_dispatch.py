"""The dispatcher and the consumer's handler on SQLite, with fake senders and a hand-moved clock."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from accord_common.events import CloudEvent, new_event
from accord_common.runtime import ServiceRuntime
from notifier.adapters.orm import deliveries, metadata, owner_emails, subscriptions
from notifier.bootstrap import SERVICE_ROOT
from notifier.config import NotifierSettings
from notifier.dispatcher import Dispatcher
from notifier.handlers.dispatch import Claim, record_outcome
from notifier.handlers.events import record_deliveries
from notifier.ports import OutgoingMail, SendResult
from sqlalchemy import select

ORG = "org-unit"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class FakeWebhooks:
    statuses: list[int | None] = field(default_factory=list)  # answers in turn; then 204
    posts: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        self.posts.append((url, body, dict(headers)))
        status = self.statuses.pop(0) if self.statuses else 204
        return SendResult(status, 12, None if status == 204 else f"HTTP {status}")


@dataclass
class FakeMail:
    sent: list[OutgoingMail] = field(default_factory=list)

    async def send(self, mail: OutgoingMail) -> SendResult:
        self.sent.append(mail)
        return SendResult(250, 3)


@dataclass
class World:
    runtime: ServiceRuntime
    dispatcher: Dispatcher
    clock: Clock
    webhooks: FakeWebhooks
    mail: FakeMail

    async def subscribe(self, **columns: Any) -> str:
        subscription_id = str(uuid.uuid4())
        values = {
            "id": subscription_id,
            "organization_id": ORG,
            "name": "s",
            "event_types": ["obligation.*"],
            "filters": {},
            "channel_kind": "webhook",
            "webhook_url": "https://hooks.clinic.example/in",
            "secrets": [
                {"value": "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "retires_at": None}
            ],
            "digest": False,
            "consecutive_dead": 0,
            "created_at": START,
            "updated_at": START,
        } | columns
        async with self.runtime.sessions() as session, session.begin():
            await session.execute(subscriptions.insert().values(**values))
        return subscription_id

    async def consume(self, event: CloudEvent) -> int:
        async with self.runtime.uow() as uow:
            created = await record_deliveries(uow, event, self.clock(), digest_hour_utc=7)
            await uow.commit()
        return created

    async def rows(self, table: Any) -> list[Any]:
        async with self.runtime.sessions() as session:
            return list((await session.execute(select(table))).all())

    async def run_until_quiet(self, step: timedelta = timedelta(seconds=1), rounds: int = 30) -> None:
        for _ in range(rounds):
            await self.dispatcher.tick(self.runtime)
            self.clock.now += step


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    settings = NotifierSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}",
        kafka_enabled=False,
        retry_delays_seconds=[1, 1],
        retry_jitter_floor=1.0,
        disable_after_consecutive_dead=2,
        delivery_lease_seconds=30,
        log_json=False,
    )
    runtime = ServiceRuntime(settings=settings, metadata=metadata, service_root=SERVICE_ROOT)
    await runtime.start()
    clock, webhooks, mail = Clock(), FakeWebhooks(), FakeMail()
    dispatcher = Dispatcher(settings, mail, webhooks, clock=clock, rng=random.Random(7))
    yield World(runtime, dispatcher, clock, webhooks, mail)
    await runtime.stop()


def obligation(**overrides: Any) -> CloudEvent:
    data = {
        "obligation_id": str(uuid.uuid4()),
        "organization_id": ORG,
        "kind": "renewal_notice",
        "status": "open",
        "due_date": "2027-10-02",
        "title": "Renewal notice",
    } | overrides
    return new_event(
        "obligation.created", source="t", subject=data["obligation_id"], data=data, organization_id=ORG
    )


async def test_the_same_event_twice_makes_one_delivery(world: World) -> None:
    await world.subscribe()
    event = obligation()
    assert await world.consume(event) == 1
    assert await world.consume(event) == 0
    assert len(await world.rows(deliveries)) == 1


async def test_other_organisations_and_filters_get_nothing(world: World) -> None:
    await world.subscribe(filters={"obligation_kind": "escalator"})
    await world.subscribe(organization_id="org-other")
    assert await world.consume(obligation()) == 0


async def test_a_webhook_is_retried_then_delivered_with_every_attempt_recorded(world: World) -> None:
    await world.subscribe()
    world.webhooks.statuses = [500, None]
    await world.consume(obligation())
    await world.run_until_quiet()
    (row,) = await world.rows(deliveries)
    assert row.status == "delivered"
    assert len(world.webhooks.posts) == 3
    assert len({headers["webhook-id"] for _, _, headers in world.webhooks.posts}) == 1
    topics = [r.topic for r in await world.rows(metadata.tables["outbox"])]
    assert topics == ["notification.delivered"]


async def test_dead_deliveries_disable_the_endpoint_and_mail_its_owner(world: World) -> None:
    subscription_id = await world.subscribe(owner_email="owner@clinic.example")
    world.webhooks.statuses = [503] * 6
    await world.consume(obligation())
    await world.consume(obligation())
    await world.run_until_quiet()
    assert {r.status for r in await world.rows(deliveries)} == {"dead"}
    (subscription,) = await world.rows(subscriptions)
    assert subscription.disabled_at is not None
    (notice,) = await world.rows(owner_emails)
    assert notice.sent_at is not None
    (mail,) = world.mail.sent
    assert mail.recipients == ("owner@clinic.example",)
    assert subscription_id in mail.text and "/in" not in mail.text  # the path may hold a token
    assert await world.consume(obligation()) == 0


async def test_gone_disables_at_once(world: World) -> None:
    await world.subscribe()
    world.webhooks.statuses = [410]
    await world.consume(obligation())
    await world.run_until_quiet()
    assert [r.status for r in await world.rows(deliveries)] == ["disabled"]
    assert (await world.rows(subscriptions))[0].disabled_reason.startswith("The endpoint answered 410")


async def test_a_delivery_for_a_disabled_subscription_is_stopped_unsent(world: World) -> None:
    await world.subscribe()
    await world.consume(obligation())
    async with world.runtime.sessions() as session, session.begin():
        await session.execute(subscriptions.update().values(disabled_at=START))
    await world.run_until_quiet(rounds=2)
    assert world.webhooks.posts == []
    assert [r.status for r in await world.rows(deliveries)] == ["disabled"]


async def test_an_expired_lease_is_claimed_again_and_the_old_holder_is_ignored(world: World) -> None:
    await world.subscribe()
    await world.consume(obligation())
    jobs = await world.dispatcher._claim(world.runtime)  # a dispatcher claims, then dies
    assert len(jobs) == 1 and await world.dispatcher._claim(world.runtime) == []
    world.clock.now += timedelta(seconds=31)
    await world.dispatcher.tick(world.runtime)
    assert [r.status for r in await world.rows(deliveries)] == ["delivered"]
    late = await record_outcome(
        world.runtime.uow(), jobs[0].claim, SendResult(204, 1), world.dispatcher.rules, world.clock()
    )
    assert late is None
    stale = Claim(jobs[0].claim.delivery_id, "not-the-holder")
    assert (
        await record_outcome(world.runtime.uow(), stale, None, world.dispatcher.rules, world.clock()) is None
    )


async def test_digest_deliveries_wait_for_the_digest_hour_and_go_as_one_mail(world: World) -> None:
    await world.subscribe(
        channel_kind="email", webhook_url=None, secrets=None, recipients=["team@clinic.example"], digest=True
    )
    events = [obligation(), obligation(title="Escalator check", kind="escalator")]
    for event in events:
        await world.consume(event)
    await world.run_until_quiet(rounds=2)
    assert world.mail.sent == []
    world.clock.now = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    await world.run_until_quiet(rounds=2)
    (mail,) = world.mail.sent
    assert all(e.data["obligation_id"] in mail.text for e in events)
    assert {r.status for r in await world.rows(deliveries)} == {"delivered"}
