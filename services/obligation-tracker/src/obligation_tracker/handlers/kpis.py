"""Value-based measures: record a reading, evaluate, and publish kpi.at_risk once per reading date."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from accord_common.auth import Principal
from accord_common.errors import Conflict
from accord_common.events import new_event
from accord_common.uow import UnitOfWork

from obligation_tracker.adapters.kpi_repository import DEFINED_BY_STAFF, KpiRepository
from obligation_tracker.domain import (
    Direction,
    Measure,
    MeasureEvaluation,
    MeasureReading,
    MeasureStatus,
    evaluate_measure,
)
from obligation_tracker.handlers.context import SOURCE, Tracker
from obligation_tracker.ids import plain


@dataclass(frozen=True)
class MeasureDefinition:
    contract_id: str
    name: str
    direction: Direction
    target: Decimal
    weight: Decimal
    period_start: date
    period_end: date


def to_measure(row: Any) -> Measure:
    return Measure(
        row.name,
        Direction(row.direction),
        plain(row.target),
        plain(row.weight),
        row.period_start,
        row.period_end,
    )


async def define_measure(
    uow: UnitOfWork, tracker: Tracker, who: Principal, definition: MeasureDefinition
) -> str:
    measure_id = str(uuid.uuid4())
    async with uow:
        await KpiRepository(uow.session, who.organization_id).add_measure(
            {
                "id": measure_id,
                "contract_id": definition.contract_id,
                "name": definition.name,
                "direction": definition.direction.value,
                "target": definition.target,
                "weight": definition.weight,
                "period_start": definition.period_start,
                "period_end": definition.period_end,
                "created_at": tracker.now(),
                "defined_by": DEFINED_BY_STAFF,
            }
        )
        await uow.commit()
    return measure_id


async def record_reading(
    uow: UnitOfWork, tracker: Tracker, who: Principal, measure_id: str, value: Decimal, as_of: date
) -> tuple[Any, MeasureEvaluation]:
    """Store the reading, evaluate the measure as of its date; at risk publishes kpi.at_risk once.
    A retired measure (its term left the contract) takes no more readings."""
    async with uow:
        repo = KpiRepository(uow.session, who.organization_id)
        row = await repo.measure(measure_id)
        if row.retired_at is not None:
            raise Conflict(
                f"measure {measure_id} is retired ({row.retired_reason}): it takes no more readings"
            )
        now = tracker.now()
        await repo.record_reading(
            measure_id, as_of, {"value": value, "recorded_by": who.name, "recorded_at": now}
        )
        readings = [MeasureReading(r.recorded_on, plain(r.value)) for r in await repo.readings([measure_id])]
        evaluation = evaluate_measure(to_measure(row), readings, as_of)
        if evaluation.status is MeasureStatus.AT_RISK and not await repo.alert_sent(measure_id, as_of):
            event = _at_risk_event(who.organization_id, row, evaluation)
            uow.publish(event)
            await repo.record_alert(measure_id, as_of, event.id, now)
        await uow.commit()
    return row, evaluation


def _at_risk_event(organization_id: str, row: Any, evaluation: MeasureEvaluation) -> Any:
    projected = evaluation.projected if evaluation.projected is not None else Decimal(0)
    data = {
        "organization_id": organization_id,
        "contract_id": row.contract_id,
        "measure": row.name,
        "target": plain(row.target),
        "projected": projected,
        "period_end": row.period_end,
    }
    return new_event("kpi.at_risk", source=SOURCE, subject=row.id, data=data, organization_id=organization_id)


async def measures_with_status(
    uow: UnitOfWork,
    tracker: Tracker,
    who: Principal,
    contract_id: str | None = None,
    measure_id: str | None = None,
    *,
    include_retired: bool = False,
) -> list[tuple[Any, MeasureEvaluation]]:
    """Measures with their evaluation as of the organisation's today (retired ones when asked)."""
    async with uow:
        repo = KpiRepository(uow.session, who.organization_id)
        rows = await repo.measures(contract_id, measure_id, include_retired=include_retired)
        readings = await repo.readings([r.id for r in rows])
        calendar = await tracker.calendar(uow.session, who.organization_id)
    today = calendar.schedule.local_date(tracker.now())
    by_measure: dict[str, list[MeasureReading]] = {}
    for reading in readings:
        by_measure.setdefault(reading.measure_id, []).append(
            MeasureReading(reading.recorded_on, plain(reading.value))
        )
    return [(row, evaluate_measure(to_measure(row), by_measure.get(row.id, []), today)) for row in rows]
