"""Correct or withdraw the latest version before it takes effect (a version entered by mistake).

Both are audited and published as contract.amended with a higher revision: a correction carries
the corrected version (same number), a withdrawal the version that is latest again and
`withdrawn_version`, so the engine and the tracker replace or drop what they hold.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accord_common.auth import Principal
from accord_common.uow import UnitOfWork

from contract_registry.adapters.contract_repository import ContractRepository
from contract_registry.domain import IllegalTransition
from contract_registry.handlers.common import audit, utcnow
from contract_registry.handlers.contracts import inherited_terms, labels_of, publish_changes, version_changes


async def correct_version(
    uow: UnitOfWork, who: Principal, contract_id: str, number: int, command: dict[str, Any]
) -> None:
    """The command's term fields over the version's terms (left out: kept; None: cleared)."""
    now = utcnow()
    async with uow:
        repo = ContractRepository(uow.session, who.organization_id)
        contract = await repo.get(contract_id, for_update=True)
        if not contract.versions:  # a draft is edited in place (PATCH), not corrected
            raise IllegalTransition(contract_id, contract.status.value, "correct a version", "active")
        previous = contract.versions[-1]
        terms = await inherited_terms(uow, who, previous.terms, command)
        version = contract.correct_version(number, terms, today=now.date())
        await repo.save(contract, actor=who.name, now=now)
        changes = {"version": number, "fields": version_changes(previous, version)}
        await _audit(uow, who, contract_id, "contract.version_corrected", changes, None, now)
        await publish_changes(uow, contract, await labels_of(uow, who, contract_id), now)
        await uow.commit()


async def withdraw_version(
    uow: UnitOfWork, who: Principal, contract_id: str, number: int, reason: str
) -> None:
    """Drop the latest version; the one before it is open-ended again."""
    now = utcnow()
    async with uow:
        repo = ContractRepository(uow.session, who.organization_id)
        contract = await repo.get(contract_id, for_update=True)
        withdrawn = contract.withdraw_version(number, reason, today=now.date())
        await repo.save(contract, actor=who.name, now=now)
        changes = {
            "version": number,
            "effective_from": withdrawn.effective_from.isoformat(),
            "latest_version": contract.versions[-1].number,
        }
        await _audit(uow, who, contract_id, "contract.version_withdrawn", changes, reason, now)
        await publish_changes(uow, contract, await labels_of(uow, who, contract_id), now)
        await uow.commit()


async def _audit(
    uow: UnitOfWork,
    who: Principal,
    contract_id: str,
    action: str,
    changes: dict[str, Any],
    comment: str | None,
    now: datetime,
) -> None:
    await audit(
        uow,
        who,
        action,
        entity="contract",
        entity_id=contract_id,
        contract_id=contract_id,
        changes=changes,
        at=now,
        comment=comment,
    )
