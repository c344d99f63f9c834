"""All queries of the API and the consumer, each scoped to one organisation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from accord_common.errors import NotFound
from sqlalchemy import Row, and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.orm import deliveries, delivery_attempts, subscriptions
from notifier.domain import DeliveryStatus

ENDED_UNDELIVERED = (DeliveryStatus.DEAD.value, DeliveryStatus.DISABLED.value)
OPEN = (DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value)


class SubscriptionRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def _visible(self) -> Any:
        return and_(
            subscriptions.c.organization_id == self.organization_id,
            subscriptions.c.deleted_at.is_(None),
        )

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(
            insert(subscriptions).values(organization_id=self.organization_id, **values)
        )

    async def get(self, subscription_id: str, *, for_update: bool = False) -> Row[Any]:
        query = select(subscriptions).where(subscriptions.c.id == subscription_id, self._visible())
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        if row is None:
            raise NotFound(f"subscription {subscription_id} not found")
        return row

    async def page(self, after: str | None, limit: int) -> Sequence[Row[Any]]:
        query = select(subscriptions).where(self._visible())
        if after:
            query = query.where(subscriptions.c.id > after)
        rows = await self.session.execute(query.order_by(subscriptions.c.id).limit(limit))
        return rows.all()

    async def update(self, subscription_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(
            update(subscriptions)
            .where(subscriptions.c.id == subscription_id, self._visible())
            .values(**values)
        )

    async def active(self) -> Sequence[Row[Any]]:
        """Enabled subscriptions, the candidates for an event of this organisation."""
        return (await self.session.execute(_ACTIVE, {"org": self.organization_id})).all()


# built once, values bound per call: the consumer's statements for each event (a statement built
# with its values cost more to make and look up in SQLAlchemy's compiled cache than to run)
_ACTIVE = (
    select(subscriptions)
    .where(
        subscriptions.c.organization_id == bindparam("org"),
        subscriptions.c.deleted_at.is_(None),
        subscriptions.c.disabled_at.is_(None),
    )
    .order_by(subscriptions.c.id)
)
_ADD_ONCE = {
    name: dialect.insert(deliveries).on_conflict_do_nothing(index_elements=["event_id", "subscription_id"])
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


class DeliveryRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(deliveries).values(organization_id=self.organization_id, **values))

    async def add_once(self, values: dict[str, Any]) -> bool:
        """Add the delivery unless this event's delivery to this subscription exists; True if added
        (one statement: the unique (event, subscription) constraint decides)."""
        dialect = self.session.get_bind().dialect.name
        statement = _ADD_ONCE["postgresql" if dialect == "postgresql" else "sqlite"]
        result: Any = await self.session.execute(
            statement, {**values, "organization_id": self.organization_id}
        )
        return bool(result.rowcount == 1)

    async def get(self, delivery_id: str, *, for_update: bool = False) -> Row[Any]:
        query = select(deliveries).where(
            deliveries.c.id == delivery_id, deliveries.c.organization_id == self.organization_id
        )
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        if row is None:
            raise NotFound(f"delivery {delivery_id} not found")
        return row

    async def page(
        self, filters: dict[str, str | None], before: tuple[datetime, str] | None, limit: int
    ) -> Sequence[Row[Any]]:
        """Newest first, optionally by subscription and status; `before` is the keyset cursor."""
        query = select(deliveries).where(deliveries.c.organization_id == self.organization_id)
        if filters.get("subscription_id"):
            query = query.where(deliveries.c.subscription_id == filters["subscription_id"])
        if filters.get("status"):
            query = query.where(deliveries.c.status == filters["status"])
        if before is not None:
            at, last_id = before
            query = query.where(
                or_(
                    deliveries.c.created_at < at,
                    and_(deliveries.c.created_at == at, deliveries.c.id < last_id),
                )
            )
        order = (deliveries.c.created_at.desc(), deliveries.c.id.desc())
        return (await self.session.execute(query.order_by(*order).limit(limit))).all()

    async def attempts(self, delivery_ids: Sequence[str]) -> dict[str, list[Row[Any]]]:
        by_delivery: dict[str, list[Row[Any]]] = {delivery_id: [] for delivery_id in delivery_ids}
        if not delivery_ids:
            return by_delivery
        query = (
            select(delivery_attempts)
            .where(delivery_attempts.c.delivery_id.in_(delivery_ids))
            .order_by(delivery_attempts.c.delivery_id, delivery_attempts.c.number)
        )
        for row in (await self.session.execute(query)).all():
            by_delivery[row.delivery_id].append(row)
        return by_delivery

    async def ended_undelivered(self, subscription_id: str) -> Sequence[Row[Any]]:
        query = select(deliveries).where(
            deliveries.c.organization_id == self.organization_id,
            deliveries.c.subscription_id == subscription_id,
            deliveries.c.status.in_(ENDED_UNDELIVERED),
        )
        return (await self.session.execute(query.with_for_update())).all()

    async def set_state(self, delivery_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(**values))

    async def disable_open(self, subscription_id: str, now: datetime) -> None:
        """Stop every open delivery of a subscription that was switched off or deleted."""
        await self.session.execute(
            update(deliveries)
            .where(
                deliveries.c.organization_id == self.organization_id,
                deliveries.c.subscription_id == subscription_id,
                deliveries.c.status.in_(OPEN),
            )
            .values(status=DeliveryStatus.DISABLED.value, next_attempt_at=None, ended_at=now)
        )
