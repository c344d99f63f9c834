"""Claim events as the engine and the registry publish them, and a tracker database on SQLite
driven through the handlers the consumer loop calls.

The contract: version 1 from 2026-01-01 (timely filing 90 days, appeal 180, prompt pay 30),
amended by version 2 from 2026-07-01 (timely filing 120 days, appeal 60, prompt pay 45).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from accord_common.db import make_engine, make_session_factory
from accord_common.events import CloudEvent, new_event
from accord_common.testing.outbox import outbox_events
from accord_common.uow import UnitOfWork
from obligation_tracker.adapters.orm import (
    claim_pricings,
    metadata,
    obligation_history,
    obligations,
    parked_claim_events,
)
from obligation_tracker.config import TrackerSettings
from obligation_tracker.entrypoints.consumers import event_handlers
from obligation_tracker.handlers.context import Tracker
from sqlalchemy import select

ORG = "org-versions"
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
VERSION_1 = {"timely_filing_days": 90, "appeal_window_days": 180, "prompt_pay_days": 30}
VERSION_2 = {"timely_filing_days": 120, "appeal_window_days": 60, "prompt_pay_days": 45}


class Db:
    def __init__(self, path: Path) -> None:
        self.engine = make_engine(f"sqlite+aiosqlite:///{path}")
        self.sessions = make_session_factory(self.engine)
        self.tracker = Tracker.from_settings(TrackerSettings(), lambda: NOW)
        self.handlers = event_handlers(self.tracker)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, metadata)

    async def deliver(self, *events: CloudEvent) -> None:
        for event in events:
            async with self.uow() as uow:
                await self.handlers[event.type](event, uow)
                await uow.commit()

    async def rows(self, table: Any) -> list[Any]:
        async with self.sessions() as session:
            return list((await session.execute(select(table))).all())

    async def due(self) -> dict[tuple[str, str], tuple[date, str]]:
        """{(claim id, kind): (due date, status)} of the claims' deadlines."""
        rows = await self.rows(obligations)
        return {(r.claim_id, r.kind): (r.due_date, r.status) for r in rows if r.claim_id is not None}

    async def published(self, topic: str) -> list[dict[str, Any]]:
        table = metadata.tables["outbox"]
        async with self.sessions() as session:
            found = await outbox_events(session, table, topic=topic)
        return [CloudEvent.from_bytes(event.payload).data for event in found]


def version(contract_id: str, number: int, **terms: Any) -> CloudEvent:
    starts = "2026-01-01" if number == 1 else "2026-07-01"
    data = {
        "contract_id": contract_id,
        "organization_id": ORG,
        "payer_id": "payer-acme",
        "payer_x12_id": "60054",
        "payer_name": "Acme Health",
        "contract_name": "Acme PPO",
        "status": "active",
        "version": number,
        "effective_from": starts,
        "terms": {"effective_date": "2026-01-01", **terms},
    }
    event_type = "contract.created" if number == 1 else "contract.amended"
    return new_event(event_type, source="test", subject=contract_id, data=data, organization_id=ORG)


def priced(claim_id: str, contract_id: str, number: int | None, service: str, received: str) -> CloudEvent:
    data = {
        "claim_id": claim_id,
        "organization_id": ORG,
        "patient_control_number": f"PCN-{claim_id}",
        "payer_id": "60054",
        "contract_id": contract_id,
        "contract_version": number,
        "service_date": service,
        "received_date": received,
        "total_charge": "1200.00",
        "expected_allowed": "840.00",
    }
    return new_event("claim.priced", source="test", subject=claim_id, data=data, organization_id=ORG)


def paid(claim_id: str, on: str, amount: str = "840.00") -> CloudEvent:
    data = {
        "claim_id": claim_id,
        "organization_id": ORG,
        "patient_control_number": f"PCN-{claim_id}",
        "payer_id": "60054",
        "paid_amount": amount,
        "paid_date": on,
    }
    return new_event("claim.paid", source="test", subject=claim_id, data=data, organization_id=ORG)


def underpaid(claim_id: str, contract_id: str, remitted: str) -> CloudEvent:
    data = {
        "claim_id": claim_id,
        "organization_id": ORG,
        "patient_control_number": f"PCN-{claim_id}",
        "payer_id": "60054",
        "contract_id": contract_id,
        "classification": "underpaid",
        "expected_allowed": "840.00",
        "paid_amount": "800.00",
        "patient_responsibility": "0",
        "variance": "-40.00",
        "remittance_date": remitted,
    }
    return new_event(
        "claim.variance_detected", source="test", subject=claim_id, data=data, organization_id=ORG
    )


def variance_moved(
    claim_id: str, contract_id: str, to: str, on: str, *, before: str = "open", **fields: Any
) -> CloudEvent:
    data = {
        "variance_id": f"var-{claim_id}",
        "claim_id": claim_id,
        "organization_id": ORG,
        "patient_control_number": f"PCN-{claim_id}",
        "payer_id": "60054",
        "contract_id": contract_id,
        "classification": "underpaid",
        "from_status": before,
        "status": to,
        "changed_on": on,
        **fields,
    }
    return new_event(
        "claim.variance_status_changed", source="test", subject=claim_id, data=data, organization_id=ORG
    )


def record(event: CloudEvent, offset: int) -> Any:
    return SimpleNamespace(
        topic=event.type, partition=0, offset=offset, value=event.to_bytes(), key=b"k", headers=[]
    )


async def everything(sessions: Any) -> dict[str, Any]:
    """Every row the claim events write, in a form that does not depend on how they were applied."""
    async with sessions() as session:

        async def rows(query: Any) -> list[dict[str, Any]]:
            return [r._asdict() for r in (await session.execute(query)).all()]

        outbox, inbox = metadata.tables["outbox"], metadata.tables["inbox"]
        published = [(e.topic, e.payload) for e in await outbox_events(session, outbox)]
        return {
            "obligations": await rows(select(obligations).order_by(obligations.c.id)),
            "history": [
                {k: v for k, v in r.items() if k != "id"}
                for r in await rows(select(obligation_history).order_by(obligation_history.c.id))
            ],
            "pricings": await rows(select(claim_pricings).order_by(claim_pricings.c.claim_id)),
            "parked": [
                {k: v for k, v in r.items() if k != "parked_at"}
                for r in await rows(select(parked_claim_events).order_by(parked_claim_events.c.event_id))
            ],
            "inbox": await rows(select(inbox.c.event_id, inbox.c.event_type).order_by(inbox.c.event_id)),
            "outbox": [(topic, CloudEvent.from_bytes(payload).data) for topic, payload in published],
        }


def mixed_run(contract: str, unknown_contract: str) -> tuple[list[CloudEvent], list[CloudEvent]]:
    """(what the tracker holds before, the run): same-claim events that must see each other, payments
    and status changes that park and are released inside the run or by it, a claim of an unknown
    contract, a re-pricing that moves a deadline and a redelivered event."""
    before = [
        version(contract, 1, **VERSION_1),
        version(contract, 2, **VERSION_2),
        priced("A", contract, 1, "2026-03-02", "2026-03-10"),
        paid("P", "2026-04-20"),  # parked until P is priced (in the run)
        variance_moved("Q", contract, "appealed", "2026-05-01"),  # parked; Q gets no variance
    ]
    first = priced("B", contract, 1, "2026-02-02", "2026-02-20")
    run = [
        first,
        paid("B", "2026-03-30"),  # sees B's pricing: prompt pay due 2026-03-23, 7 days late
        paid("C", "2026-04-01"),  # parked, then released by the next event
        priced("C", contract, 1, "2026-03-01", "2026-03-05"),
        priced("P", contract, 1, "2026-04-01", "2026-04-02"),  # releases the stored payment
        underpaid("A", contract, "2026-05-15"),
        variance_moved("A", contract, "appealed", "2026-05-20"),  # completes the appeal just opened
        variance_moved("D", contract, "written_off", "2026-05-21"),  # parked until D's appeal
        priced("D", contract, 2, "2026-07-10", "2026-07-12"),
        underpaid("D", contract, "2026-08-03"),  # opens D's appeal, releases the write-off
        priced("E", unknown_contract, 1, "2026-03-01", "2026-03-02"),  # parked until its contract
        priced("A", contract, 2, "2026-07-02", "2026-07-06"),  # re-priced: prompt pay moves
        priced("Q", contract, 1, "2026-04-01", "2026-04-03"),
        first,  # redelivered inside the fetch: applied once
    ]
    return before, run
