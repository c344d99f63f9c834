"""Text PostgreSQL cannot hold: the NUL character (U+0000). JSON may carry it ("\\u0000"), so the
document says it (every free string's pattern excludes it) and the server answers a clear 422
when the database refuses it; the unit of work has rolled back, so nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accord_common.errors import Unprocessable
from accord_common.web.problems import problem_response
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

NO_NUL = r"^[^\x00]*$"
UNSTORABLE_TEXT = frozenset({"22021", "22P05"})
"""character_not_in_repertoire (NUL in text), untranslatable_character (\\u0000 in JSON)."""
MESSAGE = "text may not contain the NUL character (U+0000)"


def refuse_unstorable_text(app: FastAPI) -> None:
    """A 422 for text the database cannot store; any other database error stays a 500."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DBAPIError)
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

    app.add_exception_handler(DBAPIError, on_database_error)
    app.openapi = openapi  # type: ignore[method-assign]


def _sqlstate(exc: DBAPIError) -> str | None:
    for source in (exc.orig, getattr(exc.orig, "__cause__", None)):
        code = getattr(source, "sqlstate", None) or getattr(source, "pgcode", None)
        if isinstance(code, str):
            return code
    return None


def _exclude_nul(node: Any) -> None:
    """Every free string schema (no pattern, format, enum or const) gets the NO_NUL pattern."""
    if isinstance(node, list):
        for item in node:
            _exclude_nul(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(node):
        node["pattern"] = NO_NUL
    for value in node.values():
        _exclude_nul(value)
