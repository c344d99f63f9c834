"""Sending daily digests: claim (and so seal) the due ones, write each recipient's mail, send, record.

Each digest is one recipient address's mail for one organisation and day (digest_ledger.py made
it while consuming). The first claim seals it; the claim is a lease, so a notifier that dies
mid-send leaves it to be claimed again when the lease runs out, and the resend carries the same
Message-ID (the digest's id). Only the lease holder records, so each attempt is recorded once.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

from accord_common.events import CloudEvent
from accord_common.uow import UnitOfWork

from notifier.adapters.digest_queue import DigestQueue
from notifier.adapters.mail_facts import with_names
from notifier.domain import DigestEntry, merge_digest, render_digest
from notifier.handlers.digests import DigestClaim, DigestContents, record_digest_outcome, sort_contents
from notifier.handlers.sending import INTERRUPTED, Lease, NewUnitOfWork, Senders
from notifier.ports import OutgoingMail, SendResult


async def claim_digests(uow: UnitOfWork, now: datetime, lease: Lease, limit: int) -> list[DigestClaim]:
    """Lease and seal up to `limit` digests due now."""
    if limit <= 0:
        return []
    async with uow:
        ids = await DigestQueue(uow.session).claim_due(now, lease.until, lease.token, limit)
        await uow.commit()
    return [DigestClaim(digest_id, lease.token) for digest_id in ids]


async def send_digest(new_uow: NewUnitOfWork, senders: Senders, claim: DigestClaim) -> None:
    """Write and send one claimed digest (unless it carries nothing now) and record the attempt."""
    async with new_uow() as uow:  # reads only
        queue = DigestQueue(uow.session)
        digest = await queue.claimed(claim.digest_id, claim.lease_token)
        if digest is None:
            return  # the lease ran out meanwhile; its new holder sends it
        contents = sort_contents(await queue.contents(claim.digest_id), digest.recipient)
        mail = await _write(uow, digest, contents, senders) if contents.carried else None
    result = None
    if mail is not None:
        started = time.perf_counter()
        try:
            result = await senders.mail.send(mail)
        except asyncio.CancelledError:
            interrupted = SendResult(None, int((time.perf_counter() - started) * 1000), INTERRUPTED)
            await record_digest_outcome(
                new_uow(), claim, contents, interrupted, senders.rules, senders.clock()
            )
            raise
    await record_digest_outcome(new_uow(), claim, contents, result, senders.rules, senders.clock())


async def _write(uow: UnitOfWork, digest: Any, contents: DigestContents, senders: Senders) -> OutgoingMail:
    events = [CloudEvent.from_bytes(item.event) for item in contents.carried]
    named = await with_names(uow.session, digest.organization_id, events)
    entries = [
        DigestEntry(item.subscription_name, item.event_id, event.type, data)
        for item, event, data in zip(contents.carried, events, named, strict=True)
    ]
    rendered = render_digest(merge_digest(entries), senders.rules.links, digest.digest_date)
    return OutgoingMail(
        (digest.recipient,),
        rendered.subject,
        rendered.text,
        rendered.html,
        f"<digest-{digest.id}@accord.notifier>",  # the same on a resend after a restart
    )
