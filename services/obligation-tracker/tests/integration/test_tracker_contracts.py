"""Contract and claim events through the tracker, on PostgreSQL and the real broker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from accord_common.events import CloudEvent
from sqlalchemy import select
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
    # staff read the claim by its patient control number, and the payer by its name
    assert prompt_pay["title"] == "Payer prompt-pay due: claim PCN-1 (Acme Health Plan)"
    assert (breached.data["patient_control_number"], breached.data["payer_name"]) == (
        "PCN-1",
        "Acme Health Plan",
    )


async def test_an_underpayment_opens_an_appeal_deadline(tracker: Harness) -> None:
    contract_id, claim_id, org = str(uuid.uuid4()), str(uuid.uuid4()), tracker.org_a
    await tracker.deliver(
        contract_event(
            "contract.activated", contract_id, org, 1, termination_date="2027-12-31", appeal_window_days=180
        )
    )
    priced = {"service_date": "2026-05-01", "total_charge": "500.00"}  # a variance follows its pricing
    await tracker.deliver(claim_event("claim.priced", claim_id, org, contract_id=contract_id, **priced))
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


# Periods in 2028 and a 2029 termination: every tracker on the shared broker applies these events,
# and nothing they open may come due while another test's scheduler sweeps.
VALUE_BASED_MEASURES = [
    {
        "name": "30-day readmission rate",
        "target": "15.5",
        "direction": "lower_is_better",
        "weight": "50",
        "period_start": "2028-01-01",
        "period_end": "2028-12-31",
    },
    {
        "name": "HbA1c control",
        "target": "70",
        "direction": "higher_is_better",
        "weight": "30",
        "period_start": "2028-01-01",
        "period_end": "2028-12-31",
    },
    {
        "name": "Colorectal cancer screening",
        "target": "65",
        "direction": "higher_is_better",
        "weight": "20",
        "period_start": "2028-01-01",
        "period_end": "2028-12-31",
    },
]


def value_based_version(
    contract_id: str, org: str, version: int, measures: list[dict[str, Any]]
) -> CloudEvent:
    event_type = "contract.created" if version == 1 else "contract.amended"
    event = contract_event(event_type, contract_id, org, version, termination_date="2029-12-31")
    event.data["value_based_terms"] = {"measures": measures, "shared_savings_percent": "50"}
    return event


async def measures(tracker: Harness, org: str, contract_id: str, **params: Any) -> dict[str, dict[str, Any]]:
    """The contract's measures as the API lists them, by who defined them and name."""
    response = await tracker.client.get(
        "/v1/kpis/measures", params={"contract_id": contract_id, **params}, headers=tracker.auth(org)
    )
    assert response.status_code == 200, response.text
    return {f"{m['defined_by']}: {m['measure']}": m for m in response.json()}


async def test_value_based_terms_define_kpi_measures_that_an_amendment_updates_and_retires(
    tracker: Harness,
) -> None:
    org, contract_id = await tracker.new_org(), str(uuid.uuid4())
    created = value_based_version(contract_id, org, 1, VALUE_BASED_MEASURES)
    await tracker.publish(created)

    async def defined() -> dict[str, dict[str, Any]]:
        return await measures(tracker, org, contract_id)

    first = await wait_for("the contract's measures", defined)
    assert sorted(first) == [
        "contract: 30-day readmission rate",
        "contract: Colorectal cancer screening",
        "contract: HbA1c control",
    ]
    hba1c = first["contract: HbA1c control"]
    assert (hba1c["target"], hba1c["direction"], hba1c["weight"], hba1c["contract_version"]) == (
        "70",
        "higher_is_better",
        "30",
        1,
    )
    assert (hba1c["period_start"], hba1c["period_end"], hba1c["retired_at"]) == (
        "2028-01-01",
        "2028-12-31",
        None,
    )

    auth = tracker.auth(org)
    staff = {
        "contract_id": contract_id,
        "measure": "HbA1c control",
        "direction": "higher_is_better",
        "target": "72",
        "period_start": "2028-01-01",
        "period_end": "2028-12-31",
    }
    own = await tracker.client.post("/v1/kpis/measures", json=staff, headers=auth)
    assert own.status_code == 201, own.text
    reading = {"value": "75", "as_of": "2028-03-31"}
    recorded = await tracker.client.post(
        f"/v1/kpis/measures/{hba1c['id']}/readings", json=reading, headers=auth
    )
    assert recorded.json()["status"] == "on_track"

    amended = [
        m | {"target": "80"} if m["name"] == "HbA1c control" else m
        for m in VALUE_BASED_MEASURES
        if m["name"] != "Colorectal cancer screening"
    ]
    amendment = value_based_version(contract_id, org, 2, amended)
    await tracker.publish(amendment)

    async def updated() -> dict[str, dict[str, Any]]:
        listed = await measures(tracker, org, contract_id)
        return listed if listed.get("contract: HbA1c control", {}).get("target") == "80" else {}

    await wait_for("the amendment's new target", updated)
    moment, tracker.clock.now = tracker.clock.now, datetime(2028, 4, 3, 12, tzinfo=UTC)
    try:  # evaluated on a day after the reading: the value recorded against target 70 is kept
        after = await measures(tracker, org, contract_id)
        everything = await measures(tracker, org, contract_id, include_retired="true")
    finally:
        tracker.clock.now = moment
    assert sorted(after) == [
        "contract: 30-day readmission rate",
        "contract: HbA1c control",
        "staff: HbA1c control",
    ]
    moved = after["contract: HbA1c control"]
    assert (moved["id"], moved["contract_version"], moved["latest"], moved["status"]) == (
        hba1c["id"],
        2,
        "75",
        "at_risk",
    )
    assert moved["changes"][-1] == "contract version 2 changed target 70 -> 80"
    assert after["staff: HbA1c control"] | {
        "latest": None,
        "status": None,
        "projected": None,
        "reason": None,
    } == (
        own.json() | {"latest": None, "status": None, "projected": None, "reason": None}
    )  # staff's own measure is untouched

    retired = everything["contract: Colorectal cancer screening"]
    assert (retired["retired_reason"], retired["contract_version"]) == ("no longer in contract version 2", 2)
    assert retired["retired_at"] is not None
    refused = await tracker.client.post(
        f"/v1/kpis/measures/{retired['id']}/readings",
        json={"value": "66", "as_of": "2028-03-31"},
        headers=auth,
    )
    assert refused.status_code == 409 and refused.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert await dead_letters(tracker, created.id, amendment.id) == []


async def dead_letters(tracker: Harness, *event_ids: str) -> list[Any]:
    table = tracker.runtime.metadata.tables["dead_letters"]
    async with tracker.runtime.sessions() as session:
        return list((await session.execute(select(table).where(table.c.event_id.in_(event_ids)))).all())
