"""The walking skeleton across the four services as real processes.

registry POST contract -> contract.created -> tracker records the renewal-notice obligation ->
obligation.created -> notifier sends an email (SMTP) and a signed webhook -> both arrive.
"""

from __future__ import annotations

import email
import email.policy
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from accord_common.devstack.client import AUTH, wait_for
from accord_common.devstack.client import post_json as post
from accord_common.devstack.stack import Stack
from accord_common.devstack.webhook_receiver import WebhookReceiver
from sqlalchemy import create_engine, text
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

H = AUTH


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
    assert "Saturday 2 October 2027" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]


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


def test_sigkill_between_commit_and_publish_loses_nothing(
    stack: Stack, receiver: WebhookReceiver, subscribed: str
) -> None:
    """The registry commits the contract and its outbox row, then dies before relaying."""
    stack.kill("contract-registry", signal.SIGKILL)
    stack.config.extra_env["ACCORD_REGISTRY_RELAY_ENABLED"] = "false"
    try:
        stack.start_service("contract-registry")
        stack.wait_ready(names=["contract-registry"])
        contract_id = new_contract(stack, "Committed then killed")
        # Proving an absence: with the relay off nothing may reach the tracker; a bounded moment
        # for anything that wrongly would (the tracker applies a published event within ~1 s).
        time.sleep(2)
        assert obligations(stack, contract_id) == [], "nothing may be published yet"
        assert _outbox_count(_database_url(stack, "contract-registry"), "published_at IS NULL") > 0
        stack.kill("contract-registry", signal.SIGKILL)
    finally:  # the stack is shared by the module: never leave the relay switched off
        del stack.config.extra_env["ACCORD_REGISTRY_RELAY_ENABLED"]
        if stack.services["contract-registry"].popen.poll() is not None:
            stack.start_service("contract-registry")
            stack.wait_ready(names=["contract-registry"])
    notice = wait_for("the event after restart", lambda: open_notices(stack, contract_id))[0]
    wait_for("the webhook after restart", lambda: webhooks_for(receiver, contract_id))
    wait_for("the email after restart", lambda: mails_for(stack.mail_dir, notice["id"]))


def _database_url(stack: Stack, name: str) -> str:
    service = stack.services[name]
    return stack.env_for(service.spec)[f"{service.spec.env_prefix}DATABASE_URL"]


def _outbox_sql(url: str, statement: str) -> int:
    """Run one statement on a service's outbox table (SQLite or PostgreSQL); its row count or value."""
    if "+asyncpg" in url:
        return _on_pg(url.replace("postgresql+asyncpg://", "postgres://"), statement)
    engine = create_engine(url.replace("+aiosqlite", ""))
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement))
            return int(result.scalar_one()) if result.returns_rows else result.rowcount
    finally:
        engine.dispose()


def _on_pg(url: str, statement: str) -> int:
    import asyncio

    import asyncpg

    async def run() -> int:
        conn = await asyncpg.connect(url)
        try:
            if statement.startswith("SELECT"):
                return int(await conn.fetchval(statement))
            return int((await conn.execute(statement)).split()[-1])
        finally:
            await conn.close()

    return asyncio.run(run())


def _outbox_count(url: str, where: str) -> int:
    return _outbox_sql(url, f"SELECT count(*) FROM outbox WHERE {where}")


def _all_relayed(stack: Stack) -> bool:
    """Every service's outbox is empty of unpublished events."""
    return all(
        _outbox_count(_database_url(stack, name), "published_at IS NULL") == 0 for name in _stores(stack)
    )


def _stores(stack: Stack) -> list[str]:
    """The services with a database (and an outbox): not the console, which owns no data."""
    return [name for name, service in stack.services.items() if service.spec.owns_data]


@pytest.fixture
def outboxes_kept(stack: Stack) -> Iterator[None]:
    """The services restarted keeping published outbox rows (OUTBOX_RETENTION_DAYS=7; by default the
    relay deletes them), so a test can publish everything again; defaults restored after."""
    names = _stores(stack)
    keep = {f"{stack.services[n].spec.env_prefix}OUTBOX_RETENTION_DAYS": "7" for n in names}

    def restart() -> None:
        for name in names:
            stack.kill(name, signal.SIGTERM)
        for name in names:
            stack.start_service(name)
        stack.wait_ready(names=names)

    stack.config.extra_env.update(keep)
    try:
        restart()
        yield
    finally:  # the stack is shared by the session: never leave it off its defaults
        for key in keep:
            del stack.config.extra_env[key]
        restart()


def test_every_event_delivered_twice_changes_nothing(
    stack: Stack, receiver: WebhookReceiver, subscribed: str, outboxes_kept: None
) -> None:
    contract_id = new_contract(stack, "Delivered twice")
    notice = wait_for("the obligation", lambda: open_notices(stack, contract_id))[0]
    wait_for("the webhook", lambda: webhooks_for(receiver, contract_id))
    wait_for("the email", lambda: mails_for(stack.mail_dir, notice["id"]))
    wait_for("every outbox relayed", lambda: _all_relayed(stack))

    def snapshot() -> tuple[int, int, int]:
        return (
            len(receiver.received),
            len(list(stack.mail_dir.glob("*.eml"))),
            len(obligations(stack, contract_id)),
        )

    before = snapshot()
    republished = sum(
        _outbox_sql(_database_url(stack, name), "UPDATE outbox SET published_at = NULL")
        for name in _stores(stack)
    )
    assert republished > 0
    wait_for("every event published again", lambda: _all_relayed(stack))
    # Proving an absence: each consumer now reads every event a second time and must do nothing
    # with it; no signal says "all duplicates were read", so give them a bounded while.
    time.sleep(5)
    assert snapshot() == before
