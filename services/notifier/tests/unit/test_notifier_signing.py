"""Standard Webhooks signatures, checked against the reference library's verifier."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest
from notifier.domain import (
    NotifierDomainError,
    SigningSecret,
    WebhookChannel,
    generate_secret,
    sign,
    webhook_message_id,
)
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

KEY = b"accord-test-signing-key-32-bytes"
SECRET = "whsec_" + base64.b64encode(KEY).decode()
EVENT = UUID("7f3c2a10-5b6d-4e8f-9a01-23456789abcd")
SUBSCRIPTION = UUID("33333333-3333-4333-8333-333333333333")
BODY = json.dumps(
    {"type": "claim.variance_detected", "data": {"claim_id": "CLM-20250314-0042"}},
    separators=(",", ":"),
).encode()


def test_signature_is_hmac_sha256_of_id_timestamp_and_body() -> None:
    timestamp = datetime(2025, 3, 14, 9, 30, 15, 900_000, tzinfo=UTC)
    headers = sign("msg_abc", timestamp, BODY, SECRET)
    assert headers["webhook-id"] == "msg_abc"
    assert headers["webhook-timestamp"] == "1741944615"
    digest = hmac.new(KEY, b"msg_abc.1741944615." + BODY, hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(digest).decode()


def test_a_timestamp_in_another_zone_signs_the_same_instant() -> None:
    utc = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    new_york = utc.astimezone(timezone(timedelta(hours=-4)))
    assert sign("msg_abc", new_york, BODY, SECRET) == sign("msg_abc", utc, BODY, SECRET)


def test_the_reference_verifier_accepts_our_signature() -> None:
    headers = sign("msg_abc", datetime.now(UTC), BODY, SECRET)
    assert Webhook(SECRET).verify(BODY, headers)["data"]["claim_id"] == "CLM-20250314-0042"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body, headers: (body.replace(b"0042", b"0043"), headers),
        lambda body, headers: (body, {**headers, "webhook-id": "msg_other"}),
        lambda body, headers: (
            body,
            {**headers, "webhook-timestamp": str(int(headers["webhook-timestamp"]) + 1)},
        ),
    ],
    ids=["body", "id", "timestamp"],
)
def test_the_reference_verifier_rejects_a_tampered_message(tamper) -> None:
    headers = sign("msg_abc", datetime.now(UTC), BODY, SECRET)
    body, tampered = tamper(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body, tampered)


def test_the_reference_verifier_rejects_another_secret() -> None:
    headers = sign("msg_abc", datetime.now(UTC), BODY, SECRET)
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(BODY, headers)


@pytest.mark.parametrize("receiver_holds", ["old", "new"])
def test_during_rotation_a_receiver_with_either_secret_verifies(receiver_holds: str) -> None:
    old, new = generate_secret(), generate_secret()
    now = datetime.now(UTC)
    channel = WebhookChannel("https://hooks.clinic.example", (SigningSecret(old),)).rotate(new, now)
    headers = sign("msg_abc", now, BODY, channel.signing_secrets(now))
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old if receiver_holds == "old" else new).verify(BODY, headers)


def test_after_the_overlap_only_the_new_secret_signs() -> None:
    old, new = generate_secret(), generate_secret()
    rotated_at = datetime.now(UTC) - timedelta(days=2)
    channel = WebhookChannel("https://h.example", (SigningSecret(old),)).rotate(new, rotated_at)
    now = datetime.now(UTC)
    headers = sign("msg_abc", now, BODY, channel.signing_secrets(now))
    Webhook(new).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(BODY, headers)


@pytest.mark.parametrize(
    ("msg_id", "timestamp", "secrets", "field"),
    [
        ("", datetime(2025, 3, 14, tzinfo=UTC), SECRET, "webhook-id"),
        ("msg_1\r\nX-Evil: 1", datetime(2025, 3, 14, tzinfo=UTC), SECRET, "webhook-id"),
        ("msg_1", datetime(2025, 3, 14), SECRET, "webhook-timestamp"),
        ("msg_1", datetime(2025, 3, 14, tzinfo=UTC), [], "secrets"),
        ("msg_1", datetime(2025, 3, 14, tzinfo=UTC), "whsec_%%%", "secret"),
    ],
)
def test_signing_refuses_bad_input(msg_id, timestamp, secrets, field) -> None:
    with pytest.raises(NotifierDomainError, match=field):
        sign(msg_id, timestamp, BODY, secrets)


def test_webhook_id_is_stable_per_event_and_subscription() -> None:
    first = webhook_message_id(EVENT, SUBSCRIPTION)
    # Pinned: a change here would make receivers see every retry as a new message.
    assert first == "msg_c2bb3dd4a72e545c80c8824f06bc4ac0"
    assert first != webhook_message_id(EVENT, UUID(int=1))
    assert first != webhook_message_id(UUID(int=1), SUBSCRIPTION)
    assert sign(first, datetime(2025, 3, 14, tzinfo=UTC), BODY, SECRET)["webhook-id"] == first
