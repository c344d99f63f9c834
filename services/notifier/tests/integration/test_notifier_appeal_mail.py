"""claim.appeal_sent: the letter reaches the payer's inbox over SMTP (a real aiosmtpd server) with
the PDF attached, and no subscription gets a copy."""

from __future__ import annotations

import base64
import uuid

from accord_common.events import new_event
from notifier_harness import MailSink, Notifier, html_text, plain_text, wait_for

PDF = b"%PDF-1.4\n% an appeal letter\n"


async def test_the_appeal_letter_is_mailed_to_the_payer_with_its_pdf(
    notifier: Notifier, mail_sink: MailSink
) -> None:
    org, headers = await notifier.tenant()
    await notifier.subscribe(
        headers,
        name="Everything about claims",
        event_types=["claim.appeal_sent"],
        channel={"kind": "email", "recipients": ["team@clinic.example"]},
    )
    reference = f"APL-20261202-{uuid.uuid4().hex[:4]}"
    data = {
        "appeal_id": str(uuid.uuid4()),
        "organization_id": org,
        "reference": reference,
        "payer_id": "60054",
        "contract_id": "c-1",
        "variance_ids": ["v-1"],
        "recipients": ["appeals@acme.example"],
        "subject": f"Appeal {reference}: $105.00 due under contract",
        "text": f"Please find attached our appeal {reference} for $105.00.",
        "html": "<p>The amount due is <b>$105.00</b>.</p>",
        "amount_due": "105.00",
        "deadline": "2002-09-10",
        "pdf_filename": f"{reference}.pdf",
        "pdf_base64": base64.b64encode(PDF).decode(),
    }
    event = new_event(
        "claim.appeal_sent",
        source="reimbursement-engine",
        subject=data["appeal_id"],
        data=data,
        organization_id=org,
    )
    await notifier.publish(event)

    async def mail() -> list[object]:
        return mail_sink.about(reference)  # type: ignore[return-value]

    (message,) = await wait_for("the appeal letter", mail)
    assert message["To"] == "appeals@acme.example"
    assert message["Subject"] == f"Appeal {reference}: $105.00 due under contract"
    assert message["Message-ID"] == f"<appeal-{event.id}@accord.notifier>"
    assert reference in plain_text(message) and "$105.00" in html_text(message)
    (attached,) = list(message.iter_attachments())
    assert (attached.get_content_type(), attached.get_filename(), attached.get_content()) == (
        "application/pdf",
        f"{reference}.pdf",
        PDF,
    )
    await wait_for("the event consumed", lambda: notifier.consumed(event.id))
    assert await notifier.delivery_rows(event.id) == []  # the letter is the delivery, not the team's copy
