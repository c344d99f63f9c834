"""Recovery on PostgreSQL: a payment at another contract's rate is named with that contract; a PLB
recoupment is tied to the claim its reference names; bad input to the recovery endpoints is a 4xx.

Contract A with payer 60054 pays CPT 99213 $100.00; contract B with payer 99999 pays it $92.00.
Claim OTH-1 (A) is paid $92.00: $8.00 short, exactly B's rate. OTH-2's earlier overpayment is taken
back by a PLB WO of $10.00 naming its patient control number.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from engine_helpers import (
    Engine,
    claim_json,
    clp,
    contract_event,
    fee_row,
    line,
    new_org,
    remit_835,
    schedule_events,
    term,
)

D = Decimal


async def _contract(engine: Engine, org: str, payer: str, rate: str) -> str:
    ref, events = schedule_events(org, f"fs-{uuid.uuid4().hex[:6]}", [fee_row("99213", rate)])
    for event in events:
        await engine.deliver(event)
    contract_id = str(uuid.uuid4())
    fee_term = term("professional", {"kind": "fee_schedule"}, ("CPT", None, None))
    await engine.deliver(contract_event(org, contract_id, payer, payment_terms=[fee_term], fee_schedule=ref))
    return contract_id


async def test_another_contracts_rate_and_a_take_back_by_patient_control_number(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    await _contract(engine, org, "60054", "100.00")
    other = await _contract(engine, org, "99999", "92.00")
    for pcn in ("OTH-1", "OTH-2"):
        body = claim_json(pcn, "60054", line("99213", "200.00", place_of_service="11"))
        created = await engine.client.post("/v1/claims", json=body, headers=headers)
        assert created.json()["expected_allowed"] == "100.00", created.text
    loop = clp(
        "OTH-1",
        "200.00",
        "92.00",
        pccn="P-OTH-1",
        svc=[("99213", "200.00", "92.00", [("CO", "45", "108.00")])],
    )
    plb = "PLB*1234567893*20251231*WO:OTH-2*10.00"
    response = await engine.client.post(
        "/v1/remittances/x12", content=remit_835("TRACE-OTH", loop, plb=plb), headers=headers
    )
    assert response.status_code == 200, response.text

    (variance,) = (await engine.client.get("/v1/variances", headers=headers)).json()["items"]
    assert (variance["primary_cause"], D(variance["variance"])) == ("other_fee_schedule", D("8.00"))
    (cause,) = variance["root_causes"]
    assert f"= the rate of contract {other} v1 for 99213 ($92.00)" in cause["evidence"]

    projects = (
        await engine.client.get("/v1/worklist/projects", params={"as_of": "2025-05-01"}, headers=headers)
    ).json()
    assert [(p["cause"], D(p["amount"]), p["appeal_days_left"]) for p in projects["items"]] == [
        ("other_fee_schedule", D("8.00"), 150)  # 2025-04-01 + 180 = 2025-09-28
    ]
    (take_back,) = projects["take_backs"]
    assert (take_back["patient_control_number"], D(take_back["amount"])) == ("OTH-2", D("10.00"))


async def test_bad_recovery_input_is_a_clear_4xx(engine: Engine) -> None:
    headers = await engine.key(new_org())
    negative = await engine.client.put(
        "/v1/settings/triage-rules", json={"minimum_amount": "-1"}, headers=headers
    )
    assert negative.status_code == 422 and "minimum_amount" in negative.text
    twice = {
        "claims": [
            claim_json("C-1", "60054", line("99213", "1.00")),
            claim_json("C-1", "60054", line("99213", "1.00")),
        ]
    }
    refused = await engine.client.put("/v1/canary-sets/dup", json=twice, headers=headers)
    assert refused.status_code == 422 and "C-1" in refused.text
    missing = await engine.client.post(
        "/v1/canary-sets/none/runs", json={"contract_id": "x"}, headers=headers
    )
    assert missing.status_code == 404 and "canary set 'none' not found" in missing.text
    one = {"claims": [claim_json("C-1", "60054", line("99213", "1.00"))]}
    assert (await engine.client.put("/v1/canary-sets/one", json=one, headers=headers)).status_code == 200
    unknown = await engine.client.post(
        "/v1/canary-sets/one/runs", json={"contract_id": "nope"}, headers=headers
    )
    assert unknown.status_code == 404 and "contract nope" in unknown.text
    assert (
        await engine.client.get("/v1/claims", params={"patient_control_number": "C-1"}, headers=headers)
    ).json()["items"] == []
