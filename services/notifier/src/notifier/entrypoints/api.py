"""The notifier's HTTP API: subscriptions and their deliveries, scoped to the caller's organisation."""

from __future__ import annotations

from datetime import UTC, datetime
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
from fastapi import APIRouter, Depends, Path, Request, Response, status

from notifier.adapters.repository import SubscriptionRepository
from notifier.entrypoints.deliveries_api import router as deliveries_router
from notifier.entrypoints.schemas import (
    CreatedSubscriptionOut,
    Page,
    ReplayOut,
    SecretOut,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
)
from notifier.entrypoints.views import subscription_view
from notifier.handlers import deliveries, subscriptions
from notifier.handlers.validation import UrlGuard
from notifier.ports import SecretBox

router = APIRouter(prefix="/v1", tags=["subscriptions"])
READ, WRITE = "notifications:read", "notifications:write"


def get_url_guard(request: Request) -> UrlGuard:
    guard: UrlGuard = request.app.state.url_guard
    return guard


def get_secret_box(request: Request) -> SecretBox:
    box: SecretBox = request.app.state.secret_box
    return box


Guard = Annotated[UrlGuard, Depends(get_url_guard)]
Box = Annotated[SecretBox, Depends(get_secret_box)]
SubscriptionId = Annotated[
    str, Path(description="The subscription's id, as returned when it was created or listed.")
]


@router.post(
    "/subscriptions",
    status_code=status.HTTP_201_CREATED,
    response_model=CreatedSubscriptionOut,
    summary="Create a subscription",
)
async def create_subscription(
    body: SubscriptionIn, who: Annotated[Principal, Requires(WRITE)], rt: Runtime, guard: Guard, box: Box
) -> Any:
    """Subscribe a webhook or an email list to event types; a webhook's secret is shown here only.

    `event_types` name events or patterns (`obligation.*`); `filters` narrow them further. A
    webhook URL must be http(s) on a public address (422 otherwise). Webhooks are signed per
    Standard Webhooks with the `whsec_` secret in this response; store it, it is not shown again.
    Needs the `notifications:write` scope.
    """
    subscription_id, issued = await subscriptions.create_subscription(
        rt.uow(), who.organization_id, body.model_dump(), guard, box, _now()
    )
    return await _view(rt, who.organization_id, subscription_id, issued.secret if issued else None)


@router.get("/subscriptions", response_model=Page[SubscriptionOut], summary="List subscriptions")
async def list_subscriptions(
    who: Annotated[Principal, Requires(READ)], rt: Runtime, limit: Limit = 50, cursor: Cursor = None
) -> Any:
    """The organisation's subscriptions, by id, with cursor pagination (never their secrets).

    Pass `next_cursor` from a page as `cursor` to get the next; it is null on the last page.
    Needs the `notifications:read` scope.
    """
    after = (decode_cursor(cursor, {"after": str}) or {}).get("after")
    async with rt.sessions() as session:
        rows = await SubscriptionRepository(session, who.organization_id).page(after, limit)
    next_cursor = encode_cursor({"after": rows[-1].id}) if len(rows) == limit else None
    return {"items": [subscription_view(row) for row in rows], "next_cursor": next_cursor}


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut, summary="Get a subscription")
async def get_subscription(
    subscription_id: SubscriptionId, who: Annotated[Principal, Requires(READ)], rt: Runtime
) -> Any:
    """One subscription (without its secret), including whether it is enabled and why not.

    Needs the `notifications:read` scope.
    """
    return await _view(rt, who.organization_id, subscription_id)


@router.patch(
    "/subscriptions/{subscription_id}", response_model=SubscriptionOut, summary="Change a subscription"
)
async def update_subscription(
    subscription_id: SubscriptionId,
    body: SubscriptionPatch,
    who: Annotated[Principal, Requires(WRITE)],
    rt: Runtime,
    guard: Guard,
) -> Any:
    """Change a subscription's name, event types, filters, channel target or owner.

    Fields left out stay as they are; `filters` and `owner_email` may be null to clear them, no
    other field may be null. Needs the `notifications:write` scope.
    """
    changes = body.changes()
    await subscriptions.update_subscription(
        rt.uow(), who.organization_id, subscription_id, changes, guard, _now()
    )
    return await _view(rt, who.organization_id, subscription_id)


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a subscription",
)
async def delete_subscription(
    subscription_id: SubscriptionId, who: Annotated[Principal, Requires(WRITE)], rt: Runtime
) -> Response:
    """Delete a subscription; its pending deliveries stop, its delivery history stays.

    Needs the `notifications:write` scope.
    """
    await subscriptions.delete_subscription(rt.uow(), who.organization_id, subscription_id, _now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/subscriptions/{subscription_id}/rotate-secret",
    response_model=SecretOut,
    summary="Rotate a webhook's signing secret",
)
async def rotate_secret(
    subscription_id: SubscriptionId, who: Annotated[Principal, Requires(WRITE)], rt: Runtime, box: Box
) -> Any:
    """A new signing secret (shown once); the old one keeps signing until the overlap ends.

    No request body. Until `previous_secret_retires_at` (24 hours on) each webhook carries a
    signature by both secrets, so the receiver can switch over without dropping messages. Only
    webhook subscriptions have a secret (an email one answers 409). Needs the
    `notifications:write` scope.
    """
    issued = await subscriptions.rotate_secret(rt.uow(), who.organization_id, subscription_id, box, _now())
    return {"secret": issued.secret, "previous_secret_retires_at": issued.previous_retires_at}


@router.post(
    "/subscriptions/{subscription_id}/enable",
    response_model=SubscriptionOut,
    summary="Re-enable a subscription",
)
async def enable_subscription(
    subscription_id: SubscriptionId, who: Annotated[Principal, Requires(WRITE)], rt: Runtime
) -> Any:
    """Switch a disabled subscription back on (its missed deliveries can then be replayed).

    A webhook is disabled after several deliveries in a row end dead (its owner_email, if any, is told).
    No request body. Needs the `notifications:write` scope.
    """
    await subscriptions.enable_subscription(rt.uow(), who.organization_id, subscription_id, _now())
    return await _view(rt, who.organization_id, subscription_id)


@router.post(
    "/subscriptions/{subscription_id}/replay-failed",
    response_model=ReplayOut,
    summary="Replay a subscription's failed deliveries",
)
async def replay_failed(
    subscription_id: SubscriptionId, who: Annotated[Principal, Requires(WRITE)], rt: Runtime
) -> Any:
    """Send every dead-lettered or disabled delivery of this subscription again.

    No request body; answers how many were queued. A disabled subscription answers 409: enable it
    first. Needs the `notifications:write` scope.
    """
    count = await deliveries.replay_failed(rt.uow(), who.organization_id, subscription_id, _now())
    return {"replayed": count}


async def _view(rt: Runtime, organization_id: str, subscription_id: str, secret: str | None = None) -> Any:
    async with rt.sessions() as session:
        row = await SubscriptionRepository(session, organization_id).get(subscription_id)
    return subscription_view(row, secret)


def _now() -> datetime:
    return datetime.now(UTC)


routers = [router, deliveries_router]
