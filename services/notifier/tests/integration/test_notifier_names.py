"""Mails name the payer and the contract: contract.created is consumed through the broker into
the projection, then an obligation.created for that contract is mailed over real SMTP."""

from __future__ import annotations

import uuid

from accord_common.events import CloudEvent, new_event
from notifier.adapters.orm import contracts
from notifier_harness import MailSink, Notifier, html_text, obligation_event, plain_text, wait_for
from sqlalchemy import select


def contract_created(organization_id: str, contract_id: str) -> CloudEvent:
    data = {
        "contract_id": contract_id,
        "organization_id": organization_id,
        "payer_id": "payer-acme",
        "payer_name": "Acme Health Plan",
        "contract_name": "Acme Commercial PPO 2027",
        "status": "draft",
        "version": 1,
        "effective_from": "2027-01-01",
        "terms": {"effective_date": "2027-01-01", "auto_renew": True, "notice_days": 90},
    }
    return new_event(
        "contract.created",
        source="contract-registry",
        subject=contract_id,
        data=data,
        organization_id=organization_id,
    )


async def test_an_obligation_mail_names_the_payer_and_contract_from_contract_created(
    notifier: Notifier, mail_sink: MailSink
) -> None:
    org, headers = await notifier.tenant()
    await notifier.subscribe(
        headers,
        name="Contracting team",
        event_types=["obligation.created", "contract.created"],
        channel={"kind": "email", "recipients": ["contracting@clinic.example"]},
    )
    contract_id = str(uuid.uuid4())
    created = contract_created(org, contract_id)
    await notifier.publish(created)

    async def projected() -> object:
        async with notifier.runtime.sessions() as session:
            query = select(contracts).where(contracts.c.contract_id == contract_id)
            return (await session.execute(query)).first()

    held = await wait_for("the contract in the projection", projected)
    assert held.payer_name == "Acme Health Plan"  # type: ignore[attr-defined]
    # contract.created is still delivered to the subscription that names it
    await wait_for("the contract.created delivery", lambda: notifier.delivery_rows(created.id))

    obligation = obligation_event(org, contract_id=contract_id, payer_id="payer-acme", title="Renewal notice")
    await notifier.publish(obligation)
    obligation_id = obligation.data["obligation_id"]

    async def mail() -> list[object]:
        return mail_sink.about(obligation_id)  # type: ignore[return-value]

    message = (await wait_for("the obligation email", mail))[0]
    # a long subject is folded after "Subject:"; unfolding leaves the fold's space in front
    assert message["Subject"].strip() == (
        "New deadline: Renewal notice (Acme Health Plan, due Saturday 2 October 2027)"
    )
    text = plain_text(message)
    assert "the Acme Commercial PPO 2027 contract with Acme Health Plan" in text
    assert "Contract: Acme Commercial PPO 2027" in text
    assert contract_id not in text and "payer-acme" not in text
    html = html_text(message)
    assert "Acme Health Plan" in html
    assert f"https://accord.clinic.example/obligations/{obligation_id}" in html
    assert f"https://accord.clinic.example/obligations/{obligation_id}" in text
