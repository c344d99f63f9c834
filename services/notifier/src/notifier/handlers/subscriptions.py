"""Subscriptions: create, change, delete, rotate a webhook's secret, enable again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accord_common.errors import Conflict
from accord_common.uow import UnitOfWork

from notifier.adapters.mapping import channel_from_row, secrets_to_json
from notifier.adapters.repository import DeliveryRepository, SubscriptionRepository
from notifier.domain import ROTATION_OVERLAP, SigningSecret, WebhookChannel, generate_secret
from notifier.handlers.validation import UrlGuard, invalid, subscription_columns
from notifier.ports import SecretBox


@dataclass(frozen=True)
class IssuedSecret:
    """A signing secret, shown to the caller once and never again."""

    secret: str
    previous_retires_at: datetime | None = None


async def create_subscription(
    uow: UnitOfWork,
    organization_id: str,
    body: dict[str, Any],
    guard: UrlGuard,
    box: SecretBox,
    now: datetime,
) -> tuple[str, IssuedSecret | None]:
    columns = await subscription_columns(body, guard)
    issued = None
    if columns["channel_kind"] == "webhook":
        issued = IssuedSecret(generate_secret())
        columns["secrets"] = secrets_to_json([SigningSecret(issued.secret)], box)
    subscription_id = str(uuid.uuid4())
    async with uow:
        await SubscriptionRepository(uow.session, organization_id).add(
            {"id": subscription_id, "consecutive_dead": 0, "created_at": now, "updated_at": now, **columns}
        )
        await uow.commit()
    return subscription_id, issued


async def update_subscription(
    uow: UnitOfWork,
    organization_id: str,
    subscription_id: str,
    changes: dict[str, Any],
    guard: UrlGuard,
    now: datetime,
) -> None:
    """Change the fields given; a channel keeps its kind (and a webhook its secrets)."""
    async with uow:
        repo = SubscriptionRepository(uow.session, organization_id)
        current = await repo.get(subscription_id, for_update=True)
        if "channel" in changes and changes["channel"]["kind"] != current.channel_kind:
            raise invalid("channel.kind", "a channel cannot change kind; create a new subscription")
        columns = await subscription_columns(changes, guard)
        await repo.update(subscription_id, {**columns, "updated_at": now})
        await uow.commit()


async def delete_subscription(
    uow: UnitOfWork, organization_id: str, subscription_id: str, now: datetime
) -> None:
    """Remove the subscription (its deliveries stay, as history); open deliveries stop."""
    async with uow:
        repo = SubscriptionRepository(uow.session, organization_id)
        await repo.get(subscription_id, for_update=True)
        await repo.update(subscription_id, {"deleted_at": now, "updated_at": now})
        await DeliveryRepository(uow.session, organization_id).disable_open(subscription_id, now)
        await uow.commit()


async def rotate_secret(
    uow: UnitOfWork, organization_id: str, subscription_id: str, box: SecretBox, now: datetime
) -> IssuedSecret:
    """A new secret signs from now on; the old one keeps signing for the overlap."""
    async with uow:
        repo = SubscriptionRepository(uow.session, organization_id)
        row = await repo.get(subscription_id, for_update=True)
        channel = channel_from_row(row, box)
        if not isinstance(channel, WebhookChannel):
            raise Conflict("only webhook subscriptions have a signing secret")
        new_secret = generate_secret()
        rotated = channel.rotate(new_secret, now, ROTATION_OVERLAP)
        stored = secrets_to_json(rotated.secrets, box)
        await repo.update(subscription_id, {"secrets": stored, "updated_at": now})
        await uow.commit()
    return IssuedSecret(new_secret, now + ROTATION_OVERLAP)


async def enable_subscription(
    uow: UnitOfWork, organization_id: str, subscription_id: str, now: datetime
) -> None:
    """Switch a disabled subscription back on, with a clean slate for its endpoint's health."""
    async with uow:
        repo = SubscriptionRepository(uow.session, organization_id)
        await repo.get(subscription_id, for_update=True)
        values = {"disabled_at": None, "disabled_reason": None, "consecutive_dead": 0, "updated_at": now}
        await repo.update(subscription_id, values)
        await uow.commit()
