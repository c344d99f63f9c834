"""The contract lifecycle: submit, approve, reject, activate, renew, terminate, expire."""

from __future__ import annotations

from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.web.deps import Requires, Runtime
from fastapi import APIRouter

from contract_registry.entrypoints.deps import ContractId
from contract_registry.entrypoints.schemas.contracts import ContractOut, RenewIn, ReviewIn, TerminateIn
from contract_registry.handlers import lifecycle, queries

router = APIRouter(prefix="/v1/contracts/{contract_id}", tags=["lifecycle"])


async def _view(rt: Runtime, org: str, contract_id: str) -> Any:
    async with rt.sessions() as session:
        return await queries.contract_view(session, org, contract_id, None)


@router.post("/submit", response_model=ContractOut, summary="Submit for review")
async def submit(
    contract_id: ContractId, who: Annotated[Principal, Requires("contracts:write")], rt: Runtime
) -> Any:
    """Draft -> in review (approved at once if the organisation requires no approver role)."""
    await lifecycle.submit_for_review(rt.uow(), who, contract_id)
    return await _view(rt, who.organization_id, contract_id)


@router.post("/approve", response_model=ContractOut, summary="Approve for a role")
async def approve(
    contract_id: ContractId,
    body: ReviewIn,
    who: Annotated[Principal, Requires("contracts:approve")],
    rt: Runtime,
) -> Any:
    """One required role approves; who is the API key's name, when is now."""
    await lifecycle.approve(rt.uow(), who, contract_id, body.role, body.comment)
    return await _view(rt, who.organization_id, contract_id)


@router.post("/reject", response_model=ContractOut, summary="Reject for a role")
async def reject(
    contract_id: ContractId,
    body: ReviewIn,
    who: Annotated[Principal, Requires("contracts:approve")],
    rt: Runtime,
) -> Any:
    """Back to draft; approvals so far are void. The comment (why) is required."""
    await lifecycle.reject(rt.uow(), who, contract_id, body.role, body.comment)
    return await _view(rt, who.organization_id, contract_id)


@router.post("/activate", response_model=ContractOut, summary="Activate")
async def activate(
    contract_id: ContractId, who: Annotated[Principal, Requires("contracts:write")], rt: Runtime
) -> Any:
    """Approved -> active: the proposed versions come into force (contract.activated). Refused
    with 409 naming the missing roles until every required role has approved."""
    await lifecycle.activate(rt.uow(), who, contract_id)
    return await _view(rt, who.organization_id, contract_id)


@router.post("/renew", response_model=ContractOut, summary="Renew")
async def renew(
    contract_id: ContractId,
    body: RenewIn,
    who: Annotated[Principal, Requires("contracts:write")],
    rt: Runtime,
) -> Any:
    """A new term from the day after the termination date (contract.renewed)."""
    await lifecycle.renew(rt.uow(), who, contract_id, body.renewal_term_months)
    return await _view(rt, who.organization_id, contract_id)


@router.post("/terminate", response_model=ContractOut, summary="Terminate")
async def terminate(
    contract_id: ContractId,
    body: TerminateIn,
    who: Annotated[Principal, Requires("contracts:write")],
    rt: Runtime,
) -> Any:
    """End the contract early on `last_day`, saying why (contract.terminated)."""
    await lifecycle.terminate(rt.uow(), who, contract_id, body.last_day, body.reason)
    return await _view(rt, who.organization_id, contract_id)


@router.post("/expire", response_model=ContractOut, summary="Expire")
async def expire(
    contract_id: ContractId, who: Annotated[Principal, Requires("contracts:write")], rt: Runtime
) -> Any:
    """The term ran out without renewal (contract.terminated, status expired)."""
    await lifecycle.expire(rt.uow(), who, contract_id)
    return await _view(rt, who.organization_id, contract_id)
