"""Deliveries: what was sent where, every attempt, and replaying what failed."""

from __future__ import annotations

from datetime import UTC, datetime
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
from fastapi import APIRouter, Path, Query

from notifier.adapters.mapping import as_utc
from notifier.adapters.repository import DeliveryRepository
from notifier.domain import DeliveryStatus
from notifier.entrypoints.schemas import DeliveryOut, Page
from notifier.entrypoints.views import delivery_view
from notifier.handlers import deliveries

router = APIRouter(prefix="/v1", tags=["deliveries"])
READ, WRITE = "notifications:read", "notifications:write"
StatusFilter = Annotated[DeliveryStatus | None, Query(description="Only deliveries in this status.")]
SubscriptionFilter = Annotated[str | None, Query(description="Only deliveries of this subscription.")]
DeliveryId = Annotated[str, Path(description="The delivery's id, as listed by GET /v1/deliveries.")]


@router.get("/deliveries", response_model=Page[DeliveryOut], summary="List deliveries")
async def list_deliveries(
    who: Annotated[Principal, Requires(READ)],
    rt: Runtime,
    subscription_id: SubscriptionFilter = None,
    status: StatusFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Deliveries, newest first, with their attempts (time, status code, latency, error).

    Pass `next_cursor` from a page as `cursor` to get the next; it is null on the last page.
    Needs the `notifications:read` scope.
    """
    before = _keyset(decode_cursor(cursor, {"created_at": str, "id": str}))
    filters = {"subscription_id": subscription_id, "status": status.value if status else None}
    async with rt.sessions() as session:
        repo = DeliveryRepository(session, who.organization_id)
        rows = await repo.page(filters, before, limit)
        attempts = await repo.attempts([row.id for row in rows])
    next_cursor = None
    if len(rows) == limit:
        last = rows[-1]
        next_cursor = encode_cursor({"created_at": as_utc(last.created_at), "id": last.id})
    return {"items": [delivery_view(row, attempts[row.id]) for row in rows], "next_cursor": next_cursor}


@router.get("/deliveries/{delivery_id}", response_model=DeliveryOut, summary="Get a delivery")
async def get_delivery(
    delivery_id: DeliveryId, who: Annotated[Principal, Requires(READ)], rt: Runtime
) -> Any:
    """One delivery with every attempt (time, status code, latency, error).

    Needs the `notifications:read` scope.
    """
    return await _view(rt, who.organization_id, delivery_id)


@router.post("/deliveries/{delivery_id}/replay", response_model=DeliveryOut, summary="Replay a delivery")
async def replay_delivery(
    delivery_id: DeliveryId, who: Annotated[Principal, Requires(WRITE)], rt: Runtime
) -> Any:
    """Send a dead-lettered or disabled delivery again (same webhook-id: receivers deduplicate).

    No request body. A delivery that is pending, retrying or delivered answers 409, as does one
    whose subscription is disabled. Needs the `notifications:write` scope.
    """
    await deliveries.replay_delivery(rt.uow(), who.organization_id, delivery_id, datetime.now(UTC))
    return await _view(rt, who.organization_id, delivery_id)


async def _view(rt: Runtime, organization_id: str, delivery_id: str) -> Any:
    async with rt.sessions() as session:
        repo = DeliveryRepository(session, organization_id)
        row = await repo.get(delivery_id)
        attempts = await repo.attempts([row.id])
    return delivery_view(row, attempts[row.id])


def _keyset(cursor: dict[str, Any] | None) -> tuple[datetime, str] | None:
    if cursor is None:
        return None
    try:
        at = datetime.fromisoformat(str(cursor["created_at"]))
        return (at.replace(tzinfo=UTC) if at.tzinfo is None else at), str(cursor["id"])
    except (KeyError, ValueError):
        raise Unprocessable("cursor is not valid", errors=[{"field": "cursor", "message": "malformed"}])
