"""Text no service can store: the NUL character (U+0000). PostgreSQL refuses it in text, JSON may
carry it ("\\u0000") and a CSV or X12 file may hold it, so every service refuses it before any work,
once the caller is authenticated: a 422 problem naming where it was, nothing written.

- a path or query parameter, a JSON body (naming the field) and a form's text fields: `refuse_nul`,
  the first dependency of every route (finding NUL, it authenticates before refusing, so an unknown
  key is still a 401 and a missing scope a 403); an uploaded file is its route's to judge (a
  "text/plain" document holding NUL is not text: 415);
- a text body read from the request stream (CSV, X12, plain text): `RefuseNulInTextBodies`, which
  looks at each chunk as the route reads it, so a large upload is never held twice;
- what the database refuses anyway (SQLSTATE 22021/22P05) is a 422 too
  (accord_common.web.problems).

Every service's OpenAPI document states it: each free string has the pattern NO_NUL
(accord_common.web.openapi.exclude_nul)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord_common.errors import Unprocessable
from accord_common.web.pipeline import answer_problem, authenticate

MESSAGE = "text may not contain the NUL character (U+0000)"
TEXT_BODY_TYPES = ("text/", "application/csv", "application/edi-x12", "application/edi", "application/x12")


def nul_problem(where: str) -> Unprocessable:
    return Unprocessable(f"{where}: {MESSAGE}", errors=[{"field": where, "message": MESSAGE}])


async def refuse_nul(request: Request) -> None:
    """The first dependency of every route: no parameter, JSON field or form field holds NUL; when
    one does, the caller is authenticated and checked for the operation's scopes first (a 401 or 403,
    not the 422). A request without NUL is authenticated by the route's own dependency, as it would
    be anyway: checking the key here too cost every request a second pass through the key's
    dependencies (docs/benchmarks.md). A body is read only through the pipeline's guarded channel,
    which authenticates before it is pulled."""
    where = _in_parameters(request) or await _in_body(request)
    if where is not None:
        await authenticate(request.scope)
        raise nul_problem(where)


def guard_routers(routers: Sequence[APIRouter]) -> None:
    """Before the app includes them: every route refuses NUL (once, however often an app is built)."""
    for router in routers:
        for route in router.routes:
            guarded = any(d.dependency is refuse_nul for d in getattr(route, "dependencies", ()))
            if isinstance(route, APIRoute) and not guarded:
                route.dependencies.insert(0, Depends(refuse_nul))


def _in_parameters(request: Request) -> str | None:
    for name, value in request.path_params.items():
        if isinstance(value, str) and "\x00" in value:
            return name
    for name, value in request.query_params.multi_items():
        if "\x00" in value:
            return name.replace("\x00", "") or "query"
        if "\x00" in name:
            return "query"
    return None


async def _in_body(request: Request) -> str | None:
    kind = request.headers.get("content-type", "").lower()
    if "json" in kind:
        body = await request.body()
        if b"\\u0000" not in body:
            return None
        try:
            return _in_json(json.loads(body), "")
        except ValueError:
            return None  # not JSON: the body's own validation answers
    if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return await _in_form(request)
    return None


def _in_json(value: Any, where: str) -> str | None:
    if isinstance(value, str):
        return where or "body" if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return where or "body"
        found = _in_json(item, f"{where}.{key}" if where else str(key))
        if found is not None:
            return found
    return None


async def _in_form(request: Request) -> str | None:
    """A form the route declared is parsed already (FastAPI keeps it on the request); a route that
    declares none reads its own body, and this does not read it for it."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or route.body_field is None:
        return None
    form = await request.form()
    for name, value in form.multi_items():
        if "\x00" in name:
            return "body"
        if isinstance(value, str) and "\x00" in value:
            return name
    return None


def _is_text(content_type: str) -> bool:
    return content_type.lower().startswith(TEXT_BODY_TYPES)


class RefuseNulInTextBodies:
    """ASGI middleware (inside the authentication of accord_common.web.pipeline): a text body (CSV,
    X12, plain text) holding NUL is refused with a 422 as the route reads the chunk that holds it,
    before the route has done anything with the body; whatever the route answered meanwhile is
    replaced by the 422."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_text(_content_type(scope)):
            await self.app(scope, receive, send)
            return
        found = False
        started = False

        async def scanning_receive() -> Message:
            nonlocal found
            message = await receive()
            if message["type"] == "http.request" and b"\x00" in message.get("body", b""):
                found = True
                raise nul_problem("body")
            return message

        async def replacing_send(message: Message) -> None:
            nonlocal started
            if not found:
                started = started or message["type"] == "http.response.start"
                await send(message)
            elif message["type"] == "http.response.start" and not started:
                started = True
                await answer_problem(nul_problem("body"), scope, receive, send)

        try:
            await self.app(scope, scanning_receive, replacing_send)
        except Unprocessable:
            if not (found and not started):
                raise
            await answer_problem(nul_problem("body"), scope, receive, send)


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return str(value.decode("latin-1"))
    return ""
