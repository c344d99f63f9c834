"""Signing secrets encrypted at rest, on a real PostgreSQL, a real broker and a real HTTP receiver:
the stored column never holds a secret, the upgrade encrypts plain ones, and a key rotation with
`notifier encrypt-secrets` keeps every webhook verifiable with the secret shown at creation."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from accord_common.db import make_engine
from accord_common.migrate import alembic_config, upgrade
from alembic import command
from cryptography.fernet import Fernet, InvalidToken
from notifier.adapters.orm import subscriptions
from notifier.bootstrap import SERVICE_ROOT
from notifier.config import NotifierSettings
from notifier.domain import generate_secret
from notifier_harness import Notifier, Receiver, new_org, obligation_event, running, wait_for
from sqlalchemy import text
from standardwebhooks.webhooks import Webhook

KEYS_VARIABLE = "ACCORD_NOTIFIER_SECRET_ENCRYPTION_KEYS"
BEFORE_ENCRYPTION = "c9938a734896"  # the revision before secrets were encrypted
PREFIX = "enc:v1:"


async def stored_secrets(database_url: str) -> dict[str, str]:
    """Each subscription's `secrets` column exactly as PostgreSQL holds it (JSON text)."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT id, secrets::text AS secrets FROM subscriptions"))
            return {row.id: row.secrets for row in rows if row.secrets is not None}
    finally:
        await engine.dispose()


def assert_unreadable(stored: str, *secrets: str) -> None:
    assert "whsec_" not in stored
    for secret in secrets:
        assert secret not in stored and secret.removeprefix("whsec_") not in stored
    values = [item["value"] for item in json.loads(stored)]
    assert values and all(value.startswith(PREFIX) for value in values)


async def delivered_and_verified(notifier: Notifier, receiver: Receiver, org: str, *secrets: str) -> None:
    """Publish an event for `org`; its webhook arrives and verifies with each of `secrets`."""
    event = obligation_event(org)
    await notifier.publish(event)

    async def arrived() -> list[object]:
        return receiver.about(event.data["contract_id"])  # type: ignore[return-value]

    await wait_for("the webhook", arrived)
    request = receiver.about(event.data["contract_id"])[0]
    for secret in secrets:
        Webhook(secret).verify(request.body, request.headers)


async def encrypt_secrets_command(database_url: str, keys: str) -> str:
    """`notifier encrypt-secrets` as its own process, configured by environment as in production."""
    env = os.environ | {"ACCORD_NOTIFIER_DATABASE_URL": database_url, KEYS_VARIABLE: keys}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "notifier.cli",
        "encrypt-secrets",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()


def decrypts_with(key: str, stored: str) -> list[str]:
    fernet = Fernet(key)
    return [fernet.decrypt(item["value"].removeprefix(PREFIX)).decode() for item in json.loads(stored)]


async def test_the_secret_is_never_stored_and_a_key_rotation_keeps_webhooks_verifiable(
    database_url: str, make_settings: Callable[..., NotifierSettings], receiver: Receiver
) -> None:
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings = make_settings(secret_encryption_keys=first)
    async with running(settings) as notifier:
        org, headers = await notifier.tenant()
        created = await notifier.subscribe(
            headers,
            name="Ops webhook",
            event_types=["obligation.created"],
            channel={"kind": "webhook", "url": receiver.url},
        )
        secret = created["channel"]["secret"]
        stored = (await stored_secrets(database_url))[created["id"]]
        assert_unreadable(stored, secret)
        for path in ("/v1/subscriptions", f"/v1/subscriptions/{created['id']}"):
            shown = await notifier.client.get(path, headers=headers)
            assert shown.status_code == 200 and secret not in shown.text and PREFIX not in shown.text
        await delivered_and_verified(notifier, receiver, org, secret)

    rotating = make_settings(service_name=settings.service_name, secret_encryption_keys=f"{second},{first}")
    async with running(rotating) as notifier:
        await delivered_and_verified(notifier, receiver, org, secret)  # old values open with the old key
        said = await encrypt_secrets_command(database_url, f"{second},{first}")  # while it runs
        assert "encrypted 1 signing secret(s) of 1 subscription(s)" in said
        await delivered_and_verified(notifier, receiver, org, secret)

    reencrypted = (await stored_secrets(database_url))[created["id"]]
    assert_unreadable(reencrypted, secret)
    assert decrypts_with(second, reencrypted) == [secret]
    with pytest.raises(InvalidToken):
        decrypts_with(first, reencrypted)

    only_new = make_settings(service_name=settings.service_name, secret_encryption_keys=second)
    async with running(only_new) as notifier:  # the old key is gone for good
        await delivered_and_verified(notifier, receiver, org, secret)


async def test_a_rotated_secret_is_stored_encrypted_beside_the_retiring_one(
    database_url: str, notifier: Notifier, receiver: Receiver
) -> None:
    org, headers = await notifier.tenant()
    created = await notifier.subscribe(
        headers,
        name="Ops",
        event_types=["obligation.created"],
        channel={"kind": "webhook", "url": receiver.url},
    )
    rotated = await notifier.client.post(f"/v1/subscriptions/{created['id']}/rotate-secret", headers=headers)
    old, new = created["channel"]["secret"], rotated.json()["secret"]
    stored = (await stored_secrets(database_url))[created["id"]]
    assert_unreadable(stored, old, new)
    assert len(json.loads(stored)) == 2
    await delivered_and_verified(notifier, receiver, org, new, old)  # signed by both during the overlap


async def test_the_upgrade_encrypts_secrets_stored_in_plain_text_and_they_still_sign(
    database_url: str,
    make_settings: Callable[..., NotifierSettings],
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = Fernet.generate_key().decode()
    monkeypatch.setenv(KEYS_VARIABLE, key)  # the migration reads the key as the service does
    await asyncio.to_thread(upgrade, SERVICE_ROOT, database_url, BEFORE_ENCRYPTION)
    org = new_org()
    current, retiring, deleted = generate_secret(), generate_secret(), generate_secret()
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    live_id, deleted_id = await _plain_subscriptions(
        database_url, org, receiver.url, [(current, None), (retiring, tomorrow)], deleted
    )
    plain = await stored_secrets(database_url)
    assert current in plain[live_id] and deleted in plain[deleted_id]  # as the old code stored them

    await asyncio.to_thread(upgrade, SERVICE_ROOT, database_url)
    encrypted = await stored_secrets(database_url)
    assert_unreadable(encrypted[live_id], current, retiring)
    assert_unreadable(encrypted[deleted_id], deleted)
    assert decrypts_with(key, encrypted[live_id]) == [current, retiring]
    assert json.loads(encrypted[live_id])[1]["retires_at"] == tomorrow.isoformat()

    config = alembic_config(SERVICE_ROOT, database_url)
    await asyncio.to_thread(command.downgrade, config, BEFORE_ENCRYPTION)
    assert json.loads((await stored_secrets(database_url))[live_id])[0]["value"] == current
    await asyncio.to_thread(upgrade, SERVICE_ROOT, database_url)
    assert_unreadable((await stored_secrets(database_url))[live_id], current, retiring)

    async with running(make_settings(secret_encryption_keys=key)) as notifier:
        await delivered_and_verified(notifier, receiver, org, current, retiring)


async def _plain_subscriptions(
    database_url: str,
    org: str,
    url: str,
    secrets: list[tuple[str, datetime | None]],
    deleted_secret: str,
) -> tuple[str, str]:
    """A live webhook subscription mid-rotation and a deleted one, as the code before encryption wrote."""
    now = datetime.now(UTC)
    live_id, deleted_id = str(uuid.uuid4()), str(uuid.uuid4())

    def row(subscription_id: str, stored: list[tuple[str, datetime | None]]) -> dict[str, object]:
        return {
            "id": subscription_id,
            "organization_id": org,
            "name": "from before",
            "event_types": ["obligation.created"],
            "filters": {},
            "channel_kind": "webhook",
            "webhook_url": url,
            "secrets": [{"value": v, "retires_at": r.isoformat() if r else None} for v, r in stored],
            "digest": False,
            "consecutive_dead": 0,
            "created_at": now,
            "updated_at": now,
        }

    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(subscriptions.insert().values(row(live_id, secrets)))
            gone = row(deleted_id, [(deleted_secret, None)]) | {"deleted_at": now}
            await connection.execute(subscriptions.insert().values(gone))
            email = row(str(uuid.uuid4()), []) | {
                "channel_kind": "email",
                "webhook_url": None,
                "secrets": None,
            }
            await connection.execute(
                subscriptions.insert().values(email | {"recipients": ["a@clinic.example"]})
            )
    finally:
        await engine.dispose()
    return live_id, deleted_id
