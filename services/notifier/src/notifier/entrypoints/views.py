"""Rows as the API shows them (never with a signing secret)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from notifier.adapters.mapping import as_utc, event_uuid
from notifier.domain import webhook_message_id


def subscription_view(row: Any, secret: str | None = None) -> dict[str, Any]:
    if row.channel_kind == "webhook":
        channel: dict[str, Any] = {"kind": "webhook", "url": row.webhook_url}
        if secret is not None:
            channel["secret"] = secret
    else:
        channel = {"kind": "email", "recipients": list(row.recipients or []), "digest": bool(row.digest)}
    return {
        "id": row.id,
        "name": row.name,
        "event_types": list(row.event_types),
        "filters": dict(row.filters or {}),
        "channel": channel,
        "owner_email": row.owner_email,
        "enabled": row.disabled_at is None,
        "disabled_at": as_utc(row.disabled_at),
        "disabled_reason": row.disabled_reason,
        "created_at": as_utc(row.created_at),
        "updated_at": as_utc(row.updated_at),
    }


def delivery_view(row: Any, attempts: Sequence[Any]) -> dict[str, Any]:
    webhook_id = None
    if row.channel_kind == "webhook":
        webhook_id = webhook_message_id(event_uuid(row.event_id), uuid.UUID(row.subscription_id))
    return {
        "id": row.id,
        "subscription_id": row.subscription_id,
        "event_id": row.event_id,
        "event_type": row.event_type,
        "channel": row.channel_kind,
        "status": row.status,
        "webhook_id": webhook_id,
        "next_attempt_at": as_utc(row.next_attempt_at),
        "created_at": as_utc(row.created_at),
        "ended_at": as_utc(row.ended_at),
        "attempts": [
            {
                "number": a.number,
                "at": as_utc(a.at),
                "status_code": a.status_code,
                "latency_ms": a.latency_ms,
                "outcome": a.outcome,
                "error": a.error,
            }
            for a in attempts
        ],
    }
