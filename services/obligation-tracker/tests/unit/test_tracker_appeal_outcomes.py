"""An appeal deadline follows its variance: appealed or recovered completes it, written off
cancels it, each with the outcome as its reason and its event; a change that arrives before the
variance's appeal deadline waits for it. Through the handlers the consumer loop calls, on SQLite
(the contract: tracker_claim_events.py; the appeal is due 2026-06-10 + 180 days = 2026-12-07)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from obligation_tracker.adapters.orm import obligations, parked_claim_events
from tracker_claim_events import VERSION_1, Db, priced, underpaid, variance_moved, version

APPEAL_DUE = date(2026, 12, 7)


async def _appeal(db: Db) -> Any:
    (row,) = [r for r in await db.rows(obligations) if r.kind == "appeal"]
    return row


async def _underpaid_claim(db: Db) -> str:
    contract_id = str(uuid.uuid4())
    await db.deliver(version(contract_id, 1, **VERSION_1))
    await db.deliver(priced("SPRING", contract_id, 1, "2026-05-01", "2026-05-05"))
    await db.deliver(underpaid("SPRING", contract_id, "2026-06-10"))
    return contract_id


@pytest.mark.parametrize(
    ("moves", "status", "reason", "event"),
    [
        (
            [("appealed", {"note": "appeal 4471 sent"})],
            "completed",
            "appeal filed on 2026-07-02: appeal 4471 sent",
            "obligation.completed",
        ),
        (
            [("appealed", {}), ("recovered", {"amount": "40.00"})],
            "completed",
            "appeal filed on 2026-07-02",
            "obligation.completed",
        ),
        (
            [("written_off", {"note": "below threshold", "amount": "40.00"})],
            "cancelled",
            "variance 40.00 written off on 2026-07-02: below threshold",
            "obligation.cancelled",
        ),
    ],
)
async def test_the_variances_outcome_settles_its_appeal_deadline(
    db: Db, moves: list[tuple[str, dict[str, Any]]], status: str, reason: str, event: str
) -> None:
    contract_id = await _underpaid_claim(db)
    assert ((await _appeal(db)).status, (await _appeal(db)).due_date) == ("open", APPEAL_DUE)
    before = "open"
    for to, fields in moves:
        await db.deliver(variance_moved("SPRING", contract_id, to, "2026-07-02", before=before, **fields))
        before = to

    appeal = await _appeal(db)
    assert (appeal.status, appeal.due_date, appeal.reasons[-1]) == (status, APPEAL_DUE, reason)
    (published,) = await db.published(event)
    assert (published["claim_id"], published["reason"]) == ("SPRING", reason)
    assert published["patient_control_number"] == "PCN-SPRING"


async def test_a_recovery_without_an_appeal_completes_the_deadline_with_the_amount(db: Db) -> None:
    contract_id = await _underpaid_claim(db)
    await db.deliver(variance_moved("SPRING", contract_id, "recovered", "2026-07-09", amount="40.00"))
    appeal = await _appeal(db)
    assert (appeal.status, appeal.reasons[-1]) == ("completed", "underpayment 40.00 recovered on 2026-07-09")


async def test_a_change_before_the_variance_waits_for_its_appeal_deadline(db: Db) -> None:
    contract_id = str(uuid.uuid4())
    await db.deliver(version(contract_id, 1, **VERSION_1))
    await db.deliver(priced("SPRING", contract_id, 1, "2026-05-01", "2026-05-05"))
    await db.deliver(variance_moved("SPRING", contract_id, "appealed", "2026-07-02"))
    assert [(r.awaiting, r.event_type) for r in await db.rows(parked_claim_events)] == [
        ("appeal", "claim.variance_status_changed")
    ]

    await db.deliver(underpaid("SPRING", contract_id, "2026-06-10"))

    assert await db.rows(parked_claim_events) == []
    appeal = await _appeal(db)
    assert (appeal.status, appeal.reasons[-1]) == ("completed", "appeal filed on 2026-07-02")


async def test_a_change_where_no_appeal_deadline_will_come_is_not_parked(db: Db) -> None:
    contract_id = str(uuid.uuid4())
    await db.deliver(version(contract_id, 1, timely_filing_days=90))  # no appeal window
    await db.deliver(priced("SPRING", contract_id, 1, "2026-05-01", "2026-05-05"))
    await db.deliver(variance_moved("SPRING", contract_id, "appealed", "2026-07-02"))
    overpaid = variance_moved("OVER", contract_id, "written_off", "2026-07-02", classification="overpaid")
    await db.deliver(overpaid)
    assert await db.rows(parked_claim_events) == []
