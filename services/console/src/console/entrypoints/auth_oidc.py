"""Sign in with the organisation's identity provider (OpenID Connect, authorization code + PKCE).

The person is sent to the provider with a state, a nonce and a PKCE challenge (remembered in a
sealed, ten-minute cookie); on their return the code is redeemed for an ID token, which the contract
registry verifies and exchanges (with the console's own key) for the person's key for one session.
From there the session is the same as with a personal API key."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.adapters.accord_api import ApiRefused, Service
from console.adapters.oidc_client import (
    PENDING_COOKIE,
    PENDING_SECONDS,
    IdentityProviderClient,
    PendingSealer,
    ProviderRefused,
    new_pending,
)
from console.domain.oidc import authorization_url
from console.entrypoints.auth import KeyRefused, identify, set_session_cookie
from console.entrypoints.web import Api, Settings, render, safe_next, sealer_of

router = APIRouter()
CALLBACK = "/sign-in/oidc/callback"
# A new key reaches the other services over Kafka within seconds; the console waits that long.
KEY_PROPAGATION_SECONDS = 20.0


def provider_of(request: Request) -> IdentityProviderClient:
    provider: IdentityProviderClient | None = request.app.state.identity_provider
    if provider is None:
        raise ProviderRefused("sign-in with an identity provider is not configured for this console")
    return provider


def pending_sealer(request: Request) -> PendingSealer:
    sealer: PendingSealer = request.app.state.pending_sealer
    return sealer


@router.get("/sign-in/oidc")
async def start(request: Request, settings: Settings, next: str = "/") -> Response:
    """Send the person to the identity provider."""
    try:
        provider = provider_of(request)
        endpoint = await provider.endpoint("authorization_endpoint")
    except ProviderRefused as refused:
        return render(request, "sign_in.html", None, 502, next=safe_next(next), error=str(refused))
    pending = new_pending(safe_next(next))
    redirect_uri = settings.public_url.rstrip("/") + CALLBACK
    response = RedirectResponse(authorization_url(endpoint, provider.client_id, redirect_uri, pending), 303)
    response.set_cookie(
        PENDING_COOKIE,
        pending_sealer(request).seal(pending),
        max_age=PENDING_SECONDS,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",  # the provider's redirect back is a top-level GET from another site
        path=CALLBACK,
    )
    return response


@router.get(CALLBACK)
async def callback(
    request: Request,
    api: Api,
    settings: Settings,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> Response:
    """The person's return from the provider: check the state, redeem the code, get their key."""
    pending = pending_sealer(request).open(request.cookies.get(PENDING_COOKIE))
    if pending is None or not pending.state_matches(state):
        return _refused(request, "/", "the sign-in took too long or did not start here: try again")
    if error or not code:
        return _refused(
            request, pending.next_path, f"the identity provider refused the sign-in ({error or 'no code'})"
        )
    redirect_uri = settings.public_url.rstrip("/") + CALLBACK
    assert settings.oidc_exchange_key is not None  # the settings refuse an issuer without it
    try:
        id_token = await provider_of(request).id_token(code[:2000], redirect_uri, pending)
        exchanged = await api.post(
            settings.oidc_exchange_key.get_secret_value(),
            Service.REGISTRY,
            "/v1/sign-ins/oidc",
            {"id_token": id_token, "nonce": pending.nonce},
        )
        organization_id, name, scopes = await _identified(api, str(exchanged["api_key"]))
    except (ProviderRefused, KeyRefused) as refused:
        return _refused(request, pending.next_path, str(refused))
    except ApiRefused as refused:
        return _refused(request, pending.next_path, f"Accord refused the sign-in: {refused.detail}")
    sealer = sealer_of(request)
    session = sealer.new(str(exchanged["api_key"]), organization_id, name, scopes, datetime.now(UTC), "oidc")
    response = set_session_cookie(RedirectResponse(pending.next_path, 303), sealer, session, settings)
    response.delete_cookie(PENDING_COOKIE, path=CALLBACK, secure=settings.cookie_secure, httponly=True)
    return response


async def _identified(api: Api, key: str) -> tuple[str, str, list[str]]:
    """identify(), waiting while the new key reaches every service."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + KEY_PROPAGATION_SECONDS
    while True:
        try:
            return await identify(api, key)
        except KeyRefused:
            if loop.time() >= give_up:
                raise
            await asyncio.sleep(0.5)


def _refused(request: Request, next_path: str, message: str) -> Response:
    return render(request, "sign_in.html", None, 401, next=next_path, error=f"Sign-in refused: {message}")
