"""Deliveries an operator sends again: one, or every failed one of a subscription."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accord_common.errors import Conflict
from accord_common.uow import UnitOfWork

from notifier.adapters.mapping import delivery_from_rows
from notifier.adapters.repository import DeliveryRepository, SubscriptionRepository
from notifier.domain import InvalidDeliveryTransition
from notifier.handlers.events import DELIVERIES_DUE


async def replay_delivery(uow: UnitOfWork, organization_id: str, delivery_id: str, now: datetime) -> None:
    async with uow:
        repo = DeliveryRepository(uow.session, organization_id)
        row = await repo.get(delivery_id, for_update=True)
        await _require_enabled(uow, organization_id, row.subscription_id)
        await _reopen(repo, row, now)
        uow.wake_on_commit(DELIVERIES_DUE)
        await uow.commit()


async def replay_failed(uow: UnitOfWork, organization_id: str, subscription_id: str, now: datetime) -> int:
    """Send every dead or disabled delivery of the subscription again; returns how many."""
    async with uow:
        await _require_enabled(uow, organization_id, subscription_id)
        repo = DeliveryRepository(uow.session, organization_id)
        rows = await repo.ended_undelivered(subscription_id)
        for row in rows:
            await _reopen(repo, row, now)
        uow.wake_on_commit(DELIVERIES_DUE)
        await uow.commit()
    return len(rows)


async def _require_enabled(uow: UnitOfWork, organization_id: str, subscription_id: str) -> None:
    subscription = await SubscriptionRepository(uow.session, organization_id).get(subscription_id)
    if subscription.disabled_at is not None:
        raise Conflict("the subscription is disabled: enable it before replaying its deliveries")


async def _reopen(repo: DeliveryRepository, row: Any, now: datetime) -> None:
    attempts = (await repo.attempts([row.id]))[row.id]
    try:
        reopened = delivery_from_rows(row, attempts).redeliver(now)
    except InvalidDeliveryTransition as refusal:
        raise Conflict(f"delivery {row.id}: {refusal}")
    await repo.set_state(
        row.id,
        {
            "status": reopened.status.value,
            "next_attempt_at": reopened.next_attempt_at,
            "ended_at": None,
            "locked_until": None,
            "lease_token": None,
            "via_digest": False,  # a replay goes out now, on its own, not in a later digest
        },
    )
