"""The tracker's HTTP API: obligations (this module), settings and calendar feeds, KPIs, parked
claim events."""

from __future__ import annotations

from datetime import date, timedelta
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
from accord_common.web.types import IsoDate
from fastapi import APIRouter, Path, Query

from obligation_tracker.adapters.repository import ObligationFilter
from obligation_tracker.domain import ObligationKind, ObligationStatus
from obligation_tracker.entrypoints.api_exports import router as exports_router
from obligation_tracker.entrypoints.api_kpis import router as kpi_router
from obligation_tracker.entrypoints.api_parked import router as parked_router
from obligation_tracker.entrypoints.api_settings import feed_router, settings_router
from obligation_tracker.entrypoints.deps import CurrentTracker
from obligation_tracker.entrypoints.schemas import (
    CompleteIn,
    ObligationDetailOut,
    ObligationOut,
    ObligationPage,
    SnoozeIn,
    WaiveIn,
)
from obligation_tracker.entrypoints.views import obligation_view
from obligation_tracker.handlers import obligations as actions

router = APIRouter(prefix="/v1", tags=["obligations"])
ObligationId = Annotated[str, Path(description="The obligation's id, as listed by GET /v1/obligations.")]


def _after(cursor: str | None) -> tuple[IsoDate, str] | None:
    position = decode_cursor(cursor, {"due": str, "id": str})
    if position is None:
        return None
    try:
        return date.fromisoformat(str(position["due"])), str(position["id"])
    except (KeyError, ValueError):
        raise Unprocessable("cursor is not valid", errors=[{"field": "cursor", "message": "malformed"}])


@router.get("/obligations", response_model=ObligationPage, summary="List obligations")
async def list_obligations(
    who: Annotated[Principal, Requires("obligations:read")],
    rt: Runtime,
    tracker: CurrentTracker,
    limit: Limit = 50,
    cursor: Cursor = None,
    due_within_days: Annotated[
        int | None,
        Query(ge=0, le=3650, description="Only those due on or before today + N days (organisation's zone)."),
    ] = None,
    kind: Annotated[ObligationKind | None, Query(description="Only obligations of this kind.")] = None,
    status: Annotated[
        ObligationStatus | None, Query(description="Only obligations in this status (e.g. open).")
    ] = None,
    contract_id: Annotated[
        str | None, Query(description="Only obligations derived from this contract.")
    ] = None,
    claim_id: Annotated[
        str | None, Query(description="Only obligations of this claim (timely filing, prompt pay, appeal).")
    ] = None,
) -> Any:
    """The organisation's obligations, soonest due first, with cursor pagination.

    Filters combine (all must match). Pass `next_cursor` from a page as `cursor` to get the next;
    it is null on the last page. Needs the `obligations:read` scope.
    """
    async with rt.sessions() as session:
        calendar = await tracker.calendar(session, who.organization_id)
        due_by = None
        if due_within_days is not None:
            due_by = calendar.schedule.local_date(tracker.now()) + timedelta(days=due_within_days)
        where = ObligationFilter(kind and kind.value, status and status.value, contract_id, claim_id, due_by)
        repo = await tracker.obligations(session, who.organization_id)
        rows = await repo.page(where, _after(cursor), limit)
    last = rows[-1].obligation if rows else None
    next_cursor = (
        encode_cursor({"due": last.due_date, "id": str(last.id)}) if last and len(rows) == limit else None
    )
    return {"items": [obligation_view(r) for r in rows], "next_cursor": next_cursor}


@router.get("/obligations/{obligation_id}", response_model=ObligationDetailOut, summary="Get an obligation")
async def get_obligation(
    obligation_id: ObligationId,
    who: Annotated[Principal, Requires("obligations:read")],
    rt: Runtime,
    tracker: CurrentTracker,
) -> Any:
    """One obligation with its status history (who changed what, when and why).

    Needs the `obligations:read` scope.
    """
    async with rt.sessions() as session:
        repo = await tracker.obligations(session, who.organization_id)
        stored = await repo.get(obligation_id)
        history = await repo.history(obligation_id)
    return obligation_view(stored) | {"history": history}


@router.post(
    "/obligations/{obligation_id}/complete", response_model=ObligationOut, summary="Complete an obligation"
)
async def complete_obligation(
    obligation_id: ObligationId,
    body: CompleteIn,
    who: Annotated[Principal, Requires("obligations:write")],
    rt: Runtime,
    tracker: CurrentTracker,
) -> Any:
    """Mark an open obligation done, with an optional comment; publishes obligation.completed.

    Only an open obligation can be completed (409 otherwise). Needs the `obligations:write` scope.
    """
    return obligation_view(await actions.complete(rt.uow(), tracker, who, obligation_id, body.comment))


@router.post(
    "/obligations/{obligation_id}/waive", response_model=ObligationOut, summary="Waive an obligation"
)
async def waive_obligation(
    obligation_id: ObligationId,
    body: WaiveIn,
    who: Annotated[Principal, Requires("obligations:write")],
    rt: Runtime,
    tracker: CurrentTracker,
) -> Any:
    """Waive an open obligation that no longer needs doing, with the reason (kept in its history).

    Only an open obligation can be waived (409 otherwise). Needs the `obligations:write` scope.
    """
    return obligation_view(await actions.waive(rt.uow(), tracker, who, obligation_id, body.reason))


@router.post(
    "/obligations/{obligation_id}/snooze",
    response_model=ObligationOut,
    summary="Snooze an obligation's reminders",
)
async def snooze_obligation(
    obligation_id: ObligationId,
    body: SnoozeIn,
    who: Annotated[Principal, Requires("obligations:write")],
    rt: Runtime,
    tracker: CurrentTracker,
) -> Any:
    """Hold reminders for an open obligation until a date (the deadline itself does not move).

    No reminders are sent before the start of `until` (organisation's zone), which must be a future
    date (422 otherwise); after it, only the most urgent lead time reached is sent, not a burst.
    The obligation stays open. Only an open obligation can be snoozed (409 otherwise). Needs the
    `obligations:write` scope.
    """
    return obligation_view(
        await actions.snooze(rt.uow(), tracker, who, obligation_id, body.until, body.comment)
    )


routers = [router, settings_router, feed_router, kpi_router, parked_router, exports_router]
