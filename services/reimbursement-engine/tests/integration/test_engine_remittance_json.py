"""JSON remittances are balanced like an 835 and refused (422, nothing stored) when they are not."""

from __future__ import annotations

import uuid
from typing import Any

from engine_helpers import Engine, claim_json, contract_event, line, medicare_term, new_org
from reimbursement_engine.adapters.orm import claim_payments
from sqlalchemy import func, select


def paid_claim(
    pcn: str, charge: str, paid: str, pr: str | None, *adjustments: tuple[str, str, str], **kw: Any
) -> dict[str, Any]:
    return {
        "patient_control_number": pcn,
        "charge": charge,
        "paid": paid,
        "patient_responsibility": pr,
        "adjustments": [{"group_code": g, "reason_code": r, "amount": a} for g, r, a in adjustments],
        **kw,
    }


def body(*claims: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {
        "payer_id": "60054",
        "trace_number": f"EFT-{uuid.uuid4().hex[:8]}",
        "payment_date": "2025-04-02",
        "claims": list(claims),
        **kw,
    }


async def _payments(engine: Engine, org: str) -> int:
    async with engine.runtime.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(claim_payments).where(claim_payments.c.organization_id == org)
        )
    return int(count or 0)


async def test_an_unbalanced_claim_is_refused_naming_claim_and_rule(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    # 200.00 - CO-45 100.00 - patient 20.00 = 80.00, but paid says 68.95
    bad = paid_claim("PCN-J-BAD", "200.00", "68.95", "20.00", ("CO", "45", "100.00"))
    good = paid_claim("PCN-J-OK", "200.00", "80.00", "20.00", ("CO", "45", "100.00"))
    response = await engine.client.post("/v1/remittances/json", json=body(good, bad), headers=headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert "claim PCN-J-BAD" in problem["detail"] and "nothing stored" in problem["detail"]
    (error,) = problem["errors"]
    assert (error["claim"], error["path"]) == ("PCN-J-BAD", "claims[1]")
    assert error["rule"].startswith("claim charge - sum(claim and line adjustments)")
    assert "= 80.00, paid is 68.95" in error["message"]
    assert await _payments(engine, org) == 0  # the balanced claim beside it is not stored either


async def test_line_and_total_rules_are_checked(engine: Engine) -> None:
    headers = await engine.key(new_org())
    lines = [
        {
            "code": "99213",
            "charge": "200.00",
            "paid": "90.00",
            "adjustments": [{"group_code": "CO", "reason_code": "45", "amount": "100.00"}],
        }
    ]
    # line: 200.00 - 100.00 = 100.00, paid 90.00; claim: 200.00 - 100.00 = 100.00, paid 90.00
    claim = paid_claim("PCN-J-LINE", "200.00", "90.00", None, lines=lines)
    response = await engine.client.post(
        "/v1/remittances/json", json=body(claim, total_paid="95.00"), headers=headers
    )
    assert response.status_code == 422
    paths = [(e["path"], e["rule"]) for e in response.json()["errors"]]
    assert paths == [
        ("total_paid", "total_paid = sum(claims[].paid)"),
        ("claims[0]", paths[1][1]),
        ("claims[0].lines[0]", "line charge - sum(line adjustments) = paid"),
    ]


async def test_patient_responsibility_as_pr_adjustments_is_not_counted_twice(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    await engine.deliver(
        contract_event(org, str(uuid.uuid4()), "60054", payment_terms=[medicare_term("100")])
    )
    response = await engine.client.post(
        "/v1/claims",
        json=claim_json("PCN-J-PR", "60054", line("99213", "200.00", place_of_service="11")),
        headers=headers,
    )
    assert response.json()["status"] == "priced"
    # 200.00 - CO-45 111.05 - PR-2 20.00 = 68.95 (patient_responsibility 20.00 is the PR adjustment)
    claim = paid_claim("PCN-J-PR", "200.00", "68.95", "20.00", ("CO", "45", "111.05"), ("PR", "2", "20.00"))
    out = await engine.client.post("/v1/remittances/json", json=body(claim), headers=headers)
    assert out.status_code == 200, out.text
    assert out.json()["classifications"] == {"paid_as_expected": 1}  # 100% x $88.95 = 68.95 + 20.00
