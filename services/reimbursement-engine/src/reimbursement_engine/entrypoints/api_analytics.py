"""Analytics, what-if and margin API (reads only, except the cost upload)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from accord_common.auth import Principal
from accord_common.errors import Unprocessable
from accord_common.web.deps import Requires, Runtime
from accord_common.web.types import IsoDate
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from reimbursement_engine.domain.what_if import MoveToPercentOfMedicare, Proposal, RateChange, impacts
from reimbursement_engine.entrypoints.deps import Caches, Settings, read_limited
from reimbursement_engine.entrypoints.openapi_examples import COSTS_BODY
from reimbursement_engine.handlers import analytics as handlers
from reimbursement_engine.handlers.margin import margin
from reimbursement_engine.handlers.what_if import impact_json, what_if

router = APIRouter(prefix="/v1", tags=["analytics"])

Percent = Annotated[
    Decimal,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": -100, "maximum": 1000},
                {
                    "type": "string",
                    "pattern": r"^(-100|-?[0-9]{1,2}(\.[0-9]{1,6})?|[0-9]{3}(\.[0-9]{1,6})?|1000)$",
                },
            ],
            "description": "A percentage from -100 to 1000, as a string ('3.5') or a whole number.",
            "example": "3.5",
        }
    ),
]


class ChangeIn(BaseModel):
    # A rate change names its codes: said in the schema (if kind is rate_change, code_from is a code).
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "if": {"properties": {"kind": {"const": "rate_change"}}, "required": ["kind"]},
            "then": {
                "required": ["code_from"],
                "properties": {"code_from": {"type": "string", "minLength": 1, "maxLength": 12}},
            },
        },
    )
    kind: Literal["rate_change", "percent_of_medicare"]
    percent: Percent = Field(ge=-100, le=1000)
    code_from: str | None = Field(default=None, max_length=12)
    code_to: str | None = Field(default=None, max_length=12)
    term: str | None = None
    basis: Literal["PFS", "ASC", "OPPS", "CLFS", "DMEPOS"] | None = Field(
        default=None, description="percent_of_medicare: the Medicare schedule (null: by the claim's setting)"
    )

    def proposal(self) -> Proposal:
        if self.kind == "percent_of_medicare":
            return MoveToPercentOfMedicare(self.percent, self.term, self.basis)
        if not self.code_from:
            raise Unprocessable(
                "a rate change names its codes", errors=[{"field": "change.code_from", "message": "required"}]
            )
        return RateChange(self.percent, self.code_from, self.code_to or self.code_from)


class WhatIfIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "contract_id": "3f0c9a52-8a51-4c1e-9d0e-2b7f1f6f1a10",
                    "service_from": "2025-01-01",
                    "service_to": "2025-06-30",
                    "change": {
                        "kind": "rate_change",
                        "percent": "4",
                        "code_from": "99202",
                        "code_to": "99215",
                    },
                },
                {
                    "service_from": "2025-01-01",
                    "service_to": "2025-06-30",
                    "change": {"kind": "percent_of_medicare", "percent": "120", "term": "professional"},
                },
            ]
        },
    )
    contract_id: str | None = None
    service_from: IsoDate
    service_to: IsoDate
    change: ChangeIn


@router.get("/analytics", summary="Payer and contract performance")
async def get_analytics(
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    settings: Settings,
    period_from: IsoDate = Query(
        alias="from", description="First day of service in the period (YYYY-MM-DD)."
    ),
    period_to: IsoDate = Query(alias="to", description="Last day of service in the period (YYYY-MM-DD)."),
) -> Any:
    """Per payer and contract: expected vs paid, underpayment and its rate, denials by CARC, days to pay."""
    async with rt.sessions() as session:
        items = await handlers.analytics(
            session, who.organization_id, period_from, period_to, settings.what_if_max_claims
        )
    return {"from": period_from, "to": period_to, "items": items}


@router.post("/what-if", summary="What-if: re-price past claims under a proposed change")
async def post_what_if(
    body: WhatIfIn,
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    caches: Caches,
    settings: Settings,
) -> Any:
    """Re-price past claims under a proposed change (writes nothing): impact by code and service line."""
    async with rt.sessions() as session:
        report, skipped = await what_if(
            session,
            caches,
            who.organization_id,
            body.change.proposal(),
            contract_id=body.contract_id,
            start=body.service_from,
            end=body.service_to,
            limit=settings.what_if_max_claims,
        )
    return {
        "claims": report.claims,
        "skipped_claims": skipped,
        "total": impact_json("total", report.total),
        "by_code": [impact_json(k, v) for k, v in impacts(report.by_code)],
        "by_service_line": [impact_json(k, v) for k, v in impacts(report.by_service_line)],
    }


@router.post("/costs", summary="Upload costs per code (CSV)", openapi_extra=COSTS_BODY)
async def upload_costs(
    request: Request, who: Annotated[Principal, Requires("claims:write")], rt: Runtime, settings: Settings
) -> Any:
    """Upload the organisation's cost per code as CSV (code_system,code,cost)."""
    raw = await read_limited(request, settings.max_upload_bytes)
    rows = handlers.read_costs(raw.decode("utf-8-sig", errors="replace"))
    return {"saved": await handlers.save_costs(rt.uow(), who.organization_id, rows)}


@router.get("/margin", summary="Margin per code under a contract")
async def get_margin(
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    caches: Caches,
    contract_id: Annotated[str, Query(description="The contract whose rates to compare with costs.")],
    on: Annotated[IsoDate, Query(description="Price with the contract version in force on this day.")],
    place_of_service: str = Query(
        default="11", pattern=r"^[0-9]{2}$", description="CMS place-of-service code (11 = office)."
    ),
    flagged_only: Annotated[
        bool, Query(description="Only codes paid below cost or below the contract's floor.")
    ] = False,
) -> Any:
    """Expected reimbursement per costed or floored code; flags below cost and below the contract's floor."""
    async with rt.sessions() as session:
        items = await margin(session, caches, who.organization_id, contract_id, on, place_of_service)
    if flagged_only:
        items = [i for i in items if i["below_cost"] or i["below_floor"]]
    return {"contract_id": contract_id, "on": on, "items": items}
