"""Claim events that arrive before their contract, and payments before their claim's pricing:
parked once (no patient data kept), applied when what they wait for arrives exactly as if it had
come first, and never lost when applying one fails. On a SQLite database (the embedded default),
through the handlers the consumer loop calls."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from accord_common.db import make_engine, make_session_factory
from accord_common.events import CloudEvent, new_event
from accord_common.messaging import ConsumerLoop
from accord_common.testing.outbox import outbox_events
from accord_common.uow import UnitOfWork
from obligation_tracker.adapters.orm import contracts, metadata, obligations, parked_claim_events
from obligation_tracker.adapters.parked_repository import ParkedClaimEvent, ParkedClaimEvents
from obligation_tracker.config import TrackerSettings
from obligation_tracker.entrypoints.consumers import event_handlers
from obligation_tracker.entrypoints.schemas import PARKED_PAGE_EXAMPLE, ParkedEventPage
from obligation_tracker.handlers.context import Tracker
from pydantic import ValidationError
from sqlalchemy import select

ORG, OTHER_ORG = "org-parking", "org-elsewhere"
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
TERMS = {
    "termination_date": "2027-12-31",
    "timely_filing_days": 90,
    "prompt_pay_days": 30,
    "prompt_pay_interest_rate": "18",
    "appeal_window_days": 180,
}


class Db:
    def __init__(self, path: Path) -> None:
        self.engine = make_engine(f"sqlite+aiosqlite:///{path}")
        self.sessions = make_session_factory(self.engine)
        self.tracker = Tracker.from_settings(TrackerSettings(), lambda: NOW)
        self.handlers = event_handlers(self.tracker)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, metadata)

    async def deliver(self, event: CloudEvent) -> None:
        """What the consumer loop does with one event (minus the inbox): handler, then commit."""
        async with self.uow() as uow:
            await self.handlers[event.type](event, uow)
            await uow.commit()

    async def rows(self, table: Any) -> list[Any]:
        async with self.sessions() as session:
            return list((await session.execute(select(table))).all())

    async def obligations(self) -> list[tuple[Any, ...]]:
        """What a reader sees of each obligation, in a stable order."""
        rows = await self.rows(obligations)
        seen = [(r.kind, r.claim_id, r.status, r.due_date, r.interest_owed, r.reasons[-1]) for r in rows]
        return sorted(seen, key=str)

    async def outbox_types(self) -> list[str]:
        table = metadata.tables["outbox"]
        async with self.sessions() as session:
            return [event.topic for event in await outbox_events(session, table)]


@pytest.fixture
async def new_db(tmp_path: Path) -> AsyncIterator[Callable[[], Any]]:
    made: list[Db] = []

    async def make() -> Db:
        database = Db(tmp_path / f"tracker-{len(made)}.db")
        async with database.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        made.append(database)
        return database

    yield make
    for database in made:
        await database.engine.dispose()


def contract_created(contract_id: str, org: str = ORG, version: int = 1) -> CloudEvent:
    data = {
        "contract_id": contract_id,
        "organization_id": org,
        "payer_id": "payer-acme",
        "payer_name": "Acme",
        "status": "active",
        "version": version,
        "effective_from": "2026-01-01",
        "terms": {"effective_date": "2026-01-01", **TERMS},
    }
    event_type = "contract.created" if version == 1 else "contract.amended"
    return new_event(event_type, source="test", subject=contract_id, data=data, organization_id=org)


def claim(event_type: str, claim_id: str, contract_id: str, org: str = ORG, **fields: Any) -> CloudEvent:
    data = {
        "claim_id": claim_id,
        "organization_id": org,
        "patient_control_number": "PCN-7731",
        "payer_id": "payer-acme",
        "contract_id": contract_id,
        **fields,
    }
    return new_event(event_type, source="test", subject=claim_id, data=data, organization_id=org)


def priced(claim_id: str, contract_id: str, org: str = ORG) -> CloudEvent:
    lines = [{"line_number": 1, "procedure_code": "99214", "charge": "1200.00", "units": 1}]
    return claim(
        "claim.priced",
        claim_id,
        contract_id,
        org,
        service_date="2026-05-01",
        received_date="2026-05-05",
        total_charge="1200.00",
        expected_allowed="840.00",
        lines=lines,
    )


def claim_history(contract_id: str) -> list[CloudEvent]:
    """A claim priced, paid ten days late, and another priced and found underpaid, all under one
    contract."""
    return [
        priced("CLM-1", contract_id),
        priced("CLM-2", contract_id),
        claim("claim.paid", "CLM-1", contract_id, paid_amount="1000.00", paid_date="2026-06-14"),
        claim(
            "claim.variance_detected",
            "CLM-2",
            contract_id,
            classification="underpaid",
            expected_allowed="500.00",
            paid_amount="400.00",
            patient_responsibility="0",
            variance="-100.00",
            remittance_date="2026-06-10",
        ),
    ]


async def test_a_claim_before_its_contract_is_parked_once_without_its_lines(new_db: Any) -> None:
    db, contract_id = await new_db(), str(uuid.uuid4())
    event = priced("CLM-1", contract_id)
    await db.deliver(event)
    await db.deliver(event)  # redelivered past the inbox: the event id keeps it to one row

    (row,) = await db.rows(parked_claim_events)
    assert (row.event_id, row.organization_id, row.contract_id, row.event_type) == (
        event.id,
        ORG,
        contract_id,
        "claim.priced",
    )
    assert row.event["data"]["total_charge"] == "1200.00"
    # the patient control number names the claim's deadlines; the lines are never kept
    assert row.event["data"]["patient_control_number"] == "PCN-7731" and "lines" not in row.event["data"]
    assert "99214" not in str(row.event)
    assert await db.obligations() == []
    assert await db.outbox_types() == []


async def test_parked_claims_apply_when_the_contract_arrives_as_if_it_had_come_first(new_db: Any) -> None:
    late, timely, contract_id = await new_db(), await new_db(), str(uuid.uuid4())
    history = claim_history(contract_id)

    for event in history:
        await late.deliver(event)
    assert len(await late.rows(parked_claim_events)) == 4
    await late.deliver(contract_created(contract_id))

    await timely.deliver(contract_created(contract_id))
    for event in history:
        await timely.deliver(event)

    assert await late.rows(parked_claim_events) == []
    assert await late.obligations() == await timely.obligations()
    assert await late.outbox_types() == await timely.outbox_types()
    kinds = {(kind, status) for kind, _, status, *_ in await late.obligations()}
    assert {("timely_filing", "completed"), ("prompt_pay", "breached"), ("appeal", "open")} <= kinds


async def test_a_parked_event_that_fails_fails_its_contract_event_and_is_kept(new_db: Any) -> None:
    db, contract_id = await new_db(), str(uuid.uuid4())
    await db.deliver(priced("CLM-1", contract_id))
    broken = priced("CLM-2", contract_id)
    async with db.uow() as uow:  # a parked event its use case refuses (no date of service)
        envelope = broken.model_dump(mode="json")
        envelope["data"].pop("service_date")
        row = ParkedClaimEvent(broken.id, ORG, contract_id, broken.type, envelope, NOW)
        await ParkedClaimEvents(uow.session, ORG).park(row)
        await uow.commit()

    with pytest.raises(ValidationError):
        await db.deliver(contract_created(contract_id))

    assert len(await db.rows(parked_claim_events)) == 2  # both kept for the contract event's retry
    assert await db.rows(contracts) == []
    assert await db.obligations() == []
    assert await db.outbox_types() == []


async def test_a_claim_naming_another_organisations_contract_stays_parked(new_db: Any) -> None:
    db, contract_id = await new_db(), str(uuid.uuid4())
    await db.deliver(contract_created(contract_id))
    await db.deliver(priced("CLM-9", contract_id, org=OTHER_ORG))
    await db.deliver(contract_created(contract_id, version=2))

    (row,) = await db.rows(parked_claim_events)
    assert (row.organization_id, row.contract_id) == (OTHER_ORG, contract_id)
    assert [o for o in await db.rows(obligations) if o.organization_id == OTHER_ORG] == []


class SentNothing:
    """The dead-letter producer: nothing may reach it."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_and_wait(self, topic: str, **_: Any) -> None:
        self.sent.append(topic)


async def test_the_consumer_loop_parks_with_the_inbox_row_and_dead_letters_nothing(new_db: Any) -> None:
    db, contract_id = await new_db(), str(uuid.uuid4())
    producer = SentNothing()
    loop = ConsumerLoop(
        name="obligation-tracker",
        consumer=None,  # type: ignore[arg-type]
        producer=producer,  # type: ignore[arg-type]
        handlers=db.handlers,
        uow_factory=db.uow,
        max_attempts=2,
        backoff_s=0,
    )
    event = priced("CLM-1", contract_id)
    record = SimpleNamespace(topic=event.type, value=event.to_bytes(), key=b"CLM-1", headers=[])

    assert await loop.process(record) == "applied"  # type: ignore[arg-type]
    assert await loop.process(record) == "duplicate"  # type: ignore[arg-type]
    assert producer.sent == []
    assert await db.rows(metadata.tables["dead_letters"]) == []
    assert [r.event_id for r in await db.rows(parked_claim_events)] == [event.id]
    assert [r.event_id for r in await db.rows(metadata.tables["inbox"])] == [event.id]


def test_the_documented_response_example_is_a_valid_page() -> None:
    page = ParkedEventPage.model_validate(PARKED_PAGE_EXAMPLE)
    assert [(i.event_type, i.awaiting) for i in page.items] == [
        ("claim.priced", "contract"),
        ("claim.paid", "claim.priced"),
    ]
    assert all("patient_control_number" not in i.data for i in page.items)


# Payments that arrive before their claim's pricing: claim.priced and claim.paid travel on different
# topics too. The engine's claim.paid (from an 835) names no contract; a billing system's may.


def paid(claim_id: str, contract_id: str | None = None, **fields: Any) -> CloudEvent:
    data = {
        "claim_id": claim_id,
        "organization_id": ORG,
        "patient_control_number": "PCN-7731",
        "payer_id": "payer-acme",
        "paid_amount": "1000.00",
        "paid_date": "2026-06-14",
        "remittance_id": "rem-0614",
        **({"contract_id": contract_id} if contract_id else {}),
        **fields,
    }
    return new_event("claim.paid", source="test", subject=claim_id, data=data, organization_id=ORG)


async def parked_rows(db: Any) -> list[tuple[str | None, str, str | None, str]]:
    """(claim id, awaiting, contract id, event type) of each parked event."""
    rows = await db.rows(parked_claim_events)
    return sorted((r.claim_id, r.awaiting, r.contract_id, r.event_type) for r in rows)


@pytest.mark.parametrize("names_contract", [False, True])
async def test_a_payment_before_its_pricing_waits_then_settles_as_in_the_usual_order(
    new_db: Any, names_contract: bool
) -> None:
    first_paid, usual, contract_id = await new_db(), await new_db(), str(uuid.uuid4())
    payment = paid("CLM-1", contract_id if names_contract else None)
    for db in (first_paid, usual):
        await db.deliver(contract_created(contract_id))

    await first_paid.deliver(payment)
    await first_paid.deliver(payment)  # redelivered past the inbox: parked once
    named = contract_id if names_contract else None
    assert await parked_rows(first_paid) == [("CLM-1", "claim.priced", named, "claim.paid")]
    (row,) = await first_paid.rows(parked_claim_events)
    assert "PCN-7731" not in str(row.event) and row.event["data"]["paid_amount"] == "1000.00"
    assert [o for o in await first_paid.obligations() if o[1] == "CLM-1"] == []
    await first_paid.deliver(priced("CLM-1", contract_id))

    await usual.deliver(priced("CLM-1", contract_id))
    await usual.deliver(payment)

    assert await first_paid.rows(parked_claim_events) == []
    assert await first_paid.obligations() == await usual.obligations()
    assert await first_paid.outbox_types() == await usual.outbox_types()
    claim = {
        kind: (status, interest)
        for kind, claim_id, status, _, interest, _ in await usual.obligations()
        if claim_id
    }
    assert claim == {"timely_filing": ("completed", None), "prompt_pay": ("breached", Decimal("4.93"))}


async def test_a_payment_before_its_contract_and_its_pricing_waits_for_each_in_turn(new_db: Any) -> None:
    late, usual, contract_id = await new_db(), await new_db(), str(uuid.uuid4())
    history = [paid("CLM-1", contract_id), priced("CLM-1", contract_id)]  # payment first, then pricing

    await late.deliver(history[0])
    assert await parked_rows(late) == [("CLM-1", "contract", contract_id, "claim.paid")]
    await late.deliver(contract_created(contract_id))  # the payment's claim is still not priced
    assert await parked_rows(late) == [("CLM-1", "claim.priced", contract_id, "claim.paid")]
    await late.deliver(history[1])

    both_parked = await new_db()
    for event in history:  # both parked for the contract, in that order, applied when it comes
        await both_parked.deliver(event)
    await both_parked.deliver(contract_created(contract_id))

    await usual.deliver(contract_created(contract_id))
    for event in reversed(history):
        await usual.deliver(event)
    for db in (late, both_parked):
        assert await db.rows(parked_claim_events) == []
        assert await db.obligations() == await usual.obligations()
        assert await db.outbox_types() == await usual.outbox_types()


async def test_a_waiting_payment_that_fails_fails_its_pricing_and_is_kept(new_db: Any) -> None:
    db, contract_id = await new_db(), str(uuid.uuid4())
    await db.deliver(contract_created(contract_id))
    await db.deliver(paid("CLM-1"))
    broken = paid("CLM-1")
    async with db.uow() as uow:  # a waiting payment its use case refuses (no paid date)
        envelope = broken.model_dump(mode="json")
        envelope["data"].pop("paid_date")
        row = ParkedClaimEvent(broken.id, ORG, None, broken.type, envelope, NOW, "claim.priced", "CLM-1")
        await ParkedClaimEvents(uow.session, ORG).park(row)
        await uow.commit()
    outbox_before = await db.outbox_types()

    with pytest.raises(ValidationError):
        await db.deliver(priced("CLM-1", contract_id))

    assert len(await db.rows(parked_claim_events)) == 2  # both kept for the pricing event's retry
    assert [o for o in await db.obligations() if o[1] == "CLM-1"] == []
    assert await db.outbox_types() == outbox_before


async def test_a_pricing_releases_only_its_own_claims_payments(new_db: Any) -> None:
    db, contract_id = await new_db(), str(uuid.uuid4())
    await db.deliver(contract_created(contract_id))
    await db.deliver(paid("CLM-1"))
    await db.deliver(paid("CLM-2"))
    await db.deliver(paid("CLM-2", organization_id=OTHER_ORG))  # the same claim id elsewhere
    await db.deliver(priced("CLM-2", contract_id))

    waiting = sorted((r.organization_id, r.claim_id, r.awaiting) for r in await db.rows(parked_claim_events))
    assert waiting == [(OTHER_ORG, "CLM-2", "claim.priced"), (ORG, "CLM-1", "claim.priced")]


async def test_a_pricing_without_deadlines_takes_its_waiting_payment_as_applied(new_db: Any) -> None:
    db, contract_id = await new_db(), str(uuid.uuid4())
    created = contract_created(contract_id)
    created.data["terms"] = {"effective_date": "2026-01-01", "termination_date": "2027-12-31"}
    await db.deliver(created)  # no timely filing, no prompt pay: a payment has nothing to settle
    await db.deliver(paid("CLM-1"))
    await db.deliver(priced("CLM-1", contract_id))

    assert await db.rows(parked_claim_events) == []
    assert [o for o in await db.obligations() if o[1] == "CLM-1"] == []


async def test_a_payment_matched_to_no_claim_is_not_parked(new_db: Any) -> None:
    db = await new_db()
    unmatched = paid("CLM-1")
    unmatched.data["claim_id"] = None  # the engine found no claim with its patient control number
    await db.deliver(unmatched)
    assert await db.rows(parked_claim_events) == []


async def test_the_consumer_loop_parks_a_payment_with_its_inbox_row_and_applies_it_later(new_db: Any) -> None:
    db, contract_id = await new_db(), str(uuid.uuid4())
    producer = SentNothing()
    loop = ConsumerLoop(
        name="obligation-tracker",
        consumer=None,  # type: ignore[arg-type]
        producer=producer,  # type: ignore[arg-type]
        handlers=db.handlers,
        uow_factory=db.uow,
        max_attempts=2,
        backoff_s=0,
    )

    def record(event: CloudEvent) -> Any:
        return SimpleNamespace(topic=event.type, value=event.to_bytes(), key=b"CLM-1", headers=[])

    payment, pricing = paid("CLM-1"), priced("CLM-1", contract_id)
    await db.deliver(contract_created(contract_id))
    assert await loop.process(record(payment)) == "applied"  # type: ignore[arg-type]
    assert await loop.process(record(payment)) == "duplicate"  # type: ignore[arg-type]
    assert [r.event_id for r in await db.rows(parked_claim_events)] == [payment.id]
    assert await loop.process(record(pricing)) == "applied"  # type: ignore[arg-type]

    assert producer.sent == []
    assert await db.rows(metadata.tables["dead_letters"]) == []
    assert await db.rows(parked_claim_events) == []
    assert {r.event_id for r in await db.rows(metadata.tables["inbox"])} == {payment.id, pricing.id}
    assert {(kind, status) for kind, claim_id, status, *_ in await db.obligations() if claim_id} == {
        ("timely_filing", "completed"),
        ("prompt_pay", "breached"),
    }


async def test_a_claim_priced_by_a_later_version_applies_when_both_versions_come_in_one_run(
    new_db: Any,
) -> None:
    """One consumer run (one unit of work) brings version 1 then version 2 of the contract; the
    claim priced by version 2 was parked. Version 1 releases nothing for it (what it reads of the
    contract is remembered for the unit of work), version 2 must release it: what was remembered
    of the contract before version 2 was kept is not used after."""
    together, apart, contract_id = await new_db(), await new_db(), str(uuid.uuid4())
    fields = {"service_date": "2026-05-01", "received_date": "2026-05-05", "total_charge": "1200.00"}
    by_v2 = claim(
        "claim.priced", "CLM-9", contract_id, contract_version=2, expected_allowed="840.00", **fields
    )
    versions = [contract_created(contract_id), contract_created(contract_id, version=2)]
    for db in (together, apart):
        await db.deliver(by_v2)
        assert len(await db.rows(parked_claim_events)) == 1
    async with together.uow() as uow:  # as a consumer applies a fetched run
        for event in versions:
            await together.handlers[event.type](event, uow)
        await uow.commit()
    for event in versions:
        await apart.deliver(event)
    assert await together.rows(parked_claim_events) == []
    assert await together.obligations() == await apart.obligations()
    assert {kind for kind, claim_id, *_ in await together.obligations() if claim_id} == {
        "timely_filing",
        "prompt_pay",
    }
