"""The send loop's side of digests: claim due ones under a lease, read what they carry, record.

Claims work as for deliveries (dispatch_queue.py): `FOR UPDATE SKIP LOCKED`, a lease that runs
out if the sender dies, and a lease token so only the current holder records. The first claim
also seals the digest: from then on nothing joins it (digest_ledger.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.orm import deliveries, digest_items, digests, subscriptions
from notifier.adapters.repository import OPEN
from notifier.domain import DeliveryStatus, DigestMail


class DigestQueue:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_due(self, now: datetime, lease_until: datetime, token: str, limit: int) -> list[str]:
        due = (
            select(digests.c.id)
            .where(
                digests.c.status.in_(OPEN),
                digests.c.next_attempt_at <= now,
                or_(digests.c.locked_until.is_(None), digests.c.locked_until < now),
            )
            .order_by(digests.c.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list((await self.session.scalars(due)).all())
        if ids:
            await self.session.execute(
                update(digests)
                .where(digests.c.id.in_(ids))
                .values(
                    locked_until=lease_until,
                    lease_token=token,
                    sealed_at=func.coalesce(digests.c.sealed_at, now),
                )
            )
        return ids

    async def claimed(self, digest_id: str, token: str, *, for_update: bool = False) -> Row[Any] | None:
        """The digest if this replica still holds its lease and it is still open."""
        query = select(digests).where(
            digests.c.id == digest_id, digests.c.lease_token == token, digests.c.status.in_(OPEN)
        )
        return (await self.session.execute(query.with_for_update() if for_update else query)).first()

    async def contents(self, digest_id: str) -> Sequence[Any]:
        """Each delivery the digest holds, with its subscription, in the order the events came."""
        query = (
            select(
                deliveries.c.id.label("delivery_id"),
                deliveries.c.status,
                deliveries.c.via_digest,
                deliveries.c.event_id,
                deliveries.c.event_type,
                deliveries.c.event,
                subscriptions.c.name.label("subscription_name"),
                subscriptions.c.recipients,
                subscriptions.c.deleted_at,
                subscriptions.c.disabled_at,
            )
            .join(deliveries, deliveries.c.id == digest_items.c.delivery_id)
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .where(digest_items.c.digest_id == digest_id)
            .order_by(deliveries.c.created_at, deliveries.c.id)
        )
        return (await self.session.execute(query)).all()

    async def record(
        self, digest_id: str, mail: DigestMail, status_code: int | None, error: str | None, now: datetime
    ) -> None:
        """Store the digest's new state; release the lease."""
        await self.session.execute(
            update(digests)
            .where(digests.c.id == digest_id)
            .values(
                status=mail.status.value,
                attempts=mail.attempts,
                next_attempt_at=mail.next_attempt_at,
                last_status_code=status_code,
                last_error=error,
                locked_until=None,
                lease_token=None,
                ended_at=None if mail.is_open else now,
            )
        )

    async def drop(self, digest_id: str, delivery_ids: Iterable[str]) -> None:
        """Take deliveries out of the digest: it did not carry them."""
        dropped = list(delivery_ids)
        if dropped:
            await self.session.execute(
                delete(digest_items).where(
                    digest_items.c.digest_id == digest_id, digest_items.c.delivery_id.in_(dropped)
                )
            )

    async def waiting_delivery(self, delivery_id: str) -> Row[Any] | None:
        """The delivery, locked, if it is still open and still travels in digests."""
        query = select(deliveries).where(
            deliveries.c.id == delivery_id,
            deliveries.c.status.in_(OPEN),
            deliveries.c.via_digest.is_(True),
        )
        return (await self.session.execute(query.with_for_update())).first()

    async def statuses_carrying(self, delivery_id: str) -> list[DeliveryStatus]:
        """The status of every digest that holds the delivery."""
        query = (
            select(digests.c.status)
            .join(digest_items, digest_items.c.digest_id == digests.c.id)
            .where(digest_items.c.delivery_id == delivery_id)
        )
        return [DeliveryStatus(status) for status in (await self.session.scalars(query)).all()]
