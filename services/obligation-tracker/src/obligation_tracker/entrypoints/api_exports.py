"""The deadlines as CSV or XLSX, streamed: every obligation matching the filters, soonest first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated

from accord_common.auth import Principal
from accord_common.exports import TABULAR_RESPONSES, Format, Row, tabular_response
from accord_common.web.deps import Requires, Runtime
from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from obligation_tracker.adapters.repository import ObligationFilter
from obligation_tracker.domain import ObligationKind, ObligationStatus
from obligation_tracker.entrypoints.deps import CurrentTracker
from obligation_tracker.entrypoints.views import obligation_view

router = APIRouter(prefix="/v1/exports", tags=["exports"])
PAGE = 1000
HEADER = (
    "id", "kind", "status", "due_date", "title", "contract_id", "claim_id", "patient_control_number",
    "payer_id", "payer_name", "interest_owed", "snoozed_until", "reasons",
)  # fmt: skip


@router.get(
    "/obligations.{fmt}",
    summary="Export the deadlines (CSV or XLSX)",
    response_class=StreamingResponse,
    responses=TABULAR_RESPONSES,
)
async def export_obligations(
    fmt: Annotated[Format, Path(description="csv or xlsx")],
    who: Annotated[Principal, Requires("obligations:read")],
    rt: Runtime,
    tracker: CurrentTracker,
    kind: Annotated[ObligationKind | None, Query(description="Only obligations of this kind.")] = None,
    status: Annotated[ObligationStatus | None, Query(description="Only this status (e.g. open).")] = None,
    contract_id: Annotated[str | None, Query(description="Only this contract's obligations.")] = None,
) -> StreamingResponse:
    """Every obligation (any number), soonest due first; money (interest owed) to the cent."""
    where = ObligationFilter(kind and kind.value, status and status.value, contract_id, None, None)

    async def rows() -> AsyncIterator[Row]:
        after: tuple[date, str] | None = None
        while True:
            async with rt.sessions() as session:
                repo = await tracker.obligations(session, who.organization_id)
                page = await repo.page(where, after, PAGE)
            for stored in page:
                v = obligation_view(stored)
                yield (*(v[k] for k in HEADER[:-1]), " ".join(v["reasons"]))
            if len(page) < PAGE:
                return
            last = page[-1].obligation
            after = (last.due_date, str(last.id))

    return tabular_response(fmt, "obligations", HEADER, rows())
