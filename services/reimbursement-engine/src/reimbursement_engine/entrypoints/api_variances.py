"""Variances API: the worklist, filtered variance lists, state transitions and the tolerance."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from accord_common.auth import Principal
from accord_common.web.deps import (
    Cursor,
    Limit,
    Requires,
    Runtime,
    decode_cursor,
    encode_cursor,
)
from accord_common.web.types import IsoDate, NonNegativeCents
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from reimbursement_engine.adapters.variance_repo import VarianceRepository
from reimbursement_engine.domain.worklist import WorklistGroup
from reimbursement_engine.entrypoints.deps import Settings
from reimbursement_engine.entrypoints.openapi_examples import WORKLIST_EXAMPLE
from reimbursement_engine.handlers import variances as handlers

router = APIRouter(prefix="/v1", tags=["variances"])
VarianceId = Annotated[str, Path(description="The variance's id, as listed by GET /v1/variances.")]


class TransitionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"to": "appealed", "note": "appeal sent with contract rate sheet, ref APL-0042"},
                {"to": "recovered", "note": "payer reprocessed", "amount": "28.95"},
            ]
        },
    )
    to: Literal["appealed", "recovered", "written_off"]
    note: str | None = Field(default=None, max_length=4000)
    amount: NonNegativeCents | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)


class ToleranceIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"variance_tolerance": "2.50"}]}
    )
    variance_tolerance: NonNegativeCents = Field(ge=0, max_digits=14, decimal_places=2)


class VarianceOut(BaseModel):
    id: str
    claim_id: str
    patient_control_number: str
    payer_id: str
    contract_id: str | None
    classification: str
    status: str
    expected_allowed: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    variance: Decimal
    carcs: list[str]
    primary_cause: str | None = Field(default=None, description="The root cause it is worked under.")
    root_causes: list[dict[str, Any]] | None = Field(
        default=None, description="Each cause with the line, code, amount and evidence (docs/recovery.md)."
    )
    remittance_date: IsoDate
    created_at: datetime
    updated_at: datetime


class WorklistEntryOut(BaseModel):
    payer_id: str
    contract_id: str | None
    code: str = Field(description="The line's code, or `claim-level` for what no line carries.")
    carc: str
    amount: Decimal
    expected_allowed: Decimal
    paid: Decimal
    claim_count: int
    line_count: int
    oldest_remittance: IsoDate | None


class WorklistSectionOut(BaseModel):
    items: list[WorklistEntryOut]
    total_amount: Decimal = Field(description="Sum of the section's claim variances, to the cent.")
    group_count: int
    variance_count: int


class WorklistOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [WORKLIST_EXAMPLE]})
    items: list[WorklistEntryOut] = Field(description="What the payers owe: underpaid and denied claims.")
    total_amount: Decimal = Field(description="Sum of the open underpaid and denied variances.")
    group_count: int
    variance_count: int
    overpaid: WorklistSectionOut = Field(description="Overpaid claims, never netted against the above.")
    needs_review: WorklistSectionOut = Field(
        description="Claims with a line pricing could not price: the payment cannot be judged."
    )


def _section(group: WorklistGroup, limit: int) -> dict[str, Any]:
    items = [
        {
            "payer_id": e.payer_id,
            "contract_id": e.contract_id,
            "code": e.code,
            "carc": e.carc,
            "amount": e.amount,
            "expected_allowed": e.expected_allowed,
            "paid": e.paid,
            "claim_count": e.claim_count,
            "line_count": e.line_count,
            "oldest_remittance": e.oldest_remittance,
        }
        for e in group.entries[:limit]
    ]
    return {
        "items": items,
        "total_amount": group.total,
        "group_count": len(group.entries),
        "variance_count": group.variance_count,
    }


@router.get("/worklist", response_model=WorklistOut, summary="Get the variance worklist")
async def get_worklist(
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    limit: Annotated[
        int, Query(ge=1, le=500, description="How many groups to list per section (1-500).")
    ] = 100,
    status: Annotated[
        Literal["open", "appealed"], Query(description="Work on open variances, or on appealed ones.")
    ] = "open",
) -> Any:
    """Every variance in `status`, summed by payer, contract, code and CARC: what payers owe
    (underpaid, denied), overpayments apart, and claims that need review."""
    async with rt.sessions() as session:
        found = await handlers.worklist(session, who.organization_id, status)
    return {
        **_section(found.recoverable, limit),
        "overpaid": _section(found.overpaid, limit),
        "needs_review": _section(found.needs_review, limit),
    }


@router.get("/variances", summary="List variances")
async def list_variances(
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Annotated[
        str | None,
        Query(description="Only variances in this status: open, appealed, recovered, written_off."),
    ] = None,
    classification: Annotated[
        str | None,
        Query(description="Only this kind: underpaid, overpaid, denied, partly_denied or needs_review."),
    ] = None,
    payer_id: Annotated[str | None, Query(description="Only variances of this payer.")] = None,
    cause: Annotated[str | None, Query(description="Only variances worked under this root cause.")] = None,
    contract_id: Annotated[str | None, Query(description="Only variances under this contract.")] = None,
    patient_control_number: Annotated[
        str | None, Query(description="Only variances of the claim with this patient control number.")
    ] = None,
    since: Annotated[IsoDate | None, Query(description="Remitted on or after this day (YYYY-MM-DD).")] = None,
    until: Annotated[
        IsoDate | None, Query(description="Remitted on or before this day (YYYY-MM-DD).")
    ] = None,
) -> Any:
    """Variances with filters and cursor pagination.

    Filters combine (all must match). Pass `next_cursor` from a page as `cursor` to get the next;
    it is null on the last page.
    """
    after = (decode_cursor(cursor, {"after": str}) or {}).get("after")
    filters = {
        "status": status,
        "classification": classification,
        "payer_id": payer_id,
        "primary_cause": cause,
        "contract_id": contract_id,
        "patient_control_number": patient_control_number,
        "since": since,
        "until": until,
    }
    async with rt.sessions() as session:
        rows = await VarianceRepository(session, who.organization_id).page(filters, after, limit)
    items = [VarianceOut.model_validate(r._asdict()).model_dump(mode="json") for r in rows]
    return {
        "items": items,
        "next_cursor": encode_cursor({"after": rows[-1].id}) if len(rows) == limit else None,
    }


@router.get("/variances/{variance_id}", summary="Get a variance")
async def get_variance(
    variance_id: VarianceId, who: Annotated[Principal, Requires("claims:read")], rt: Runtime
) -> Any:
    """One variance with its lines and its history."""
    async with rt.sessions() as session:
        repo = VarianceRepository(session, who.organization_id)
        row = await repo.get(variance_id)
        lines, history = await repo.lines(variance_id), await repo.history(variance_id)
    out = VarianceOut.model_validate(row._asdict()).model_dump(mode="json")
    out["lines"] = [
        {k: str(v) if isinstance(v, Decimal) else v for k, v in r._asdict().items()} for r in lines
    ]
    out["history"] = [
        {
            "actor": h.actor,
            "from": h.from_status,
            "to": h.to_status,
            "note": h.note,
            "amount": None if h.amount is None else str(h.amount),
            "at": h.at.isoformat(),
        }
        for h in history
    ]
    return out


@router.post("/variances/{variance_id}/transitions", summary="Move a variance through its workflow")
async def move_variance(
    variance_id: VarianceId,
    body: TransitionIn,
    who: Annotated[Principal, Requires("claims:write")],
    rt: Runtime,
) -> Any:
    """open -> appealed -> recovered | written_off (open -> written_off too), with a note; audited."""
    await handlers.transition(rt.uow(), who, variance_id, body.to, body.note, body.amount)
    return await get_variance(variance_id, who, rt)


@router.put("/settings/variance-tolerance", summary="Set the variance tolerance")
async def put_tolerance(
    body: ToleranceIn, who: Annotated[Principal, Requires("claims:write")], rt: Runtime
) -> Any:
    """The organisation's tolerance: a claim within it of its expected amount is paid as expected."""
    await handlers.set_tolerance(rt.uow(), who.organization_id, body.variance_tolerance)
    return {"variance_tolerance": str(body.variance_tolerance)}


@router.get("/settings/variance-tolerance", summary="Get the variance tolerance")
async def get_tolerance(
    who: Annotated[Principal, Requires("claims:read")], rt: Runtime, settings: Settings
) -> Any:
    """The tolerance in force for the organisation."""
    async with rt.sessions() as session:
        value = await VarianceRepository(session, who.organization_id).tolerance(settings.variance_tolerance)
    return {"variance_tolerance": str(value)}
