"""A claim's deadlines come from the contract version in force on its date of service (the version
that priced it), whatever versions arrived since and in whatever order; a payment never waits for
deadlines its claim's pricing did not create; the scheduler's sweep applies a parked event whose
wait is over. On a SQLite database, through the handlers the consumer loop calls (the contract and
its amendment: tracker_claim_events.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from obligation_tracker.adapters.orm import obligations, parked_claim_events
from obligation_tracker.adapters.parked_repository import (
    AWAITING_PRICING,
    ParkedClaimEvent,
    ParkedClaimEvents,
)
from obligation_tracker.handlers.parking import parked_form, release_ready
from tracker_claim_events import (
    NOW,
    ORG,
    VERSION_1,
    VERSION_2,
    Db,
    paid,
    priced,
    underpaid,
    version,
)

SPRING = ("SPRING", "2026-05-01", "2026-05-05")  # in force: version 1
AUTUMN = ("AUTUMN", "2026-08-03", "2026-08-07")  # in force: version 2


@pytest.mark.parametrize("names_version", [True, False])
async def test_claims_before_and_after_an_amendment_take_their_own_versions_deadlines(
    db: Db, names_version: bool
) -> None:
    contract_id = str(uuid.uuid4())
    await db.deliver(version(contract_id, 1, **VERSION_1), version(contract_id, 2, **VERSION_2))
    spring, autumn = (
        priced(c, contract_id, n if names_version else None, s, r)
        for (c, s, r), n in ((SPRING, 1), (AUTUMN, 2))
    )
    await db.deliver(spring, autumn)
    await db.deliver(
        underpaid("SPRING", contract_id, "2026-06-10"), underpaid("AUTUMN", contract_id, "2026-09-10")
    )

    assert await db.due() == {
        # 2026-05-01 + 90 days; received 2026-05-05 + 30 days; remitted 2026-06-10 + 180 days
        ("SPRING", "timely_filing"): (date(2026, 7, 30), "completed"),
        ("SPRING", "prompt_pay"): (date(2026, 6, 4), "open"),
        ("SPRING", "appeal"): (date(2026, 12, 7), "open"),
        # 2026-08-03 + 120 days; received 2026-08-07 + 45 days; remitted 2026-09-10 + 60 days
        ("AUTUMN", "timely_filing"): (date(2026, 12, 1), "completed"),
        ("AUTUMN", "prompt_pay"): (date(2026, 9, 21), "open"),
        ("AUTUMN", "appeal"): (date(2026, 11, 9), "open"),
    }


async def test_a_claim_priced_with_a_version_not_here_yet_waits_for_it(db: Db) -> None:
    contract_id = str(uuid.uuid4())
    await db.deliver(version(contract_id, 1, **VERSION_1))
    await db.deliver(priced("AUTUMN", contract_id, 2, "2026-08-03", "2026-08-07"))
    assert [(r.awaiting, r.claim_id) for r in await db.rows(parked_claim_events)] == [("contract", "AUTUMN")]
    assert await db.due() == {}

    await db.deliver(version(contract_id, 2, **VERSION_2))

    assert await db.rows(parked_claim_events) == []
    assert (await db.due())[("AUTUMN", "timely_filing")] == (date(2026, 12, 1), "completed")


async def test_an_earlier_version_arriving_after_a_later_one_still_sets_its_claims_deadlines(db: Db) -> None:
    contract_id = str(uuid.uuid4())
    await db.deliver(version(contract_id, 2, **VERSION_2), version(contract_id, 1, **VERSION_1))
    await db.deliver(priced("SPRING", contract_id, 1, "2026-05-01", "2026-05-05"))
    assert (await db.due())[("SPRING", "timely_filing")] == (date(2026, 7, 30), "completed")


async def test_a_payment_after_a_pricing_that_created_no_deadline_is_applied_not_parked(db: Db) -> None:
    contract_id = str(uuid.uuid4())
    await db.deliver(version(contract_id, 1, appeal_window_days=180))  # no timely filing, no prompt pay
    await db.deliver(priced("SPRING", contract_id, 1, "2026-05-01", "2026-05-05"))
    await db.deliver(paid("SPRING", "2026-06-01"))
    assert await db.rows(parked_claim_events) == []
    assert await db.due() == {}


async def test_the_sweep_applies_a_parked_payment_whose_claim_is_priced(db: Db) -> None:
    contract_id = str(uuid.uuid4())
    await db.deliver(version(contract_id, 1, **VERSION_1))
    await db.deliver(priced("SPRING", contract_id, 1, "2026-05-01", "2026-05-05"))
    late = paid("SPRING", "2026-06-14")  # ten days past the 2026-06-04 prompt-pay due date
    async with db.uow() as uow:  # a payment that missed its release
        row = ParkedClaimEvent(
            late.id, ORG, None, late.type, parked_form(late), NOW, AWAITING_PRICING, "SPRING"
        )
        await ParkedClaimEvents(uow.session, ORG).park(row)
        await uow.commit()
    await db.deliver(priced("OTHER", contract_id, 9, "2026-05-01", "2026-05-05"))  # version 9 never comes

    applied = await release_ready(db.uow, db.tracker, datetime.now(UTC) + timedelta(seconds=1), 100)

    assert applied == 1
    assert [(r.claim_id, r.awaiting) for r in await db.rows(parked_claim_events)] == [("OTHER", "contract")]
    assert (await db.due())[("SPRING", "prompt_pay")] == (date(2026, 6, 4), "breached")
    assert await release_ready(db.uow, db.tracker, datetime.now(UTC) + timedelta(seconds=1), 100) == 0


async def test_claim_deadlines_name_the_patient_control_number_and_the_payer(db: Db) -> None:
    contract_id = str(uuid.uuid4())
    await db.deliver(version(contract_id, 1, **VERSION_1))
    await db.deliver(priced("SPRING", contract_id, 1, "2026-05-01", None))  # type: ignore[arg-type]
    (row,) = [r for r in await db.rows(obligations) if r.claim_id is not None]
    assert row.title == "Timely filing: claim PCN-SPRING (Acme Health)"
    (created,) = [e for e in await db.published("obligation.created") if e["claim_id"] is not None]
    assert (created["patient_control_number"], created["payer_name"]) == ("PCN-SPRING", "Acme Health")
    assert created["title"] == "Timely filing: claim PCN-SPRING (Acme Health)"
