"""The notifier's runtime on SQLite with fake senders and a hand-moved clock, for unit tests of the
send loop and the consumer's handler (the `world` fixture in conftest.py)."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from accord_common.events import CloudEvent, new_event
from accord_common.runtime import ServiceRuntime
from accord_common.testing.outbox import outbox_events
from notifier.adapters.dns import resolve_host
from notifier.adapters.orm import metadata, subscriptions
from notifier.bootstrap import SERVICE_ROOT, Outside, secret_box, senders
from notifier.config import NotifierSettings
from notifier.entrypoints.consumers import event_handlers, payload_of
from notifier.entrypoints.send_loop import SendLoop
from notifier.handlers.digest_sending import claim_digests, send_digest
from notifier.handlers.digests import DigestClaim
from notifier.handlers.dispatch import DispatchRules
from notifier.handlers.events import record_deliveries
from notifier.handlers.sending import DeliveryJob, Lease, claim_deliveries
from notifier.ports import MailSender, OutgoingMail, SecretBox, SendResult
from sqlalchemy import select

ORG = "org-unit"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


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
    replies: list[int | None] = field(default_factory=list)  # SMTP answers in turn; then 250
    sent: list[OutgoingMail] = field(default_factory=list)

    async def send(self, mail: OutgoingMail) -> SendResult:
        self.sent.append(mail)
        reply = self.replies.pop(0) if self.replies else 250
        return SendResult(reply, 3, None if reply == 250 else f"SMTP {reply}")


@dataclass
class World:
    runtime: ServiceRuntime
    dispatcher: SendLoop
    clock: Clock
    webhooks: FakeWebhooks
    mail: FakeMail
    box: SecretBox

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
            "secrets": [{"value": self.box.encrypt(SECRET), "retires_at": None}],  # as stored
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
            created = await record_deliveries(uow, event, payload_of(event), self.clock(), 7, self.box)
            await uow.commit()
        return created

    async def consume_as_the_consumer_does(self, event: CloudEvent) -> None:
        """Through the handler the consumer loop calls for the event's topic."""
        async with self.runtime.uow() as uow:
            await event_handlers(7, self.box)[event.type](event, uow)
            await uow.commit()

    @property
    def rules(self) -> DispatchRules:
        return self.dispatcher.senders.rules

    def use_mail(self, mail: MailSender) -> None:
        """Send mail (single, digest, owner) through `mail` from now on."""
        self.dispatcher.senders = replace(self.dispatcher.senders, mail=mail)

    def lease(self) -> Lease:
        return Lease(str(uuid.uuid4()), self.clock() + timedelta(seconds=30))

    async def claim_deliveries(self) -> list[DeliveryJob]:
        """Claim as a send loop does, without sending (a notifier that dies right after)."""
        loop = self.dispatcher
        return await claim_deliveries(
            self.runtime.uow(), self.clock(), self.lease(), loop.capacity, loop.busy, 20
        )

    async def claim_digests(self) -> list[DigestClaim]:
        return await claim_digests(self.runtime.uow(), self.clock(), self.lease(), 20)

    async def send_digest(self, claim: DigestClaim) -> None:
        await send_digest(self.runtime.uow, self.dispatcher.senders, claim)

    async def rows(self, table: Any) -> list[Any]:
        async with self.runtime.sessions() as session:
            return list((await session.execute(select(table))).all())

    async def outbox_topics(self) -> list[str]:
        """The topic of each event in the outbox, in the order written."""
        async with self.runtime.sessions() as session:
            return [e.topic for e in await outbox_events(session, self.runtime.metadata.tables["outbox"])]

    async def run_until_quiet(self, step: timedelta = timedelta(seconds=1), rounds: int = 30) -> None:
        for _ in range(rounds):
            await self.dispatcher.tick(self.runtime)
            self.clock.now += step


@asynccontextmanager
async def running_world(tmp_path: Path) -> AsyncIterator[World]:
    """The runtime on a fresh SQLite database, its dispatcher with fake senders and a hand-moved clock."""
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
    box = secret_box(settings)
    outside = Outside(resolve=resolve_host, mail=mail, webhooks=webhooks)
    dispatcher = SendLoop(settings, senders(settings, outside, box, clock=clock, rng=random.Random(7)))
    yield World(runtime, dispatcher, clock, webhooks, mail, box)
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
