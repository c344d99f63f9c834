"""Two scheduler replicas on one PostgreSQL database emit every reminder exactly once."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from accord_common.db import make_engine, make_session_factory
from accord_common.testing.kafka import KafkaBroker
from accord_common.testing.postgres import PostgresServer
from accord_common.uow import UnitOfWork
from obligation_tracker.adapters.orm import metadata
from obligation_tracker.config import TrackerSettings
from obligation_tracker.handlers.context import Tracker
from obligation_tracker.scheduler import ReminderScheduler
from tracker_harness import Harness, contract_event, running_tracker

REMINDER_TYPES = ("obligation.due_soon", "obligation.overdue")


@pytest.fixture(scope="module")
async def tracker(postgres_server: PostgresServer, kafka_broker: KafkaBroker) -> AsyncIterator[Harness]:
    start = datetime(2026, 6, 15, 12, tzinfo=UTC)
    async with running_tracker(postgres_server, kafka_broker, start=start) as harness:
        yield harness


def replica(harness: Harness) -> tuple[ReminderScheduler, object]:
    """A scheduler with its own engine and connection pool, as another process would have."""
    engine = make_engine(harness.url)
    sessions = make_session_factory(engine)
    tracker = Tracker.from_settings(TrackerSettings(), harness.clock)
    scheduler = ReminderScheduler(lambda: UnitOfWork(sessions, metadata), tracker, interval_s=1, batch_size=7)
    return scheduler, engine


async def test_two_replicas_send_each_reminder_exactly_once(tracker: Harness) -> None:
    org = tracker.org_a
    settings = {"time_zone": "America/Chicago", "holiday_country": "US", "lead_days": [14, 3]}
    assert (
        await tracker.client.put("/v1/settings", json=settings, headers=tracker.auth(org))
    ).status_code == 200
    for offset in range(6):
        termination = (datetime(2026, 7, 31) + timedelta(days=offset)).date().isoformat()
        await tracker.deliver(
            contract_event(
                "contract.activated", str(uuid.uuid4()), org, 1, termination_date=termination, notice_days=30
            )
        )
    ours = {o["id"] for o in await tracker.obligations(org, limit=100)}
    assert len(ours) == 12  # a renewal notice and an expiry per contract

    (first, engine1), (second, engine2) = replica(tracker), replica(tracker)
    reported = 0
    try:
        while tracker.clock.now < datetime(2026, 8, 10, tzinfo=UTC):
            reported += sum(await asyncio.gather(first.run_once(), second.run_once(), first.run_once()))
            tracker.clock.now += timedelta(hours=13)
        assert await asyncio.gather(first.run_once(), second.run_once()) == [0, 0]  # nothing left
    finally:
        await engine1.dispose()  # type: ignore[attr-defined]
        await engine2.dispose()  # type: ignore[attr-defined]

    events = [e for topic in REMINDER_TYPES for e in await tracker.outbox(topic=topic)]
    sent = Counter((e.subject, e.type, e.data["lead_days"]) for e in events if e.subject in ours)
    expected = {
        (o, t, lead)
        for o in ours
        for t, lead in (("obligation.due_soon", 14), ("obligation.due_soon", 3), ("obligation.overdue", None))
    }
    assert set(sent) == expected
    assert set(sent.values()) == {1}
    assert reported == len(expected)  # the replicas' own counts agree: nobody sent twice
