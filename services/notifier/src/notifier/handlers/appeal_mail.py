"""claim.appeal_sent: mail the appeal letter to the payer's addresses, the PDF attached.

The letter goes to the addresses the event names (the payer's), not to a subscription's, so it is
sent here, by the consumer: a send the mail server does not accept raises, and the consumer loop
retries the event (then dead-letters it); the Message-ID comes from the event id, so a retried
mail is recognisably the same one.
"""

from __future__ import annotations

import base64
import logging

from accord_common.events import CloudEvent
from accord_common.events.payloads import AppealSentData

from notifier.ports import Attachment, MailSender, OutgoingMail

log = logging.getLogger(__name__)
ACCEPTED = 250


class AppealNotMailed(RuntimeError):
    """The mail server did not accept the appeal letter (the event is retried)."""


def appeal_mail(event: CloudEvent, appeal: AppealSentData) -> OutgoingMail:
    pdf = Attachment(appeal.pdf_filename, "application/pdf", base64.b64decode(appeal.pdf_base64))
    return OutgoingMail(
        tuple(appeal.recipients),
        " ".join(appeal.subject.split())[:150],
        appeal.text,
        appeal.html,
        f"<appeal-{event.id}@accord.notifier>",
        (pdf,),
    )


async def mail_appeal(mail: MailSender, event: CloudEvent, appeal: AppealSentData) -> None:
    result = await mail.send(appeal_mail(event, appeal))
    if result.status_code != ACCEPTED or result.error:
        raise AppealNotMailed(f"appeal {appeal.reference}: {result.status_code} {result.error}")
    log.info("appeal letter mailed", extra={"appeal_id": appeal.appeal_id, "event_id": event.id})
