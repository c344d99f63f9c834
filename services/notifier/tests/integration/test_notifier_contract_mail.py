"""A contract.amended event reaching an email subscription becomes the contract mail, over Kafka,
PostgreSQL and real SMTP: payer and contract named, the version's dates, and what changed from the
version before (consumed earlier through the broker)."""

from __future__ import annotations

import uuid
from typing import Any

from accord_common.events import CloudEvent, new_event
from notifier_harness import MailSink, Notifier, html_text, plain_text, wait_for


def contract_event(event_type: str, organization_id: str, contract_id: str, **changes: Any) -> CloudEvent:
    data = {
        "contract_id": contract_id,
        "organization_id": organization_id,
        "payer_id": "payer-acme",
        "payer_name": "Acme Health Plan",
        "contract_name": "Acme Commercial PPO 2027",
        "status": "active",
        "version": 1,
        "effective_from": "2027-01-01",
        "terms": {"effective_date": "2027-01-01", "auto_renew": True, "notice_days": 90},
    } | changes
    return new_event(
        event_type,
        source="contract-registry",
        subject=contract_id,
        data=data,
        organization_id=organization_id,
    )


async def test_contract_amended_mails_the_payer_contract_version_and_what_changed(
    notifier: Notifier, mail_sink: MailSink
) -> None:
    org, headers = await notifier.tenant()
    recipient = f"analyst-{uuid.uuid4().hex[:8]}@clinic.example"
    await notifier.subscribe(
        headers,
        name="Contracting team",
        event_types=["contract.amended"],
        channel={"kind": "email", "recipients": [recipient]},
    )
    contract_id = str(uuid.uuid4())
    created = contract_event("contract.created", org, contract_id, status="draft")
    await notifier.publish(created)
    await wait_for("version 1 consumed", lambda: notifier.consumed(created.id))
    amended = contract_event(
        "contract.amended",
        org,
        contract_id,
        version=2,
        effective_from="2027-07-01",
        terms={"effective_date": "2027-01-01", "auto_renew": True, "notice_days": 120},
    )
    await notifier.publish(amended)

    async def mail() -> list[Any]:
        return [m for m in mail_sink.messages if m["To"] == recipient]

    (message,) = await wait_for("the contract mail", mail)
    assert message["Subject"].strip() == (
        "Contract amended: Acme Commercial PPO 2027 with Acme Health Plan "
        "(version 2, effective Thursday 1 July 2027)"
    )
    text, html = " ".join(plain_text(message).split()), html_text(message)
    assert (
        "The Acme Commercial PPO 2027 contract with Acme Health Plan has been amended: version 2 applies "
        "from Thursday 1 July 2027, with no end date." in text
    )
    assert "What changed from version 1:" in text
    assert "Notice period (non-renewal): 120 days (was 90 days)" in text
    assert f"https://accord.clinic.example/contracts/{contract_id}" in text
    assert "Acme Health Plan" in html and "<strong>120 days</strong> (was 90 days)" in html
    assert f'href="https://accord.clinic.example/contracts/{contract_id}"' in html
    assert "Accord recorded an event you subscribed to" not in text  # not the generic mail
