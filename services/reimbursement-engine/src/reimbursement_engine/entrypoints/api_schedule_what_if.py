"""What-if on whole fee schedules: a proposed schedule (CSV/XLSX upload) or a rate change over a
code range, against the last 12 months of claims; impact by code (with margin), service line, payer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from accord_common.auth import Principal
from accord_common.errors import PayloadTooLarge
from accord_common.web.deps import Requires, Runtime
from accord_common.web.types import IsoDate
from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from reimbursement_engine.adapters.proposed_schedule import read_proposal
from reimbursement_engine.domain.schedule_what_if import CodeImpact, ProposedSchedule, ScheduleWhatIf
from reimbursement_engine.domain.what_if import RateChange, impacts
from reimbursement_engine.entrypoints.api_analytics import Percent
from reimbursement_engine.entrypoints.deps import Caches, Settings
from reimbursement_engine.handlers.schedule_what_if import schedule_what_if
from reimbursement_engine.handlers.what_if import impact_json

router = APIRouter(prefix="/v1/what-if", tags=["analytics"])


class RateChangeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"code_from": "99202", "code_to": "99215", "percent": "3.5"}]},
    )
    code_from: str = Field(min_length=1, max_length=12)
    code_to: str | None = Field(default=None, max_length=12)
    percent: Percent = Field(ge=-100, le=1000)
    contract_id: str | None = None
    as_of: IsoDate | None = Field(default=None, description="Last day of the 12 months (default: today).")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _code_json(key: tuple[str, str], impact: CodeImpact) -> dict[str, Any]:
    return {
        **impact_json(key[1], impact),
        "code_system": key[0],
        "units": str(impact.units),
        "cost_per_unit": _money(impact.cost),
        "cost_of_service": _money(impact.cost_of_service),
        "margin_current": _money(impact.margin_current),
        "margin_proposed": _money(impact.margin_proposed),
    }


def _report(report: ScheduleWhatIf, skipped: int, period: tuple[date, date]) -> dict[str, Any]:
    codes = sorted(report.by_code.items(), key=lambda item: (-abs(item[1].change), item[0]))
    return {
        "service_from": period[0],
        "service_to": period[1],
        "claims": report.claims,
        "skipped_claims": skipped,
        "total": impact_json("total", report.total),
        "by_code": [_code_json(k, v) for k, v in codes],
        "by_service_line": [impact_json(k, v) for k, v in impacts(report.by_service_line)],
        "by_payer": [impact_json(k, v) for k, v in impacts(report.by_payer)],
    }


PROPOSAL_EXAMPLE = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "example": {
                    "file": "code_system,code,amount\nCPT,99213,104.00\nCPT,99214,156.50\n",
                    "as_of": "2026-12-31",
                    "mode": "overlay",
                }
            }
        }
    }
}


@router.post(
    "/fee-schedule",
    summary="What-if: a proposed fee schedule against the last 12 months",
    openapi_extra=PROPOSAL_EXAMPLE,
)
async def post_schedule(
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    caches: Caches,
    settings: Settings,
    file: Annotated[UploadFile, File(description="CSV or XLSX: code_system, code, amount[, modifiers]")],
    contract_id: Annotated[str | None, Form(description="Only this contract's claims.")] = None,
    as_of: Annotated[IsoDate | None, Form(description="Last day of the 12 months (default today).")] = None,
    mode: Annotated[
        Literal["overlay", "replace"],
        Form(
            description="overlay: codes not listed keep today's rates; replace: the proposal is the schedule."
        ),
    ] = "overlay",
) -> Any:
    """Re-price the year's priced claims with the proposal in place of the contract's fee schedule
    (reductions, escalators and lesser-of apply as in pricing); writes nothing."""
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise PayloadTooLarge(f"the proposal exceeds the {settings.max_upload_bytes}-byte limit")
    proposal = ProposedSchedule(read_proposal(data, file.filename or ""), overlay=mode == "overlay")
    return await _run(rt, caches, settings, who.organization_id, proposal, contract_id, as_of)


@router.post("/rate-change", summary="What-if: a rate change over a code range against the last 12 months")
async def post_rate_change(
    body: RateChangeIn,
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    caches: Caches,
    settings: Settings,
) -> Any:
    """+x% (or -x%) on the expected amount of the codes from code_from to code_to; writes nothing."""
    proposal = RateChange(body.percent, body.code_from, body.code_to or body.code_from)
    return await _run(rt, caches, settings, who.organization_id, proposal, body.contract_id, body.as_of)


async def _run(
    rt: Any,
    caches: Any,
    settings: Any,
    org: str,
    proposal: ProposedSchedule | RateChange,
    contract_id: str | None,
    as_of: date | None,
) -> dict[str, Any]:
    async with rt.sessions() as session:
        report, skipped, period = await schedule_what_if(
            session,
            caches,
            org,
            proposal,
            contract_id=contract_id,
            as_of=as_of or datetime.now(UTC).date(),
            limit=settings.what_if_max_claims,
        )
    return _report(report, skipped, period)
