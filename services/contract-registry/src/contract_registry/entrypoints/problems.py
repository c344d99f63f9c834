"""The domain's refusals as RFC 9457 problems: 422 naming the field, 409 for conflicts, 404."""

from __future__ import annotations

from accord_common.errors import Conflict, NotFound, Problem, Unprocessable
from accord_common.web.problems import problem_response
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from contract_registry.domain import (
    ApprovalsMissing,
    DomainError,
    DuplicateFeeScheduleRow,
    InvalidField,
    MalformedPayload,
    NoVersionInForce,
    UnknownApproverRole,
)
from contract_registry.domain.errors import ApiKeyRefused, SegregationOfDuties


def domain_problem(error: DomainError) -> Problem:
    if isinstance(error, InvalidField):
        return Unprocessable(str(error), errors=[{"field": error.field, "message": error.message}])
    if isinstance(error, MalformedPayload):
        return Unprocessable(
            str(error), errors=[{"field": str(error).partition(":")[0], "message": str(error)}]
        )
    if isinstance(error, UnknownApproverRole):
        return Unprocessable(str(error), errors=[{"field": "role", "message": str(error)}])
    if isinstance(error, DuplicateFeeScheduleRow):
        return Unprocessable(str(error))
    if isinstance(error, NoVersionInForce):
        return NotFound(str(error))
    if isinstance(error, ApiKeyRefused):
        return Unprocessable(str(error), errors=[{"field": error.field, "message": error.message}])
    if isinstance(error, SegregationOfDuties):
        return Conflict(str(error), errors=[{"field": "approver", "message": f"rule {error.rule}"}])
    if isinstance(error, ApprovalsMissing):
        missing = [
            {"field": "approvals", "message": f"awaiting approval by {role}"} for role in sorted(error.roles)
        ]
        return Conflict(str(error), errors=missing)
    return Conflict(str(error))


def install_domain_problems(app: FastAPI) -> None:
    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return problem_response(domain_problem(exc), request)

    app.add_exception_handler(DomainError, on_domain_error)
