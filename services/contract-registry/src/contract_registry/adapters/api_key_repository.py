"""The organisation's API keys in the registry's api_keys table (the authority's copy), as ApiKey."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from accord_common.errors import NotFound
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contract_registry.adapters.orm import metadata
from contract_registry.domain.api_keys import ApiKey, KeySecret

api_keys = metadata.tables["api_keys"]


class ApiKeyRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def get(self, key_id: str, *, for_update: bool = False) -> ApiKey:
        """The key, or 404 (another organisation's key is not found either)."""
        query = select(api_keys).where(api_keys.c.id == key_id, api_keys.c.organization_id == self.org)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        if row is None:
            raise NotFound(f"API key {key_id} not found")
        return key_from_row(row)

    async def list(self, *, include_revoked: bool, after: str | None, limit: int) -> list[ApiKey]:
        query = select(api_keys).where(api_keys.c.organization_id == self.org)
        if not include_revoked:
            query = query.where(api_keys.c.revoked_at.is_(None))
        if after is not None:
            query = query.where(api_keys.c.id > after)
        rows = (await self.session.execute(query.order_by(api_keys.c.id).limit(limit))).all()
        return [key_from_row(row) for row in rows]

    async def add(self, key: ApiKey) -> None:
        await self.session.execute(
            insert(api_keys).values(
                id=key.id,
                organization_id=key.organization_id,
                prefix=key.secret.prefix,
                key_hash=key.secret.key_hash,
                created_at=key.issued_at,
                issued_by_key_id=key.issued_by_key_id,
                rotated_from_key_id=key.rotated_from_key_id,
                **_state(key),
            )
        )

    async def save(self, key: ApiKey) -> None:
        await self.session.execute(update(api_keys).where(api_keys.c.id == key.id).values(**_state(key)))


def _state(key: ApiKey) -> dict[str, Any]:
    return {
        "name": key.name,
        "scopes": sorted(key.scopes),
        "holder_id": key.holder_id,
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
        "rate_limit_per_minute": key.rate_limit_per_minute,
        "revision": key.revision,
        "source": "registry",
    }


def key_from_row(row: Any) -> ApiKey:
    """A row as the domain's key; a CLI-issued key (no holder yet) is its own holder."""
    return ApiKey(
        id=row.id,
        organization_id=row.organization_id,
        name=row.name,
        secret=KeySecret(row.prefix, row.key_hash),
        scopes=frozenset(row.scopes),
        holder_id=row.holder_id or row.id,
        issued_at=_utc(row.created_at),
        issued_by_key_id=row.issued_by_key_id,
        expires_at=_utc(row.expires_at) if row.expires_at else None,
        revoked_at=_utc(row.revoked_at) if row.revoked_at else None,
        rate_limit_per_minute=row.rate_limit_per_minute,
        rotated_from_key_id=row.rotated_from_key_id,
        last_used_at=_utc(row.last_used_at) if row.last_used_at else None,
        revision=row.revision or 0,
    )


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
