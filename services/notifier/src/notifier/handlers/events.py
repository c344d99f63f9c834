"""An event arrives: one delivery per matching subscription, in the consumer's transaction.

A delivery of an email subscription with `digest` on travels in its recipients' daily digests
(one per address, organisation and day), which it joins here, in the same transaction.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from accord_common.events import CloudEvent
from accord_common.events.payloads import Payload
from accord_common.uow import UnitOfWork

from notifier.adapters.digest_ledger import DigestLedger
from notifier.adapters.mapping import subscription_from_row
from notifier.adapters.repository import DeliveryRepository, SubscriptionRepository
from notifier.domain import ChannelKind, DeliveryStatus, Subscription, matches, next_digest_at
from notifier.ports import SecretBox

log = logging.getLogger(__name__)
_SUBSCRIPTIONS = "notifier.active_subscriptions"
# The send loop's wake-up channel: rung when a commit makes a delivery due now (see wakeups.py).
DELIVERIES_DUE = "deliveries_due"


async def record_deliveries(
    uow: UnitOfWork, event: CloudEvent, payload: Payload, now: datetime, digest_hour_utc: int, box: SecretBox
) -> int:
    """Create the deliveries this event owes (none twice); the consumer loop commits. `payload` is
    the event's data as the catalogue's model (validated at the Kafka edge); filters match on it.

    The unit of work is already open with the inbox row written, so deliveries and inbox row
    commit together; the unique (event, subscription) constraint backs this up across replicas.
    """
    organization_id = str(getattr(payload, "organization_id", None) or event.organizationid or "")
    if not organization_id:
        log.warning("event without an organisation ignored", extra={"event_id": event.id})
        return 0
    data = {**payload.model_dump(mode="json", exclude_unset=True), "organization_id": organization_id}
    deliveries = DeliveryRepository(uow.session, organization_id)
    created = 0
    for row, subscription in await _candidates(uow, organization_id, box):
        if matches(subscription, event.type, data):
            created += await _add_delivery(uow, deliveries, event, row, now, digest_hour_utc)
    return created


async def _candidates(
    uow: UnitOfWork, organization_id: str, box: SecretBox
) -> list[tuple[Any, Subscription]]:
    """The organisation's enabled subscriptions (row and decoded), read once per unit of work: a
    fetched run of events is applied in one transaction, and its events mostly share organisations.
    The memo lives in the session (`session.info`), so it ends with the transaction; a subscription
    changed meanwhile matches from the next run on."""
    memo: dict[str, list[tuple[Any, Subscription]]] = uow.session.info.setdefault(_SUBSCRIPTIONS, {})
    if organization_id not in memo:
        rows = await SubscriptionRepository(uow.session, organization_id).active()
        memo[organization_id] = [(row, subscription_from_row(row, box)) for row in rows]
    return memo[organization_id]


async def _add_delivery(
    uow: UnitOfWork,
    deliveries: DeliveryRepository,
    event: CloudEvent,
    subscription: Any,
    now: datetime,
    digest_hour_utc: int,
) -> int:
    """A delivery due now (the send loop is woken once it commits), or one that waits in its
    recipients' digests for the digest hour; 1 if made, 0 if the event had made it already."""
    via_digest = (
        bool(subscription.digest)
        and subscription.channel_kind == ChannelKind.EMAIL
        and bool(subscription.recipients)
    )
    due = next_digest_at(now, digest_hour_utc) if via_digest else now
    delivery_id = str(uuid.uuid4())
    added = await deliveries.add_once(
        {
            "id": delivery_id,
            "event_id": event.id,
            "subscription_id": subscription.id,
            "event_type": event.type,
            "event": event.to_bytes(),
            "channel_kind": subscription.channel_kind,
            "status": DeliveryStatus.PENDING.value,
            "next_attempt_at": due,
            "via_digest": via_digest,
            "created_at": now,
        }
    )
    if not added:  # this event's delivery to this subscription exists already
        return 0
    if not via_digest:
        uow.wake_on_commit(DELIVERIES_DUE)
        return 1
    ledger = DigestLedger(uow.session, deliveries.organization_id)
    digest_at = await ledger.enlist(delivery_id, subscription.recipients, due, now)
    if digest_at != due:  # today's digest had already gone: it waits for the next one
        await deliveries.set_state(delivery_id, {"next_attempt_at": digest_at})
    return 1
