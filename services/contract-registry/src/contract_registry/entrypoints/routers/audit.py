"""The audit trail: every change, who made it, when, and what changed."""

from __future__ import annotations

from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.web.deps import (
    Cursor,
    Limit,
    Requires,
    Runtime,
    decode_cursor,
    encode_cursor,
)
from fastapi import APIRouter

from contract_registry.adapters.audit_repository import AuditRepository
from contract_registry.adapters.contract_repository import ContractRepository
from contract_registry.entrypoints.deps import ContractId
from contract_registry.entrypoints.schemas.common import Page
from contract_registry.entrypoints.schemas.documents import AuditEntryOut

router = APIRouter(prefix="/v1", tags=["audit"])


async def _page(rt: Runtime, org: str, contract_id: str | None, limit: int, cursor: str | None) -> Any:
    after = (decode_cursor(cursor, {"after": int}) or {}).get("after")
    async with rt.sessions() as session:
        if contract_id is not None:
            await ContractRepository(session, org).row(contract_id)
        rows = await AuditRepository(session, org).entries(contract_id, after, limit)
    next_cursor = encode_cursor({"after": rows[-1].id}) if len(rows) == limit else None
    return {"items": [r._asdict() for r in rows], "next_cursor": next_cursor}


@router.get(
    "/contracts/{contract_id}/audit", response_model=Page[AuditEntryOut], summary="A contract's audit trail"
)
async def contract_audit(
    contract_id: ContractId,
    who: Annotated[Principal, Requires("contracts:read")],
    rt: Runtime,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Every change to the contract, oldest first."""
    return await _page(rt, who.organization_id, contract_id, limit, cursor)


@router.get("/audit", response_model=Page[AuditEntryOut], summary="The organisation's audit trail")
async def organisation_audit(
    who: Annotated[Principal, Requires("contracts:read")],
    rt: Runtime,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Every change in the organisation (payers, profile, contracts, fee schedules, documents)."""
    return await _page(rt, who.organization_id, None, limit, cursor)
