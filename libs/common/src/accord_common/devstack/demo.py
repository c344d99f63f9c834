"""`make demo`: walk the skeleton flow against a running stack and print what happened."""

from __future__ import annotations

import email
import email.policy
import time
from pathlib import Path
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from accord_common.devstack.client import AUTH as HEADERS
from accord_common.devstack.client import post_json, wait_for
from accord_common.devstack.demo_money import run_money_demo
from accord_common.devstack.webhook_receiver import WebhookReceiver


def _obligations(tracker: str, contract_id: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{tracker}/v1/obligations", params={"contract_id": contract_id}, headers=HEADERS, timeout=10
    )
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def run_demo(urls: dict[str, str], mail_dir: Path) -> bool:
    """Returns True when the email arrived, the webhook signature verified, the amendment moved the
    deadline, and the underpaid claim showed up as a variance with an appeal deadline."""
    receiver = WebhookReceiver().start()
    seen_mail = set(mail_dir.glob("*.eml")) if mail_dir.exists() else set()
    try:
        return _walk(urls, mail_dir, receiver, seen_mail) and run_money_demo(urls)
    finally:
        receiver.stop()


def _walk(urls: dict[str, str], mail_dir: Path, receiver: WebhookReceiver, seen_mail: set[Path]) -> bool:
    notifier, tracker = urls["notifier"], urls["obligation-tracker"]
    stamp = time.strftime("%H%M%S")
    hook = post_json(
        f"{notifier}/v1/subscriptions",
        {
            "name": f"demo webhook {stamp}",
            "event_types": ["obligation.created"],
            "channel": {"kind": "webhook", "url": receiver.url},
        },
    )
    secret = hook["channel"]["secret"]
    post_json(
        f"{notifier}/v1/subscriptions",
        {
            "name": f"demo email {stamp}",
            "event_types": ["obligation.created"],
            "channel": {"kind": "email", "recipients": ["contracting@demo-clinic.example"]},
        },
    )
    print(f"1. subscribed to obligation.created: webhook {receiver.url} and email")
    payer = post_json(
        f"{urls['contract-registry']}/v1/payers", {"name": "Acme Health Plan", "x12_payer_id": "60054"}
    )
    contract = post_json(
        f"{urls['contract-registry']}/v1/contracts",
        {
            "payer_id": payer["id"],
            "name": f"Acme PPO professional ({stamp})",
            "line_of_business": "commercial",
            "effective_date": "2026-01-01",
            "termination_date": "2027-12-31",
            "auto_renew": False,
            "notice_days": 90,
        },
    )
    print(f"2. created contract {contract['id']} (ends 2027-12-31, 90 days' notice)")
    found = wait_for("the renewal-notice obligation", lambda: _obligations(tracker, contract["id"]))
    print(f"3. obligation tracker: {found[0]['kind']} due {found[0]['due_date']}")
    return _report_deliveries(mail_dir, receiver, secret, seen_mail) and _amend(urls, contract["id"], tracker)


def _report_deliveries(mail_dir: Path, receiver: WebhookReceiver, secret: str, seen: set[Path]) -> bool:
    mails = wait_for("the email", lambda: sorted(set(mail_dir.glob("*.eml")) - seen))
    message = email.message_from_bytes(mails[0].read_bytes(), policy=email.policy.default)
    print(f"4. email arrived: to {message['To']}, subject {message['Subject']!r}")
    request = wait_for("the webhook", lambda: receiver.received)[0]
    try:
        Webhook(secret).verify(request.body, request.headers)
        verified = True
    except WebhookVerificationError:
        verified = False
    print(
        f"5. webhook arrived: webhook-id {request.headers.get('webhook-id')}, "
        f"signature verified with standardwebhooks: {verified}"
    )
    return verified


def _amend(urls: dict[str, str], contract_id: str, tracker: str) -> bool:
    post_json(
        f"{urls['contract-registry']}/v1/contracts/{contract_id}/versions",
        {
            "effective_from": "2026-07-01",
            "effective_date": "2026-01-01",
            "termination_date": "2028-06-30",
            "auto_renew": False,
            "notice_days": 120,
        },
    )
    print("6. amended: term now ends 2028-06-30 with 120 days' notice")
    moved = wait_for(
        "the obligation to move",
        lambda: [
            o
            for o in _obligations(tracker, contract_id)
            if o["kind"] == "renewal_notice" and o["due_date"] == "2028-03-02" and o["status"] == "open"
        ],
    )
    count = len(
        [
            o
            for o in _obligations(tracker, contract_id)
            if o["kind"] == "renewal_notice" and o["status"] == "open"
        ]
    )
    print(f"7. renewal notice moved to {moved[0]['due_date']} ({count} open renewal notice)")
    return count == 1
