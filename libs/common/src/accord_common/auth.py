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
        "keys:admin",
        "sessions:exchange",
        "admin",
    }
)
"""`admin` holds every scope; `keys:admin` may only manage its organisation's API keys."""


class UnknownScopes(ValueError):
    """Scopes that are not Accord's (a typo: `contracts:wirte`); the message lists the valid ones."""

    def __init__(self, unknown: set[str]) -> None:
        self.unknown = frozenset(unknown)
        super().__init__(
            f"unknown scope{'s' if len(unknown) > 1 else ''}: {', '.join(sorted(unknown))}"
            f" (valid: {', '.join(sorted(ALL_SCOPES))})"
        )


def parse_scopes(text: str) -> set[str]:
    """`contracts:read, claims:write` -> the set; refuses an unknown scope or an empty list."""
    scopes = {part.strip() for part in text.split(",") if part.strip()}
    if not scopes:
        raise ValueError("name at least one scope (comma-separated, e.g. contracts:read)")
    check_scopes(scopes)
    return scopes


def check_scopes(scopes: set[str] | frozenset[str]) -> None:
    unknown = set(scopes) - ALL_SCOPES
    if unknown:
        raise UnknownScopes(unknown)


class KeyRefused(Unauthorized):
    """Authentication failed; `reason` (never the key) and `prefix` (when the key had one) are logged."""

    def __init__(self, reason: str, prefix: str | None = None) -> None:
        super().__init__("unknown, expired or revoked API key")
        self.reason = reason
        self.prefix = prefix


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key, its organisation and what it may do."""

    key_id: str
    organization_id: str
    name: str
    scopes: frozenset[str]
    holder_id: str = ""
    """The key a rotation started from: the same holder across rotations (segregation of duties)."""
    rate_limit_per_minute: int | None = None
    """This key's own limit; None: the service's default."""
    expires_at: datetime | None = None
    """When the key stops working (None: never); a cached principal is not used past it."""

    @property
    def holder(self) -> str:
        return self.holder_id or self.key_id

    def require(self, scope: str) -> None:
        if scope not in self.scopes and "admin" not in self.scopes:
            raise Forbidden(f"this API key lacks the scope {scope!r}")


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def split_key(raw_key: str) -> str:
    parts = raw_key.split("_", 2)
    if len(parts) != 3 or parts[0] != "acc" or not parts[1] or not parts[2] or len(parts[1]) > 32:
        raise KeyRefused("malformed key")
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
    check_scopes(scopes)
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
            source="cli",
            revision=0,
        )
    )
    return raw_key


async def authenticate(
    session: AsyncSession, metadata: MetaData, raw_key: str, now: datetime | None = None
) -> Principal:
    """The key's principal; KeyRefused (saying why, for the log) when unknown, expired or revoked."""
    table = metadata.tables["api_keys"]
    prefix = split_key(raw_key)
    row = (await session.execute(select(table).where(table.c.prefix == prefix))).first()
    if row is None:
        raise KeyRefused("unknown key", prefix)
    if not hmac.compare_digest(row.key_hash, hash_key(raw_key)):
        raise KeyRefused("wrong secret", prefix)
    if row.revoked_at is not None:
        raise KeyRefused(f"revoked key {row.id}", prefix)
    if row.expires_at is not None and _aware(row.expires_at) <= (now or datetime.now(UTC)):
        raise KeyRefused(f"expired key {row.id}", prefix)
    return Principal(
        row.id,
        row.organization_id,
        row.name,
        frozenset(row.scopes),
        holder_id=row.holder_id or row.id,
        rate_limit_per_minute=row.rate_limit_per_minute,
        expires_at=None if row.expires_at is None else _aware(row.expires_at),
    )


def _aware(at: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


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
