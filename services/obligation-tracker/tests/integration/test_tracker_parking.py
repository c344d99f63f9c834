"""A claim event that arrives before its contract, on PostgreSQL and the real broker: parked once
(not retried, not dead-lettered), listed for operators, applied when the contract arrives."""

from __future__ import annotations

import uuid
from typing import Any

from accord_common.events import new_event
from sqlalchemy import func, select
from tracker_harness import Harness, claim_event, contract_event, wait_for

PRICED = {"service_date": "2026-05-01", "received_date": "2026-05-05", "total_charge": "1200.00"}


async def parked_events(tracker: Harness, org: str, **params: Any) -> list[dict[str, Any]]:
    response = await tracker.client.get("/v1/parked-events", params=params, headers=tracker.auth(org))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def dead_letters(tracker: Harness, *event_ids: str) -> list[Any]:
    table = tracker.runtime.metadata.tables["dead_letters"]
    async with tracker.runtime.sessions() as session:
        return list((await session.execute(select(table).where(table.c.event_id.in_(event_ids)))).all())


async def parked_rows(tracker: Harness, contract_id: str) -> int:
    table = tracker.runtime.metadata.tables["parked_claim_events"]
    query = select(func.count()).select_from(table).where(table.c.contract_id == contract_id)
    async with tracker.runtime.sessions() as session:
        return int(await session.scalar(query) or 0)


async def parked_gauge(tracker: Harness) -> float:
    from obligation_tracker.scheduler import ReminderScheduler
    from prometheus_client import REGISTRY

    counted = await ReminderScheduler(tracker.runtime.uow, None, 1).measure_parked()  # type: ignore[arg-type]
    gauge = REGISTRY.get_sample_value("accord_parked_events")
    assert gauge == counted
    return gauge


async def test_a_claim_before_its_contract_is_parked_then_applied_when_it_arrives(tracker: Harness) -> None:
    org, other_org = await tracker.new_org(), await tracker.new_org()
    contract_id, claim_id = str(uuid.uuid4()), str(uuid.uuid4())
    priced = claim_event("claim.priced", claim_id, org, contract_id=contract_id, **PRICED)

    await tracker.publish(priced)

    async def waiting() -> list[dict[str, Any]]:
        return await parked_events(tracker, org, contract_id=contract_id)

    (parked,) = await wait_for("the claim event to be parked", waiting)
    assert (parked["event_id"], parked["event_type"], parked["claim_id"]) == (
        priced.id,
        "claim.priced",
        claim_id,
    )
    assert parked["data"]["total_charge"] == "1200.00" and "lines" not in parked["data"]
    assert await tracker.obligations(org, claim_id=claim_id) == []
    assert await dead_letters(tracker, priced.id) == []
    assert await parked_gauge(tracker) >= 1  # operators see what waits on /metrics
    assert await parked_events(tracker, other_org) == []
    assert await parked_events(tracker, other_org, contract_id=contract_id) == []

    await tracker.publish(priced)  # delivered again; then a marker on the same key (same partition)
    marker_contract = str(uuid.uuid4())
    marker = new_event(
        "claim.priced",
        source="test",
        subject=claim_id,
        data=priced.data | {"claim_id": str(uuid.uuid4()), "contract_id": marker_contract},
        organization_id=org,
    )
    await tracker.publish(marker)

    async def marker_parked() -> list[dict[str, Any]]:
        return await parked_events(tracker, org, contract_id=marker_contract)

    await wait_for("the marker behind the redelivery", marker_parked)
    await tracker.deliver(priced)  # and once more past the inbox: the event id parks it once
    assert [p["event_id"] for p in await waiting()] == [priced.id]
    assert await parked_rows(tracker, contract_id) == 1

    # Timely filing only: every tracker on the shared broker applies these events, in whatever order
    # its topics come, so they must leave nothing open that another test's scheduler would remind.
    # (Prompt pay and a payment parked behind its pricing are in tests/unit/test_tracker_parking.py.)
    created = contract_event(
        "contract.created", contract_id, org, 1, termination_date="2027-12-31", timely_filing_days=90
    )
    await tracker.publish(created)

    async def claim_deadlines() -> list[dict[str, Any]]:
        return await tracker.obligations(org, claim_id=claim_id)

    (filing,) = await wait_for("the claim's timely-filing deadline", claim_deadlines)
    assert filing["kind"] == "timely_filing" and filing["contract_id"] == contract_id
    assert (filing["status"], filing["due_date"]) == ("completed", "2026-07-30")  # received 2026-05-05
    assert await waiting() == []
    assert await parked_rows(tracker, contract_id) == 0
    assert await dead_letters(tracker, priced.id, created.id) == []
    assert await tracker.obligations(other_org, claim_id=claim_id) == []


async def test_parked_events_page_by_cursor_for_their_own_organisation(tracker: Harness) -> None:
    org, contract_id = await tracker.new_org(), str(uuid.uuid4())
    events = [
        claim_event("claim.priced", f"CLM-{n}", org, contract_id=contract_id, **PRICED) for n in range(3)
    ]
    for event in events:
        await tracker.deliver(event)

    auth = tracker.auth(org)
    first = await tracker.client.get("/v1/parked-events", params={"limit": 2}, headers=auth)
    assert first.status_code == 200, first.text
    cursor = first.json()["next_cursor"]
    assert cursor
    second = await tracker.client.get(
        "/v1/parked-events", params={"limit": 2, "cursor": cursor}, headers=auth
    )
    assert second.json()["next_cursor"] is None
    listed = [p["event_id"] for p in first.json()["items"] + second.json()["items"]]
    assert listed == [e.id for e in events]  # oldest parked first

    assert (await tracker.client.get("/v1/parked-events")).status_code == 401
    tampered = await tracker.client.get("/v1/parked-events", params={"cursor": "bm90LWpzb24="}, headers=auth)
    assert tampered.status_code == 422
    assert await parked_events(tracker, tracker.org_b, contract_id=contract_id) == []


# Dates in 2028 and a 2029 termination: every tracker on the shared broker applies these events in
# whatever order its topics come, so a prompt-pay deadline may stand open there for a moment; it
# must not come due while another test's scheduler sweeps.
CLAIM_TERMS = {
    "termination_date": "2029-12-31",
    "timely_filing_days": 90,
    "prompt_pay_days": 30,
    "prompt_pay_interest_rate": "18",
}
PRICED_2028 = {"service_date": "2028-05-01", "received_date": "2028-05-05", "total_charge": "1200.00"}
PAID_LATE = {"paid_amount": "1000.00", "paid_date": "2028-06-14", "remittance_id": "rem-2028-0614"}


def settled(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What a claim's deadlines came to, without the claim's id."""
    return sorted(
        (o["kind"], o["status"], o["due_date"], o["interest_owed"], tuple(o["reasons"])) for o in items
    )


async def test_a_payment_before_its_pricing_waits_then_settles_the_claims_deadlines(tracker: Harness) -> None:
    org, contract_id = await tracker.new_org(), str(uuid.uuid4())
    claim_id, usual_claim = str(uuid.uuid4()), str(uuid.uuid4())
    created = contract_event("contract.created", contract_id, org, 1, **CLAIM_TERMS)
    await tracker.publish(created)

    async def contract_known() -> list[dict[str, Any]]:
        return await tracker.obligations(org, contract_id=contract_id, kind="expiry")

    await wait_for("the contract", contract_known)
    payment = claim_event("claim.paid", claim_id, org, **PAID_LATE)  # from an 835: no contract named
    await tracker.publish(payment)

    async def waiting() -> list[dict[str, Any]]:
        return await parked_events(tracker, org, claim_id=claim_id)

    (parked,) = await wait_for("the payment to wait for its pricing", waiting)
    assert (parked["event_id"], parked["event_type"], parked["awaiting"], parked["contract_id"]) == (
        payment.id,
        "claim.paid",
        "claim.priced",
        None,
    )
    assert parked["data"]["paid_amount"] == "1000.00" and "PCN-1" not in str(parked)
    assert await tracker.obligations(org, claim_id=claim_id) == []

    pricing = claim_event("claim.priced", claim_id, org, contract_id=contract_id, **PRICED_2028)
    await tracker.publish(pricing)

    async def both_settled() -> list[dict[str, Any]]:
        items = await tracker.obligations(org, claim_id=claim_id)
        return items if len(items) == 2 and all(o["status"] != "open" for o in items) else []

    deadlines = await wait_for("the claim's deadlines, settled by the payment", both_settled)
    # the usual order, straight into this tracker only: pricing, then payment
    await tracker.deliver(
        claim_event("claim.priced", usual_claim, org, contract_id=contract_id, **PRICED_2028)
    )
    await tracker.deliver(claim_event("claim.paid", usual_claim, org, **PAID_LATE))
    assert settled(deadlines) == settled(await tracker.obligations(org, claim_id=usual_claim))
    by_kind = {o["kind"]: o for o in deadlines}
    assert (by_kind["timely_filing"]["status"], by_kind["timely_filing"]["due_date"]) == (
        "completed",
        "2028-07-28",
    )
    assert (by_kind["prompt_pay"]["status"], by_kind["prompt_pay"]["interest_owed"]) == ("breached", "4.93")
    (breach,) = await tracker.outbox(subject=by_kind["prompt_pay"]["id"], topic="obligation.breached")
    assert breach.data["interest_owed"] == "4.93"
    assert await waiting() == []
    assert await dead_letters(tracker, created.id, payment.id, pricing.id) == []
