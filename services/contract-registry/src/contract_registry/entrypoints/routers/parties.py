"""Payers (with plans) and the caller's organisation profile."""

from __future__ import annotations

from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.errors import NotFound
from accord_common.web.deps import (
    Cursor,
    Limit,
    Requires,
    Runtime,
    decode_cursor,
    encode_cursor,
)
from fastapi import APIRouter, Response, status

from contract_registry.adapters.party_repository import PartyRepository
from contract_registry.entrypoints.deps import PayerId
from contract_registry.entrypoints.schemas.common import Page
from contract_registry.entrypoints.schemas.parties import (
    OrganisationIn,
    OrganisationOut,
    PayerIn,
    PayerOut,
    PayerPatch,
)
from contract_registry.handlers import parties

router = APIRouter(prefix="/v1", tags=["parties"])


async def _payer(rt: Runtime, org: str, payer_id: str) -> dict[str, Any]:
    async with rt.sessions() as session:
        row = await PartyRepository(session, org).payer(payer_id)
    return dict(row._asdict())


@router.post(
    "/payers", status_code=status.HTTP_201_CREATED, response_model=PayerOut, summary="Register a payer"
)
async def create_payer(
    body: PayerIn, who: Annotated[Principal, Requires("contracts:write")], rt: Runtime
) -> Any:
    """Register a payer (insurer, with its X12 payer id) and its plans / lines of business."""
    payer_id = await parties.create_payer(rt.uow(), who, body.model_dump(mode="json"))
    return await _payer(rt, who.organization_id, payer_id)


@router.get("/payers", response_model=Page[PayerOut], summary="List payers")
async def list_payers(
    who: Annotated[Principal, Requires("contracts:read")],
    rt: Runtime,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """The organisation's payers, by id."""
    after = (decode_cursor(cursor, {"after": str}) or {}).get("after")
    async with rt.sessions() as session:
        rows = await PartyRepository(session, who.organization_id).payers(after, limit)
    next_cursor = encode_cursor({"after": rows[-1].id}) if len(rows) == limit else None
    return {"items": [r._asdict() for r in rows], "next_cursor": next_cursor}


@router.get("/payers/{payer_id}", response_model=PayerOut, summary="Get a payer")
async def get_payer(
    payer_id: PayerId, who: Annotated[Principal, Requires("contracts:read")], rt: Runtime
) -> Any:
    """One payer with its plans."""
    return await _payer(rt, who.organization_id, payer_id)


@router.patch("/payers/{payer_id}", response_model=PayerOut, summary="Change a payer")
async def update_payer(
    payer_id: PayerId, body: PayerPatch, who: Annotated[Principal, Requires("contracts:write")], rt: Runtime
) -> Any:
    """Change a payer's name, X12 payer id or plans (audited field by field)."""
    patch = body.changes(mode="json")
    await parties.update_payer(rt.uow(), who, payer_id, patch)
    return await _payer(rt, who.organization_id, payer_id)


@router.delete("/payers/{payer_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a payer")
async def delete_payer(
    payer_id: PayerId, who: Annotated[Principal, Requires("contracts:write")], rt: Runtime
) -> Response:
    """Delete a payer no contract names (409 otherwise)."""
    await parties.delete_payer(rt.uow(), who, payer_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/organisation", response_model=OrganisationOut, summary="Get the organisation profile")
async def get_organisation(who: Annotated[Principal, Requires("contracts:read")], rt: Runtime) -> Any:
    """The caller's organisation: TINs, NPIs, locations and required approver roles."""
    async with rt.sessions() as session:
        row = await PartyRepository(session, who.organization_id).profile()
    if row is None:
        raise NotFound("the organisation has no profile yet: PUT /v1/organisation")
    return row._asdict()


@router.put("/organisation", response_model=OrganisationOut, summary="Set the organisation profile")
async def put_organisation(
    body: OrganisationIn, who: Annotated[Principal, Requires("contracts:write")], rt: Runtime
) -> Any:
    """Replace the profile. NPIs are Luhn-checked; each location's MAC + locality must be a CY2025
    Medicare locality. New contracts require approval by the listed roles before activation."""
    await parties.save_profile(rt.uow(), who, body.model_dump(mode="json"))
    return await get_organisation(who, rt)
