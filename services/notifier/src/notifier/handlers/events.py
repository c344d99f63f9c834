"""An event arrives: one delivery per matching subscription, in the consumer's transaction."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from accord_common.events import CloudEvent
from accord_common.uow import UnitOfWork

from notifier.adapters.mapping import subscription_from_row
from notifier.adapters.repository import DeliveryRepository, SubscriptionRepository
from notifier.domain import DeliveryStatus, matches, next_digest_at
from notifier.ports import SecretBox

log = logging.getLogger(__name__)


async def record_deliveries(
    uow: UnitOfWork, event: CloudEvent, now: datetime, digest_hour_utc: int, box: SecretBox
) -> int:
    """Create the deliveries this event owes (none twice); the consumer loop commits.

    The unit of work is already open with the inbox row written, so deliveries and inbox row
    commit together; the unique (event, subscription) constraint backs this up across replicas.
    """
    organization_id = str(event.data.get("organization_id") or event.organizationid or "")
    if not organization_id:
        log.warning("event without an organisation ignored", extra={"event_id": event.id})
        return 0
    data = {**event.data, "organization_id": organization_id}
    candidates = await SubscriptionRepository(uow.session, organization_id).active()
    deliveries = DeliveryRepository(uow.session, organization_id)
    created = 0
    for row in candidates:
        if not matches(subscription_from_row(row, box), event.type, data):
            continue
        if await deliveries.exists(event.id, row.id):
            continue
        due = next_digest_at(now, digest_hour_utc) if row.digest else now
        await deliveries.add(
            {
                "id": str(uuid.uuid4()),
                "event_id": event.id,
                "subscription_id": row.id,
                "event_type": event.type,
                "event": event.to_bytes(),
                "channel_kind": row.channel_kind,
                "status": DeliveryStatus.PENDING.value,
                "next_attempt_at": due,
                "created_at": now,
            }
        )
        created += 1
    return created
