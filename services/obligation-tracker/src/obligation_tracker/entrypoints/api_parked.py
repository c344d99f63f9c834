"""Claim events parked until their contract (or, for a payment, its claim's pricing) arrives, for
operators (read-only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.errors import Unprocessable
from accord_common.web.deps import (
    Cursor,
    Limit,
    Requires,
    Runtime,
    decode_cursor,
    encode_cursor,
)
from fastapi import APIRouter, Query

from obligation_tracker.adapters.parked_repository import ParkedClaimEvents
from obligation_tracker.entrypoints.schemas import ParkedEventPage
from obligation_tracker.entrypoints.views import parked_event_view

router = APIRouter(prefix="/v1", tags=["parked-events"])


def _after(cursor: str | None) -> tuple[datetime, str] | None:
    position = decode_cursor(cursor, {"at": str, "id": str})
    if position is None:
        return None
    try:
        at: datetime | None = datetime.fromisoformat(position["at"])
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise Unprocessable("cursor is not valid", errors=[{"field": "cursor", "message": "malformed"}])
    return at, str(position["id"])


@router.get("/parked-events", response_model=ParkedEventPage, summary="List parked claim events")
async def list_parked_events(
    who: Annotated[Principal, Requires("obligations:read")],
    rt: Runtime,
    limit: Limit = 50,
    cursor: Cursor = None,
    contract_id: Annotated[
        str | None, Query(max_length=64, description="Only the events naming this contract.")
    ] = None,
    claim_id: Annotated[
        str | None, Query(max_length=64, description="Only the events of this claim.")
    ] = None,
) -> Any:
    """Claim events waiting for what they need, oldest parked first, with cursor pagination.

    A claim event that arrived before its contract waits for it (`awaiting: contract`) and is
    applied, leaving this list, when the contract reaches the tracker (a `contract.*` event); a
    claim.paid that arrived before its claim's pricing waits for that claim.priced
    (`awaiting: claim.priced`). Nothing needs replaying. Pass `next_cursor` from a page as `cursor`
    to get the next; it is null on the last page. Read-only. Needs the `obligations:read` scope.
    """
    async with rt.sessions() as session:
        rows = await ParkedClaimEvents(session, who.organization_id).page(
            contract_id, _after(cursor), limit, claim_id=claim_id
        )
    last = rows[-1] if rows else None
    next_cursor = (
        encode_cursor({"at": last.parked_at.isoformat(), "id": last.event_id})
        if last and len(rows) == limit
        else None
    )
    return {"items": [parked_event_view(r) for r in rows], "next_cursor": next_cursor}
