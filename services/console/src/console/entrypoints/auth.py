"""Sign in with a personal API key (checked against every service), sign out."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from console.adapters.accord_api import AccordApi, ApiRefused, Service
from console.adapters.session_cookie import COOKIE_NAME, SessionSealer
from console.config import ConsoleSettings
from console.domain.session import StaffSession
from console.entrypoints.web import (
    Api,
    Settings,
    Signed,
    check_csrf,
    render,
    safe_next,
    sealer_of,
    see_other,
)

router = APIRouter()


class KeyRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str = "/") -> Response:
    return render(request, "sign_in.html", None, next=safe_next(next), error=None)


@router.post("/sign-in")
async def sign_in(
    request: Request,
    api: Api,
    settings: Settings,
    api_key: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    target = safe_next(next)
    try:
        organization_id, name, scopes = await identify(api, api_key.strip())
    except KeyRefused as refusal:
        return render(request, "sign_in.html", None, 401, next=target, error=refusal.message)
    sealer = sealer_of(request)
    session = sealer.new(api_key.strip(), organization_id, name, scopes, datetime.now(UTC), "api_key")
    return set_session_cookie(see_other(target), sealer, session, settings)


def set_session_cookie(
    response: Response, sealer: SessionSealer, session: StaffSession, settings: ConsoleSettings
) -> Response:
    response.set_cookie(
        COOKIE_NAME,
        sealer.seal(session),
        max_age=settings.session_hours * 3600,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",  # lax, not strict: the link in a mail must arrive signed in
        path="/",
    )
    return response


@router.post("/sign-out")
async def sign_out(
    session: Signed, api: Api, settings: Settings, csrf_token: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    check_csrf(session, csrf_token)
    if session.signed_in_with == "oidc":  # the key was made for this session: end it everywhere
        with contextlib.suppress(ApiRefused):  # already expired or revoked
            await api.post(session.api_key, Service.REGISTRY, "/v1/sign-ins/current/end", {})
    response = see_other("/sign-in")
    response.delete_cookie(COOKIE_NAME, path="/", secure=settings.cookie_secure, httponly=True)
    return response


async def identify(api: AccordApi, key: str) -> tuple[str, str, list[str]]:
    """The key's organisation, name and the scopes every service grants it; refused unless all accept."""
    if not key.startswith("acc_"):
        raise KeyRefused("api_key: an Accord API key starts with acc_")
    answers: list[Any] = await asyncio.gather(
        *(api.get(key, service, "/v1/whoami") for service in Service), return_exceptions=True
    )
    refused = [s.value for s, a in zip(Service, answers, strict=True) if isinstance(a, BaseException)]
    if len(refused) == len(answers):
        raise KeyRefused("api_key: no service knows this key (unknown or revoked)")
    if refused:
        raise KeyRefused(f"api_key: this key is not valid on {', '.join(refused)}; ask for one that is")
    organisations = {a["organization_id"] for a in answers}
    if len(organisations) != 1:
        raise KeyRefused("api_key: this key belongs to different organisations on different services")
    scopes = set.intersection(*(set(a["scopes"]) for a in answers))
    return organisations.pop(), str(answers[0]["name"]), sorted(scopes)


__all__ = ["ApiRefused", "router"]
