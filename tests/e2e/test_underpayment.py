"""The money path across the four services as real processes.

registry: payer, fee schedule, contract (activated) -> contract.* + fee_schedule.published ->
engine prices a claim with the version in force -> an 835 (JSON) pays less -> claim.variance_detected
-> engine worklist; tracker opens the appeal deadline; notifier calls the subscribed webhook.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from accord_common.devstack.client import get_json as get
from accord_common.devstack.client import post_json as post
from accord_common.devstack.client import wait_for
from accord_common.devstack.demo_money import active_contract, underpaying_remittance
from accord_common.devstack.stack import Stack
from accord_common.devstack.webhook_receiver import WebhookReceiver
from standardwebhooks.webhooks import Webhook


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


def test_an_underpaid_claim_reaches_worklist_tracker_and_webhook(
    stack: Stack, variance_hook: tuple[WebhookReceiver, str]
) -> None:
    engine, tracker = stack.services["reimbursement-engine"].url, stack.services["obligation-tracker"].url
    contract_id = active_contract(stack.services["contract-registry"].url)
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

    post(f"{engine}/v1/remittances/json", underpaying_remittance("E2E-UNDERPAID-1"))

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
