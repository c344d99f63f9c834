"""KPI measures from a contract version's value-based terms: defined, updated, restored or retired
as the domain plans them (domain/contract_measures.py), in the contract event's unit of work.
Only the contract's own measures are read and written; staff's are never touched."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accord_common.events.payloads import ContractVersionData
from accord_common.uow import UnitOfWork

from obligation_tracker.adapters.kpi_repository import DEFINED_BY_CONTRACT, KpiRepository
from obligation_tracker.domain import (
    ContractMeasure,
    Measure,
    MeasureChange,
    MeasureKey,
    MeasurePlan,
    plan_contract_measures,
    retire_contract_measures,
)
from obligation_tracker.handlers.context import Tracker
from obligation_tracker.handlers.kpis import to_measure
from obligation_tracker.handlers.snapshot import measures_of
from obligation_tracker.ids import contract_measure_id


async def apply_contract_measures(
    uow: UnitOfWork, tracker: Tracker, data: ContractVersionData, *, terminated: bool
) -> MeasurePlan:
    """Bring the contract's measures in line with the version (a termination retires them all)."""
    repo = KpiRepository(uow.session, data.organization_id)
    rows = {MeasureKey.of(to_measure(row)): row for row in await repo.contract_measures(data.contract_id)}
    held = [ContractMeasure(to_measure(row), row.retired_reason) for row in rows.values()]
    if terminated:
        plan = retire_contract_measures(held, f"contract terminated (version {data.version})")
    else:
        plan = plan_contract_measures(held, measures_of(data), data.version)
    now = tracker.now()
    for change in plan.to_define:
        await repo.add_measure(_defined(data, change, now))
    for change in (*plan.to_update, *plan.to_restore):
        row = rows[change.key]
        in_force = {"retired_at": None, "retired_reason": None}
        await repo.update_measure(
            row.id, _terms(change.measure) | _changed(row, change, data, now) | in_force
        )
    for change in plan.to_retire:
        row = rows[change.key]
        retired = {"retired_at": now, "retired_reason": change.reason}
        await repo.update_measure(row.id, _changed(row, change, data, now) | retired)
    return plan


def _terms(measure: Measure) -> dict[str, Any]:
    return {
        "direction": measure.direction.value,
        "target": measure.target,
        "weight": measure.weight,
        "period_end": measure.period_end,
    }


def _defined(data: ContractVersionData, change: MeasureChange, now: datetime) -> dict[str, Any]:
    measure = change.measure
    return {
        "id": contract_measure_id(data.organization_id, data.contract_id, measure.name, measure.period_start),
        "contract_id": data.contract_id,
        "name": measure.name,
        "period_start": measure.period_start,
        "created_at": now,
        "defined_by": DEFINED_BY_CONTRACT,
        "contract_version": data.version,
        "changes": [change.reason],
        "updated_at": now,
        **_terms(measure),
    }


def _changed(row: Any, change: MeasureChange, data: ContractVersionData, now: datetime) -> dict[str, Any]:
    return {"contract_version": data.version, "changes": [*row.changes, change.reason], "updated_at": now}
