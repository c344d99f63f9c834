"""Contracts: create, search, read as of a date, versions, history, diff and coverage."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.errors import Unprocessable
from accord_common.web.deps import (
    Cursor,
    Limit,
    Requires,
    Runtime,
    decode_cursor,
    encode_cursor,
)
from accord_common.web.types import IsoDate
from fastapi import APIRouter, Path, Query, Response, status
from pydantic import TypeAdapter

from contract_registry.adapters.contract_search import ContractQuery, search_contracts
from contract_registry.entrypoints.deps import ContractId, Views
from contract_registry.entrypoints.schemas.common import Page
from contract_registry.entrypoints.schemas.contracts import (
    ContractIn,
    ContractListItem,
    ContractOut,
    ContractPatchIn,
    CorrectionIn,
    CoverageIn,
    CoverageOut,
    DiffOut,
    LinkScheduleIn,
    VersionIn,
    VersionOut,
    WithdrawalIn,
)
from contract_registry.handlers import contracts, drafts, future_versions, queries
from contract_registry.handlers.common import utcnow

router = APIRouter(prefix="/v1/contracts", tags=["contracts"])
AsOf = Annotated[IsoDate | None, Query(description="Show the version in force on this day (YYYY-MM-DD)")]
_CONTRACT_OUT = TypeAdapter(ContractOut)


async def _view(rt: Runtime, org: str, contract_id: str, as_of: IsoDate | None = None) -> dict[str, Any]:
    async with rt.read_sessions() as session:
        return await queries.contract_view(session, org, contract_id, as_of)


def _cursor_time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise Unprocessable("cursor is not valid", errors=[{"field": "cursor", "message": "malformed"}])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ContractOut, summary="Create a contract")
async def create_contract(
    body: ContractIn, who: Annotated[Principal, Requires("contracts:write")], rt: Runtime
) -> Any:
    """A draft contract; publishes contract.created with its first (proposed) version."""
    contract_id = await contracts.create_contract(rt.uow(), who, body.model_dump(mode="json"))
    return await _view(rt, who.organization_id, contract_id)


@router.get("", response_model=Page[ContractListItem], summary="Search contracts")
async def search(
    who: Annotated[Principal, Requires("contracts:read")],
    rt: Runtime,
    payer_id: Annotated[str | None, Query(description="Only contracts with this payer.")] = None,
    status: Annotated[
        str | None,
        Query(
            description="Only contracts in this status (draft, in_review, approved, active, expired, ...)."
        ),
    ] = None,
    expiring_within_days: Annotated[
        int | None, Query(ge=0, le=3650, description="Only contracts ending within N days from today.")
    ] = None,
    q: Annotated[str | None, Query(description="Free text on the contract's or payer's name")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Filter by payer, status, termination within N days and free text; cursor pagination."""
    position = decode_cursor(cursor, {"created_at": str, "id": str})
    after = (_cursor_time(position["created_at"]), position["id"]) if position else None
    query = ContractQuery(payer_id, status, expiring_within_days, q, after, limit)
    async with rt.sessions() as session:
        rows = await search_contracts(session, who.organization_id, query, utcnow().date())
    last = rows[-1] if len(rows) == limit else None
    next_cursor = encode_cursor({"created_at": last.created_at.isoformat(), "id": last.id}) if last else None
    return {"items": [r._asdict() for r in rows], "next_cursor": next_cursor}


@router.get("/{contract_id}", response_model=ContractOut, summary="Get a contract (as of a date)")
async def get_contract(
    contract_id: ContractId,
    who: Annotated[Principal, Requires("contracts:read")],
    rt: Runtime,
    views: Views,
    as_of: AsOf = None,
) -> Any:
    """The contract with its latest version, or with the version in force on `as_of`."""
    org = who.organization_id
    key = views.key(org, contract_id, as_of, utcnow().date())
    body = views.get(key)  # adapters/contract_views.py: what is kept, and how a change empties it
    if body is None:
        generation = views.generation
        view = _CONTRACT_OUT.validate_python(await _view(rt, org, contract_id, as_of), from_attributes=True)
        body = _CONTRACT_OUT.dump_json(view, by_alias=True)  # as FastAPI renders response_model
        views.put(key, body, generation)
    return Response(body, media_type="application/json")


@router.patch(
    "/{contract_id}",
    response_model=ContractOut,
    summary="Edit a draft",
    responses={409: {"description": "The contract is no longer a draft: add a version instead"}},
)
async def revise_draft(
    contract_id: ContractId,
    body: ContractPatchIn,
    who: Annotated[Principal, Requires("contracts:write")],
    rt: Runtime,
) -> Any:
    """Name, line of business, plans and terms of the draft's latest proposed version, in place
    (same version number); audited as contract.revised, published as contract.amended."""
    patch = body.model_dump(mode="json", exclude_unset=True)
    await drafts.revise_draft(rt.uow(), who, contract_id, patch)
    return await _view(rt, who.organization_id, contract_id)


@router.post(
    "/{contract_id}/versions",
    status_code=status.HTTP_201_CREATED,
    response_model=ContractOut,
    summary="Add a version (amendment)",
)
async def add_version(
    contract_id: ContractId,
    body: VersionIn,
    who: Annotated[Principal, Requires("contracts:write")],
    rt: Runtime,
) -> Any:
    """Amend an active contract or revise a draft; publishes contract.amended. Terms left out are
    inherited from the version it follows, terms sent as null are cleared. Overlapping or
    gapped versions are refused (409 naming the dates); retroactive ones are marked."""
    await contracts.add_version(rt.uow(), who, contract_id, body.model_dump(mode="json", exclude_unset=True))
    return await _view(rt, who.organization_id, contract_id)


VersionNumber = Annotated[int, Path(ge=1, le=100_000, description="The version's number")]
NOT_YET_IN_FORCE: dict[int | str, dict[str, Any]] = {
    409: {"description": "Not the latest version, or it has already taken effect"}
}


@router.patch(
    "/{contract_id}/versions/{number}",
    response_model=ContractOut,
    summary="Correct a version before it takes effect",
    responses=NOT_YET_IN_FORCE,
)
async def correct_version(
    contract_id: ContractId,
    number: VersionNumber,
    body: CorrectionIn,
    who: Annotated[Principal, Requires("contracts:write")],
    rt: Runtime,
) -> Any:
    """The latest version's terms, corrected in place before its effective_from (left out: kept,
    null: cleared); audited as contract.version_corrected, published as contract.amended."""
    command = body.model_dump(mode="json", exclude_unset=True)
    await future_versions.correct_version(rt.uow(), who, contract_id, number, command)
    return await _view(rt, who.organization_id, contract_id)


@router.post(
    "/{contract_id}/versions/{number}/withdraw",
    response_model=ContractOut,
    summary="Withdraw a version before it takes effect",
    responses=NOT_YET_IN_FORCE,
)
async def withdraw_version(
    contract_id: ContractId,
    number: VersionNumber,
    body: WithdrawalIn,
    who: Annotated[Principal, Requires("contracts:write")],
    rt: Runtime,
) -> Any:
    """Drop the latest version before its effective_from; the previous version is open-ended
    again. Audited as contract.version_withdrawn; published as contract.amended carrying the
    version now latest and withdrawn_version."""
    await future_versions.withdraw_version(rt.uow(), who, contract_id, number, body.reason)
    return await _view(rt, who.organization_id, contract_id)


@router.get("/{contract_id}/versions", response_model=list[VersionOut], summary="Version history")
async def history(
    contract_id: ContractId, who: Annotated[Principal, Requires("contracts:read")], rt: Runtime
) -> Any:
    """Every version, oldest first (proposed ones while the contract is a draft)."""
    async with rt.sessions() as session:
        return await queries.history(session, who.organization_id, contract_id)


@router.get("/{contract_id}/diff", response_model=DiffOut, summary="Compare two versions")
async def diff(
    contract_id: ContractId,
    who: Annotated[Principal, Requires("contracts:read")],
    rt: Runtime,
    from_: Annotated[int, Query(alias="from", ge=1, description="The earlier version's number.")],
    to: Annotated[int, Query(ge=1, description="The later version's number.")],
) -> Any:
    """Field by field, and the fee schedules row by row."""
    async with rt.sessions() as session:
        return await queries.diff(session, who.organization_id, contract_id, from_, to)


@router.post("/{contract_id}/coverage", response_model=CoverageOut, summary="Check coverage of codes")
async def coverage(
    contract_id: ContractId,
    body: CoverageIn,
    who: Annotated[Principal, Requires("contracts:read")],
    rt: Runtime,
) -> Any:
    """Which codes the version in force on the date does not cover, and the term paying each other.
    A draft (or a contract in review) answers from its proposed version in force on the date
    (`proposed: true`)."""
    codes = [(c.code_system, c.code) for c in body.codes]
    async with rt.sessions() as session:
        return await queries.coverage(session, who.organization_id, contract_id, codes, body.date)


@router.post(
    "/{contract_id}/fee-schedule",
    status_code=status.HTTP_201_CREATED,
    response_model=ContractOut,
    summary="Link a fee schedule",
)
async def link_fee_schedule(
    contract_id: ContractId,
    body: LinkScheduleIn,
    who: Annotated[Principal, Requires("contracts:write")],
    rt: Runtime,
) -> Any:
    """A new version of the latest terms using the schedule from `effective_from` (contract.amended)."""
    await contracts.link_fee_schedule(rt.uow(), who, contract_id, body.schedule_id, body.effective_from)
    return await _view(rt, who.organization_id, contract_id)
