"""The claim-submission command, shared by every intake path.

JSON (one claim), JSON batch, X12 837 and Kafka `claim.submitted` each produce `ClaimIn` models
(the one validator: pydantic, the schema OpenAPI publishes) and turn them into the command the
handlers take, a `ClaimSubmission`, through `submissions` here. Nothing else builds one from
input.

A batch is read by `batch_submissions`: first the lean validator (claims_lean.py, a fast path
for the plain claim shape that builds the same `ClaimSubmission`s and declines anything else),
then pydantic: `TypeAdapter(ClaimBatchIn).validate_json` straight from the bytes, and for a body it
refuses the same validation FastAPI does for a declared body, so the 422 problem names the same
fields. The lean path stays because it is about 1.5x faster on a 1,000-claim batch, which is
about 14% of the batch endpoint's time (docs/benchmarks.md, "Claim intake validation");
tests/unit/service/test_engine_claims_lean.py proves both give the same submissions and refuse the
same fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from reimbursement_engine.adapters.claims_mapping import ClaimSubmission, submission_from_rows
from reimbursement_engine.entrypoints.claims_lean import lean_submissions
from reimbursement_engine.entrypoints.schemas_claims import ClaimBatchIn, ClaimIn, ClaimLineIn

_BATCH = TypeAdapter(ClaimBatchIn)
_NESTED = ("billing_provider", "service_facility")


def _row(number: int, line: ClaimLineIn) -> dict[str, Any]:
    """A validated line as its `claim_lines` row."""
    return {
        "line_number": number,
        "code_system": line.code_system,
        "code": line.code,
        "modifiers": ":".join(line.modifiers),
        "units": line.units,
        "charge": line.charge,
        "revenue_code": line.revenue_code,
        "service_date": line.service_date,
        "place_of_service": line.place_of_service,
        "invoice_cost": line.invoice_cost,
    }


def submission_of(claim: ClaimIn, source: str, today: date) -> ClaimSubmission:
    """One validated claim as the command: header, line rows and domain claim (dates of service
    and received date default from the lines and today)."""
    header: dict[str, Any] = dict(claim.__dict__)
    for name in _NESTED:
        nested = header[name]
        header[name] = None if nested is None else dict(nested.__dict__)
    rows = [_row(number, line) for number, line in enumerate(claim.lines, 1)]
    return submission_from_rows(header, rows, source, today)


def submissions(claims: Iterable[ClaimIn], source: str, today: date | None = None) -> list[ClaimSubmission]:
    """Validated claims, from any intake path, as the command the handlers take."""
    day = today or datetime.now(UTC).date()
    return [submission_of(claim, source, day) for claim in claims]


def batch_claims(raw: bytes) -> list[ClaimIn]:
    """A batch body's claims; RequestValidationError (422, fields under `body`) when it is not
    JSON or not a valid batch, exactly as for a declared request body."""
    try:
        return _BATCH.validate_json(raw).claims
    except ValidationError:
        pass
    try:
        body = json.loads(raw)
    except ValueError as exc:
        pos = getattr(exc, "pos", 0)
        error = {"type": "json_invalid", "loc": ("body", pos), "msg": "JSON decode error", "input": {}}
        raise RequestValidationError([error], body=raw) from None
    try:
        return ClaimBatchIn.model_validate(body).claims
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors, body=body) from None


def batch_submissions(raw: bytes, today: date | None = None) -> list[ClaimSubmission]:
    """A JSON batch body as commands: the lean fast path when it accepts the body, else pydantic
    (`batch_claims`: 422 naming the fields)."""
    day = today or datetime.now(UTC).date()
    try:
        decoded = json.loads(raw)
    except ValueError:
        decoded = None
    fast = None if decoded is None else lean_submissions(decoded, day)
    if fast is not None:
        return fast
    return submissions(batch_claims(raw), "json", day)
