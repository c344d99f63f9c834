"""Exports as CSV or XLSX, streamed: the worklist, variances, claims with their pricing, analytics."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from accord_common.auth import Principal
from accord_common.exports import TABULAR_RESPONSES, Format, Row, tabular_response
from accord_common.web.deps import Requires, Runtime
from accord_common.web.types import IsoDate
from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from reimbursement_engine.adapters.exports import sources
from reimbursement_engine.domain.worklist import WorklistGroup
from reimbursement_engine.entrypoints.deps import Settings
from reimbursement_engine.handlers import analytics as analytics_handlers
from reimbursement_engine.handlers import variances as variance_handlers

router = APIRouter(prefix="/v1/exports", tags=["exports"])
Fmt = Annotated[Format, Path(description="csv, or xlsx (one sheet, money as numbers to the cent).")]

WORKLIST_HEADER = (
    "section", "payer_id", "contract_id", "code", "carc", "amount", "expected_allowed", "paid",
    "claim_count", "line_count", "oldest_remittance",
)  # fmt: skip
ANALYTICS_HEADER = (
    "payer_id", "contract_id", "claims", "reconciled_claims", "expected_allowed", "expected_reconciled",
    "paid", "patient_responsibility", "underpayment_amount", "underpayment_rate", "denial_rate",
    "average_days_to_pay", "prompt_pay_days", "paid_late",
)  # fmt: skip


@router.get(
    "/variances.{fmt}",
    summary="Export variances (CSV or XLSX)",
    response_class=StreamingResponse,
    responses=TABULAR_RESPONSES,
)
async def export_variances(
    fmt: Fmt,
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    status: Annotated[str | None, Query(description="Only this status (open, appealed, ...).")] = None,
    classification: Annotated[str | None, Query(description="Only this classification.")] = None,
    payer_id: Annotated[str | None, Query(description="Only this payer.")] = None,
    since: Annotated[IsoDate | None, Query(description="Remitted on or after (YYYY-MM-DD).")] = None,
    until: Annotated[IsoDate | None, Query(description="Remitted on or before (YYYY-MM-DD).")] = None,
) -> StreamingResponse:
    """Every variance matching the filters, one row each, streamed (any number)."""
    filters = {
        "status": status,
        "classification": classification,
        "payer_id": payer_id,
        "since": since,
        "until": until,
    }
    rows = sources.variances(rt.sessions, who.organization_id, filters)
    return tabular_response(fmt, "variances", sources.VARIANCE_HEADER, rows)


@router.get(
    "/claims.{fmt}",
    summary="Export claims with their pricing (CSV or XLSX)",
    response_class=StreamingResponse,
    responses=TABULAR_RESPONSES,
)
async def export_claims(
    fmt: Fmt,
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    status: Annotated[str | None, Query(description="Only claims in this status (priced, ...).")] = None,
) -> StreamingResponse:
    """One row per claim line: the claim, its contract and version, and what each line should allow."""
    rows = sources.claims(rt.sessions, who.organization_id, status)
    return tabular_response(fmt, "claims", sources.CLAIM_HEADER, rows)


def _group_rows(section: str, group: WorklistGroup) -> list[Row]:
    return [
        (
            section,
            e.payer_id,
            e.contract_id,
            e.code,
            e.carc,
            e.amount,
            e.expected_allowed,
            e.paid,
            e.claim_count,
            e.line_count,
            e.oldest_remittance,
        )
        for e in group.entries
    ]


@router.get(
    "/worklist.{fmt}",
    summary="Export the worklist (CSV or XLSX)",
    response_class=StreamingResponse,
    responses=TABULAR_RESPONSES,
)
async def export_worklist(
    fmt: Fmt,
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    status: Annotated[Literal["open", "appealed"], Query(description="open or appealed variances.")] = "open",
) -> StreamingResponse:
    """Every group of the worklist (all of them, no limit), by section: recoverable, overpaid, review."""
    async with rt.sessions() as session:
        found = await variance_handlers.worklist(session, who.organization_id, status)
    rows = [
        *_group_rows("recoverable", found.recoverable),
        *_group_rows("overpaid", found.overpaid),
        *_group_rows("needs_review", found.needs_review),
    ]
    return tabular_response(fmt, "worklist", WORKLIST_HEADER, sources.listed(rows))


def _analytics_row(item: dict[str, Any]) -> Row:
    money = {
        "expected_allowed",
        "expected_reconciled",
        "paid",
        "patient_responsibility",
        "underpayment_amount",
    }
    rates = {"underpayment_rate", "denial_rate"}
    return tuple(
        Decimal(item[k]) if (k in money or k in rates) and item[k] is not None else item[k]
        for k in ANALYTICS_HEADER
    )


@router.get(
    "/analytics.{fmt}",
    summary="Export payer and contract analytics (CSV or XLSX)",
    response_class=StreamingResponse,
    responses=TABULAR_RESPONSES,
)
async def export_analytics(
    fmt: Fmt,
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    settings: Settings,
    period_from: IsoDate = Query(alias="from", description="First day of service (YYYY-MM-DD)."),
    period_to: IsoDate = Query(alias="to", description="Last day of service (YYYY-MM-DD)."),
) -> StreamingResponse:
    """GET /v1/analytics as a table: one row per payer and contract."""
    async with rt.sessions() as session:
        items = await analytics_handlers.analytics(
            session, who.organization_id, period_from, period_to, settings.what_if_max_claims
        )
    rows = [_analytics_row(i) for i in items]
    return tabular_response(fmt, "analytics", ANALYTICS_HEADER, sources.listed(rows))
