"""The send loop's queries: claim due work under a lease, record attempts, owner emails.

Claims use `SELECT ... FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite has one writer anyway) and set
`locked_until`: a replica that dies mid-send leaves a lease that runs out, and the delivery is
claimed again. `lease_token` makes sure only the current holder records the outcome.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Row, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.orm import deliveries, delivery_attempts, owner_emails, subscriptions
from notifier.adapters.repository import OPEN
from notifier.domain import Delivery, DeliveryStatus

# A mail to a subscription's owner is tried this many times, one lease apart, then left logged.
MAX_OWNER_EMAIL_ATTEMPTS = 20


def _due(skipping: bool) -> Any:
    """Due deliveries, at most `per_endpoint` of each subscription (its oldest), locked."""
    due_now = and_(
        deliveries.c.status.in_(OPEN),
        deliveries.c.next_attempt_at <= bindparam("now"),
        deliveries.c.via_digest.is_(False),  # those go in their digests (digest_queue.py)
        or_(deliveries.c.locked_until.is_(None), deliveries.c.locked_until < bindparam("now")),
    )
    if skipping:
        due_now = and_(due_now, deliveries.c.subscription_id.not_in(bindparam("skip", expanding=True)))
    place = func.row_number().over(
        partition_by=deliveries.c.subscription_id,
        order_by=(deliveries.c.next_attempt_at, deliveries.c.id),
    )
    ranked = select(deliveries.c.id, place.label("place")).where(due_now).subquery()
    first_of_each = select(ranked.c.id).where(ranked.c.place <= bindparam("per_endpoint"))
    return (
        select(deliveries.c.id, deliveries.c.subscription_id)
        .where(due_now, deliveries.c.id.in_(first_of_each))  # rechecked when a row is locked
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(skip_locked=True)
    )


# The send loop's statements, built once with their values bound per call: a statement built with
# its values each time cost more to make and look up in SQLAlchemy's compiled cache than to run.
_DUE, _DUE_SKIPPING = _due(False), _due(True)
_LEASE = update(deliveries).where(deliveries.c.id.in_(bindparam("ids", expanding=True)))
_HELD = and_(deliveries.c.lease_token == bindparam("token"), deliveries.c.status.in_(OPEN))
# the delivery (locked) with its subscription's health as it stands (read, not locked)
_CLAIMED = (
    select(
        deliveries,
        subscriptions.c.consecutive_dead.label("subscription_consecutive_dead"),
        subscriptions.c.disabled_at.label("subscription_disabled_at"),
    )
    .join_from(deliveries, subscriptions, deliveries.c.subscription_id == subscriptions.c.id)
    .where(deliveries.c.id == bindparam("id"), _HELD)
    .with_for_update(of=deliveries)
)
_CLAIMED_MANY = select(deliveries).where(deliveries.c.id.in_(bindparam("ids", expanding=True)), _HELD)
_SUBSCRIPTIONS = select(subscriptions).where(subscriptions.c.id.in_(bindparam("ids", expanding=True)))
_SUBSCRIPTION = select(subscriptions).where(subscriptions.c.id == bindparam("id"))
_SUBSCRIPTION_FOR_UPDATE = _SUBSCRIPTION.with_for_update()
_ATTEMPTS = (
    select(delivery_attempts)
    .where(delivery_attempts.c.delivery_id == bindparam("id"))
    .order_by(delivery_attempts.c.number)
)
_ADD_ATTEMPT = insert(delivery_attempts)
_RECORD = update(deliveries).where(deliveries.c.id == bindparam("id_"))


class DispatchQueue:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def due(
        self, now: datetime, limit: int, per_endpoint: int, skip_endpoints: Collection[str]
    ) -> list[tuple[str, str]]:
        """Due deliveries as (id, subscription id), oldest first, locked for this transaction.

        At most `per_endpoint` of each subscription (its oldest), none of `skip_endpoints`: a
        subscription with a long backlog does not fill the claim and keep others waiting."""
        values: dict[str, Any] = {"now": now, "limit": limit, "per_endpoint": per_endpoint}
        if skip_endpoints:
            values["skip"] = list(skip_endpoints)
        query = _DUE_SKIPPING if skip_endpoints else _DUE
        return [(row.id, row.subscription_id) for row in (await self.session.execute(query, values)).all()]

    async def lease(self, delivery_ids: Collection[str], lease_until: datetime, token: str) -> None:
        if delivery_ids:
            values = {"ids": list(delivery_ids), "locked_until": lease_until, "lease_token": token}
            await self.session.execute(_LEASE, values)

    async def claimed(self, delivery_id: str, token: str) -> Row[Any] | None:
        """The delivery if this replica still holds its lease and it is still open, locked, with
        its subscription's `consecutive_dead` and `disabled_at` as `subscription_...` columns."""
        return (await self.session.execute(_CLAIMED, {"id": delivery_id, "token": token})).first()

    async def claimed_many(self, delivery_ids: Collection[str], token: str) -> list[Row[Any]]:
        """`claimed` for many deliveries in one query: those this replica holds, still open, in the
        order of `delivery_ids`."""
        if not delivery_ids:
            return []
        values = {"ids": list(delivery_ids), "token": token}
        found = {row.id: row for row in (await self.session.execute(_CLAIMED_MANY, values)).all()}
        return [found[i] for i in delivery_ids if i in found]

    async def subscriptions_by_id(self, subscription_ids: Collection[str]) -> dict[str, Row[Any]]:
        values = {"ids": sorted(set(subscription_ids))}
        return {row.id: row for row in (await self.session.execute(_SUBSCRIPTIONS, values)).all()}

    async def attempts(self, delivery_id: str) -> Sequence[Row[Any]]:
        return (await self.session.execute(_ATTEMPTS, {"id": delivery_id})).all()

    async def subscription(self, subscription_id: str, *, for_update: bool = False) -> Row[Any]:
        query = _SUBSCRIPTION_FOR_UPDATE if for_update else _SUBSCRIPTION
        row = (await self.session.execute(query, {"id": subscription_id})).first()
        if row is None:
            raise LookupError(f"subscription {subscription_id} vanished")
        return row

    async def record(
        self, delivery_id: str, delivery: Delivery, previous_attempts: int, now: datetime
    ) -> None:
        """Store the attempts made since loading and the delivery's new state; release the lease."""
        for attempt in delivery.attempts[previous_attempts:]:
            values = {
                "delivery_id": delivery_id,
                "number": attempt.number,
                "at": attempt.at,
                "status_code": attempt.status_code,
                "latency_ms": attempt.latency_ms,
                "outcome": attempt.outcome.value,
                "error": attempt.error,
            }
            await self.session.execute(_ADD_ATTEMPT, values)
        state = {
            "id_": delivery_id,
            "status": delivery.status.value,
            "next_attempt_at": delivery.next_attempt_at,
            "locked_until": None,
            "lease_token": None,
            "ended_at": None if delivery.is_open else now,
        }
        await self.session.execute(_RECORD, state)

    async def update_subscription(self, subscription_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(
            update(subscriptions).where(subscriptions.c.id == subscription_id).values(**values)
        )

    async def disable_open(self, subscription_id: str, now: datetime) -> None:
        await self.session.execute(
            update(deliveries)
            .where(deliveries.c.subscription_id == subscription_id, deliveries.c.status.in_(OPEN))
            .values(status=DeliveryStatus.DISABLED.value, next_attempt_at=None, ended_at=now)
        )

    async def add_owner_email(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(owner_emails).values(attempts=0, **values))

    async def claim_owner_emails(self, now: datetime, lease_until: datetime, limit: int) -> list[Row[Any]]:
        due = (
            select(owner_emails)
            .where(
                owner_emails.c.sent_at.is_(None),
                owner_emails.c.attempts < MAX_OWNER_EMAIL_ATTEMPTS,
                or_(owner_emails.c.locked_until.is_(None), owner_emails.c.locked_until < now),
            )
            .order_by(owner_emails.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = list((await self.session.execute(due)).all())
        if rows:
            await self.session.execute(
                update(owner_emails)
                .where(owner_emails.c.id.in_([row.id for row in rows]))
                .values(locked_until=lease_until, attempts=owner_emails.c.attempts + 1)
            )
        return rows

    async def owner_email_done(self, email_id: str, sent_at: datetime | None, error: str | None) -> None:
        """Sent (sent_at set), or failed: the lease runs out and it is tried again later."""
        await self.session.execute(
            update(owner_emails)
            .where(owner_emails.c.id == email_id)
            .values(sent_at=sent_at, last_error=error)
        )
