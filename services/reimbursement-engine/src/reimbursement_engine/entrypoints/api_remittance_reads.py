"""Remittances read back: payments, their claim and line payments, CAS and PLB adjustments."""

from __future__ import annotations

from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.web.deps import (
    Cursor,
    Limit,
    Requires,
    Runtime,
    decode_cursor,
    encode_cursor,
)
from accord_common.web.types import IsoDate
from fastapi import APIRouter, Path, Query

from reimbursement_engine.adapters.remittance_reads import RemittanceFilter, RemittanceReads
from reimbursement_engine.entrypoints.schemas_remittance_reads import (
    ClaimPaymentOut,
    ClaimPaymentPage,
    ProviderAdjustmentList,
    RemittanceDetailOut,
    RemittancePage,
)

router = APIRouter(prefix="/v1", tags=["remittances"])
RemittanceId = Annotated[str, Path(description="The remittance's id, as listed by GET /v1/remittances.")]
PaymentId = Annotated[
    str, Path(description="The claim payment's id, as listed by GET /v1/remittances/{id}/claim-payments.")
]


def _after(cursor: str | None) -> str | None:
    after: str | None = (decode_cursor(cursor, {"after": str}) or {}).get("after")
    return after


def _next(rows: list[Any], limit: int) -> str | None:
    return encode_cursor({"after": rows[-1].id}) if len(rows) == limit else None


def _with_lines(payment: Any, lines: list[Any]) -> dict[str, Any]:
    return {**payment._asdict(), "lines": [line._asdict() for line in lines]}


@router.get("/remittances", response_model=RemittancePage, summary="List remittances")
async def list_remittances(
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    limit: Limit = 50,
    cursor: Cursor = None,
    payer_id: Annotated[str | None, Query(description="Only remittances of this payer (X12 id).")] = None,
    trace_number: Annotated[str | None, Query(description="Only the payment with this TRN02 trace.")] = None,
    paid_since: Annotated[IsoDate | None, Query(description="Paid on or after this day (BPR16).")] = None,
    paid_until: Annotated[IsoDate | None, Query(description="Paid on or before this day (BPR16).")] = None,
) -> Any:
    """The organisation's remittances (one per 835 transaction or JSON payment), cursor-paginated."""
    where = RemittanceFilter(payer_id, trace_number, paid_since, paid_until)
    async with rt.sessions() as session:
        reads = RemittanceReads(session, who.organization_id)
        rows = await reads.page(where, _after(cursor), limit)
        counts = await reads.claim_counts([r.id for r in rows])
    items = [{**r._asdict(), "claim_count": counts.get(r.id, 0)} for r in rows]
    return {"items": items, "next_cursor": _next(rows, limit)}


@router.get("/remittances/{remittance_id}", response_model=RemittanceDetailOut, summary="Get a remittance")
async def get_remittance(
    remittance_id: RemittanceId, who: Annotated[Principal, Requires("claims:read")], rt: Runtime
) -> Any:
    """One remittance with its PLB provider adjustments and how many claims it paid."""
    async with rt.sessions() as session:
        reads = RemittanceReads(session, who.organization_id)
        row = await reads.get(remittance_id)
        counts = await reads.claim_counts([row.id])
        plb = await reads.provider_adjustments(row.id)
    adjustments = [r._asdict() for r in plb]
    return {**row._asdict(), "claim_count": counts.get(row.id, 0), "provider_adjustments": adjustments}


@router.get(
    "/remittances/{remittance_id}/claim-payments",
    response_model=ClaimPaymentPage,
    summary="List a remittance's claim payments",
)
async def list_claim_payments(
    remittance_id: RemittanceId,
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Each claim the remittance paid, with claim-level CAS, line payments and their CAS."""
    async with rt.sessions() as session:
        reads = RemittanceReads(session, who.organization_id)
        await reads.get(remittance_id)
        rows = await reads.payments(remittance_id, _after(cursor), limit)
        lines = await reads.lines([r.id for r in rows])
    items = [_with_lines(r, lines[r.id]) for r in rows]
    return {"items": items, "next_cursor": _next(rows, limit)}


@router.get(
    "/remittances/{remittance_id}/claim-payments/{claim_payment_id}",
    response_model=ClaimPaymentOut,
    summary="Get one claim payment",
)
async def get_claim_payment(
    remittance_id: RemittanceId,
    claim_payment_id: PaymentId,
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
) -> Any:
    """One claim payment of the remittance, with its CAS adjustments and line payments."""
    async with rt.sessions() as session:
        reads = RemittanceReads(session, who.organization_id)
        row = await reads.payment(remittance_id, claim_payment_id)
        lines = await reads.lines([row.id])
    return _with_lines(row, lines[row.id])


@router.get(
    "/remittances/{remittance_id}/provider-adjustments",
    response_model=ProviderAdjustmentList,
    summary="List a remittance's PLB adjustments",
)
async def list_provider_adjustments(
    remittance_id: RemittanceId, who: Annotated[Principal, Requires("claims:read")], rt: Runtime
) -> Any:
    """The remittance's PLB provider-level adjustments (interest, forward balances, recoupments)."""
    async with rt.sessions() as session:
        reads = RemittanceReads(session, who.organization_id)
        await reads.get(remittance_id)
        plb = await reads.provider_adjustments(remittance_id)
    return {"items": [r._asdict() for r in plb]}
