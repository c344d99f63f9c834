"""Recovery API: the organisation's triage rules and the worklist as projects by root cause."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from accord_common.auth import Principal
from accord_common.web.deps import Requires, Runtime
from accord_common.web.types import IsoDate, NonNegativeCents
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from reimbursement_engine.domain.triage import Project, TriageRules
from reimbursement_engine.handlers import recovery as handlers

router = APIRouter(prefix="/v1", tags=["recovery"])
Code = Annotated[str, Field(min_length=1, max_length=48)]


class TriageRulesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "minimum_amount": "25.00",
                    "excluded_codes": ["36415"],
                    "excluded_payers": ["SELFPAY"],
                    "appeal_window_days": 180,
                    "timely_filing_days": 90,
                }
            ]
        },
    )
    minimum_amount: NonNegativeCents = Field(default=Decimal(0), ge=0, max_digits=14, decimal_places=2)
    excluded_codes: list[Code] = Field(default=[], max_length=1000, description="Codes not worth appealing.")
    excluded_payers: list[Code] = Field(
        default=[], max_length=1000, description="Payers not worth appealing."
    )
    appeal_window_days: int = Field(default=180, ge=1, le=3650, description="From the remittance date.")
    timely_filing_days: int = Field(default=90, ge=1, le=3650, description="From the date of service.")


class ProjectOut(BaseModel):
    cause: str = Field(description="The root cause the variances are worked under (see docs/recovery.md).")
    payer_id: str
    contract_id: str | None
    amount: Decimal = Field(description="Sum of the project's variances: what can be recovered.")
    variance_count: int
    variance_ids: list[str]
    codes: list[str]
    oldest_remittance: IsoDate | None
    appeal_deadline: IsoDate | None
    appeal_days_left: int
    filing_deadline: IsoDate | None
    filing_days_left: int
    set_aside: str | None = Field(description="Why it is not worth appealing (null: work it).")


class TakeBackOut(BaseModel):
    claim_id: str
    patient_control_number: str
    payer_id: str
    contract_id: str | None
    reason_code: str
    reference: str | None
    amount: Decimal = Field(description="Taken back (PLB amount as sent: positive reduces the payment).")
    fiscal_period_date: IsoDate
    remittance_id: str
    trace_number: str
    payment_date: IsoDate | None


class ProjectsOut(BaseModel):
    items: list[ProjectOut] = Field(
        description="Projects to work: largest amount first, then fewest days left."
    )
    total_amount: Decimal
    project_count: int
    set_aside: list[ProjectOut]
    take_backs: list[TakeBackOut]
    take_back_total: Decimal


def _project(p: Project) -> dict[str, Any]:
    return {
        "cause": p.cause,
        "payer_id": p.payer_id,
        "contract_id": p.contract_id,
        "amount": p.amount,
        "variance_count": p.variance_count,
        "variance_ids": p.variance_ids,
        "codes": sorted(p.codes),
        "oldest_remittance": p.oldest_remittance,
        "appeal_deadline": p.appeal_deadline,
        "appeal_days_left": p.appeal_days_left,
        "filing_deadline": p.filing_deadline,
        "filing_days_left": p.filing_days_left,
        "set_aside": p.set_aside,
    }


def _rules_out(rules: TriageRules) -> dict[str, Any]:
    return {
        "minimum_amount": str(rules.minimum_amount),
        "excluded_codes": sorted(rules.excluded_codes),
        "excluded_payers": sorted(rules.excluded_payers),
        "appeal_window_days": rules.appeal_window_days,
        "timely_filing_days": rules.timely_filing_days,
    }


@router.put("/settings/triage-rules", summary="Set the triage rules")
async def put_triage_rules(
    body: TriageRulesIn, who: Annotated[Principal, Requires("claims:write")], rt: Runtime
) -> Any:
    """What is worth appealing for the organisation, and the windows its worklist counts down."""
    rules = TriageRules(
        body.minimum_amount,
        frozenset(body.excluded_codes),
        frozenset(body.excluded_payers),
        body.appeal_window_days,
        body.timely_filing_days,
    )
    await handlers.set_rules(rt.uow(), who.organization_id, rules)
    return _rules_out(rules)


@router.get("/settings/triage-rules", summary="Get the triage rules")
async def get_triage_rules(who: Annotated[Principal, Requires("claims:read")], rt: Runtime) -> Any:
    """The organisation's triage rules (defaults until set: nothing excluded, 180 and 90 days)."""
    async with rt.sessions() as session:
        return _rules_out(await handlers.rules(session, who.organization_id))


@router.get("/worklist/projects", response_model=ProjectsOut, summary="Get the worklist as recovery projects")
async def get_projects(
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    status: Annotated[Literal["open", "appealed"], Query(description="Open or appealed variances.")] = "open",
    as_of: Annotated[
        IsoDate | None, Query(description="Count days left from this day (default today).")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="How many projects to list (1-500).")] = 100,
) -> Any:
    """Recoverable variances (underpaid, denied) grouped by root cause, payer and contract: one payer
    loading error is one project. Triaged by the organisation's rules; take-backs listed apart."""
    today: date = as_of or datetime.now(UTC).date()
    async with rt.sessions() as session:
        found = await handlers.projects(session, who.organization_id, today, status)
    return {
        "items": [_project(p) for p in found.triage.projects[:limit]],
        "total_amount": found.triage.total,
        "project_count": len(found.triage.projects),
        "set_aside": [_project(p) for p in found.triage.set_aside[:limit]],
        "take_backs": [{**r._asdict(), "remittance_id": r.remittance_id} for r in found.take_backs],
        "take_back_total": found.take_back_total,
    }
