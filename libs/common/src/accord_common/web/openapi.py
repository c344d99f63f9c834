"""What every service's OpenAPI document says beyond FastAPI's defaults: API-key auth and error bodies.

Errors are RFC 9457 application/problem+json (see accord_common.web.problems), so the document
declares them so: 401/403 on every authenticated operation, 404 where a path names a resource,
422 as a problem (not FastAPI's HTTPValidationError) and a problem+json `default` for the rest
(400 unreadable body, 409 conflict, 413 too large, 415 media type, ...). Only operations that
really take the API key are marked as needing it (an iCalendar feed's token is its own credential).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from accord_common.web.problems import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details: what went wrong, and for a bad request which fields.",
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "title", "status", "detail"],
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
NO_NUL = r"^[^\x00]*$"
"""The pattern of every free string in every service's document: no service stores NUL, and each
refuses it before any work (accord_common.web.unstorable_text)."""


def document_api(app: FastAPI) -> None:
    """Wrap app.openapi so the generated document declares auth and problem+json errors."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        components["schemas"].pop("HTTPValidationError", None)
        components["schemas"].pop("ValidationError", None)
        for path, ops in schema.get("paths", {}).items():
            for method, op in ops.items():
                _document_operation(op, method, path)
        exclude_nul(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}


def _invalid_request(op: dict[str, Any]) -> str:
    """The 422's description: what the document cannot check (an opaque cursor's content) is named."""
    described = "The request is invalid; `errors` names each field and why."
    if any(parameter.get("name") == "cursor" for parameter in op.get("parameters", [])):
        described += (
            " A `cursor` the schema's pattern admits is still refused unless it is the `next_cursor`"
            " of a previous page (it holds the server's position, which only the server can read)."
        )
    return described


def _document_operation(op: dict[str, Any], method: str, path: str) -> None:
    responses = op.setdefault("responses", {})
    if op.get("security"):  # FastAPI puts it on each operation depending on deps.API_KEY
        responses.setdefault("401", _problem("No API key, or one that is unknown, revoked or expired."))
        responses.setdefault("403", _problem("The API key lacks the scope this operation needs."))
    if "{" in path:
        responses.setdefault("404", _problem("No such resource in the caller's organisation."))
    if op.get("parameters") or "requestBody" in op:
        responses.setdefault("422", _problem(_invalid_request(op)))
    for code, response in responses.items():
        if code.isdigit() and int(code) >= 400:  # an operation's own error responses are problems too
            response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
    if path in ("/healthz", "/readyz"):
        return
    detail = "Any other error, as problem details"
    if method in WRITE_METHODS:
        detail += " (e.g. 400 unreadable body, 409 conflict, 413 body too large, 415 media type)"
    responses.setdefault("default", _problem(detail + "."))


def exclude_nul(node: Any) -> None:
    """Every free string schema (no pattern, format, enum or const) gets the NO_NUL pattern, and
    every object open to further keys its propertyNames (a map's keys are text too)."""
    if isinstance(node, list):
        for item in node:
            exclude_nul(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(node):
        node["pattern"] = NO_NUL
    if node.get("type") == "object" and node.get("additionalProperties", True) is not False:
        node.setdefault("propertyNames", {"pattern": NO_NUL})
    for value in node.values():
        exclude_nul(value)
