"""Mails to a subscription's owner (its webhook was switched off): claim, send, record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accord_common.uow import UnitOfWork

from notifier.adapters.dispatch_queue import DispatchQueue
from notifier.handlers.sending import Lease, NewUnitOfWork, Senders
from notifier.ports import OutgoingMail


async def claim_owner_emails(uow: UnitOfWork, now: datetime, lease: Lease, limit: int) -> list[Any]:
    """Lease up to `limit` unsent owner mails (each claim counts as one of its attempts)."""
    if limit <= 0:
        return []
    async with uow:
        rows = await DispatchQueue(uow.session).claim_owner_emails(now, lease.until, limit)
        await uow.commit()
    return rows


async def send_owner_email(new_uow: NewUnitOfWork, senders: Senders, row: Any) -> None:
    """Send one; a failure is left to the lease running out, then it is tried again."""
    mail = OutgoingMail(
        (row.recipient,), row.subject, row.text_body, row.html_body, f"<{row.id}@accord.notifier>"
    )
    result = await senders.mail.send(mail)
    sent = result.status_code is not None and 200 <= result.status_code <= 299
    async with new_uow() as uow:
        done_at = senders.clock() if sent else None
        await DispatchQueue(uow.session).owner_email_done(row.id, done_at, result.error)
        await uow.commit()
