"""The tracker's use cases on a SQLite database (the embedded default), with a clock tests move."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from accord_common.db import make_engine, make_session_factory
from accord_common.events import CloudEvent, new_event
from accord_common.events.payloads import ContractVersionData
from accord_common.testing.outbox import outbox_events
from accord_common.uow import UnitOfWork
from obligation_tracker.adapters.orm import metadata, obligations
from obligation_tracker.config import TrackerSettings
from obligation_tracker.entrypoints.consumers import CONTRACT_TOPICS, event_handlers
from obligation_tracker.handlers.context import Tracker
from obligation_tracker.handlers.contracts import is_newer
from obligation_tracker.handlers.reminders import sweep
from obligation_tracker.handlers.snapshot import contract_label, snapshot_of
from obligation_tracker.ids import as_uuid, plain
from sqlalchemy import select

ORG = "org-unit"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Db:
    def __init__(self, path: Path, clock: Clock) -> None:
        self.engine = make_engine(f"sqlite+aiosqlite:///{path}")
        self.sessions = make_session_factory(self.engine)
        self.clock = clock
        self.tracker = Tracker.from_settings(TrackerSettings(), clock)
        self.handlers = event_handlers(self.tracker)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, metadata)

    async def deliver(self, event: CloudEvent) -> None:
        async with self.uow() as uow:
            await self.handlers[event.type](event, uow)
            await uow.commit()

    async def rows(self) -> list[Any]:
        async with self.sessions() as session:
            return list((await session.execute(select(obligations).order_by(obligations.c.due_date))).all())

    async def outbox_events(self) -> list[CloudEvent]:
        table = metadata.tables["outbox"]
        async with self.sessions() as session:
            return [CloudEvent.from_bytes(e.payload) for e in await outbox_events(session, table)]

    async def outbox_types(self) -> list[str]:
        table = metadata.tables["outbox"]
        async with self.sessions() as session:
            return [e.topic for e in await outbox_events(session, table)]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Db]:
    database = Db(tmp_path / "tracker.db", Clock())
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield database
    await database.engine.dispose()


def contract(event_type: str, version: int, status: str = "active", **terms: Any) -> CloudEvent:
    data = {
        "contract_id": CONTRACT,
        "organization_id": ORG,
        "payer_id": "p1",
        "payer_name": "Acme",
        "status": status,
        "version": version,
        "effective_from": "2026-01-01",
        "terms": {"effective_date": "2026-01-01", **terms},
    }
    return new_event(event_type, source="test", subject=CONTRACT, data=data, organization_id=ORG)


CONTRACT = str(uuid.uuid4())


async def test_renewal_notice_is_created_then_moved_not_duplicated(db: Db) -> None:
    await db.deliver(contract("contract.created", 1, termination_date="2027-12-31", notice_days=90))
    await db.deliver(contract("contract.amended", 2, termination_date="2028-06-30", notice_days=120))
    await db.deliver(contract("contract.amended", 2, termination_date="2029-06-30", notice_days=1))  # repeat
    rows = {r.kind: r for r in await db.rows()}
    assert rows["renewal_notice"].due_date == date(2028, 3, 2)
    assert rows["expiry"].due_date == date(2028, 6, 30)
    assert await db.outbox_types() == ["obligation.created"] * 2 + ["obligation.rescheduled"] * 2


async def test_on_time_payment_completes_prompt_pay(db: Db) -> None:
    await db.deliver(
        contract(
            "contract.activated",
            1,
            termination_date="2027-12-31",
            prompt_pay_days=30,
            prompt_pay_interest_rate="12",
        )
    )
    claim_id = "CLM-001"  # a billing system's own id, not a UUID
    base = {
        "claim_id": claim_id,
        "organization_id": ORG,
        "patient_control_number": "PCN",
        "payer_id": "p1",
        "contract_id": CONTRACT,
    }
    await db.deliver(
        new_event(
            "claim.priced",
            source="t",
            subject=claim_id,
            data=base | {"service_date": "2026-05-01", "received_date": "2026-05-10", "total_charge": "100"},
        )
    )
    await db.deliver(
        new_event(
            "claim.paid",
            source="t",
            subject=claim_id,
            data=base | {"paid_amount": "80", "paid_date": "2026-06-09"},
        )
    )
    prompt_pay = next(r for r in await db.rows() if r.kind == "prompt_pay")
    assert (prompt_pay.status, prompt_pay.due_date, prompt_pay.claim_id) == (
        "completed",
        date(2026, 6, 9),
        claim_id,
    )
    assert "obligation.completed" in await db.outbox_types()


async def test_sweeps_send_each_reminder_once_then_overdue_once(db: Db) -> None:
    await db.deliver(contract("contract.activated", 1, termination_date="2026-08-31", notice_days=30))
    for _ in range(3):
        await sweep(db.uow, db.tracker)  # 2026-06-01: the notice (due 08-01) is within 90 days
    db.clock.now += timedelta(days=120)
    await sweep(db.uow, db.tracker)
    await sweep(db.uow, db.tracker)
    types = await db.outbox_types()
    assert types.count("obligation.due_soon") == 1  # the 90-day lead of the notice; expiry is 91 days out
    assert types.count("obligation.overdue") == 2


LAB = {
    "name": "Laboratory",
    "service_category": "outpatient",
    "matcher": {"ranges": [{"code_system": "CPT", "first": "80047", "last": "89398"}]},
    "methodology": {"kind": "fee_schedule", "schedule_id": "lab-2026"},
    "escalators": [
        {"kind": "dated_escalator", "percent": "2.5", "effective_on": "2026-07-01"},
        {"kind": "anniversary_escalator", "percent": "3"},
    ],
}


async def test_registry_escalators_and_credentialing_become_obligations(db: Db) -> None:
    event = contract("contract.activated", 1, termination_date="2027-12-31")
    event.data["payment_terms"] = [LAB]
    event.data["credentialing"] = [
        {"kind": "recredentialing", "due_date": "2026-11-02", "provider_npi": "1234567893"}
    ]
    await db.deliver(event)
    rows = {(r.kind, r.natural_key.split("/", 3)[3]): r for r in await db.rows()}
    assert {key: row.due_date for key, row in rows.items() if key[0] in ("escalator", "credentialing")} == {
        ("escalator", "dated 2026-07-01"): date(2026, 7, 1),
        ("escalator", "anniversary 1"): date(2027, 1, 1),
        ("credentialing", "recredentialing, NPI 1234567893"): date(2026, 11, 2),
    }
    assert rows[("escalator", "dated 2026-07-01")].title == "Rates rise 2.5% (Laboratory): Acme"

    amended = contract("contract.amended", 2, termination_date="2027-12-31")
    amended.data["payment_terms"] = [LAB | {"escalators": [LAB["escalators"][1]]}]
    await db.deliver(amended)
    rows = {(r.kind, r.natural_key.split("/", 3)[3]): r for r in await db.rows()}
    assert rows[("escalator", "dated 2026-07-01")].status == "cancelled"
    assert rows[("escalator", "anniversary 1")].status == "open"
    assert rows[("credentialing", "recredentialing, NPI 1234567893")].status == "cancelled"


async def test_a_moved_deadline_is_reminded_again_for_its_new_date(db: Db) -> None:
    """Leads already sent for the old date are sent again when reached at the new one; each
    (obligation, lead time, due date) once, and overdue once, for the date that holds."""
    await db.deliver(contract("contract.activated", 1, termination_date="2026-06-20"))
    await sweep(db.uow, db.tracker)  # 2026-06-01: the 30-day lead of the expiry is reached
    db.clock.now = datetime(2026, 6, 15, 12, tzinfo=UTC)
    await sweep(db.uow, db.tracker)  # the 7-day lead
    await db.deliver(contract("contract.amended", 2, termination_date="2026-09-30"))
    while db.clock.now < datetime(2026, 10, 3, tzinfo=UTC):
        await sweep(db.uow, db.tracker)
        await sweep(db.uow, db.tracker)
        db.clock.now += timedelta(days=1)
    reminders = [
        (e.type, e.data["lead_days"], e.data["due_date"])
        for e in await db.outbox_events()
        if e.type in ("obligation.due_soon", "obligation.overdue")
    ]
    assert reminders == [
        ("obligation.due_soon", 30, "2026-06-20"),
        ("obligation.due_soon", 7, "2026-06-20"),
        ("obligation.due_soon", 90, "2026-09-30"),
        ("obligation.due_soon", 60, "2026-09-30"),
        ("obligation.due_soon", 30, "2026-09-30"),
        ("obligation.due_soon", 7, "2026-09-30"),
        ("obligation.overdue", None, "2026-09-30"),
    ]


async def test_an_overdue_deadline_moved_later_is_reminded_and_overdue_again(db: Db) -> None:
    await db.deliver(contract("contract.activated", 1, termination_date="2026-06-05"))
    db.clock.now = datetime(2026, 6, 8, 12, tzinfo=UTC)
    await sweep(db.uow, db.tracker)  # overdue for 06-05
    await db.deliver(contract("contract.amended", 2, termination_date="2026-06-12"))
    await sweep(db.uow, db.tracker)  # the 7-day lead of 06-12 is reached
    await sweep(db.uow, db.tracker)
    db.clock.now = datetime(2026, 6, 14, 12, tzinfo=UTC)
    await sweep(db.uow, db.tracker)
    await sweep(db.uow, db.tracker)
    reminders = [
        (e.type, e.data["lead_days"], e.data["due_date"])
        for e in await db.outbox_events()
        if e.type in ("obligation.due_soon", "obligation.overdue")
    ]
    assert reminders == [
        ("obligation.overdue", None, "2026-06-05"),
        ("obligation.due_soon", 7, "2026-06-12"),
        ("obligation.overdue", None, "2026-06-12"),
    ]


@pytest.mark.parametrize(
    ("held", "version", "status", "newer"),
    [
        (None, 1, "draft", True),
        (
            SimpleNamespace(version=1, status="draft", event_time=datetime(2026, 1, 1), version_data={}),
            2,
            "draft",
            True,
        ),
        (
            SimpleNamespace(version=2, status="active", event_time=datetime(2026, 1, 1), version_data={}),
            1,
            "active",
            False,
        ),
        (
            SimpleNamespace(version=1, status="active", event_time=datetime(2026, 1, 1), version_data={}),
            1,
            "active",
            False,
        ),
        (
            SimpleNamespace(version=1, status="active", event_time=datetime(2026, 1, 1), version_data={}),
            1,
            "terminated",
            True,
        ),
        (
            SimpleNamespace(version=1, status="active", event_time=datetime(2026, 3, 1), version_data={}),
            1,
            "terminated",
            False,
        ),
    ],
)
def test_only_newer_versions_or_later_status_changes_apply(
    held: Any, version: int, status: str, newer: bool
) -> None:
    data = contract("contract.amended", version, status).data
    assert is_newer(held, ContractVersionData.model_validate(data), datetime(2026, 2, 1, tzinfo=UTC)) is newer


def _held(version: int, revision: int) -> SimpleNamespace:
    return SimpleNamespace(
        version=version, status="draft", event_time=datetime(2026, 3, 1), version_data={"revision": revision}
    )


@pytest.mark.parametrize(
    ("held", "version", "revision", "newer"),
    [
        (_held(1, 1), 1, 2, True),  # a draft edit keeps the version number: its content applies
        (_held(1, 2), 1, 3, True),  # activation of the edited draft
        (_held(1, 3), 1, 2, False),  # the edit delivered late (another topic) changes nothing
        (_held(1, 3), 1, 3, False),  # redelivered
        (_held(3, 5), 2, 6, True),  # version 3 withdrawn: version 2 is latest again
        (_held(2, 4), 3, 3, False),  # a higher number with a stale revision
        (_held(1, 2), 1, 0, False),  # an event from before revisions never overrides one with them
    ],
)
def test_the_newest_revision_applies_whatever_its_version_number(
    held: Any, version: int, revision: int, newer: bool
) -> None:
    data = {**contract("contract.amended", version, "draft").data, "revision": revision}
    assert is_newer(held, ContractVersionData.model_validate(data), datetime(2026, 2, 1, tzinfo=UTC)) is newer


def test_snapshot_maps_the_payload_terms() -> None:
    data = ContractVersionData.model_validate(
        contract(
            "contract.created",
            3,
            termination_date="2027-12-31",
            notice_days=90,
            prompt_pay_interest_rate="18",
            renewal_term_months=None,
        ).data
        | {"contract_name": "PPO", "payer_initiated": True, "objection_window_days": 30}
    )
    snapshot = snapshot_of(data, date(2026, 6, 1))
    assert (snapshot.contract_id, snapshot.version_number, snapshot.notice_days) == (as_uuid(CONTRACT), 3, 90)
    assert snapshot.prompt_pay_interest_rate_annual == Decimal("0.18")
    assert snapshot.payer_amendments[0].notified_on == date(2026, 6, 1)
    assert contract_label(data) == "PPO (Acme)"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [(Decimal("0.120000"), "0.12"), (Decimal("100.000000"), "100"), (Decimal("4.93"), "4.93")],
)
def test_plain_drops_column_padding(stored: Decimal, shown: str) -> None:
    assert str(plain(stored)) == shown


def test_every_consumed_topic_has_a_handler() -> None:
    handlers = event_handlers(Tracker.from_settings(TrackerSettings()))
    claim_topics = {"claim.priced", "claim.paid", "claim.variance_detected", "claim.variance_status_changed"}
    assert set(handlers) == {*CONTRACT_TOPICS, *claim_topics}
