"""FastAPI dependencies: the runtime, the calling principal, pagination."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request

from accord_common.auth import Principal, authenticate
from accord_common.errors import Unauthorized, Unprocessable
from accord_common.runtime import ServiceRuntime


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def get_principal(
    request: Request,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_api_key: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    """Authenticate `Authorization: Bearer <key>` or `X-API-Key: <key>`."""
    raw = x_api_key
    if authorization and authorization.lower().startswith("bearer "):
        raw = authorization[7:].strip()
    if not raw:
        raise Unauthorized("an API key is required (Authorization: Bearer acc_...)")
    runtime = get_runtime(request)
    async with runtime.sessions() as session:
        principal = await authenticate(session, runtime.metadata, raw)
    request.state.principal = principal
    return principal


Runtime = Annotated[ServiceRuntime, Depends(get_runtime)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def encode_cursor(values: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, json.JSONDecodeError):
        raise Unprocessable("cursor is not valid", errors=[{"field": "cursor", "message": "malformed"}])
    if not isinstance(value, dict):
        raise Unprocessable("cursor is not valid")
    return value


Limit = Annotated[int, Query(ge=1, le=500, description="Page size (1-500).")]
Cursor = Annotated[str | None, Query(description="Opaque cursor from the previous page.")]
