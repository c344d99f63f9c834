"""Read use cases: a contract as of a date, its history, diffs and coverage (no writes)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from accord_common.errors import NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from contract_registry.adapters.contract_codec import stored_versions
from contract_registry.adapters.contract_repository import ContractRepository
from contract_registry.adapters.fee_schedule_codec import row_from_db, row_to_json
from contract_registry.adapters.fee_schedule_repository import FeeScheduleRepository
from contract_registry.domain import (
    BilledCode,
    CodeSystem,
    Contract,
    ContractVersion,
    FeeSchedule,
    FeeScheduleRow,
    NoVersionInForce,
    check_version_coverage,
    diff_fee_schedules,
    diff_versions,
    version_in_force,
    version_to_dict,
)
from contract_registry.handlers.common import utcnow


async def contract_view(
    session: AsyncSession, org: str, contract_id: str, as_of: date | None
) -> dict[str, Any]:
    """The contract with the version in force on `as_of` (default: its latest version)."""
    row, contract = await ContractRepository(session, org).read(contract_id)
    versions = stored_versions(contract, utcnow().date())
    version = versions[-1] if as_of is None else version_in_force(versions, as_of)
    if version is None:
        raise NotFound(f"contract {contract_id} has no version in force on {as_of}")
    return {**contract_summary(row, contract), "version": version_to_dict(version)}


def contract_summary(row: Any, contract: Contract) -> dict[str, Any]:
    return {
        "id": row.id,
        "organization_id": row.organization_id,
        "payer_id": row.payer_id,
        "name": row.name,
        "status": row.status,
        "line_of_business": row.line_of_business,
        "plan_ids": list(row.plan_ids),
        "scope": contract.scope.to_dict(),
        "current_version": row.current_version,
        "termination_date": row.termination_date,
        "required_approver_roles": sorted(contract.required_approver_roles),
        "pending_roles": sorted(contract.pending_roles),
        "approvals": list(row.approvals),
        "rejections": list(row.rejections),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


async def history(session: AsyncSession, org: str, contract_id: str) -> list[dict[str, Any]]:
    repo = ContractRepository(session, org)
    await repo.row(contract_id)
    return [
        {**row.data, "proposed": row.proposed, "created_at": row.created_at, "created_by": row.created_by}
        for row in await repo.version_rows(contract_id)
    ]


async def _version(session: AsyncSession, org: str, contract_id: str, number: int) -> ContractVersion:
    contract = await ContractRepository(session, org).get(contract_id)
    for version in stored_versions(contract, utcnow().date()):
        if version.number == number:
            return version
    raise NotFound(f"contract {contract_id} has no version {number}")


async def diff(session: AsyncSession, org: str, contract_id: str, old: int, new: int) -> dict[str, Any]:
    """Field by field, and the fee schedules row by row when the versions name different ones."""
    before = await _version(session, org, contract_id, old)
    after = await _version(session, org, contract_id, new)
    fields = [{"field": c.field, "old": c.old, "new": c.new} for c in diff_versions(before, after)]
    old_rows = await _schedule_rows(session, org, before)
    new_rows = await _schedule_rows(session, org, after)
    rows = diff_fee_schedules(old_rows, new_rows)
    return {
        "from_version": old,
        "to_version": new,
        "fields": fields,
        "fee_schedule": {
            "added": [row_to_json(r) for r in rows.added],
            "removed": [row_to_json(r) for r in rows.removed],
            "changed": [
                {
                    "row": row_to_json(c.new),
                    "changes": [{"field": f.field, "old": f.old, "new": f.new} for f in c.changes],
                }
                for c in rows.changed
            ],
        },
    }


async def _schedule_rows(session: AsyncSession, org: str, version: ContractVersion) -> list[FeeScheduleRow]:
    ref = version.terms.fee_schedule
    if ref is None:
        return []
    repo = FeeScheduleRepository(session, org)
    rows: list[FeeScheduleRow] = []
    async for batch in repo.batches(ref.schedule_id):
        rows.extend(row_from_db(row) for row in batch)
    return rows


async def coverage(
    session: AsyncSession, org: str, contract_id: str, codes: Sequence[tuple[str, str]], on: date
) -> dict[str, Any]:
    """Which codes the version in force on `on` pays, and under which term; a contract not yet
    active answers from its proposed versions (and says so: `proposed`)."""
    contract = await ContractRepository(session, org).get(contract_id)
    billed = [BilledCode(CodeSystem(system), code) for system, code in codes]
    version = version_in_force(stored_versions(contract, utcnow().date()), on)
    if version is None:
        raise NoVersionInForce(contract_id, on)
    schedule = None
    if version.terms.fee_schedule is not None:
        found = await FeeScheduleRepository(session, org).rows_for_codes(
            version.terms.fee_schedule.schedule_id, [(b.code_system.value, b.code) for b in billed]
        )
        schedule = FeeSchedule(tuple(row_from_db(row) for row in found))
    report = check_version_coverage(version, billed, on, schedule)
    return {
        "date": on,
        "version": report.version_number,
        "proposed": not contract.versions,
        "covered": [
            {
                "code_system": c.billed.code_system.value,
                "code": c.billed.code,
                "term": c.term_name,
                "carve_out": c.carve_out_name,
            }
            for c in report.covered
        ],
        "not_covered": [
            {"code_system": u.billed.code_system.value, "code": u.billed.code, "reason": u.reason}
            for u in report.not_covered
        ],
    }
