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


@pytest.fixture
async def tracker(postgres_server: PostgresServer, kafka_broker: KafkaBroker) -> AsyncIterator[Harness]:
    """A tracker of the test's own: the tests move its clock and count every reminder it sends."""
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
    # the replicas' own counts agree with what they wrote: nobody sent twice. (The tracker's consumer also
    # reads contract events other tests left on the shared broker, so count every reminder written.)
    assert reported == len(events)


async def test_moved_deadlines_are_reminded_again_exactly_once_across_replicas(tracker: Harness) -> None:
    """Leads sent for the old dates come again for the new dates, once per (obligation, lead time,
    due date), while two replicas sweep and the amendments land in between their sweeps."""
    org = tracker.org_a
    settings = {"time_zone": "America/Chicago", "holiday_country": "US", "lead_days": [14, 3]}
    assert (
        await tracker.client.put("/v1/settings", json=settings, headers=tracker.auth(org))
    ).status_code == 200
    tracker.clock.now = datetime(2027, 1, 4, 12, tzinfo=UTC)
    contracts = {str(uuid.uuid4()): offset for offset in range(4)}
    for contract_id, offset in contracts.items():
        ends = (datetime(2027, 1, 20) + timedelta(days=offset)).date().isoformat()
        await tracker.deliver(
            contract_event("contract.activated", contract_id, org, 1, termination_date=ends)
        )
    expiries = await tracker.obligations(org, kind="expiry", limit=100)
    ours = {o["id"]: o["due_date"] for o in expiries if o["contract_id"] in contracts}
    assert len(ours) == 4  # an expiry per contract (no notice period)

    (first, engine1), (second, engine2) = replica(tracker), replica(tracker)

    async def sweep_until(until: datetime) -> None:
        while tracker.clock.now < until:
            await asyncio.gather(first.run_once(), second.run_once(), first.run_once())
            tracker.clock.now += timedelta(hours=13)

    try:
        await sweep_until(datetime(2027, 1, 20, tzinfo=UTC))
        tracker.clock.now = datetime(2027, 1, 20, 12, tzinfo=UTC)  # every 3-day lead reached, none due
        await asyncio.gather(first.run_once(), second.run_once())
        # no lead of the old or the new dates comes due at this moment: nothing depends on who wins
        amendments = [
            tracker.deliver(
                contract_event(
                    "contract.amended",
                    contract_id,
                    org,
                    2,
                    termination_date=(datetime(2027, 2, 9) + timedelta(days=offset)).date().isoformat(),
                )
            )
            for contract_id, offset in contracts.items()
        ]
        await asyncio.gather(*amendments, first.run_once(), second.run_once())
        await sweep_until(datetime(2027, 2, 20, tzinfo=UTC))
        assert await asyncio.gather(first.run_once(), second.run_once()) == [0, 0]
    finally:
        await engine1.dispose()  # type: ignore[attr-defined]
        await engine2.dispose()  # type: ignore[attr-defined]

    expiries = await tracker.obligations(org, kind="expiry", limit=100)
    moved = {o["id"]: o["due_date"] for o in expiries if o["id"] in ours}
    assert all(moved[o] > ours[o] for o in ours)
    events = [e for topic in REMINDER_TYPES for e in await tracker.outbox(topic=topic)]
    sent = Counter(
        (e.subject, e.type, e.data["lead_days"], e.data["due_date"]) for e in events if e.subject in ours
    )
    expected = {
        *((o, "obligation.due_soon", lead, ours[o]) for o in ours for lead in (14, 3)),
        *((o, "obligation.due_soon", lead, moved[o]) for o in ours for lead in (14, 3)),
        *((o, "obligation.overdue", None, moved[o]) for o in ours),
    }
    assert set(sent) == expected
    assert set(sent.values()) == {1}
