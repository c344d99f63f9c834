"""Exception handlers turning every error into RFC 9457 application/problem+json."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from accord_common.errors import Problem, Unprocessable
from accord_common.outages import OutageLog, is_infrastructure_failure

log = logging.getLogger(__name__)
RETRY_AFTER_S = 5
# Exception classes an outage raises through a route; registered apart from `Exception` so that
# Starlette's ExceptionMiddleware answers them (the catch-all handler re-raises to the server, which
# logs the request a second time).
_OUTAGE_CLASSES: tuple[type[Exception], ...] = (
    sa_exc.DBAPIError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
    OSError,
    TimeoutError,
)
PROBLEM_JSON = "application/problem+json"
FASTAPI_PARSE_ERROR = "There was an error parsing the body"
UNREADABLE_BODY = "the request body could not be parsed as its Content-Type says (e.g. JSON not in UTF-8)"


def _phrase(status: int) -> str | None:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return None


def problem_response(
    problem: Problem, request: Request, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    merged = dict(headers or {})
    if problem.status == 401:
        merged["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        problem.to_dict(instance=request.url.path),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=merged or None,
    )


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":  # loc is ("body", character offset)
            reason = (err.get("ctx") or {}).get("error", "malformed")
            at = err.get("loc", ("body", "?"))[-1]
            errors.append({"field": "body", "message": f"not valid JSON: {reason} (at character {at})"})
            continue
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        errors.append({"field": ".".join(loc) or "body", "message": err.get("msg", "invalid")})
    return errors


UNSTORABLE_TEXT_SQLSTATES = frozenset({"22021", "22P05"})
"""character_not_in_repertoire (NUL in text), untranslatable_character (\\u0000 in JSON)."""
UNSTORABLE_TEXT_MESSAGE = "text may not contain the NUL character (U+0000)"


def is_unstorable_text(exc: BaseException) -> bool:
    """PostgreSQL refused text it cannot hold: JSON may carry NUL ("\\u0000"), PostgreSQL cannot."""
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    for source in (exc.orig, getattr(exc.orig, "__cause__", None)):
        code = getattr(source, "sqlstate", None) or getattr(source, "pgcode", None)
        if isinstance(code, str):
            return code in UNSTORABLE_TEXT_SQLSTATES
    return False


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request, exc.headers)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = _field_errors(exc)
        names = ", ".join(e["field"] for e in errors)
        detail = f"invalid request: {names}" if names else "invalid request"
        return problem_response(Unprocessable(detail, errors=errors), request)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        """Starlette/FastAPI's own errors (404 route, 405 method, 400 unreadable body) as problems,
        keeping their headers (a 405's Allow)."""
        assert isinstance(exc, StarletteHTTPException)
        detail = UNREADABLE_BODY if exc.detail == FASTAPI_PARSE_ERROR else str(exc.detail)
        problem = Problem(detail)
        problem.status, problem.type_slug = exc.status_code, "http"
        problem.title = _phrase(exc.status_code) or detail
        return problem_response(problem, request, exc.headers)

    outage = OutageLog(log, "api", forget_after_s=60.0)  # no request sees the recovery: time it out

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        problem = Problem("an unexpected error occurred; it has been logged")
        problem.status, problem.title, problem.type_slug = 500, "Internal error", "internal"
        return problem_response(problem, request)

    async def on_outage(request: Request, exc: Exception) -> JSONResponse:
        """The database or broker is unavailable: 503 with Retry-After (the client can retry; it is
        not a defect), logged once per outage and then at a bounded rate, not once per request.
        Text the database cannot store (NUL) is the client's: a 422, the unit of work rolled back."""
        if is_unstorable_text(exc):
            errors = [{"field": "body", "message": UNSTORABLE_TEXT_MESSAGE}]
            return problem_response(Unprocessable(UNSTORABLE_TEXT_MESSAGE, errors=errors), request)
        if not is_infrastructure_failure(exc):
            return await on_unexpected(request, exc)
        outage.failed(exc)
        problem = Problem(
            "a service this request needs (its database or message broker) is unavailable; "
            f"retry in {RETRY_AFTER_S} seconds"
        )
        problem.status, problem.title, problem.type_slug = 503, "Service unavailable", "unavailable"
        return problem_response(problem, request, {"Retry-After": str(RETRY_AFTER_S)})

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    for outage_class in _OUTAGE_CLASSES:
        app.add_exception_handler(outage_class, on_outage)
    app.add_exception_handler(Exception, on_unexpected)
