"""Contract use cases: create a draft, add a version (amend, or revise a draft), link a schedule."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from accord_common.auth import Principal
from accord_common.uow import UnitOfWork

from contract_registry.adapters.contract_codec import stored_versions
from contract_registry.adapters.contract_repository import ContractRepository
from contract_registry.adapters.fee_schedule_repository import FeeScheduleRepository
from contract_registry.adapters.party_repository import PartyRepository
from contract_registry.domain import (
    Contract,
    ContractAmended,
    ContractStatus,
    ContractTerms,
    ContractVersion,
    FeeScheduleRef,
    InvalidContractTerms,
    LineOfBusiness,
    diff_versions,
)
from contract_registry.domain.scope import ContractScope
from contract_registry.handlers.common import audit, utcnow
from contract_registry.handlers.contract_events import ContractLabels, contract_cloud_events
from contract_registry.handlers.terms import TERM_FIELDS, command_from_terms, terms_from_command


async def create_contract(uow: UnitOfWork, who: Principal, command: dict[str, Any]) -> str:
    """A draft contract with the organisation's required approver roles; publishes contract.created."""
    now, contract_id = utcnow(), str(uuid.uuid4())
    async with uow:
        parties = PartyRepository(uow.session, who.organization_id)
        payer = await parties.payer(command["payer_id"])
        plan_ids = known_plans(payer, command.get("plan_ids") or [])
        schedule = await fee_schedule_ref(uow, who, command.get("fee_schedule_id"))
        contract = Contract.create(
            id=contract_id,
            provider_organisation_id=who.organization_id,
            payer_id=payer.id,
            line_of_business=LineOfBusiness(command["line_of_business"]),
            terms=terms_from_command(command, schedule),
            plan_ids=plan_ids,
            required_approver_roles=await parties.required_approver_roles(),
            scope=ContractScope.of(**(command.get("scope") or {})),
        )
        await ContractRepository(uow.session, who.organization_id).add(
            contract, name=command["name"], actor=who.name, now=now
        )
        await audit(
            uow,
            who,
            "contract.created",
            entity="contract",
            entity_id=contract_id,
            contract_id=contract_id,
            changes={"name": command["name"], "version": version_summary(contract, now.date())},
            at=now,
        )
        await publish_changes(
            uow, contract, ContractLabels(command["name"], payer.name, payer.x12_payer_id), now
        )
        await uow.commit()
    return contract_id


async def add_version(uow: UnitOfWork, who: Principal, contract_id: str, command: dict[str, Any]) -> int:
    """A new version from `effective_from`: an amendment when active, a revision while a draft.
    It inherits every term of the version it follows that the command leaves out."""
    async with uow:
        repo = ContractRepository(uow.session, who.organization_id)
        contract = await repo.get(contract_id, for_update=True)
        current = stored_versions(contract, utcnow().date())[-1].terms
        terms = await inherited_terms(uow, who, current, command)
        number = await _record_version(uow, who, repo, contract, terms, command)
        await uow.commit()
    return number


async def link_fee_schedule(
    uow: UnitOfWork, who: Principal, contract_id: str, schedule_id: str, effective_from: date
) -> int:
    """Amend the latest terms to use a fee schedule from `effective_from`."""
    async with uow:
        schedule = await fee_schedule_ref(uow, who, schedule_id)
        repo = ContractRepository(uow.session, who.organization_id)
        contract = await repo.get(contract_id, for_update=True)
        latest = stored_versions(contract, utcnow().date())[-1]
        terms = replace(latest.terms, fee_schedule=schedule)
        number = await _record_version(uow, who, repo, contract, terms, {"effective_from": effective_from})
        await uow.commit()
    return number


async def _record_version(
    uow: UnitOfWork,
    who: Principal,
    repo: ContractRepository,
    contract: Contract,
    terms: ContractTerms,
    command: dict[str, Any],
) -> int:
    """Record `terms` as the contract's next version (read under lock by `repo`), audit and publish."""
    now, contract_id = utcnow(), contract.id
    effective_from = _as_date(command["effective_from"])
    payer_initiated = bool(command.get("payer_initiated"))
    window: int | None = command.get("objection_window_days")
    record = contract.propose_version if contract.status is ContractStatus.DRAFT else contract.amend
    version = record(
        terms,
        effective_from=effective_from,
        today=now.date(),
        payer_initiated=payer_initiated,
        objection_window_days=window,
    )
    await repo.save(contract, actor=who.name, now=now)
    previous = next(e.previous for e in contract.events if isinstance(e, ContractAmended))
    await audit(
        uow,
        who,
        "contract.version_added",
        entity="contract",
        entity_id=contract_id,
        contract_id=contract_id,
        changes={
            "version": version.number,
            "retroactive": version.retroactive,
            "fields": version_changes(previous, version),
        },
        at=now,
    )
    payer = await PartyRepository(uow.session, who.organization_id).payer(contract.payer_id)
    labels = ContractLabels(await repo.name(contract_id), payer.name, payer.x12_payer_id)
    await publish_changes(uow, contract, labels, now)
    return version.number


async def publish_changes(uow: UnitOfWork, contract: Contract, labels: ContractLabels, now: datetime) -> None:
    """Drain the aggregate's recorded events into the unit of work (the outbox, at commit)."""
    for event in contract_cloud_events(contract, contract.drain_events(), labels, now.date()):
        uow.publish(event)


async def labels_of(uow: UnitOfWork, who: Principal, contract_id: str) -> ContractLabels:
    row = await ContractRepository(uow.session, who.organization_id).row(contract_id)
    payer = await PartyRepository(uow.session, who.organization_id).payer(row.payer_id)
    return ContractLabels(row.name, payer.name, payer.x12_payer_id)


async def inherited_terms(
    uow: UnitOfWork, who: Principal, current: ContractTerms, command: dict[str, Any]
) -> ContractTerms:
    """`current` with the command's term fields over it: a field left out is inherited, one sent
    as None is cleared; `fee_schedule_id` left out keeps the schedule, None unlinks it."""
    given = {name: value for name, value in command.items() if name in TERM_FIELDS}
    schedule = current.fee_schedule
    if "fee_schedule_id" in given:
        schedule = await fee_schedule_ref(uow, who, given.pop("fee_schedule_id"))
    return terms_from_command({**command_from_terms(current), **given}, schedule)


async def fee_schedule_ref(uow: UnitOfWork, who: Principal, schedule_id: str | None) -> FeeScheduleRef | None:
    if not schedule_id:
        return None
    # locked: a schedule being deleted is either still there to link, or gone (404)
    row = await FeeScheduleRepository(uow.session, who.organization_id).get(schedule_id, for_update=True)
    return FeeScheduleRef(row.id, row.content_hash, row.row_count)


def version_changes(old: ContractVersion, new: ContractVersion) -> dict[str, Any]:
    return {c.field: {"old": c.old, "new": c.new} for c in diff_versions(old, new)}


def version_summary(contract: Contract, today: date) -> dict[str, Any]:
    version = stored_versions(contract, today)[-1]
    return {"number": version.number, "effective_from": version.effective_from.isoformat()}


def known_plans(payer: Any, plan_ids: list[str]) -> tuple[str, ...]:
    known = {plan["id"] for plan in payer.plans}
    for plan_id in plan_ids:
        if plan_id not in known:
            raise InvalidContractTerms("plan_ids", f"payer {payer.id} has no plan {plan_id}")
    return tuple(plan_ids)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
