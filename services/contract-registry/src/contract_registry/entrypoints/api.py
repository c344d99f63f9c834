"""The registry's HTTP API: thin routes over the handlers."""

from __future__ import annotations

from typing import Any

from accord_common.web.deps import CurrentPrincipal, Cursor, Limit, Runtime, decode_cursor, encode_cursor
from fastapi import APIRouter, status

from contract_registry import handlers
from contract_registry.adapters.repository import RegistryRepository
from contract_registry.entrypoints.schemas import (
    AmendmentIn,
    ContractIn,
    ContractOut,
    Page,
    PayerIn,
    PayerOut,
    VersionOut,
)

router = APIRouter(prefix="/v1", tags=["contracts"])


@router.post("/payers", status_code=status.HTTP_201_CREATED, response_model=PayerOut)
async def create_payer(body: PayerIn, who: CurrentPrincipal, rt: Runtime) -> Any:
    """Register a payer (insurer) the organisation contracts with."""
    who.require("contracts:write")
    payer_id = await handlers.create_payer(rt.uow(), who, body.model_dump())
    async with rt.sessions() as session:
        return (await RegistryRepository(session, who.organization_id).get_payer(payer_id))._asdict()


@router.get("/payers", response_model=Page[PayerOut])
async def list_payers(who: CurrentPrincipal, rt: Runtime, limit: Limit = 50,
                      cursor: Cursor = None) -> Any:
    """List the organisation's payers, oldest id first."""
    who.require("contracts:read")
    after = (decode_cursor(cursor) or {}).get("after")
    async with rt.sessions() as session:
        rows = await RegistryRepository(session, who.organization_id).list_payers(after, limit)
    nxt = encode_cursor({"after": rows[-1].id}) if len(rows) == limit else None
    return {"items": [r._asdict() for r in rows], "next_cursor": nxt}


@router.post("/contracts", status_code=status.HTTP_201_CREATED, response_model=ContractOut)
async def create_contract(body: ContractIn, who: CurrentPrincipal, rt: Runtime) -> Any:
    """Create a contract (status draft) with its first version; publishes contract.created."""
    who.require("contracts:write")
    contract_id = await handlers.create_contract(rt.uow(), who, body.model_dump())
    return await _contract_view(rt, who.organization_id, contract_id)


@router.post("/contracts/{contract_id}/versions", status_code=status.HTTP_201_CREATED,
             response_model=ContractOut)
async def amend_contract(contract_id: str, body: AmendmentIn, who: CurrentPrincipal,
                         rt: Runtime) -> Any:
    """Amend: add a new immutable version; publishes contract.amended."""
    who.require("contracts:write")
    await handlers.amend_contract(rt.uow(), who, contract_id, body.model_dump())
    return await _contract_view(rt, who.organization_id, contract_id)


@router.get("/contracts/{contract_id}", response_model=ContractOut)
async def get_contract(contract_id: str, who: CurrentPrincipal, rt: Runtime) -> Any:
    """A contract with its current version."""
    who.require("contracts:read")
    return await _contract_view(rt, who.organization_id, contract_id)


@router.get("/contracts", response_model=Page[ContractOut])
async def list_contracts(who: CurrentPrincipal, rt: Runtime, limit: Limit = 50,
                         cursor: Cursor = None, status: str | None = None) -> Any:
    """List contracts, optionally by status, with cursor pagination."""
    who.require("contracts:read")
    after = (decode_cursor(cursor) or {}).get("after")
    async with rt.sessions() as session:
        repo = RegistryRepository(session, who.organization_id)
        rows = await repo.list_contracts(after, limit, status)
    nxt = encode_cursor({"after": rows[-1].id}) if len(rows) == limit else None
    return {"items": [r._asdict() for r in rows], "next_cursor": nxt}


@router.get("/contracts/{contract_id}/versions", response_model=list[VersionOut])
async def list_versions(contract_id: str, who: CurrentPrincipal, rt: Runtime) -> Any:
    """The contract's version history, oldest first."""
    who.require("contracts:read")
    async with rt.sessions() as session:
        repo = RegistryRepository(session, who.organization_id)
        await repo.get_contract(contract_id)
        return [v._asdict() for v in await repo.versions(contract_id)]


async def _contract_view(rt: Any, org: str, contract_id: str) -> dict[str, Any]:
    async with rt.sessions() as session:
        repo = RegistryRepository(session, org)
        contract: dict[str, Any] = (await repo.get_contract(contract_id))._asdict()
        versions = await repo.versions(contract_id)
    contract["version"] = versions[-1]._asdict() if versions else None
    return contract
