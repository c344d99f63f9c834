"""The composition root: settings, the services' API client, the session sealer, the pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from accord_common.logs import configure_logging
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

from console.adapters.accord_api import AccordApi, ApiRefused, Service
from console.adapters.oidc_client import IdentityProviderClient, PendingSealer
from console.adapters.session_cookie import SessionSealer
from console.config import ConsoleSettings
from console.entrypoints import (
    auth,
    auth_oidc,
    pages_analytics,
    pages_claims,
    pages_contracts,
    pages_deadlines,
    pages_notifications,
)
from console.entrypoints.web import (
    CsrfRefused,
    SignInRequired,
    on_api_refused,
    on_csrf_refused,
    on_sign_in_required,
)

STATIC = Path(__file__).parent / "static"


def build_api(settings: ConsoleSettings, transport: httpx.AsyncBaseTransport | None = None) -> AccordApi:
    urls = {
        Service.REGISTRY: settings.registry_url,
        Service.ENGINE: settings.engine_url,
        Service.TRACKER: settings.tracker_url,
        Service.NOTIFIER: settings.notifier_url,
    }
    client = httpx.AsyncClient(timeout=settings.api_timeout_seconds, transport=transport)
    return AccordApi(client, urls)


def build_identity_provider(settings: ConsoleSettings, api: AccordApi) -> IdentityProviderClient | None:
    """The organisation's OpenID Connect provider, when the console is configured with one."""
    if not settings.oidc_issuer or not settings.oidc_client_id:
        return None
    secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
    return IdentityProviderClient(api.client, settings.oidc_issuer, settings.oidc_client_id, secret)


def build_app(settings: ConsoleSettings | None = None, api: AccordApi | None = None) -> FastAPI:
    settings = settings or ConsoleSettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    accord = api or build_api(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await accord.close()

    app = FastAPI(title="Accord console", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.api = accord
    app.state.sealer = SessionSealer(settings.sealing_key(), timedelta(hours=settings.session_hours))
    app.state.pending_sealer = PendingSealer(settings.sealing_key())
    app.state.identity_provider = build_identity_provider(settings, accord)
    app.add_exception_handler(SignInRequired, on_sign_in_required)
    app.add_exception_handler(CsrfRefused, on_csrf_refused)
    app.add_exception_handler(ApiRefused, on_api_refused)
    app.add_middleware(BaseHTTPMiddleware, dispatch=_security_headers)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        auth,
        auth_oidc,
        pages_claims,
        pages_deadlines,
        pages_contracts,
        pages_notifications,
        pages_analytics,
    ):
        app.include_router(module.router)

    @app.get("/healthz")
    async def alive() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/readyz")
    async def ready() -> JSONResponse:
        """200 when every service the console reads answers its /healthz, else 503 naming it."""
        checks = await accord.reachable()
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503
        )

    return app


async def _security_headers(request: Request, call_next: RequestResponseEndpoint) -> Response:
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.url.path != "/static/console.css":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
