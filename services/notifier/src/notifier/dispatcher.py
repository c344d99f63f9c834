"""The background dispatcher: claims due deliveries and digests, sends them, records every attempt.

Runs in every replica (ServiceRuntime background task). Claims are leased rows, so replicas
share the work and a delivery whose sender died is claimed again when its lease runs out.
Nothing is held open across the network call: claim, send, then record in a new transaction.
Deliveries that travel in daily digests are sent by the DigestDispatcher (digest_dispatcher.py).
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from accord_common.events import CloudEvent
from accord_common.runtime import ServiceRuntime

from notifier.adapters.dispatch_queue import DispatchQueue
from notifier.adapters.mapping import channel_from_row, event_uuid
from notifier.config import NotifierSettings
from notifier.digest_dispatcher import DigestDispatcher
from notifier.domain import WebhookChannel, render_email, sign, webhook_message_id
from notifier.handlers.dispatch import Claim, DispatchRules, record_outcome
from notifier.mail_facts import with_names, with_previous_version
from notifier.ports import Clock, MailSender, OutgoingMail, SecretBox, SendResult, WebhookPoster

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    claim: Claim
    delivery: Any  # the deliveries row
    subscription: Any  # the subscriptions row

    @property
    def stopped(self) -> bool:
        return self.subscription.deleted_at is not None or self.subscription.disabled_at is not None


class Dispatcher:
    def __init__(
        self,
        settings: NotifierSettings,
        mail: MailSender,
        webhooks: WebhookPoster,
        secret_box: SecretBox,
        clock: Clock = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.mail = mail
        self.webhooks = webhooks
        self.secret_box = secret_box
        self.clock = clock
        self.rules = DispatchRules(
            settings.retry_policy,
            rng or random.Random(),
            settings.disable_after_consecutive_dead,
            settings.links,
        )
        self.digests = DigestDispatcher(settings, mail, self.rules, clock)

    async def run(self, runtime: ServiceRuntime) -> None:
        """Forever: one round, then a pause unless the round found a full batch."""
        while True:
            try:
                busy = await self.tick(runtime)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("dispatcher round failed; trying again")
                busy = False
            if not busy:
                await asyncio.sleep(self.settings.dispatcher_interval_seconds)

    async def tick(self, runtime: ServiceRuntime) -> bool:
        """One round: owner mails, due deliveries, due digests. True if there may be more due."""
        await self._send_owner_emails(runtime)
        jobs = await self._claim(runtime)
        await asyncio.gather(*(self._deliver_one(runtime, job) for job in jobs))
        digests = await self.digests.send_due(runtime)
        return max(len(jobs), digests) >= self.settings.dispatcher_batch_size

    async def _claim(self, runtime: ServiceRuntime) -> list[Job]:
        now = self.clock()
        token = str(uuid.uuid4())
        lease_until = now + timedelta(seconds=self.settings.delivery_lease_seconds)
        async with runtime.sessions() as session, session.begin():
            queue = DispatchQueue(session)
            ids = await queue.claim_due(now, lease_until, token, self.settings.dispatcher_batch_size)
            jobs = []
            for delivery_id in ids:
                row = await queue.claimed(delivery_id, token)
                if row is not None:
                    subscription = await queue.subscription(row.subscription_id)
                    jobs.append(Job(Claim(delivery_id, token), row, subscription))
        return jobs

    async def _deliver_one(self, runtime: ServiceRuntime, job: Job) -> None:
        result = None if job.stopped else await self._send(runtime, job)
        await record_outcome(runtime.uow(), job.claim, result, self.rules, self.clock())

    async def _send(self, runtime: ServiceRuntime, job: Job) -> SendResult:
        event = CloudEvent.from_bytes(job.delivery.event)
        message_id = webhook_message_id(event_uuid(job.delivery.event_id), uuid.UUID(job.subscription.id))
        channel = channel_from_row(job.subscription, self.secret_box)  # the secrets, decrypted
        if isinstance(channel, WebhookChannel):
            now = self.clock()
            headers = sign(message_id, now, job.delivery.event, channel.signing_secrets(now))
            headers["content-type"] = "application/json"
            if event.traceparent:
                headers["traceparent"] = event.traceparent
            return await self.webhooks.post(channel.url, job.delivery.event, headers)
        (named,) = await with_names(runtime, job.delivery.organization_id, [event])
        data = await with_previous_version(runtime, event.type, named)
        rendered = render_email(event.type, data, self.rules.links)
        mail = OutgoingMail(
            channel.recipients,
            rendered.subject,
            rendered.text,
            rendered.html,
            f"<{message_id}@accord.notifier>",
        )
        return await self.mail.send(mail)

    async def _send_owner_emails(self, runtime: ServiceRuntime) -> None:
        now = self.clock()
        lease_until = now + timedelta(seconds=self.settings.delivery_lease_seconds)
        async with runtime.sessions() as session, session.begin():
            rows = await DispatchQueue(session).claim_owner_emails(now, lease_until, 10)
        for row in rows:
            mail = OutgoingMail(
                (row.recipient,), row.subject, row.text_body, row.html_body, f"<{row.id}@accord.notifier>"
            )
            result = await self.mail.send(mail)
            sent = result.status_code is not None and 200 <= result.status_code <= 299
            async with runtime.sessions() as session, session.begin():
                await DispatchQueue(session).owner_email_done(
                    row.id, self.clock() if sent else None, result.error
                )
