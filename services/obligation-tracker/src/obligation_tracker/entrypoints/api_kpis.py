"""Value-based KPI measures and their readings."""

from __future__ import annotations

from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.web.deps import Requires, Runtime
from fastapi import APIRouter, Path, Query, status

from obligation_tracker.entrypoints.deps import CurrentTracker
from obligation_tracker.entrypoints.schemas import MeasureIn, MeasureOut, ReadingIn
from obligation_tracker.entrypoints.views import measure_view
from obligation_tracker.handlers import kpis

router = APIRouter(prefix="/v1/kpis", tags=["kpis"])
MeasureId = Annotated[str, Path(description="The measure's id, as returned when it was defined.")]


@router.post(
    "/measures", status_code=status.HTTP_201_CREATED, response_model=MeasureOut, summary="Define a measure"
)
async def define_measure(
    body: MeasureIn,
    who: Annotated[Principal, Requires("obligations:write")],
    rt: Runtime,
    tracker: CurrentTracker,
) -> Any:
    """Define a quality or efficiency measure of a value-based contract, with its target and period.

    `direction` says whether a higher or a lower value is good; `weight` is its relative weight
    (default 1). The answer is the measure evaluated as of today (no reading yet). Measures a
    contract version's value-based terms name are defined from its events without this call;
    a measure defined here is never changed by them.
    Needs the `obligations:write` scope.
    """
    definition = kpis.MeasureDefinition(
        body.contract_id,
        body.measure,
        body.direction,
        body.target,
        body.weight,
        body.period_start,
        body.period_end,
    )
    measure_id = await kpis.define_measure(rt.uow(), tracker, who, definition)
    [(row, evaluation)] = await kpis.measures_with_status(rt.uow(), tracker, who, measure_id=measure_id)
    return measure_view(row, evaluation)


@router.post("/measures/{measure_id}/readings", response_model=MeasureOut, summary="Record a reading")
async def record_reading(
    measure_id: MeasureId,
    body: ReadingIn,
    who: Annotated[Principal, Requires("obligations:write")],
    rt: Runtime,
    tracker: CurrentTracker,
) -> Any:
    """Record the measure's value to date and evaluate it as of that date.

    A reading that leaves the measure at risk of missing its target publishes kpi.at_risk (once per
    measure and reading date). A retired measure answers 409. Needs the `obligations:write` scope.
    """
    row, evaluation = await kpis.record_reading(rt.uow(), tracker, who, measure_id, body.value, body.as_of)
    return measure_view(row, evaluation)


@router.get("/measures", response_model=list[MeasureOut], summary="List measures with status")
async def list_measures(
    who: Annotated[Principal, Requires("obligations:read")],
    rt: Runtime,
    tracker: CurrentTracker,
    contract_id: Annotated[str | None, Query(description="Only the measures of this contract.")] = None,
    include_retired: Annotated[
        bool, Query(description="Also list measures retired because their term left the contract.")
    ] = False,
) -> Any:
    """Every measure, evaluated as of today: on track, at risk or missed.

    Each comes with its latest reading and the value projected to the period's end. Measures come
    from staff (defined here) or from a contract version's value-based terms (`defined_by`), which
    define, update and retire them as the contract is amended. Needs the `obligations:read` scope.
    """
    found = await kpis.measures_with_status(
        rt.uow(), tracker, who, contract_id, include_retired=include_retired
    )
    return [measure_view(row, e) for row, e in found]
