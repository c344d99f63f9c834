"""Remittances API: 835 files and JSON remittances in; payments matched and reconciled."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.errors import Unprocessable
from accord_common.web.deps import Requires, Runtime
from fastapi import APIRouter, Request

from reimbursement_engine.adapters.remittance_json import transaction
from reimbursement_engine.domain.json_balance import check_json_remittance
from reimbursement_engine.domain.x12 import Transaction835
from reimbursement_engine.entrypoints.deps import Compute, Settings, read_limited_buffer
from reimbursement_engine.entrypoints.openapi_examples import X12_835_BODY
from reimbursement_engine.entrypoints.schemas_remittances import IngestOut, RemittanceIn
from reimbursement_engine.handlers import remittances as handlers

router = APIRouter(prefix="/v1", tags=["remittances"])


@router.post(
    "/remittances/x12", response_model=IngestOut, summary="Upload an 835", openapi_extra=X12_835_BODY
)
async def upload_835(
    request: Request,
    who: Annotated[Principal, Requires("claims:write")],
    rt: Runtime,
    settings: Settings,
    compute: Compute,
) -> Any:
    """Ingest an X12 835 (balancing checked; a refused file stores nothing; a re-upload changes nothing)."""
    raw = await read_limited_buffer(request, settings.max_upload_bytes)  # held once, as read
    tolerance = settings.variance_tolerance
    summary = await handlers.ingest_835(rt.uow(), who.organization_id, raw, tolerance, compute)
    return asdict(summary)


@router.post("/remittances/json", response_model=IngestOut, summary="Post a remittance as JSON")
async def post_remittance(
    body: RemittanceIn, who: Annotated[Principal, Requires("claims:write")], rt: Runtime, settings: Settings
) -> Any:
    """Ingest one payment as JSON (same balancing, matching and reconciliation as an 835)."""
    summary = await handlers.ingest_transaction(
        rt.uow(),
        who.organization_id,
        balanced(body),
        tolerance=settings.variance_tolerance,
        publish_paid=True,
    )
    return asdict(summary)


def balanced(body: RemittanceIn) -> Transaction835:
    """The JSON remittance as a transaction; refused (422, nothing stored) when it does not balance."""
    remittance = transaction(body.model_dump())
    breaches = check_json_remittance(remittance, body.total_paid is not None)
    if breaches:
        errors = [
            {"claim": b.claim, "path": b.path, "rule": b.rule.value, "message": b.message} for b in breaches
        ]
        first = breaches[0]
        where = f"claim {first.claim}" if first.claim else first.path
        detail = f"remittance refused: {where} breaks [{first.rule.value}]"
        detail += f"; {len(breaches)} breach(es), nothing stored"
        raise Unprocessable(detail, errors=errors)
    return remittance
