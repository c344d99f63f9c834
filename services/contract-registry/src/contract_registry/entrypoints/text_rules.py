"""Text PostgreSQL cannot hold: the NUL character (U+0000). JSON may carry it ("\\u0000"), so the
document says it (every free string's pattern excludes it), a JSON body holding it is refused
with a 422 naming the field before any use case runs, and text the database refuses elsewhere (a
query parameter, a file's cell) is a 422 too; the unit of work has rolled back, nothing is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import asyncpg
from accord_common.errors import Unprocessable
from accord_common.web.problems import problem_response
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError

NO_NUL = r"^[^\x00]*$"
UNSTORABLE_TEXT = frozenset({"22021", "22P05"})
"""character_not_in_repertoire (NUL in text), untranslatable_character (\\u0000 in JSON)."""
MESSAGE = "text may not contain the NUL character (U+0000)"


async def refuse_nul_in_json(request: Request) -> None:
    """A dependency of every route: the body (already read and checked for the key) holds no NUL."""
    if "json" not in request.headers.get("content-type", ""):
        return
    body = await request.body()
    if b"\\u0000" not in body:
        return
    try:
        found = _nul_field(json.loads(body), "")
    except ValueError:
        return  # not JSON: the body's own validation answers
    if found is not None:
        raise Unprocessable(f"{found}: {MESSAGE}", errors=[{"field": found, "message": MESSAGE}])


def _nul_field(value: Any, where: str) -> str | None:
    if isinstance(value, str):
        return where or "body" if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return where or "body"
        found = _nul_field(item, f"{where}.{key}" if where else str(key))
        if found is not None:
            return found
    return None


def guard_routers(routers: list[APIRouter]) -> None:
    """Before the app includes them: every route refuses NUL in its JSON body."""
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute):
                route.dependencies.insert(0, Depends(refuse_nul_in_json))


def refuse_unstorable_text(app: FastAPI) -> None:
    """A 422 for text the database cannot store; any other database error stays a 500."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
        if _sqlstate(exc) not in UNSTORABLE_TEXT:
            raise exc
        problem = Unprocessable(MESSAGE, errors=[{"field": "body", "message": MESSAGE}])
        return problem_response(problem, request)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = generate()
        _exclude_nul(document)
        app.openapi_schema = document
        return document

    for error in (DBAPIError, asyncpg.CharacterNotInRepertoireError, asyncpg.UntranslatableCharacterError):
        app.add_exception_handler(error, on_database_error)
    app.openapi = openapi  # type: ignore[method-assign]


def _sqlstate(exc: Exception) -> str | None:
    orig = getattr(exc, "orig", None)
    for source in (exc, orig, getattr(orig, "__cause__", None)):
        code = getattr(source, "sqlstate", None) or getattr(source, "pgcode", None)
        if isinstance(code, str):
            return code
    return None


def _exclude_nul(node: Any) -> None:
    """Every free string schema (no pattern, format, enum or const) gets the NO_NUL pattern, and
    every object open to further keys its propertyNames."""
    if isinstance(node, list):
        for item in node:
            _exclude_nul(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(node):
        node["pattern"] = NO_NUL
    if node.get("type") == "object" and node.get("additionalProperties", True) is not False:
        node.setdefault("propertyNames", {"pattern": NO_NUL})  # free keys (a map) are text too
    for value in node.values():
        _exclude_nul(value)
