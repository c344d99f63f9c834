"""FastAPI dependencies: the runtime, the calling principal, pagination."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from accord_common.auth import Principal
from accord_common.errors import Unauthorized, Unprocessable
from accord_common.runtime import ServiceRuntime


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def _runtime(request: Request) -> ServiceRuntime:
    """`Runtime`'s dependency: async, so FastAPI calls it in the event loop (a plain `def` dependency
    is run in a worker thread, a hop that cost every request)."""
    return get_runtime(request)


API_KEY = HTTPBearer(
    scheme_name="ApiKeyBearer",
    bearerFormat="acc_<prefix>_<secret>",
    description="An Accord API key; `X-API-Key: <key>` is accepted too.",
    auto_error=False,
)
"""Declares the API key in the OpenAPI document on exactly the operations that need one."""


async def get_principal(
    request: Request,
    security_scopes: SecurityScopes,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(API_KEY)],
) -> Principal:
    """Authenticate `Authorization: Bearer <key>` or `X-API-Key: <key>` and check the scopes the
    operation declares (`Requires`). The request pipeline (accord_common.web.pipeline) calls this
    before the body is read; the route's own call then finds the principal on the request.
    `X-API-Key` is read from the headers here, not declared (it is not in the OpenAPI document:
    `API_KEY` documents both): a declared header is one more parameter FastAPI validates on every
    request."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raw = bearer.credentials.strip() if bearer else request.headers.get("x-api-key")
        if not raw:  # costs nothing to refuse: not counted against the address
            raise Unauthorized("an API key is required (Authorization: Bearer acc_...)")
        address = request.client.host if request.client else "unknown"
        principal = await get_runtime(request).key_guard.admit(raw, address)
        request.state.principal = principal
    for scope in security_scopes.scopes:
        principal.require(scope)
    return principal


def Requires(scope: str) -> Any:
    """`who: Annotated[Principal, Requires("contracts:write")]`: the caller's key must carry the scope.
    Declared on the operation, so it is checked before the body is read and shown in OpenAPI."""
    return Security(get_principal, scopes=[scope])


Runtime = Annotated[ServiceRuntime, Depends(_runtime)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def encode_cursor(values: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str | None, fields: Mapping[str, type] | None = None) -> dict[str, Any] | None:
    """The position a cursor from encode_cursor holds; 422 when it is not one.

    `fields` names the keys the endpoint's cursors have and their types (str or int): a cursor
    missing one, or holding another type (a list, an object, a float), is refused here rather
    than reaching a query.
    """
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:  # binascii.Error, UnicodeDecodeError, JSONDecodeError
        raise _bad_cursor()
    if not isinstance(value, dict):
        raise _bad_cursor()
    for name, kind in (fields or {}).items():
        field = value.get(name)
        if not isinstance(field, kind) or isinstance(field, bool):
            raise _bad_cursor()
    return value


def _bad_cursor() -> Unprocessable:
    return Unprocessable(
        "cursor is not valid: pass next_cursor from the previous page unchanged",
        errors=[{"field": "cursor", "message": "malformed"}],
    )


Limit = Annotated[int, Query(ge=1, le=500, description="Page size (1-500).")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=2000,
        pattern=r"^(eyJ[A-Za-z0-9_-]*={0,2})?$",
        description="Opaque cursor: next_cursor of the previous page, unchanged (URL-safe base64 of a "
        "JSON object, so it starts with eyJ); any other value is a 422.",
    ),
]
