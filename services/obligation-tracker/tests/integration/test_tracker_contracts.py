"""Contract and claim events through the tracker, on PostgreSQL and the real broker."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from tracker_harness import Harness, claim_event, contract_event, wait_for


def by_kind(items: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in items if o["kind"] == kind]


async def test_contract_events_over_the_broker_create_then_move_the_renewal_notice(tracker: Harness) -> None:
    contract_id, org = str(uuid.uuid4()), tracker.org_a

    async def notice() -> list[dict[str, Any]]:
        return by_kind(await tracker.obligations(org, contract_id=contract_id), "renewal_notice")

    await tracker.publish(
        contract_event(
            "contract.created",
            contract_id,
            org,
            1,
            status="draft",
            termination_date="2027-12-31",
            auto_renew=False,
            notice_days=90,
        ),
    )
    (first,) = await wait_for("the renewal notice", notice)
    assert first["due_date"] == "2027-10-02"  # 2027-12-31 minus 90 calendar days
    assert first["title"] == (
        "Renewal notice for Acme PPO professional (Acme Health Plan): tell the payer by 2027-10-02"
        " whether you will renew or renegotiate"
    )
    await tracker.publish(
        contract_event(
            "contract.amended",
            contract_id,
            org,
            2,
            termination_date="2028-06-30",
            auto_renew=False,
            notice_days=120,
        ),
    )

    async def moved() -> list[dict[str, Any]]:
        return [o for o in await notice() if o["due_date"] == "2028-03-02"]

    (second,) = await wait_for("the move", moved)
    assert second["id"] == first["id"]
    assert len(await notice()) == 1
    types = [e.type for e in await tracker.outbox(subject=first["id"])]
    assert types == ["obligation.created", "obligation.rescheduled"]


async def test_an_amendment_moves_one_deadline_and_cancels_another(tracker: Harness) -> None:
    contract_id, org = str(uuid.uuid4()), tracker.org_a
    await tracker.deliver(
        contract_event(
            "contract.created",
            contract_id,
            org,
            1,
            termination_date="2027-12-31",
            notice_days=90,
            payer_initiated=True,
            objection_window_days=30,
        )
    )
    before = {o["kind"]: o for o in await tracker.obligations(org, contract_id=contract_id)}
    assert set(before) == {"renewal_notice", "expiry", "objection_window"}

    await tracker.deliver(
        contract_event(
            "contract.amended", contract_id, org, 2, termination_date="2028-06-30", notice_days=120
        )
    )
    await tracker.deliver(
        contract_event(  # a stale redelivery of version 1 changes nothing
            "contract.amended", contract_id, org, 1, termination_date="2027-12-31", notice_days=90
        )
    )
    after = {o["kind"]: o for o in await tracker.obligations(org, contract_id=contract_id)}

    assert after["renewal_notice"]["id"] == before["renewal_notice"]["id"]
    assert after["renewal_notice"]["due_date"] == "2028-03-02"
    assert after["objection_window"]["status"] == "cancelled"
    assert "payer amendment no longer pending" in after["objection_window"]["reasons"][-1]
    cancelled = await tracker.outbox(subject=after["objection_window"]["id"], topic="obligation.cancelled")
    assert cancelled[0].data["reason"].startswith("no longer implied by version 2")

    detail = await tracker.client.get(
        f"/v1/obligations/{after['renewal_notice']['id']}", headers=tracker.auth(org)
    )
    assert [h["action"] for h in detail.json()["history"]] == ["created", "rescheduled"]


async def test_termination_cancels_open_contract_obligations(tracker: Harness) -> None:
    contract_id, org = str(uuid.uuid4()), tracker.org_a
    await tracker.deliver(
        contract_event(
            "contract.activated", contract_id, org, 1, termination_date="2027-12-31", notice_days=90
        )
    )
    await tracker.deliver(
        contract_event(
            "contract.terminated",
            contract_id,
            org,
            1,
            status="terminated",
            termination_date="2027-12-31",
            notice_days=90,
        )
    )
    items = await tracker.obligations(org, contract_id=contract_id)
    assert {o["status"] for o in items} == {"cancelled"}
    assert all(o["reasons"][-1] == "contract terminated (version 1)" for o in items)


async def test_a_late_payment_breaches_prompt_pay_with_interest(tracker: Harness) -> None:
    contract_id, claim_id, org = str(uuid.uuid4()), str(uuid.uuid4()), tracker.org_a
    await tracker.deliver(
        contract_event(
            "contract.activated",
            contract_id,
            org,
            1,
            termination_date="2027-12-31",
            timely_filing_days=90,
            prompt_pay_days=30,
            prompt_pay_interest_rate="18",
            appeal_window_days=180,
        )
    )
    await tracker.deliver(
        claim_event(
            "claim.priced",
            claim_id,
            org,
            contract_id=contract_id,
            service_date="2026-05-01",
            received_date="2026-05-05",
            total_charge="1200.00",
        )
    )
    claim_items = {o["kind"]: o for o in await tracker.obligations(org, claim_id=claim_id)}
    assert claim_items["timely_filing"]["status"] == "completed"
    assert claim_items["prompt_pay"]["due_date"] == "2026-06-04"

    await tracker.deliver(
        claim_event(
            "claim.paid",
            claim_id,
            org,
            contract_id=contract_id,
            paid_amount="1000.00",
            paid_date="2026-06-14",
        )
    )
    (prompt_pay,) = await tracker.obligations(org, claim_id=claim_id, kind="prompt_pay")
    assert prompt_pay["status"] == "breached"
    assert Decimal(prompt_pay["interest_owed"]) == Decimal("4.93")  # 1000 x 18% x 10 / 365
    (breached,) = await tracker.outbox(subject=prompt_pay["id"], topic="obligation.breached")
    assert Decimal(breached.data["interest_owed"]) == Decimal("4.93")
    assert "PCN-1" not in str(prompt_pay) and "PCN-1" not in breached.to_bytes().decode()


async def test_an_underpayment_opens_an_appeal_deadline(tracker: Harness) -> None:
    contract_id, claim_id, org = str(uuid.uuid4()), str(uuid.uuid4()), tracker.org_a
    await tracker.deliver(
        contract_event(
            "contract.activated", contract_id, org, 1, termination_date="2027-12-31", appeal_window_days=180
        )
    )
    await tracker.deliver(
        claim_event(
            "claim.variance_detected",
            claim_id,
            org,
            contract_id=contract_id,
            classification="underpaid",
            expected_allowed="500.00",
            paid_amount="400.00",
            patient_responsibility="0",
            variance="-100.00",
            remittance_date="2026-06-10",
        )
    )
    (appeal,) = await tracker.obligations(org, claim_id=claim_id)
    assert appeal["kind"] == "appeal"
    assert appeal["due_date"] == "2026-12-07"  # 2026-06-10 + 180 days, a Monday
