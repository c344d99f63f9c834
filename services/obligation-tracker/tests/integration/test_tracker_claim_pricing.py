"""On PostgreSQL (its advisory locks): a payment never waits for deadlines its claim's pricing did
not create, and the scheduler's sweep applies a parked payment whose claim is priced (a release it
missed). Events go straight to this tracker's handlers, not over the shared broker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from obligation_tracker.adapters.parked_repository import (
    AWAITING_PRICING,
    ParkedClaimEvent,
    ParkedClaimEvents,
)
from obligation_tracker.handlers.parking import parked_form, release_ready
from sqlalchemy import func, select
from tracker_harness import Harness, claim_event, contract_event

PRICED = {"service_date": "2028-05-01", "received_date": "2028-05-05", "total_charge": "1200.00"}
PAID_LATE = {"paid_amount": "1000.00", "paid_date": "2028-06-14"}


async def _parked(tracker: Harness, claim_id: str) -> int:
    table = tracker.runtime.metadata.tables["parked_claim_events"]
    query = select(func.count()).select_from(table).where(table.c.claim_id == claim_id)
    async with tracker.runtime.sessions() as session:
        return int(await session.scalar(query) or 0)


async def test_a_payment_after_a_pricing_that_created_no_deadline_is_not_parked(tracker: Harness) -> None:
    org, contract_id, claim_id = await tracker.new_org(), str(uuid.uuid4()), str(uuid.uuid4())
    # the contract states an appeal window only: the pricing creates no timely filing, no prompt pay
    await tracker.deliver(contract_event("contract.created", contract_id, org, 1, appeal_window_days=180))
    await tracker.deliver(claim_event("claim.priced", claim_id, org, contract_id=contract_id, **PRICED))
    await tracker.deliver(claim_event("claim.paid", claim_id, org, **PAID_LATE))
    assert await _parked(tracker, claim_id) == 0
    assert await tracker.obligations(org, claim_id=claim_id) == []


async def test_the_sweep_applies_a_parked_payment_whose_claim_is_priced(tracker: Harness) -> None:
    org, contract_id, claim_id = await tracker.new_org(), str(uuid.uuid4()), str(uuid.uuid4())
    terms = {"termination_date": "2029-12-31", "prompt_pay_days": 30, "prompt_pay_interest_rate": "18"}
    await tracker.deliver(contract_event("contract.created", contract_id, org, 1, **terms))
    await tracker.deliver(claim_event("claim.priced", claim_id, org, contract_id=contract_id, **PRICED))
    payment = claim_event("claim.paid", claim_id, org, **PAID_LATE)
    async with tracker.runtime.uow() as uow:  # parked, and its release missed
        row = ParkedClaimEvent(
            payment.id,
            org,
            None,
            payment.type,
            parked_form(payment),
            datetime.now(UTC),
            AWAITING_PRICING,
            claim_id,
        )
        await ParkedClaimEvents(uow.session, org).park(row)
        await uow.commit()
    later = datetime.now(UTC) + timedelta(seconds=1)

    assert await release_ready(tracker.runtime.uow, tracker.app.state.tracker, later, 500) >= 1

    assert await _parked(tracker, claim_id) == 0
    (prompt_pay,) = await tracker.obligations(org, claim_id=claim_id, kind="prompt_pay")
    # received 2028-05-05 + 30 days = 2028-06-04; paid 2028-06-14: 1000 x 18% x 10 / 365
    assert (prompt_pay["due_date"], prompt_pay["status"], prompt_pay["interest_owed"]) == (
        "2028-06-04",
        "breached",
        "4.93",
    )
