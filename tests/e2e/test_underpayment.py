"""The money path across the four services as real processes.

registry: payer, fee schedule, contract (activated) -> contract.* + fee_schedule.published ->
engine prices a claim with the version in force -> an 835 (JSON) pays less -> claim.variance_detected
-> engine worklist; tracker opens the appeal deadline; notifier calls the subscribed webhook.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import httpx
import pytest
from accord_common.devstack.client import AUTH as H
from accord_common.devstack.client import get_json as get
from accord_common.devstack.client import post_json as post
from accord_common.devstack.client import wait_for
from accord_common.devstack.stack import Stack
from accord_common.devstack.webhook_receiver import WebhookReceiver
from standardwebhooks.webhooks import Webhook

SCHEDULE = (
    "code_system,code,modifiers,place_of_service,setting,unit,rate_kind,amount,percentage,"
    "effective_from,effective_to\nCPT,99213,,,,unit,amount,100.00,,2026-01-01,\n"
)


@pytest.fixture(scope="module")
def variance_hook(stack: Stack) -> Iterator[tuple[WebhookReceiver, str]]:
    receiver = WebhookReceiver().start()
    hook = post(
        f"{stack.services['notifier'].url}/v1/subscriptions",
        {
            "name": "underpayments to the billing system",
            "event_types": ["claim.variance_detected"],
            "channel": {"kind": "webhook", "url": receiver.url},
        },
    )
    yield receiver, str(hook["channel"]["secret"])
    receiver.stop()


def active_contract(stack: Stack) -> str:
    registry = stack.services["contract-registry"].url
    payer = post(f"{registry}/v1/payers", {"name": "Acme Health Plan", "x12_payer_id": "60054"})
    imported = httpx.post(
        f"{registry}/v1/fee-schedules",
        headers=H,
        timeout=30,
        files={"file": ("acme-2026.csv", SCHEDULE, "text/csv")},
        data={"name": "Acme 2026 professional"},
    )
    assert imported.status_code == 201, imported.text
    contract = post(
        f"{registry}/v1/contracts",
        {
            "payer_id": payer["id"],
            "name": "Acme PPO professional",
            "line_of_business": "commercial",
            "effective_date": "2026-01-01",
            "termination_date": "2027-12-31",
            "notice_days": 90,
            "appeal_window_days": 180,
            "prompt_pay_days": 30,
            "timely_filing_days": 95,
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
        post(f"{registry}/v1/contracts/{contract['id']}/{step}", {})
    return str(contract["id"])


def test_an_underpaid_claim_reaches_worklist_tracker_and_webhook(
    stack: Stack, variance_hook: tuple[WebhookReceiver, str]
) -> None:
    engine, tracker = stack.services["reimbursement-engine"].url, stack.services["obligation-tracker"].url
    contract_id = active_contract(stack)
    claim = post(
        f"{engine}/v1/claims",
        {
            "patient_control_number": "E2E-UNDERPAID-1",
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
    priced = wait_for(
        "the claim priced under the contract",
        lambda: [c for c in [get(f"{engine}/v1/claims/{claim['id']}")] if c["status"] == "priced"],
    )[0]
    assert priced["expected_allowed"] == "100.00"

    post(
        f"{engine}/v1/remittances/json",
        {
            "payer_id": "60054",
            "payer_name": "Acme Health Plan",
            "payment_date": "2026-04-02",
            "total_paid": "80.00",
            "trace_number": "E2E-EFT-1",
            "claims": [
                {
                    "patient_control_number": "E2E-UNDERPAID-1",
                    "status_code": "1",
                    "charge": "150.00",
                    "paid": "80.00",
                    "patient_responsibility": "0.00",
                    "payer_claim_control_number": "PCCN-E2E-1",
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
        },
    )

    variances = wait_for(
        "the variance",
        lambda: [v for v in get(f"{engine}/v1/variances")["items"] if v["claim_id"] == claim["id"]],
    )
    assert variances[0]["classification"] == "underpaid"
    assert variances[0]["variance"] == "20.00"
    worklist = get(f"{engine}/v1/worklist")
    assert any(
        group.get("contract_id") == contract_id or contract_id in str(group) for group in worklist["items"]
    ), worklist

    appeal = wait_for(
        "the appeal deadline",
        lambda: [
            o
            for o in get(f"{tracker}/v1/obligations", claim_id=claim["id"])["items"]
            if o["kind"] == "appeal"
        ],
    )[0]
    assert appeal["due_date"] == (date(2026, 4, 2) + timedelta(days=180)).isoformat()

    receiver, secret = variance_hook
    request = wait_for(
        "the webhook", lambda: [r for r in receiver.received if claim["id"].encode() in r.body]
    )[0]
    Webhook(secret).verify(request.body, request.headers)
