"""The walking skeleton across the four services as real processes.

registry POST contract -> contract.created -> tracker records the renewal-notice obligation ->
obligation.created -> notifier sends an email (SMTP) and a signed webhook -> both arrive.
"""

from __future__ import annotations

import email
import email.policy
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from accord_common.devstack.stack import DEV_API_KEY, Stack
from accord_common.devstack.webhook_receiver import WebhookReceiver
from sqlalchemy import create_engine, text
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

H = {"Authorization": f"Bearer {DEV_API_KEY}"}
T = TypeVar("T")


def wait_for(what: str, check: Callable[[], T], timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(url, json=body, headers=H, timeout=15)
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


def obligations(stack: Stack, contract_id: str) -> list[dict[str, Any]]:
    url = stack.services["obligation-tracker"].url
    response = httpx.get(f"{url}/v1/obligations", params={"contract_id": contract_id}, headers=H)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def open_notices(stack: Stack, contract_id: str) -> list[dict[str, Any]]:
    return [
        o for o in obligations(stack, contract_id) if o["kind"] == "renewal_notice" and o["status"] == "open"
    ]


def new_contract(stack: Stack, name: str, termination: str = "2027-12-31") -> str:
    registry = stack.services["contract-registry"].url
    payer = post(f"{registry}/v1/payers", {"name": "Acme Health Plan", "x12_payer_id": "60054"})
    contract = post(
        f"{registry}/v1/contracts",
        {
            "payer_id": payer["id"],
            "name": name,
            "line_of_business": "commercial",
            "effective_date": "2026-01-01",
            "termination_date": termination,
            "auto_renew": False,
            "notice_days": 90,
        },
    )
    return str(contract["id"])


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver().start()
    yield r
    r.stop()


@pytest.fixture(scope="module")
def subscribed(stack: Stack, receiver: WebhookReceiver) -> str:
    notifier = stack.services["notifier"].url
    hook = post(
        f"{notifier}/v1/subscriptions",
        {
            "name": "e2e webhook",
            "event_types": ["obligation.created"],
            "channel": {"kind": "webhook", "url": receiver.url},
        },
    )
    post(
        f"{notifier}/v1/subscriptions",
        {
            "name": "e2e email",
            "event_types": ["obligation.created"],
            "channel": {"kind": "email", "recipients": ["contracting@clinic.example"]},
        },
    )
    return str(hook["channel"]["secret"])


def mails_for(mail_dir: Path, needle: str) -> list[email.message.EmailMessage]:
    """Messages whose decoded text part mentions `needle`."""
    found = []
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(("plain",))  # type: ignore[attr-defined]
        if body is not None and needle in body.get_content():
            found.append(message)
    return found


def webhooks_for(receiver: WebhookReceiver, contract_id: str) -> list[Any]:
    return [r for r in receiver.received if contract_id.encode() in r.body]


def test_contract_to_email_and_signed_webhook(
    stack: Stack, receiver: WebhookReceiver, subscribed: str
) -> None:
    contract_id = new_contract(stack, "Acme PPO professional")
    notice = wait_for("the renewal-notice obligation", lambda: open_notices(stack, contract_id))
    assert notice[0]["due_date"] == "2027-10-02"  # 2027-12-31 minus 90 days

    request = wait_for("the webhook", lambda: webhooks_for(receiver, contract_id))[0]
    Webhook(subscribed).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(subscribed).verify(request.body.replace(b"2027", b"2029"), request.headers)

    mail = wait_for("the email", lambda: mails_for(stack.mail_dir, notice[0]["id"]))[0]
    assert mail["To"] == "contracting@clinic.example"
    assert "2027" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_amendment_moves_the_obligation(stack: Stack, subscribed: str) -> None:
    contract_id = new_contract(stack, "Acme HMO")
    first = wait_for("the obligation", lambda: open_notices(stack, contract_id))[0]
    registry = stack.services["contract-registry"].url
    post(
        f"{registry}/v1/contracts/{contract_id}/versions",
        {
            "effective_from": "2026-07-01",
            "effective_date": "2026-01-01",
            "termination_date": "2028-06-30",
            "auto_renew": False,
            "notice_days": 120,
        },
    )
    moved = wait_for(
        "the move", lambda: [o for o in open_notices(stack, contract_id) if o["due_date"] == "2028-03-02"]
    )
    assert moved[0]["id"] == first["id"]
    assert len(open_notices(stack, contract_id)) == 1


def test_sigkill_between_commit_and_publish_loses_nothing(stack: Stack, subscribed: str) -> None:
    """The registry commits the contract and its outbox row, then dies before relaying."""
    stack.kill("contract-registry", signal.SIGKILL)
    stack.config.extra_env["ACCORD_REGISTRY_RELAY_ENABLED"] = "false"
    stack.start_service("contract-registry")
    stack.wait_ready(names=["contract-registry"])
    contract_id = new_contract(stack, "Committed then killed")
    time.sleep(2)
    assert obligations(stack, contract_id) == [], "nothing may be published yet"
    stack.kill("contract-registry", signal.SIGKILL)
    del stack.config.extra_env["ACCORD_REGISTRY_RELAY_ENABLED"]
    stack.start_service("contract-registry")
    stack.wait_ready(names=["contract-registry"])
    wait_for("the event after restart", lambda: open_notices(stack, contract_id))


def _outbox_reset(url: str) -> int:
    sync_url = url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
    if "+psycopg" in sync_url:
        sync_url = sync_url.replace("+psycopg", "")
        return _reset_pg(sync_url)
    engine = create_engine(sync_url)
    with engine.begin() as conn:
        count = conn.execute(text("UPDATE outbox SET published_at = NULL")).rowcount
    engine.dispose()
    return count


def _reset_pg(url: str) -> int:
    import asyncio

    import asyncpg

    async def run() -> int:
        conn = await asyncpg.connect(url.replace("postgresql://", "postgres://"))
        try:
            status = await conn.execute("UPDATE outbox SET published_at = NULL")
            return int(status.split()[-1])
        finally:
            await conn.close()

    return asyncio.run(run())


def test_every_event_delivered_twice_changes_nothing(
    stack: Stack, receiver: WebhookReceiver, subscribed: str
) -> None:
    contract_id = new_contract(stack, "Delivered twice")
    wait_for("the webhook", lambda: webhooks_for(receiver, contract_id))
    wait_for(
        "the email",
        lambda: (
            mails_for(stack.mail_dir, contract_id)
            or mails_for(stack.mail_dir, open_notices(stack, contract_id)[0]["id"])
        ),
    )
    time.sleep(2)
    before = (
        len(receiver.received),
        len(list(stack.mail_dir.glob("*.eml"))),
        len(obligations(stack, contract_id)),
    )
    republished = sum(
        _outbox_reset(stack.env_for(svc.spec)[f"{svc.spec.env_prefix}DATABASE_URL"])
        for svc in stack.services.values()
    )
    assert republished > 0
    time.sleep(8)  # every relay re-publishes every event; consumers see each one twice
    after = (
        len(receiver.received),
        len(list(stack.mail_dir.glob("*.eml"))),
        len(obligations(stack, contract_id)),
    )
    assert after == before
