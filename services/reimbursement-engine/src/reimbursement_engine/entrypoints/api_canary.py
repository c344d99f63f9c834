"""Canary claims API: keep a named set of test claims; price it under a draft or proposed contract
version beside the version in force, storing no claim and publishing nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.errors import Unprocessable
from accord_common.web.deps import Requires, Runtime
from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from reimbursement_engine.domain.pricing import PricedClaim
from reimbursement_engine.entrypoints.claim_command import submissions
from reimbursement_engine.entrypoints.deps import Caches
from reimbursement_engine.entrypoints.schemas_claims import ClaimIn
from reimbursement_engine.handlers import canary as handlers

router = APIRouter(prefix="/v1", tags=["canary claims"])
SetName = Annotated[str, Path(min_length=1, max_length=120, description="The canary set's name.")]
_LINE: dict[str, Any] = {
    "code_system": "CPT",
    "code": "99213",
    "units": 1,
    "charge": "150.00",
    "service_date": "2026-03-10",
}


class CanarySetIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "claims": [
                        {"patient_control_number": "CANARY-1", "payer_id": "60054", "lines": [dict(_LINE)]}
                    ]
                }
            ]
        },
    )
    claims: list[ClaimIn] = Field(min_length=1, max_length=500)


class CanaryRunIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"contract_id": "01JD...", "version": 1}]}
    )
    contract_id: str = Field(min_length=1, max_length=64, description="The draft or proposed contract.")
    version: int | None = Field(default=None, ge=1, description="Its version (default: the latest held).")


@router.put("/canary-sets/{name}", summary="Keep a named set of canary claims")
async def put_canary_set(
    name: SetName, body: CanarySetIn, who: Annotated[Principal, Requires("claims:write")], rt: Runtime
) -> Any:
    """The set's claims (replacing any held under the name). They are never stored as claims."""
    subs = submissions(body.claims, "canary")
    pcns = [s.patient_control_number for s in subs]
    twice = sorted({p for p in pcns if pcns.count(p) > 1})
    if twice:
        raise Unprocessable(f"patient control numbers {', '.join(twice)} appear more than once in the set")
    await handlers.save_set(rt.uow(), who.organization_id, name, subs)
    return {"name": name, "claim_count": len(subs)}


def _lines(priced: PricedClaim | None) -> list[dict[str, Any]] | None:
    if priced is None:
        return None
    return [
        {
            "line_number": x.line_number,
            "code": x.code,
            "status": x.status.value,
            "expected_allowed": str(x.expected_allowed),
        }
        for x in priced.lines
    ]


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@router.post("/canary-sets/{name}/runs", summary="Run a canary set against a proposed contract version")
async def run_canary(
    name: SetName,
    body: CanaryRunIn,
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    caches: Caches,
) -> Any:
    """Each claim priced under the proposed version and under the version in force, with the
    difference. Nothing is kept: no claim, no deadline, no event."""
    async with rt.sessions() as session:
        found = await handlers.run(session, caches, who.organization_id, name, body.contract_id, body.version)
    return {
        "set": found.set_name,
        "proposed": {
            "contract_id": found.proposed.contract_id,
            "version": found.proposed.version,
            "label": found.proposed.label,
        },
        "proposed_total": str(found.proposed_total),
        "in_force_total": str(found.in_force_total),
        "claims": [
            {
                "patient_control_number": c.patient_control_number,
                "proposed_expected_allowed": str(c.proposed.expected_allowed),
                "in_force_expected_allowed": _amount(c.in_force.expected_allowed if c.in_force else None),
                "difference": _amount(c.difference),
                "in_force_contract": c.in_force_label,
                "in_force_reason": c.in_force_reason,
                "proposed_lines": _lines(c.proposed),
                "in_force_lines": _lines(c.in_force),
            }
            for c in found.claims
        ],
    }
