"""The request pipeline around each route: authenticate and check the scope before the body is read;
answer OPTIONS (and 405) with every method the path has.

FastAPI reads and parses a route's body before it resolves the route's dependencies, so an API key
checked by a dependency alone is checked only after an unauthenticated client made the server read
and parse its body (a 20 MiB JSON array cost the registry 500 MiB before the 401). Here the channel
the body comes through is guarded: when the routed operation takes the API key
(accord_common.web.deps.get_principal, directly or through `Requires(scope)`), its first read
checks the key and the scopes the operation declares from the headers alone; the body is not
pulled from the connection until they pass. The principal is left on the request, so the route's
own dependency does not look the key up again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import SecurityScopes
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord_common.web.deps import API_KEY, get_principal

_METHODS = {"GET", "PUT", "POST", "PATCH", "DELETE"}


class AuthenticateBeforeBody:
    """ASGI middleware: the first time the route asks for the body, authenticate and check the
    scopes it declares first (from the headers alone); a refusal answers 401/403 (503 when the key
    cannot be looked up) and the body is never read. Routes that read no body authenticate through
    their dependency as before."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        checked = False
        refused: Exception | None = None

        async def guarded_receive() -> Message:
            nonlocal checked, refused
            if not checked and scope.get("route") is not None:  # routed: the operation is known
                checked = True
                try:
                    await authenticate(scope)
                except Exception as error:  # a refusal, or the database down while looking the key up
                    refused = error
                    raise _Refused from error
            return await receive()

        async def guarded_send(message: Message) -> None:
            # FastAPI turns an error raised while it reads the body into a 400: answer the refusal.
            if refused is None:
                await send(message)
            elif message["type"] == "http.response.start":
                await answer_problem(refused, scope, receive, send)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except _Refused:
            assert refused is not None
            await answer_problem(refused, scope, receive, send)


class _Refused(Exception):
    """Raised into the route's body reading when the caller was refused (never answered as such)."""


async def answer_problem(error: Exception, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer as the app's own exception handler for the error does (401/403 problem, 503 outage, 422)."""
    handlers = scope["app"].exception_handlers
    handler = next((handlers[c] for c in type(error).__mro__ if c in handlers), None)
    if handler is None:
        raise error
    response: Response = await handler(Request(scope), error)
    await response(scope, receive, send)


async def authenticate(scope: Scope) -> None:
    """Check the key and the scopes the routed operation declares, from the headers alone (the
    principal is left on the request); nothing when the operation takes no API key."""
    route = scope.get("route")
    if not isinstance(route, APIRoute):
        return
    scopes = _declared_scopes(route.dependant)
    if scopes is None:
        return
    request = Request(scope)  # no receive: it cannot read the body
    bearer = await API_KEY(request)
    await get_principal(request, SecurityScopes(sorted(scopes)), bearer)


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


class MethodsAllowed:
    """ASGI middleware: OPTIONS on a known path answers 204 with `Allow` listing every method the
    path has (not Starlette's 405 naming the first route's one method), and a 405 lists them all."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI) -> None:
        self.app = app
        self.fastapi_app = fastapi_app
        self._paths: list[tuple[re.Pattern[str], set[str]]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            methods = self._methods(scope)
            if not methods:
                await self.app(scope, receive, send)
                return
            allow = ", ".join(sorted(methods | {"OPTIONS"}))
            await Response(status_code=204, headers={"Allow": allow})(scope, receive, send)
            return

        async def with_allow(message: dict[str, object]) -> None:
            # the path's methods are matched only for a 405 (every request matched them: 3% of a
            # cached read's CPU)
            if message["type"] == "http.response.start" and message.get("status") == 405:
                methods = self._methods(scope)
                if methods:
                    allow = ", ".join(sorted(methods | {"OPTIONS"}))
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]  # type: ignore[attr-defined]
                    message = {**message, "headers": [*headers, (b"allow", allow.encode())]}
            await send(message)

        await self.app(scope, receive, with_allow)  # type: ignore[arg-type]

    def _methods(self, scope: Scope) -> set[str]:
        """The methods the OpenAPI document lists for the request's path (GET implies HEAD)."""
        if self._paths is None:
            self._paths = [
                (compile_path(path)[0], {m.upper() for m in item if m.upper() in _METHODS})
                for path, item in self.fastapi_app.openapi().get("paths", {}).items()
            ]
        methods: set[str] = set()
        for pattern, listed in self._paths:
            if pattern.match(scope["path"]):
                methods |= listed | ({"HEAD"} if "GET" in listed else set())
        return methods
