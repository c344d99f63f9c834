"""Claims API: one claim, a batch, or an X12 837 file in; expected prices with explanations out."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.errors import PayloadTooLarge
from accord_common.web.deps import (
    Cursor,
    Limit,
    Requires,
    Runtime,
    decode_cursor,
    encode_cursor,
)
from fastapi import APIRouter, Path, Query, Request, status
from pydantic import ValidationError

from reimbursement_engine.adapters.claims_mapping import claim_from_837
from reimbursement_engine.adapters.claims_repo import ClaimsRepository
from reimbursement_engine.adapters.explanation_store import read as read_explanation
from reimbursement_engine.adapters.remittance_repo import RemittanceRepository
from reimbursement_engine.domain.x12 import X12Error, parse_837
from reimbursement_engine.entrypoints.claim_command import batch_submissions, submissions
from reimbursement_engine.entrypoints.deps import Caches, Settings, read_limited
from reimbursement_engine.entrypoints.openapi_examples import X12_837_BODY
from reimbursement_engine.entrypoints.schemas_claims import (
    BatchOut,
    ClaimIn,
    ClaimOut,
    ClaimSummary,
    X12ClaimsOut,
)
from reimbursement_engine.handlers import claims as handlers
from reimbursement_engine.handlers.claims import StoredClaim
from reimbursement_engine.handlers.x12_refusal import flag_view, refusal

router = APIRouter(prefix="/v1", tags=["claims"])


def _summary(item: StoredClaim) -> dict[str, Any]:
    result = item.result
    return {
        "id": item.id,
        "patient_control_number": item.submission.patient_control_number,
        "status": result.status,
        "status_reason": result.reason,
        "contract_id": result.ref.contract_id if result.ref else item.submission.header.get("contract_id"),
        "contract_version": result.ref.version if result.ref else None,
        "total_charge": item.claim.total_charges,
        "expected_allowed": result.priced.expected_allowed if result.priced else None,
        "pricing_completeness": result.priced.completeness if result.priced else None,
    }


@router.post(
    "/claims", status_code=status.HTTP_201_CREATED, response_model=ClaimOut, summary="Submit a claim"
)
async def submit_claim(
    body: ClaimIn, who: Annotated[Principal, Requires("claims:write")], rt: Runtime, caches: Caches
) -> Any:
    """Price one claim line by line with the contract version in force; publishes claim.priced."""
    stored = await handlers.submit_claims(rt.uow(), caches, who.organization_id, submissions([body], "json"))
    return await _claim_view(rt, who.organization_id, stored[0].id)


_BATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "additionalProperties": False,
                "required": ["claims"],
                "properties": {
                    "claims": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"$ref": "#/components/schemas/ClaimIn"},
                    }
                },
            },
            "example": {"claims": ClaimIn.model_config["json_schema_extra"]["examples"]},  # type: ignore[index]
        }
    },
}


@router.post(
    "/claims/batch",
    response_model=BatchOut,
    summary="Submit a batch of claims",
    openapi_extra={"requestBody": _BATCH_BODY},
)
async def submit_batch(
    request: Request,
    who: Annotated[Principal, Requires("claims:write")],
    rt: Runtime,
    caches: Caches,
    settings: Settings,
) -> Any:
    """Price many claims in one transaction (bulk inserts); answers a summary per claim."""
    submissions = batch_submissions(await request.body())
    line_count = sum(len(sub.lines) for sub in submissions)
    if len(submissions) > settings.max_batch_claims or line_count > settings.max_batch_lines:
        raise PayloadTooLarge(
            f"a batch holds at most {settings.max_batch_claims} claims and {settings.max_batch_lines} lines; "
            f"this one has {len(submissions)} claims and {line_count} lines"
        )
    stored = await handlers.submit_claims(rt.uow(), caches, who.organization_id, submissions)
    summaries = [_summary(item) for item in stored]
    priced = [s for s in summaries if s["status"] == "priced"]
    return {
        "count": len(stored),
        "line_count": line_count,
        "priced": len(priced),
        "pending": len(stored) - len(priced),
        "expected_allowed": sum((s["expected_allowed"] for s in priced), Decimal(0)),
        "claims": summaries,
    }


@router.post(
    "/claims/x12", response_model=X12ClaimsOut, summary="Upload an 837P / 837I", openapi_extra=X12_837_BODY
)
async def submit_837(
    request: Request,
    who: Annotated[Principal, Requires("claims:write")],
    rt: Runtime,
    caches: Caches,
    settings: Settings,
) -> Any:
    """Upload an X12 837P or 837I file: each claim is priced, held pending its contract, or refused."""
    raw = await read_limited(request, settings.max_upload_bytes)
    try:
        parsed = parse_837(raw)
    except X12Error as exc:
        raise refusal("837", exc) from None
    accepted: list[ClaimIn] = []
    refused: list[dict[str, Any]] = []
    for parsed_claim in parsed:
        try:
            accepted.append(ClaimIn.model_validate(claim_from_837(parsed_claim)))
        except ValidationError as exc:
            reasons = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
            refused.append(
                {"patient_control_number": parsed_claim.patient_control_number, "reasons": reasons}
            )
    stored = []
    if accepted:
        stored = await handlers.submit_claims(
            rt.uow(), caches, who.organization_id, submissions(accepted, "x12"), skip_duplicates=True
        )
    kept = {item.submission.patient_control_number for item in stored}
    for claim in accepted:
        if claim.patient_control_number not in kept:
            refused.append(
                {"patient_control_number": claim.patient_control_number, "reasons": ["already submitted"]}
            )
    flags = [flag_view(note, c.patient_control_number) for c in parsed for note in c.notes]
    return {"claims": [_summary(item) for item in stored], "refused": refused, "flags": flags}


@router.get("/claims/{claim_id}", response_model=ClaimOut, summary="Get a claim")
async def get_claim(
    claim_id: Annotated[str, Path(description="The claim's id, as returned when it was submitted.")],
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
) -> Any:
    """A claim with its lines, expected amounts, explanation and payments."""
    return await _claim_view(rt, who.organization_id, claim_id)


@router.get("/claims", response_model=dict[str, Any], summary="List claims")
async def list_claims(
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Annotated[
        str | None,
        Query(description="Only claims in this status: priced, pending or needs_review (replaced, voided)."),
    ] = None,
    patient_control_number: Annotated[
        str | None, Query(description="Only the claim with this patient control number (CLM01).")
    ] = None,
) -> Any:
    """The organisation's claims, optionally by status or patient control number.

    Pass `next_cursor` from a page as `cursor` to get the next; it is null on the last page.
    """
    after = (decode_cursor(cursor, {"after": str}) or {}).get("after")
    async with rt.sessions() as session:
        rows = await ClaimsRepository(session, who.organization_id).page(
            after, limit, status, patient_control_number
        )
    items = [ClaimSummary.model_validate(r._asdict()).model_dump(mode="json") for r in rows]
    nxt = encode_cursor({"after": rows[-1].id}) if len(rows) == limit else None
    return {"items": items, "next_cursor": nxt}


async def _claim_view(rt: Any, org: str, claim_id: str) -> dict[str, Any]:
    async with rt.sessions() as session:
        repo = ClaimsRepository(session, org)
        claim: dict[str, Any] = (await repo.get(claim_id))._asdict()
        lines = (await repo.lines([claim_id]))[claim_id]
        payments = await RemittanceRepository(session, org).payments_of(claim_id)
    claim["explanation"], claim["explanation_steps"] = read_explanation(
        claim["explanation"], claim["explanation_steps"]
    )
    claim["lines"] = [line._asdict() for line in lines]
    claim["payments"] = [
        {
            "id": p.id,
            "status_code": p.status_code,
            "paid": str(p.paid),
            "patient_responsibility": str(p.patient_responsibility),
            "paid_date": p.paid_date and p.paid_date.isoformat(),
            "reversed_by": p.reversed_by,
            "reverses": p.reverses,
        }
        for p in payments
    ]
    return claim
