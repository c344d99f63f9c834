"""The request pipeline around each route: authenticate and check the scope before the body is read;
answer OPTIONS (and 405) with every method the path has.

FastAPI reads and parses a route's body before it resolves the route's dependencies, so an API key
checked by a dependency alone is checked only after an unauthenticated client made the server read
and parse its body (a 20 MiB JSON array cost the registry 500 MiB before the 401). Here each
route's ASGI app is wrapped: when the route takes the API key (accord_common.web.deps.get_principal,
directly or through `Requires(scope)`), the key and the scopes the route declares are checked from
the headers alone; the body is not touched until they pass. The principal is left on the request,
so the route's own dependency does not look the key up again.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import SecurityScopes
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from accord_common.web.deps import API_KEY, get_principal


def authenticate_before_body(app: FastAPI) -> None:
    """Wrap every route that takes the API key so the key and its scopes are checked first."""
    for route in app.router.routes:
        if not isinstance(route, APIRoute):
            continue
        scopes = _declared_scopes(route.dependant)
        if scopes is not None:
            route.app = _AuthenticateFirst(route.app, sorted(scopes))


def _declared_scopes(dependant: Dependant) -> set[str] | None:
    """The scopes a route's get_principal dependencies declare; None when it takes no API key."""
    found: set[str] | None = None
    for sub in _walk(dependant):
        if sub.call is get_principal:
            found = (found or set()) | set(sub.own_oauth_scopes or ()) | set(sub.parent_oauth_scopes or ())
    return found


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _walk(sub)


class _AuthenticateFirst:
    """ASGI: authenticate from the headers (a Request with no receive cannot read the body)."""

    def __init__(self, app: ASGIApp, scopes: list[str]) -> None:
        self.app = app
        self.scopes = scopes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            bearer = await API_KEY(request)
            await get_principal(
                request, SecurityScopes(self.scopes), bearer, request.headers.get("x-api-key")
            )
        await self.app(scope, receive, send)


class MethodsAllowed:
    """ASGI middleware: OPTIONS on a known path answers 204 with `Allow` listing every method the
    path has (not Starlette's 405 naming the first route's one method), and a 405 lists them all."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI) -> None:
        self.app = app
        self.fastapi_app = fastapi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        methods = self._methods(scope)
        if not methods:
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(methods | {"OPTIONS"}))
        if scope["method"] == "OPTIONS":
            await Response(status_code=204, headers={"Allow": allow})(scope, receive, send)
            return

        async def with_allow(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start" and message.get("status") == 405:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]  # type: ignore[attr-defined]
                message = {**message, "headers": [*headers, (b"allow", allow.encode())]}
            await send(message)

        await self.app(scope, receive, with_allow)  # type: ignore[arg-type]

    def _methods(self, scope: Scope) -> set[str]:
        methods: set[str] = set()
        for route in self.fastapi_app.router.routes:
            match, _ = route.matches({**scope, "method": "GET"})
            route_methods = getattr(route, "methods", None)
            if match is not Match.NONE and route_methods:
                methods |= set(route_methods)
        return methods
