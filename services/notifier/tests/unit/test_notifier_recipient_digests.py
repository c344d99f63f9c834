"""Daily digests per recipient address on SQLite, through the consumer's handler and the dispatcher,
with a fake mail server and a hand-moved clock."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from accord_common.migrate import upgrade
from notifier.adapters.orm import (
    deliveries,
    delivery_attempts,
    digest_items,
    digests,
    subscriptions,
)
from notifier.bootstrap import SERVICE_ROOT
from notifier.handlers.deliveries import replay_delivery
from notifier.handlers.digests import record_digest_outcome, sort_contents
from notifier.ports import OutgoingMail, SendResult
from notifier_world import ORG, START, World, obligation, running_world
from sqlalchemy import column, create_engine, insert, select, table, update

DIGEST_HOUR = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # the first digest after START (9:00 the day before)
# deliveries as revision cdcc0a202159 has them (no via_digest yet)
BEFORE_DIGESTS = table(
    "deliveries",
    *(
        column(name)
        for name in ("id", "organization_id", "event_id", "subscription_id", "event_type", "event")
    ),
    *(column(name) for name in ("channel_kind", "status", "next_attempt_at", "created_at")),
)


def digest_subscription(name: str, *recipients: str, **columns: Any) -> dict[str, Any]:
    values = {
        "name": name,
        "channel_kind": "email",
        "webhook_url": None,
        "secrets": None,
        "recipients": list(recipients),
        "digest": True,
    }
    return values | columns


@dataclass
class MailServer:
    """Answers by recipient: each address's replies in turn, then 250."""

    replies: dict[str, list[int]] = field(default_factory=dict)
    sent: list[OutgoingMail] = field(default_factory=list)

    async def send(self, mail: OutgoingMail) -> SendResult:
        self.sent.append(mail)
        waiting = self.replies.get(mail.recipients[0], [])
        reply = waiting.pop(0) if waiting else 250
        return SendResult(reply, 4, None if reply == 250 else f"{reply} not now")

    def to(self, address: str) -> list[OutgoingMail]:
        return [mail for mail in self.sent if mail.recipients == (address,)]


@pytest.fixture
def server(world: World) -> MailServer:
    server = MailServer()
    world.use_mail(server)
    return server


async def statuses(world: World) -> dict[str, str]:
    return {row.id: row.status for row in await world.rows(deliveries)}


async def test_two_digest_subscriptions_of_one_recipient_make_one_mail_a_day(
    world: World, server: MailServer
) -> None:
    await world.subscribe(
        **digest_subscription("Contracting team", "Pat@Clinic.example"),
        filters={"obligation_kind": "renewal_notice"},
    )
    await world.subscribe(**digest_subscription("Revenue cycle", "pat@clinic.example", "lee@clinic.example"))
    notice = obligation(title="Renewal notice to Acme")
    escalator = obligation(title="Escalator check", kind="escalator")
    assert await world.consume(notice) == 2
    assert await world.consume(escalator) == 1
    await world.run_until_quiet(rounds=2)
    assert server.sent == []  # before the digest hour

    world.clock.now = DIGEST_HOUR
    await world.run_until_quiet(rounds=3)
    (pat,) = server.to("pat@clinic.example")
    (lee,) = server.to("lee@clinic.example")
    assert len(server.sent) == 2
    assert pat.text.count("Renewal notice to Acme") == 1  # matched by both, listed once
    assert pat.text.index("Contracting team") < pat.text.index("Renewal notice to Acme")
    assert pat.text.index("Revenue cycle") < pat.text.index("Escalator check")
    assert "(also for Revenue cycle)" in pat.text
    assert "Contracting team" not in lee.text and "Escalator check" in lee.text
    assert pat.subject.startswith("Accord daily digest for Tuesday 3 March 2026: new deadlines (2)")
    assert pat.message_id != lee.message_id
    assert set((await statuses(world)).values()) == {"delivered"}
    attempts = [row.delivery_id for row in await world.rows(delivery_attempts)]
    assert sorted(attempts.count(d) for d in set(attempts)) == [1, 2, 2]  # one per digest that carried it
    topics = await world.outbox_topics()
    assert topics == ["notification.delivered"] * 3


async def test_a_delivery_waits_for_every_recipients_digest(world: World, server: MailServer) -> None:
    await world.subscribe(**digest_subscription("Revenue cycle", "pat@clinic.example", "lee@clinic.example"))
    await world.consume(obligation())
    server.replies = {"lee@clinic.example": [451]}
    world.clock.now = DIGEST_HOUR
    await world.dispatcher.tick(world.runtime)
    assert len(server.sent) == 2
    assert list((await statuses(world)).values()) == ["retrying"]  # Pat's went, Lee's is retried
    await world.run_until_quiet(rounds=3)
    assert len(server.to("lee@clinic.example")) == 2 and len(server.to("pat@clinic.example")) == 1
    assert list((await statuses(world)).values()) == ["delivered"]
    assert [row.status_code for row in await world.rows(delivery_attempts)] in (
        [250, 451, 250],
        [451, 250, 250],
    )


async def test_an_item_arriving_once_the_digest_is_sealed_waits_for_the_next_day(
    world: World, server: MailServer
) -> None:
    await world.subscribe(**digest_subscription("Contracting team", "pat@clinic.example"))
    early = obligation(title="Early")
    await world.consume(early)
    world.clock.now = DIGEST_HOUR
    claims = await world.claim_digests()  # sealed; the mail is being written
    world.clock.now = DIGEST_HOUR - timedelta(seconds=1)  # an event consumed just before the hour
    late = obligation(title="Late")
    await world.consume(late)
    world.clock.now = DIGEST_HOUR
    await asyncio.gather(*(world.send_digest(claim) for claim in claims))
    (first,) = server.sent
    assert "Early" in first.text and "Late" not in first.text
    world.clock.now = DIGEST_HOUR + timedelta(days=1)
    await world.run_until_quiet(rounds=2)
    assert len(server.sent) == 2 and "Late" in server.sent[1].text
    days = sorted(row.digest_date.isoformat() for row in await world.rows(digests))
    assert days == ["2026-03-03", "2026-03-04"]


@dataclass
class DyingServer(MailServer):
    """Accepts the first mail, then its sender dies before it can record that."""

    died: bool = False

    async def send(self, mail: OutgoingMail) -> SendResult:
        result = await super().send(mail)
        if not self.died:
            self.died = True
            raise RuntimeError("the dispatcher was killed mid-send")
        return result


async def test_a_digest_whose_sender_died_is_sent_again_once_with_the_same_message_id(world: World) -> None:
    server = DyingServer()
    world.use_mail(server)
    await world.subscribe(**digest_subscription("Contracting team", "pat@clinic.example"))
    await world.subscribe(**digest_subscription("Revenue cycle", "pat@clinic.example"))
    await world.consume(obligation())
    world.clock.now = DIGEST_HOUR
    claims = await world.claim_digests()
    with pytest.raises(RuntimeError):
        await world.send_digest(claims[0])
    await world.dispatcher.tick(world.runtime)  # the lease still holds: nobody sends it
    assert len(server.sent) == 1
    world.clock.now += timedelta(seconds=31)  # the lease runs out
    await world.run_until_quiet(rounds=3)
    first, again = server.sent
    assert first.message_id == again.message_id and first.text == again.text
    assert set((await statuses(world)).values()) == {"delivered"}
    assert len(await world.rows(delivery_attempts)) == 2  # one attempt each, recorded by the new holder
    (row,) = await world.rows(digests)
    assert (row.status, row.attempts) == ("delivered", 1)
    contents = sort_contents([], "pat@clinic.example")
    late = await record_digest_outcome(
        world.runtime.uow(), claims[0], contents, SendResult(250, 1), world.rules, world.clock()
    )
    assert late is None  # the dead holder's lease is gone: it records nothing


async def test_a_stopped_subscription_or_dropped_address_leaves_the_digest(
    world: World, server: MailServer
) -> None:
    kept = await world.subscribe(**digest_subscription("Contracting team", "pat@clinic.example"))
    deleted = await world.subscribe(**digest_subscription("Old team", "pat@clinic.example"))
    moved = await world.subscribe(
        **digest_subscription("Billing", "pat@clinic.example", "lee@clinic.example")
    )
    await world.consume(obligation(title="Renewal notice"))
    async with world.runtime.sessions() as session, session.begin():
        await session.execute(
            update(subscriptions).where(subscriptions.c.id == deleted).values(deleted_at=START)
        )
        await session.execute(
            update(subscriptions).where(subscriptions.c.id == moved).values(recipients=["lee@clinic.example"])
        )
    world.clock.now = DIGEST_HOUR
    await world.run_until_quiet(rounds=3)
    (pat,) = server.to("pat@clinic.example")
    assert "Contracting team" in pat.text and "Old team" not in pat.text and "Billing" not in pat.text
    (lee,) = server.to("lee@clinic.example")
    assert "Billing" in lee.text
    by_subscription = {row.subscription_id: row.status for row in await world.rows(deliveries)}
    assert by_subscription == {kept: "delivered", deleted: "disabled", moved: "delivered"}
    assert len(await world.rows(digest_items)) == 2  # what each mail carried


async def test_a_refused_digest_fails_its_deliveries_and_a_replay_sends_one_on_its_own(
    world: World, server: MailServer
) -> None:
    await world.subscribe(**digest_subscription("Contracting team", "pat@clinic.example"))
    await world.consume(obligation(title="Renewal notice"))
    server.replies = {"pat@clinic.example": [550]}
    world.clock.now = DIGEST_HOUR
    await world.run_until_quiet(rounds=2)
    ((delivery_id, status),) = (await statuses(world)).items()
    assert status == "dead"
    assert await world.outbox_topics() == ["notification.failed"]
    await replay_delivery(world.runtime.uow(), ORG, delivery_id, world.clock())
    await world.run_until_quiet(rounds=2)
    assert len(server.sent) == 2
    assert server.sent[1].subject.startswith("New deadline: Renewal notice")  # its own mail, not a digest
    assert list((await statuses(world)).values()) == ["delivered"]


async def test_the_upgrade_folds_deliveries_already_waiting_into_recipient_digests(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}"
    await asyncio.to_thread(upgrade, SERVICE_ROOT, url, "cdcc0a202159")
    sync = create_engine(f"sqlite:///{tmp_path / 'notifier.db'}")
    event = obligation(title="Renewal notice")
    with sync.begin() as connection:
        for name in ("Contracting team", "Revenue cycle"):
            subscription_id = str(uuid.uuid4())
            connection.execute(
                insert(subscriptions).values(
                    id=subscription_id,
                    organization_id=ORG,
                    event_types=["obligation.*"],
                    filters={},
                    consecutive_dead=0,
                    created_at=START,
                    updated_at=START,
                    **digest_subscription(name, "Pat@clinic.example"),
                )
            )
            connection.execute(
                insert(BEFORE_DIGESTS).values(
                    id=str(uuid.uuid4()),
                    organization_id=ORG,
                    event_id=event.id,
                    subscription_id=subscription_id,
                    event_type="obligation.created",
                    event=event.to_bytes(),
                    channel_kind="email",
                    status="pending",
                    next_attempt_at=DIGEST_HOUR,
                    created_at=START,
                )
            )
    sync.dispose()
    async with running_world(tmp_path) as world:  # starting migrates to head
        server = MailServer()
        world.use_mail(server)
        (digest,) = await world.rows(digests)
        assert (digest.recipient, digest.digest_date.isoformat()) == ("pat@clinic.example", "2026-03-03")
        assert all(row.via_digest for row in await world.rows(deliveries))
        world.clock.now = DIGEST_HOUR
        await world.run_until_quiet(rounds=2)
        (mail,) = server.sent
        assert mail.text.count("Renewal notice") == 1 and "also for Revenue cycle" in mail.text
        assert set((await statuses(world)).values()) == {"delivered"}


async def test_digest_rows_are_unique_per_address_and_day(world: World) -> None:
    await world.subscribe(**digest_subscription("A", "pat@clinic.example"))
    await world.subscribe(**digest_subscription("B", "PAT@clinic.example"))
    for _ in range(3):
        await world.consume(obligation())
    (digest,) = await world.rows(digests)
    assert len(await world.rows(digest_items)) == 6
    async with world.runtime.sessions() as session:
        held = await session.scalar(select(digests.c.next_attempt_at))
    assert held is not None and held.replace(tzinfo=UTC) == DIGEST_HOUR
    assert digest.sealed_at is None
