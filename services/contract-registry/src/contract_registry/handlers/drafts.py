"""Editing a draft in place: its name, line of business, plans and the terms of its latest
proposed version (PATCH semantics: only the fields sent change). Refused once submitted (409)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from accord_common.auth import Principal
from accord_common.uow import UnitOfWork

from contract_registry.adapters.contract_repository import ContractRepository
from contract_registry.adapters.party_repository import PartyRepository
from contract_registry.domain import Contract, ContractTerms, LineOfBusiness
from contract_registry.domain.scope import ContractScope
from contract_registry.handlers.common import audit, changed, utcnow
from contract_registry.handlers.contract_events import ContractLabels
from contract_registry.handlers.contracts import (
    inherited_terms,
    known_plans,
    publish_changes,
    version_changes,
)
from contract_registry.handlers.terms import TERM_FIELDS


async def revise_draft(uow: UnitOfWork, who: Principal, contract_id: str, patch: dict[str, Any]) -> None:
    """Apply the patch through the domain's revise_draft; audited as contract.revised and
    published as contract.amended (the revised version keeps its number)."""
    now = utcnow()
    async with uow:
        repo = ContractRepository(uow.session, who.organization_id)
        row = await repo.row(contract_id, for_update=True)
        contract = await repo.get(contract_id)
        payer = await PartyRepository(uow.session, who.organization_id).payer(contract.payer_id)
        before = _identity(row.name, contract)
        previous = contract.draft_versions(now.date())[-1]
        version = contract.revise_draft(
            await _patched_terms(uow, who, contract, patch, now.date()),
            today=now.date(),
            line_of_business=LineOfBusiness(patch["line_of_business"])
            if patch.get("line_of_business")
            else None,
            plan_ids=known_plans(payer, patch["plan_ids"]) if patch.get("plan_ids") is not None else None,
        )
        if patch.get("scope") is not None:
            contract.rescope(ContractScope.of(**patch["scope"]), today=now.date())
        name = patch.get("name") or row.name
        await repo.save(contract, actor=who.name, now=now, name=name)
        changes = changed(before, _identity(name, contract))
        if fields := version_changes(previous, version):
            changes.update(version=version.number, fields=fields)
        if changes:
            await _audit(uow, who, contract_id, changes, now)
        await publish_changes(uow, contract, ContractLabels(name, payer.name, payer.x12_payer_id), now)
        await uow.commit()


async def _audit(
    uow: UnitOfWork, who: Principal, contract_id: str, changes: dict[str, Any], now: datetime
) -> None:
    await audit(
        uow,
        who,
        "contract.revised",
        entity="contract",
        entity_id=contract_id,
        contract_id=contract_id,
        changes=changes,
        at=now,
    )


def _identity(name: str, contract: Contract) -> dict[str, Any]:
    return {
        "name": name,
        "line_of_business": contract.line_of_business.value,
        "plan_ids": list(contract.plan_ids),
        "scope": contract.scope.to_dict(),
    }


async def _patched_terms(
    uow: UnitOfWork, who: Principal, contract: Contract, patch: dict[str, Any], today: date
) -> ContractTerms | None:
    """The latest proposed version's terms with the patch's term fields merged over them."""
    if not TERM_FIELDS.intersection(patch):
        return None
    return await inherited_terms(uow, who, contract.draft_versions(today)[-1].terms, patch)
