"""Key management use cases (administrators, their own organisation): issue, rotate, expire, revoke.

Each change is audited with the acting key's id and published (api_key.*) so every service's
projection follows; the key itself is returned once and never stored or published.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from accord_common.auth import Principal, generate_key, hash_key
from accord_common.events import new_event
from accord_common.uow import UnitOfWork
from accord_common.wakeups import KEYS

from contract_registry.adapters.api_key_repository import ApiKeyRepository
from contract_registry.domain.api_keys import ApiKey, Issuer, KeySecret
from contract_registry.handlers.common import SOURCE, audit, utcnow


@dataclass(frozen=True, slots=True)
class IssueKey:
    name: str
    scopes: frozenset[str]
    expires_at: datetime | None = None
    rate_limit_per_minute: int | None = None


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: ApiKey
    raw_key: str


def _issuer(who: Principal) -> Issuer:
    return Issuer(who.key_id, who.scopes)


def new_secret() -> tuple[KeySecret, str]:
    prefix, raw = generate_key()
    return KeySecret(prefix, hash_key(raw)), raw


async def issue(uow: UnitOfWork, who: Principal, command: IssueKey) -> IssuedKey:
    secret, raw = new_secret()
    now = utcnow()
    key = ApiKey.issue(
        id=str(uuid.uuid4()),
        organization_id=who.organization_id,
        name=command.name,
        secret=secret,
        scopes=command.scopes,
        issuer=_issuer(who),
        now=now,
        expires_at=command.expires_at,
        rate_limit_per_minute=command.rate_limit_per_minute,
    )
    async with uow:
        await ApiKeyRepository(uow.session, who.organization_id).add(key)
        await _audit(uow, who, "api_key.issued", key, now, {"name": key.name, "scopes": sorted(key.scopes)})
        publish_key_changes(uow, key)
        await uow.commit()
    return IssuedKey(key, raw)


async def rotate(uow: UnitOfWork, who: Principal, key_id: str, overlap: timedelta) -> IssuedKey:
    secret, raw = new_secret()
    now = utcnow()
    async with uow:
        repo = ApiKeyRepository(uow.session, who.organization_id)
        old = await repo.get(key_id, for_update=True)
        new = old.rotate(
            new_id=str(uuid.uuid4()), secret=secret, issuer=_issuer(who), now=now, overlap=overlap
        )
        await repo.save(old)
        await repo.add(new)
        changes = {"rotated_to": new.id, "old_key_expires_at": _iso(old.expires_at)}
        await _audit(uow, who, "api_key.rotated", old, now, changes)
        publish_key_changes(uow, old)
        publish_key_changes(uow, new)
        await uow.commit()
    return IssuedKey(new, raw)


async def expire(uow: UnitOfWork, who: Principal, key_id: str, at: datetime | None) -> ApiKey:
    """Expire at `at` (None: now)."""
    now = utcnow()
    async with uow:
        repo = ApiKeyRepository(uow.session, who.organization_id)
        key = await repo.get(key_id, for_update=True)
        before = key.expires_at
        key.expire(at or now, now)
        await repo.save(key)
        changes = {"expires_at": {"old": _iso(before), "new": _iso(key.expires_at)}}
        await _audit(uow, who, "api_key.expiry_changed", key, now, changes)
        publish_key_changes(uow, key)
        await uow.commit()
    return key


async def revoke(uow: UnitOfWork, who: Principal, key_id: str) -> ApiKey:
    now = utcnow()
    async with uow:
        repo = ApiKeyRepository(uow.session, who.organization_id)
        key = await repo.get(key_id, for_update=True)
        key.revoke(now)
        await repo.save(key)
        await _audit(uow, who, "api_key.revoked", key, now, {"name": key.name})
        publish_key_changes(uow, key)
        await uow.commit()
    return key


async def _audit(
    uow: UnitOfWork, who: Principal, action: str, key: ApiKey, at: datetime, changes: dict[str, Any]
) -> None:
    await audit(uow, who, action, entity="api_key", entity_id=key.id, changes=changes, at=at)


def publish_key_changes(uow: UnitOfWork, key: ApiKey) -> None:
    """One event per change the key recorded, each with the key's whole state at the end; on commit
    every process of the registry empties its cache of verified keys (accord_common.keys.cache)."""
    uow.wake_on_commit(KEYS)
    for change in key.drain_changes():
        uow.publish(
            new_event(
                change.value,
                source=SOURCE,
                subject=key.id,
                data=key_data(key),
                organization_id=key.organization_id,
            )
        )


def key_data(key: ApiKey) -> dict[str, Any]:
    return {
        "key_id": key.id,
        "organization_id": key.organization_id,
        "name": key.name,
        "prefix": key.secret.prefix,
        "key_hash": key.secret.key_hash,
        "scopes": sorted(key.scopes),
        "holder_id": key.holder_id,
        "issued_at": key.issued_at.isoformat(),
        "expires_at": _iso(key.expires_at),
        "revoked_at": _iso(key.revoked_at),
        "rate_limit_per_minute": key.rate_limit_per_minute,
        "revision": key.revision,
    }


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None
