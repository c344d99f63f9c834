"""API keys of the caller's organisation, valid on every service: issue, list, rotate, expire, revoke.

Needs the `keys:admin` scope (or `admin`). The registry is the key authority; the other services
learn each change from api_key.* events within seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from accord_common.web.deps import CurrentPrincipal, Cursor, Limit, Runtime, decode_cursor, encode_cursor
from fastapi import APIRouter, Path, Query

from contract_registry.adapters.api_key_repository import ApiKeyRepository
from contract_registry.domain.api_keys import ApiKey
from contract_registry.entrypoints.schemas.api_keys import (
    ApiKeyIn,
    ApiKeyOut,
    ExpireIn,
    IssuedApiKeyOut,
    RotateIn,
)
from contract_registry.entrypoints.schemas.common import Page
from contract_registry.handlers import api_keys

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])
SCOPE = "keys:admin"
KeyId = Annotated[str, Path(description="The key's id, as returned when it was issued.", max_length=36)]


def key_out(key: ApiKey, raw_key: str | None = None) -> dict[str, Any]:
    out = {
        "id": key.id,
        "name": key.name,
        "prefix": key.secret.prefix,
        "scopes": sorted(key.scopes),
        "status": key.status(datetime.now(UTC)).value,
        "holder_id": key.holder_id,
        "issued_at": key.issued_at,
        "issued_by_key_id": key.issued_by_key_id,
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
        "last_used_at": key.last_used_at,
        "rate_limit_per_minute": key.rate_limit_per_minute,
        "rotated_from_key_id": key.rotated_from_key_id,
    }
    if raw_key is not None:
        out["key"] = raw_key
    return out


@router.post("", response_model=IssuedApiKeyOut, status_code=201, summary="Issue an API key")
async def issue_key(body: ApiKeyIn, who: CurrentPrincipal, rt: Runtime) -> Any:
    """A key for a colleague or a system, valid on every service; the key is in the answer once."""
    who.require(SCOPE)
    command = api_keys.IssueKey(
        body.name, frozenset(body.scopes), body.expires_at, body.rate_limit_per_minute
    )
    issued = await api_keys.issue(rt.uow(), who, command)
    return key_out(issued.key, issued.raw_key)


@router.get("", response_model=Page[ApiKeyOut], summary="List API keys")
async def list_keys(
    who: CurrentPrincipal,
    rt: Runtime,
    include_revoked: Annotated[bool, Query(description="Revoked keys too.")] = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """The organisation's keys with their scopes, expiry, status and last use on any service."""
    who.require(SCOPE)
    after = (decode_cursor(cursor, {"after": str}) or {}).get("after")
    async with rt.sessions() as session:
        keys = await ApiKeyRepository(session, who.organization_id).list(
            include_revoked=include_revoked, after=after, limit=limit
        )
    next_cursor = encode_cursor({"after": keys[-1].id}) if len(keys) == limit else None
    return {"items": [key_out(k) for k in keys], "next_cursor": next_cursor}


@router.get("/{key_id}", response_model=ApiKeyOut, summary="One API key")
async def get_key(key_id: KeyId, who: CurrentPrincipal, rt: Runtime) -> Any:
    """The key's scopes, expiry, status and last use (never its hash; the key itself was shown once)."""
    who.require(SCOPE)
    async with rt.sessions() as session:
        return key_out(await ApiKeyRepository(session, who.organization_id).get(key_id))


@router.post("/{key_id}/rotate", response_model=IssuedApiKeyOut, status_code=201, summary="Rotate an API key")
async def rotate_key(key_id: KeyId, body: RotateIn, who: CurrentPrincipal, rt: Runtime) -> Any:
    """A new key for the same holder and scopes; the old one stops after `overlap_seconds`."""
    who.require(SCOPE)
    issued = await api_keys.rotate(rt.uow(), who, key_id, timedelta(seconds=body.overlap_seconds))
    return key_out(issued.key, issued.raw_key)


@router.post("/{key_id}/expire", response_model=ApiKeyOut, summary="Set when an API key expires")
async def expire_key(key_id: KeyId, body: ExpireIn, who: CurrentPrincipal, rt: Runtime) -> Any:
    """From `expires_at` (now when null) the key is refused on every service."""
    who.require(SCOPE)
    return key_out(await api_keys.expire(rt.uow(), who, key_id, body.expires_at))


@router.post("/{key_id}/revoke", response_model=ApiKeyOut, summary="Revoke an API key")
async def revoke_key(key_id: KeyId, who: CurrentPrincipal, rt: Runtime) -> Any:
    """The key is refused on every service within seconds; a revocation is final."""
    who.require(SCOPE)
    return key_out(await api_keys.revoke(rt.uow(), who, key_id))
