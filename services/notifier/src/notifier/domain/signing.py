"""Standard Webhooks signatures: webhook-id, webhook-timestamp and webhook-signature headers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID, uuid5

from standardwebhooks import Webhook

from .channels import secret_key
from .errors import NotifierDomainError

# Fixed forever: changing it would change every message id and defeat receivers' deduplication.
WEBHOOK_ID_NAMESPACE = UUID("5d0b7a52-4c1e-4b8e-9a51-3f5f2f1c7a10")
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def webhook_message_id(event_id: UUID, subscription_id: UUID) -> str:
    """The webhook-id for this event sent to this subscription: identical on every retry."""
    return "msg_" + uuid5(WEBHOOK_ID_NAMESPACE, f"{event_id}:{subscription_id}").hex


def sign(msg_id: str, timestamp: datetime, body: bytes | str, secrets: str | Sequence[str]) -> dict[str, str]:
    """The three Standard Webhooks headers; with several secrets, one signature per secret.

    Each signature is `v1,<base64 HMAC-SHA256 of "{msg_id}.{unix seconds}.{body}">`, joined by
    spaces, so during a secret rotation a receiver holding either secret verifies the message.
    """
    if not _MESSAGE_ID.fullmatch(msg_id):
        raise NotifierDomainError("webhook-id", "letters, digits, '_' and '-' only, 1-128 long")
    if timestamp.tzinfo is None:
        raise NotifierDomainError("webhook-timestamp", "must be timezone-aware")
    all_secrets = (secrets,) if isinstance(secrets, str) else tuple(secrets)
    if not all_secrets:
        raise NotifierDomainError("secrets", "at least one secret is needed to sign")
    # The library reads the timestamp's wall clock as UTC, so hand it a UTC time.
    utc_timestamp = timestamp.astimezone(UTC)
    payload = body.decode("utf-8") if isinstance(body, bytes) else body
    signatures = [
        Webhook(secret_key(secret)).sign(msg_id, utc_timestamp, payload)
        for secret in dict.fromkeys(all_secrets)
    ]
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(utc_timestamp.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
