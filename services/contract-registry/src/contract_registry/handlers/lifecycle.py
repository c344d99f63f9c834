"""The contract's lifecycle: review, approval, activation, renewal, termination and expiry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from accord_common.auth import Principal
from accord_common.uow import UnitOfWork

from contract_registry.adapters.contract_repository import ContractRepository
from contract_registry.adapters.party_repository import PartyRepository
from contract_registry.domain import Contract, ReviewDecision
from contract_registry.handlers.common import audit, utcnow
from contract_registry.handlers.contracts import labels_of, publish_changes

Change = Callable[[Contract, datetime], None]


async def _apply(
    uow: UnitOfWork,
    who: Principal,
    contract_id: str,
    action: str,
    change: Change,
    details: dict[str, Any] | None = None,
    comment: str | None = None,
) -> str:
    """Load, let the aggregate change itself, save, audit, publish what it recorded; new status."""
    now = utcnow()
    async with uow:
        repo = ContractRepository(uow.session, who.organization_id)
        contract = await repo.get(contract_id, for_update=True)
        before = (contract.status.value, len(contract.versions))
        change(contract, now)
        await repo.save(contract, actor=who.name, now=now)
        changes = {"status": {"old": before[0], "new": contract.status.value}, **(details or {})}
        if len(contract.versions) != before[1]:
            changes["version"] = contract.versions[-1].number
        await audit(
            uow,
            who,
            f"contract.{action}",
            entity="contract",
            entity_id=contract_id,
            contract_id=contract_id,
            changes=changes,
            at=now,
            comment=comment,
        )
        await publish_changes(uow, contract, await labels_of(uow, who, contract_id), now)
        await uow.commit()
    return contract.status.value


async def submit_for_review(uow: UnitOfWork, who: Principal, contract_id: str) -> str:
    """The submitter (the key's holder) is recorded: segregation of duties keeps them from approving."""
    return await _apply(uow, who, contract_id, "submitted", lambda c, _: c.submit_for_review(who.holder))


async def approve(uow: UnitOfWork, who: Principal, contract_id: str, role: str, comment: str) -> str:
    """`who` (the API key's name and holder) approves for `role`; the time is recorded. The
    organisation's distinct-approvers setting is read first (it changes rarely)."""
    async with uow:
        distinct = await PartyRepository(uow.session, who.organization_id).distinct_approvers()

    def change(contract: Contract, now: datetime) -> None:
        decision = ReviewDecision(role, who.name, now, comment, who.holder)
        contract.approve(decision, distinct_approvers=distinct)

    return await _apply(uow, who, contract_id, "approved", change, {"role": role}, comment or None)


async def reject(uow: UnitOfWork, who: Principal, contract_id: str, role: str, comment: str) -> str:
    def change(contract: Contract, now: datetime) -> None:
        contract.reject(ReviewDecision(role, who.name, now, comment, who.holder))

    return await _apply(uow, who, contract_id, "rejected", change, {"role": role}, comment)


async def activate(uow: UnitOfWork, who: Principal, contract_id: str) -> str:
    """Refused (ApprovalsMissing, naming the roles) until every required role approved."""
    return await _apply(uow, who, contract_id, "activated", lambda c, now: c.activate(now.date()))


async def renew(uow: UnitOfWork, who: Principal, contract_id: str, months: int | None) -> str:
    def change(contract: Contract, now: datetime) -> None:
        contract.renew(now.date(), renewal_term_months=months)

    return await _apply(uow, who, contract_id, "renewed", change, {"renewal_term_months": months})


async def terminate(uow: UnitOfWork, who: Principal, contract_id: str, last_day: date, reason: str) -> str:
    def change(contract: Contract, _: datetime) -> None:
        contract.terminate(last_day, reason)

    details = {"last_day": last_day.isoformat()}
    return await _apply(uow, who, contract_id, "terminated", change, details, reason)


async def expire(uow: UnitOfWork, who: Principal, contract_id: str) -> str:
    return await _apply(uow, who, contract_id, "expired", lambda c, now: c.expire(now.date()))
