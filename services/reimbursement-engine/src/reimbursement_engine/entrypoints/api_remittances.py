"""Remittances API: 835 files and JSON remittances in; payments matched and reconciled."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from accord_common.web.deps import CurrentPrincipal, Runtime
from fastapi import APIRouter, Request

from reimbursement_engine.adapters.remittance_json import transaction
from reimbursement_engine.entrypoints.deps import Settings, read_limited
from reimbursement_engine.entrypoints.schemas_remittances import IngestOut, RemittanceIn
from reimbursement_engine.handlers import remittances as handlers

router = APIRouter(prefix="/v1", tags=["remittances"])


@router.post("/remittances/x12", response_model=IngestOut)
async def upload_835(request: Request, who: CurrentPrincipal, rt: Runtime, settings: Settings) -> Any:
    """Ingest an X12 835 (balancing checked; a refused file stores nothing; a re-upload changes nothing)."""
    who.require("claims:write")
    raw = await read_limited(request, settings.max_upload_bytes)
    summary = await handlers.ingest_835(rt.uow(), who.organization_id, raw, settings.variance_tolerance)
    return asdict(summary)


@router.post("/remittances/json", response_model=IngestOut)
async def post_remittance(body: RemittanceIn, who: CurrentPrincipal, rt: Runtime, settings: Settings) -> Any:
    """Ingest one payment as JSON (same matching and reconciliation as an 835)."""
    who.require("claims:write")
    summary = await handlers.ingest_transaction(
        rt.uow(),
        who.organization_id,
        transaction(body.model_dump()),
        tolerance=settings.variance_tolerance,
        publish_paid=True,
    )
    return asdict(summary)
