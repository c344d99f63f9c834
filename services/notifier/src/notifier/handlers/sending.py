"""Sending deliveries: claim what is due under a lease, send one, record how it went.

Claiming and recording each take their own unit of work; nothing is held open across the network
call. A send cut short by the service stopping (the drain deadline passed) is recorded as an
attempt without an answer, so it is retried (with the same webhook-id / Message-ID) on the retry
schedule rather than when the lease runs out.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accord_common.events import CloudEvent
from accord_common.uow import UnitOfWork

from notifier.adapters.dispatch_queue import DispatchQueue
from notifier.adapters.mail_facts import with_names, with_previous_version
from notifier.adapters.mapping import channel_from_row, event_uuid
from notifier.adapters.send_metrics import observed
from notifier.domain import SendCapacity, WebhookChannel, render_email, sign, webhook_message_id
from notifier.domain.send_capacity import NONE_EARNED
from notifier.handlers.dispatch import Claim, DispatchRules, record_outcome
from notifier.ports import Clock, MailSender, OutgoingMail, SecretBox, SendResult, WebhookPoster

NewUnitOfWork = Callable[[], UnitOfWork]
INTERRUPTED = "interrupted: the notifier stopped before the answer came"


@dataclass(frozen=True)
class Senders:
    """What sending needs: the outside world, the rules, the clock."""

    mail: MailSender
    webhooks: WebhookPoster
    secret_box: SecretBox
    rules: DispatchRules
    clock: Clock


@dataclass(frozen=True)
class Lease:
    token: str
    until: datetime


@dataclass(frozen=True)
class DeliveryJob:
    claim: Claim
    delivery: Any  # the deliveries row
    subscription: Any  # the subscriptions row

    @property
    def endpoint(self) -> str:
        return str(self.delivery.subscription_id)

    @property
    def stopped(self) -> bool:
        return self.subscription.deleted_at is not None or self.subscription.disabled_at is not None


async def claim_deliveries(
    uow: UnitOfWork,
    now: datetime,
    lease: Lease,
    capacity: SendCapacity,
    busy: Mapping[str, int],
    limit: int,
    earned: Mapping[str, int] = NONE_EARNED,
) -> list[DeliveryJob]:
    """Lease up to `limit` due deliveries that may start now (the pool and each endpoint's share
    allowing); `busy` counts the sends in flight per endpoint, `earned` the shares endpoints earned."""
    free = min(capacity.free(busy), limit)
    if free <= 0:
        return []
    async with uow:
        queue = DispatchQueue(uow.session)
        full = capacity.full(busy, earned)
        due = await queue.due(now, free * capacity.ceiling, capacity.ceiling, full)
        chosen = capacity.choose(due, busy, earned)[:free]
        await queue.lease(chosen, lease.until, lease.token)
        rows = await queue.claimed_many(chosen, lease.token)
        subscriptions = await queue.subscriptions_by_id([row.subscription_id for row in rows])
        jobs = [
            DeliveryJob(Claim(row.id, lease.token), row, subscriptions[row.subscription_id]) for row in rows
        ]
        await uow.commit()
    return jobs


async def send_delivery(new_uow: NewUnitOfWork, senders: Senders, job: DeliveryJob) -> SendResult | None:
    """Send one claimed delivery (unless its subscription was stopped) and record the attempt;
    returns how the receiver answered (None: nothing was sent)."""
    if job.stopped:
        await record_outcome(new_uow(), job.claim, None, senders.rules, senders.clock())
        return None
    started = time.perf_counter()
    try:
        result = await _send(new_uow, senders, job)
    except asyncio.CancelledError:
        interrupted = SendResult(None, int((time.perf_counter() - started) * 1000), INTERRUPTED)
        await record_outcome(new_uow(), job.claim, interrupted, senders.rules, senders.clock())
        raise
    await record_outcome(new_uow(), job.claim, result, senders.rules, senders.clock())
    return result


async def _send(new_uow: NewUnitOfWork, senders: Senders, job: DeliveryJob) -> SendResult:
    event = CloudEvent.from_bytes(job.delivery.event)
    message_id = webhook_message_id(event_uuid(job.delivery.event_id), uuid.UUID(job.subscription.id))
    channel = channel_from_row(job.subscription, senders.secret_box)  # the secrets, decrypted
    if isinstance(channel, WebhookChannel):
        now = senders.clock()
        headers = sign(message_id, now, job.delivery.event, channel.signing_secrets(now))
        headers["content-type"] = "application/cloudevents+json; charset=UTF-8"  # structured mode
        if event.traceparent:
            headers["traceparent"] = event.traceparent
        return observed("webhook", await senders.webhooks.post(channel.url, job.delivery.event, headers))
    async with new_uow() as uow:  # reads only: names from the contract projection
        (named,) = await with_names(uow.session, job.delivery.organization_id, [event])
        data = await with_previous_version(uow.session, event.type, named)
    rendered = render_email(event.type, data, senders.rules.links)
    mail = OutgoingMail(
        channel.recipients,
        rendered.subject,
        rendered.text,
        rendered.html,
        f"<{message_id}@accord.notifier>",  # the same on every retry, resend and replay
    )
    return observed("email", await senders.mail.send(mail))
