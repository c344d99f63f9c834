"""Every service's projection of the registry's keys: api_key.* events upsert the local api_keys row,
so a key issued once authenticates everywhere and a revocation applies within the consumer's lag.

Rows are matched by prefix: a key stored from the CLI on this service (`--key-from-stdin`, one key
per person on every service) is the same key when its hash matches, and takes the registry's
revocation and expiry. A newer revision than the row holds is applied; an older one (topics are
not ordered among themselves) is ignored.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import insert, select, update

from accord_common.events import CloudEvent
from accord_common.events.catalogue import API_KEY_EVENTS
from accord_common.events.payloads import ApiKeyData, ApiKeyUsageData
from accord_common.messaging import EventHandler
from accord_common.uow import UnitOfWork
from accord_common.wakeups import KEYS

log = logging.getLogger(__name__)


async def apply_key(uow: UnitOfWork, key: ApiKeyData) -> None:
    """Insert or update the key's row (in the caller's transaction)."""
    table = uow.metadata.tables["api_keys"]
    row = (await uow.session.execute(select(table).where(table.c.prefix == key.prefix))).first()
    state = _state(key)
    if row is None:
        await uow.session.execute(
            insert(table).values(
                id=key.key_id, prefix=key.prefix, key_hash=key.key_hash, created_at=key.issued_at, **state
            )
        )
    elif row.key_hash != key.key_hash:
        log.warning("api key %s: another key holds prefix %s here; not projected", key.key_id, key.prefix)
    elif row.source != "registry" or row.revision < key.revision:
        await uow.session.execute(update(table).where(table.c.id == row.id).values(**state))
    uow.wake_on_commit(KEYS)  # every process of this service verifies its keys again


def _state(key: ApiKeyData) -> dict[str, Any]:
    return {
        "organization_id": key.organization_id,
        "name": key.name,
        "scopes": sorted(key.scopes),
        "holder_id": key.holder_id,
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
        "rate_limit_per_minute": key.rate_limit_per_minute,
        "revision": key.revision,
        "source": "registry",
    }


async def record_use(uow: UnitOfWork, use: ApiKeyUsageData) -> None:
    """The registry's last use of a key: the latest any service reported."""
    table = uow.metadata.tables["api_keys"]
    await uow.session.execute(
        update(table)
        .where(table.c.id == use.key_id, table.c.organization_id == use.organization_id)
        .where((table.c.last_used_at.is_(None)) | (table.c.last_used_at < use.last_used_at))
        .values(last_used_at=use.last_used_at)
    )


async def _on_key_event(event: CloudEvent, uow: UnitOfWork) -> None:
    await apply_key(uow, ApiKeyData.model_validate(event.data))


async def _on_key_used(event: CloudEvent, uow: UnitOfWork) -> None:
    await record_use(uow, ApiKeyUsageData.model_validate(event.data))


def key_projection_handlers() -> dict[str, EventHandler]:
    """What every service but the registry registers: its projection of the managed keys."""
    return dict.fromkeys(API_KEY_EVENTS, _on_key_event)


def key_usage_handlers() -> dict[str, EventHandler]:
    """What the registry registers: the last use the other services report."""
    return {"api_key.used": _on_key_used}
