"""Rows of the notifier's tables to domain objects and back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from notifier.domain import (
    Attempt,
    Channel,
    ChannelKind,
    Delivery,
    DeliveryOutcome,
    DeliveryStatus,
    DigestMail,
    EmailChannel,
    EventPattern,
    SigningSecret,
    Subscription,
    SubscriptionFilter,
    WebhookChannel,
)
from notifier.ports import SecretBox


def event_uuid(event_id: str) -> UUID:
    """The event id as a UUID; a producer's non-UUID id maps to a stable name-based one."""
    try:
        return UUID(event_id)
    except ValueError:
        return uuid5(NAMESPACE_URL, f"accord-event:{event_id}")


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time the notifier stores is UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def filters_to_json(filters: SubscriptionFilter) -> dict[str, str | None]:
    minimum = filters.min_variance_amount
    return {
        "payer_id": filters.payer_id,
        "contract_id": filters.contract_id,
        "min_variance": None if minimum is None else str(minimum),
        "obligation_kind": filters.obligation_kind,
    }


def filters_from_json(data: Mapping[str, Any]) -> SubscriptionFilter:
    minimum = data.get("min_variance")
    return SubscriptionFilter(
        payer_id=data.get("payer_id"),
        contract_id=data.get("contract_id"),
        min_variance_amount=None if minimum is None else Decimal(str(minimum)),
        obligation_kind=data.get("obligation_kind"),
    )


def secrets_to_json(secrets: Iterable[SigningSecret], box: SecretBox) -> list[dict[str, str | None]]:
    """As stored: each value encrypted by the box (never the secret itself), when it retires."""
    return [
        {"value": box.encrypt(s.value), "retires_at": s.retires_at.isoformat() if s.retires_at else None}
        for s in secrets
    ]


def secrets_from_json(data: Sequence[Mapping[str, Any]], box: SecretBox) -> tuple[SigningSecret, ...]:
    return tuple(
        SigningSecret(
            box.decrypt(item["value"]),
            as_utc(datetime.fromisoformat(item["retires_at"])) if item.get("retires_at") else None,
        )
        for item in data
    )


def channel_from_row(row: Any, box: SecretBox) -> Channel:
    if row.channel_kind == ChannelKind.WEBHOOK:
        return WebhookChannel(url=row.webhook_url, secrets=secrets_from_json(row.secrets or [], box))
    return EmailChannel(recipients=tuple(row.recipients or ()))


def subscription_from_row(row: Any, box: SecretBox) -> Subscription:
    return Subscription(
        id=UUID(row.id),
        organization_id=row.organization_id,
        event_types=tuple(EventPattern(text) for text in row.event_types),
        channel=channel_from_row(row, box),
        filters=filters_from_json(row.filters or {}),
        disabled_at=as_utc(row.disabled_at),
        disabled_reason=row.disabled_reason,
    )


def attempt_from_row(row: Any) -> Attempt:
    return Attempt(
        number=row.number,
        at=as_utc(row.at) or datetime.now(UTC),
        status_code=row.status_code,
        latency_ms=row.latency_ms,
        outcome=DeliveryOutcome(row.outcome),
        error=row.error,
    )


def delivery_from_rows(row: Any, attempts: Iterable[Any]) -> Delivery:
    return Delivery(
        event_id=event_uuid(row.event_id),
        subscription_id=UUID(row.subscription_id),
        channel=ChannelKind(row.channel_kind),
        status=DeliveryStatus(row.status),
        next_attempt_at=as_utc(row.next_attempt_at),
        attempts=tuple(attempt_from_row(a) for a in sorted(attempts, key=lambda a: a.number)),
    )


def digest_mail_from_row(row: Any) -> DigestMail:
    return DigestMail(DeliveryStatus(row.status), row.attempts, as_utc(row.next_attempt_at))
