"""`make demo`, part two: price a claim under the contract, read an underpaying remittance, and show
the variance on the worklist and the appeal deadline it opened."""

from __future__ import annotations

import time
from typing import Any

import httpx

from accord_common.devstack.client import AUTH, get_json, post_json, wait_for

SCHEDULE = (
    "code_system,code,modifiers,place_of_service,setting,unit,rate_kind,amount,percentage,"
    "effective_from,effective_to\nCPT,99213,,,,unit,amount,100.00,,2026-01-01,\n"
)


def run_money_demo(urls: dict[str, str]) -> bool:
    registry, engine = urls["contract-registry"], urls["reimbursement-engine"]
    contract_id = active_contract(registry)
    print(f"8. activated contract {contract_id}: CPT 99213 pays $100.00 (fee schedule)")
    pcn = f"DEMO-{time.strftime('%H%M%S')}"
    claim = post_json(
        f"{engine}/v1/claims",
        {
            "patient_control_number": pcn,
            "payer_id": "60054",
            "contract_id": contract_id,
            "place_of_service": "11",
            "lines": [
                {
                    "code_system": "CPT",
                    "code": "99213",
                    "units": 1,
                    "charge": "150.00",
                    "service_date": "2026-03-14",
                }
            ],
        },
    )
    priced = wait_for("the claim to be priced", lambda: _priced(engine, claim["id"]))
    print(f"9. claim {pcn}: charge $150.00, expected allowed ${priced['expected_allowed']}")
    post_json(f"{engine}/v1/remittances/json", underpaying_remittance(pcn))
    print("10. the payer's remittance paid $80.00 (CO-45 contractual adjustment $70.00)")
    variance = wait_for(
        "the variance",
        lambda: [v for v in get_json(f"{engine}/v1/variances")["items"] if v["claim_id"] == claim["id"]],
    )[0]
    print(f"11. variance: {variance['classification']} by ${variance['variance']} (on the worklist)")
    appeal = wait_for(
        "the appeal deadline",
        lambda: [
            o
            for o in get_json(f"{urls['obligation-tracker']}/v1/obligations", claim_id=claim["id"])["items"]
            if o["kind"] == "appeal"
        ],
    )[0]
    print(f"12. obligation tracker: appeal due {appeal['due_date']}")
    return bool(variance["classification"] == "underpaid")


def active_contract(registry: str) -> str:
    """A payer, a fee schedule (CPT 99213 at $100.00) and an activated contract paying from it."""
    payer = post_json(f"{registry}/v1/payers", {"name": "Acme Health Plan", "x12_payer_id": "60054"})
    imported = httpx.post(
        f"{registry}/v1/fee-schedules",
        headers=AUTH,
        timeout=30,
        files={"file": ("acme-2026.csv", SCHEDULE, "text/csv")},
        data={"name": "Acme 2026 professional"},
    )
    imported.raise_for_status()
    contract = post_json(
        f"{registry}/v1/contracts",
        {
            "payer_id": payer["id"],
            "name": "Acme PPO professional (priced)",
            "line_of_business": "commercial",
            "effective_date": "2026-01-01",
            "termination_date": "2027-12-31",
            "notice_days": 90,
            "appeal_window_days": 180,
            "prompt_pay_days": 30,
            "fee_schedule_id": imported.json()["schedule"]["id"],
            "payment_terms": [
                {
                    "name": "Professional",
                    "service_category": "professional",
                    "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
                    "methodology": {"kind": "fee_schedule"},
                }
            ],
        },
    )
    for step in ("submit", "activate"):
        post_json(f"{registry}/v1/contracts/{contract['id']}/{step}", {})
    return str(contract["id"])


def _priced(engine: str, claim_id: str) -> dict[str, Any] | None:
    claim: dict[str, Any] = get_json(f"{engine}/v1/claims/{claim_id}")
    return claim if claim["status"] == "priced" else None


def underpaying_remittance(pcn: str) -> dict[str, Any]:
    """A JSON remittance paying $80.00 of a $150.00 charge (CO-45 $70.00), dated 2026-04-02."""
    return {
        "payer_id": "60054",
        "payer_name": "Acme Health Plan",
        "payment_date": "2026-04-02",
        "total_paid": "80.00",
        "trace_number": f"EFT-{pcn}",
        "claims": [
            {
                "patient_control_number": pcn,
                "status_code": "1",
                "charge": "150.00",
                "paid": "80.00",
                "patient_responsibility": "0.00",
                "payer_claim_control_number": f"PCCN-{pcn}",
                "lines": [
                    {
                        "code": "99213",
                        "charge": "150.00",
                        "paid": "80.00",
                        "units": "1",
                        "adjustments": [{"group_code": "CO", "reason_code": "45", "amount": "70.00"}],
                    }
                ],
            }
        ],
    }
