"""Notification deliveries (every attempt on record) and subscriptions."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.adapters.accord_api import Service
from console.entrypoints.web import Api, Settings, Signed, render

router = APIRouter()


@router.get("/notifications")
async def deliveries(
    request: Request, session: Signed, api: Api, settings: Settings, status: str = "", cursor: str = ""
) -> Response:
    page = await api.get(
        session.api_key,
        Service.NOTIFIER,
        "/v1/deliveries",
        limit=settings.page_size,
        cursor=cursor,
        status=status,
    )
    return render(request, "deliveries.html", session, page=page, filters={"status": status})


@router.get("/settings/subscriptions")
async def subscriptions(
    request: Request, session: Signed, api: Api, settings: Settings, cursor: str = ""
) -> Response:
    page = await api.get(
        session.api_key, Service.NOTIFIER, "/v1/subscriptions", limit=settings.page_size, cursor=cursor
    )
    return render(request, "subscriptions.html", session, page=page)


@router.get("/settings/subscriptions/{subscription_id}")
async def subscription(request: Request, subscription_id: str, session: Signed, api: Api) -> Response:
    found = await api.get(
        session.api_key, Service.NOTIFIER, f"/v1/subscriptions/{quote(subscription_id, safe='')}"
    )
    return render(request, "subscription.html", session, subscription=found)
