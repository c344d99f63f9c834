"""Remittances API: 835 files and JSON remittances in; payments matched and reconciled."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.errors import NotFound, Unprocessable
from accord_common.web.deps import Requires, Runtime
from fastapi import APIRouter, Header, Path, Request, Response

from reimbursement_engine.adapters.reconcile_queue import RECONCILED
from reimbursement_engine.adapters.remittance_json import transaction
from reimbursement_engine.domain.json_balance import check_json_remittance
from reimbursement_engine.domain.x12 import Transaction835
from reimbursement_engine.entrypoints.deps import Compute, Settings, read_limited_buffer
from reimbursement_engine.entrypoints.openapi_examples import X12_835_BODY
from reimbursement_engine.entrypoints.schemas_remittances import IngestOut, ReconciliationOut, RemittanceIn
from reimbursement_engine.handlers import remittances as handlers
from reimbursement_engine.handlers.file_reconciliation import file_state, reconcile_file

router = APIRouter(prefix="/v1", tags=["remittances"])


@router.post(
    "/remittances/x12",
    response_model=IngestOut,
    summary="Upload an 835",
    openapi_extra=X12_835_BODY,
    responses={
        202: {
            "model": IngestOut,
            "description": "Stored; its claims being reconciled (`Prefer: respond-async`)",
        }
    },
)
async def upload_835(
    request: Request,
    response: Response,
    who: Annotated[Principal, Requires("claims:write")],
    rt: Runtime,
    settings: Settings,
    compute: Compute,
    prefer: Annotated[
        str | None,
        Header(
            description="`respond-async`: answer 202 once the file is stored, its claims reconciled after"
        ),
    ] = None,
) -> Any:
    """Ingest an X12 835 (balancing checked; a refused file stores nothing; a re-upload changes
    nothing). The file and its payments are stored in one transaction, then its claims reconciled a
    chunk a transaction: by default the answer waits for the last; with `Prefer: respond-async` it
    comes (202, `Location` the file's reconciliation) as soon as the file is stored."""
    raw = await read_limited_buffer(request, settings.max_upload_bytes)  # held once, as read
    org = who.organization_id
    summary = await handlers.store_835(rt.uow(), org, raw)
    del raw  # the body is not held while the claims are reconciled
    answer: dict[str, Any] = asdict(summary)
    if summary.file_id is None:
        return answer
    location = f"/v1/remittance-files/{summary.file_id}"
    if not summary.duplicate:
        work = reconcile_file(rt.uow(), org, summary.file_id, settings.variance_tolerance, compute)
        job = rt.spawn(work, name=f"reconcile file {summary.file_id}")  # goes on if the client leaves
        if _respond_async(prefer):
            response.status_code = 202
            response.headers["Location"] = location
            response.headers["Preference-Applied"] = "respond-async"
        else:
            await asyncio.shield(job)
    state = await file_state(rt.uow(), org, summary.file_id)
    response.headers.setdefault("Content-Location", location)
    if state is not None:
        answer["reconciliation"] = asdict(state)
        if state.status == RECONCILED and not summary.duplicate:
            answer["classifications"] = state.classifications
    return answer


def _respond_async(prefer: str | None) -> bool:
    """RFC 7240: `Prefer: respond-async` (among other preferences, any case)."""
    if not prefer:
        return False
    return any(p.split(";")[0].strip().lower() == "respond-async" for p in prefer.split(","))


@router.get(
    "/remittance-files/{file_id}", response_model=ReconciliationOut, summary="Get an 835's reconciliation"
)
async def get_file_reconciliation(
    file_id: Annotated[str, Path(description="The `file_id` an 835 upload answered.")],
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
) -> Any:
    """Where an uploaded 835's reconciliation stands: claims reconciled of those to reconcile, the
    classifications so far, "reconciled" once done."""
    state = await file_state(rt.uow(), who.organization_id, file_id)
    if state is None:
        raise NotFound(f"remittance file {file_id} not found")
    return asdict(state)


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
