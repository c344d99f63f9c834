"""Daily digests out: claim the due ones, write each recipient's mail, send it, record it.

Each digest is one recipient address's mail for one organisation and day (digest_ledger.py made
it while consuming). The first claim seals it; the claim is a lease, so a dispatcher that dies
mid-send leaves it to be claimed again when the lease runs out, and the resend carries the same
Message-ID (the digest's id). Only the lease holder records, so each attempt is recorded once.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from accord_common.events import CloudEvent
from accord_common.runtime import ServiceRuntime

from notifier.adapters.digest_queue import DigestQueue
from notifier.config import NotifierSettings
from notifier.domain import DigestEntry, merge_digest, render_digest
from notifier.handlers.digests import DigestClaim, DigestContents, record_digest_outcome, sort_contents
from notifier.handlers.dispatch import DispatchRules
from notifier.mail_facts import with_names
from notifier.ports import Clock, MailSender, OutgoingMail, SendResult


class DigestDispatcher:
    def __init__(
        self, settings: NotifierSettings, mail: MailSender, rules: DispatchRules, clock: Clock
    ) -> None:
        self.settings = settings
        self.mail = mail
        self.rules = rules
        self.clock = clock

    async def send_due(self, runtime: ServiceRuntime) -> int:
        """Send every digest due now (up to a batch); returns how many were claimed."""
        claims = await self._claim(runtime)
        await asyncio.gather(*(self._deliver(runtime, claim) for claim in claims))
        return len(claims)

    async def _claim(self, runtime: ServiceRuntime) -> list[DigestClaim]:
        now = self.clock()
        token = str(uuid.uuid4())
        lease_until = now + timedelta(seconds=self.settings.delivery_lease_seconds)
        async with runtime.sessions() as session, session.begin():
            ids = await DigestQueue(session).claim_due(
                now, lease_until, token, self.settings.dispatcher_batch_size
            )
        return [DigestClaim(digest_id, token) for digest_id in ids]

    async def _deliver(self, runtime: ServiceRuntime, claim: DigestClaim) -> None:
        async with runtime.sessions() as session:
            queue = DigestQueue(session)
            digest = await queue.claimed(claim.digest_id, claim.lease_token)
            rows = await queue.contents(claim.digest_id) if digest is not None else []
        if digest is None:
            return  # the lease ran out meanwhile; its new holder sends it
        contents = sort_contents(rows, digest.recipient)
        result = await self._send(runtime, digest, contents) if contents.carried else None
        await record_digest_outcome(runtime.uow(), claim, contents, result, self.rules, self.clock())

    async def _send(self, runtime: ServiceRuntime, digest: Any, contents: DigestContents) -> SendResult:
        events = [CloudEvent.from_bytes(row.event) for row in contents.carried]
        named = await with_names(runtime, digest.organization_id, events)
        entries = [
            DigestEntry(row.subscription_name, row.event_id, event.type, data)
            for row, event, data in zip(contents.carried, events, named, strict=True)
        ]
        rendered = render_digest(merge_digest(entries), self.rules.links, digest.digest_date)
        mail = OutgoingMail(
            (digest.recipient,),
            rendered.subject,
            rendered.text,
            rendered.html,
            f"<digest-{digest.id}@accord.notifier>",  # the same on a resend after a restart
        )
        return await self.mail.send(mail)
