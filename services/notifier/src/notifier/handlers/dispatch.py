"""The outcome of one attempt, recorded: the delivery moves on, the endpoint's health follows.

An ended delivery publishes notification.delivered or notification.failed. A webhook that keeps
failing (or answers 410 Gone) has its subscription disabled, its open deliveries stopped and a
mail to its owner queued, all in the same transaction.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from accord_common.events import new_event
from accord_common.uow import UnitOfWork

from notifier.adapters.dispatch_queue import DispatchQueue
from notifier.adapters.mapping import delivery_from_rows
from notifier.domain import (
    ChannelKind,
    Delivery,
    DeliveryStatus,
    EndpointHealth,
    RandomSource,
    RecordLinks,
    RetryPolicy,
    render_email,
)
from notifier.ports import SendResult

log = logging.getLogger(__name__)
SOURCE = "notifier"


@dataclass(frozen=True)
class DispatchRules:
    policy: RetryPolicy
    rng: RandomSource
    disable_after: int
    links: RecordLinks


@dataclass(frozen=True)
class Claim:
    delivery_id: str
    lease_token: str


async def record_outcome(
    uow: UnitOfWork, claim: Claim, result: SendResult | None, rules: DispatchRules, now: datetime
) -> DeliveryStatus | None:
    """Record one attempt (or, with no result, stop the delivery: its subscription is off).

    Returns the new status, or None if this replica no longer holds the lease.
    """
    async with uow:
        queue = DispatchQueue(uow.session)
        row = await queue.claimed(claim.delivery_id, claim.lease_token)
        if row is None:
            return None
        attempts = await queue.attempts(row.id)
        before = delivery_from_rows(row, attempts)
        after = _next_state(before, result, rules, now)
        await queue.record(row.id, after, len(attempts), now)
        if not after.is_open:
            health = SubscriptionHealth(row.subscription_consecutive_dead, row.subscription_disabled_at)
            await delivery_ended(uow, queue, row, after, rules, now, seen=health)
        await uow.commit()
    return after.status


def _next_state(
    delivery: Delivery, result: SendResult | None, rules: DispatchRules, now: datetime
) -> Delivery:
    if result is None:
        return delivery.disable()
    return delivery.record_attempt(
        now,
        result.status_code,
        result.latency_ms,
        rules.rng,
        error=result.error,
        retry_after=result.retry_after,
        policy=rules.policy,
    )


@dataclass(frozen=True)
class SubscriptionHealth:
    """A subscription's health as read (not locked): what decides whether it changes."""

    consecutive_dead: int
    disabled_at: datetime | None


async def delivery_ended(
    uow: UnitOfWork,
    queue: DispatchQueue,
    row: Any,
    delivery: Delivery,
    rules: DispatchRules,
    now: datetime,
    *,
    seen: SubscriptionHealth | None = None,
) -> None:
    """Publish how the delivery ended; a webhook's endpoint health follows it (`seen`: the
    subscription's health read with the delivery, else read here)."""
    uow.publish(_notification_event(row, delivery, now))
    if delivery.channel is not ChannelKind.WEBHOOK:
        return
    if seen is None:  # no lock while the endpoint stays healthy
        read = await queue.subscription(row.subscription_id)
        seen = SubscriptionHealth(read.consecutive_dead, read.disabled_at)
    unchanged = _health_after(seen, delivery, rules)
    if seen.disabled_at is not None or (
        unchanged == _health_of(seen, rules) and not unchanged.should_disable
    ):
        return
    subscription = await queue.subscription(row.subscription_id, for_update=True)
    if subscription.disabled_at is not None:
        return
    health = _health_after(subscription, delivery, rules)
    values: dict[str, Any] = {"consecutive_dead": health.consecutive_dead}
    if health.should_disable:
        reason = health.disable_reason or "Deliveries kept failing."
        values |= {"disabled_at": now, "disabled_reason": reason, "updated_at": now}
        await _endpoint_disabled(queue, subscription, reason, rules.links, now)
    await queue.update_subscription(subscription.id, values)


def _health_of(subscription: Any, rules: DispatchRules) -> EndpointHealth:
    return EndpointHealth(subscription.consecutive_dead, threshold=rules.disable_after)


def _health_after(subscription: Any, delivery: Delivery, rules: DispatchRules) -> EndpointHealth:
    return _health_of(subscription, rules).after(delivery)


async def _endpoint_disabled(
    queue: DispatchQueue, subscription: Any, reason: str, links: RecordLinks, now: datetime
) -> None:
    """Stop the subscription's open deliveries and queue the mail that tells its owner."""
    log.warning("webhook subscription disabled", extra={"subscription_id": subscription.id})
    await queue.disable_open(subscription.id, now)
    if not subscription.owner_email:
        log.warning("disabled subscription has no owner email", extra={"subscription_id": subscription.id})
        return
    facts = {
        "destination": _origin(subscription.webhook_url),
        "reason": reason,
        "subscription_id": subscription.id,
    }
    mail = render_email("notification.endpoint_disabled", facts, links)
    await queue.add_owner_email(
        {
            "id": str(uuid.uuid4()),
            "organization_id": subscription.organization_id,
            "subscription_id": subscription.id,
            "recipient": subscription.owner_email,
            "subject": mail.subject,
            "text_body": mail.text,
            "html_body": mail.html,
            "created_at": now,
        }
    )


def _origin(url: str | None) -> str:
    """The endpoint as named to a person: scheme and host only (paths may carry tokens)."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "your webhook endpoint"


def _notification_event(row: Any, delivery: Delivery, now: datetime) -> Any:
    last = delivery.attempts[-1] if delivery.attempts else None
    data = {
        "organization_id": row.organization_id,
        "delivery_id": row.id,
        "event_id": row.event_id,
        "event_type": row.event_type,
        "subscription_id": row.subscription_id,
        "channel": delivery.channel.value,
        "attempts": len(delivery.attempts),
        "at": now,
        "error": None if delivery.status is DeliveryStatus.DELIVERED or last is None else last.error,
    }
    event_type = delivery.notification_event_type or "notification.failed"
    return new_event(
        event_type, source=SOURCE, subject=row.id, data=data, organization_id=row.organization_id
    )
