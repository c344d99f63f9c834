"""API keys per calling system: stored hashed, carrying scopes, bound to one provider organisation.

A key looks like `acc_<prefix>_<secret>`. Only the prefix (for lookup) and SHA-256 of the whole key
are stored; keys are 256-bit random, so a fast hash is sufficient (no password stretching needed).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import MetaData, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from accord_common.errors import Forbidden, Unauthorized

ALL_SCOPES = frozenset(
    {
        "contracts:read",
        "contracts:write",
        "contracts:approve",
        "claims:read",
        "claims:write",
        "obligations:read",
        "obligations:write",
        "notifications:read",
        "notifications:write",
        "sessions:exchange",
        "admin",
    }
)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key, its organisation and what it may do."""

    key_id: str
    organization_id: str
    name: str
    scopes: frozenset[str]

    def require(self, scope: str) -> None:
        if scope not in self.scopes and "admin" not in self.scopes:
            raise Forbidden(f"this API key lacks the scope {scope!r}")


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def split_key(raw_key: str) -> str:
    parts = raw_key.split("_", 2)
    if len(parts) != 3 or parts[0] != "acc" or not parts[1] or not parts[2]:
        raise Unauthorized("malformed API key")
    return parts[1]


def generate_key() -> tuple[str, str]:
    """Returns (prefix, raw key)."""
    prefix = secrets.token_hex(6)
    return prefix, f"acc_{prefix}_{secrets.token_urlsafe(32)}"


async def issue_key(
    session: AsyncSession,
    metadata: MetaData,
    *,
    organization_id: str,
    name: str,
    scopes: set[str],
    raw_key: str | None = None,
) -> str:
    """Store a new key (hashed) and return the raw key, shown once."""
    unknown = scopes - ALL_SCOPES
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(sorted(unknown))}")
    if raw_key is None:
        _, raw_key = generate_key()
    prefix = split_key(raw_key)
    await session.execute(
        insert(metadata.tables["api_keys"]).values(
            id=str(uuid.uuid4()),
            organization_id=organization_id,
            name=name,
            prefix=prefix,
            key_hash=hash_key(raw_key),
            scopes=sorted(scopes),
            created_at=datetime.now(UTC),
        )
    )
    return raw_key


async def authenticate(session: AsyncSession, metadata: MetaData, raw_key: str) -> Principal:
    table = metadata.tables["api_keys"]
    row = (await session.execute(select(table).where(table.c.prefix == split_key(raw_key)))).first()
    if row is None or row.revoked_at is not None:
        raise Unauthorized("unknown or revoked API key")
    if not hmac.compare_digest(row.key_hash, hash_key(raw_key)):
        raise Unauthorized("unknown or revoked API key")
    return Principal(row.id, row.organization_id, row.name, frozenset(row.scopes))


async def ensure_bootstrap_key(
    session: AsyncSession, metadata: MetaData, raw_key: str, organization_id: str
) -> None:
    """Development only: make a fixed key (from settings) valid with every scope."""
    table = metadata.tables["api_keys"]
    exists = await session.scalar(select(table.c.id).where(table.c.prefix == split_key(raw_key)))
    if exists is None:
        await issue_key(
            session,
            metadata,
            organization_id=organization_id,
            name="bootstrap (development)",
            scopes=set(ALL_SCOPES),
            raw_key=raw_key,
        )
