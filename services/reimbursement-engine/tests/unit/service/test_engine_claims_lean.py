"""The batch endpoint's lean fast path agrees with the claim command's pydantic path: the same
submissions (header, rows, domain claim) when it accepts, and it declines (leaving pydantic to
answer) whatever ClaimIn refuses or it does not know; the batch then refuses the same fields as a
declared ClaimBatchIn body would. The command's pydantic path (validate_json + submissions from the
models) equals ClaimIn.model_validate + claims_mapping.submission on the same inputs."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from reimbursement_engine.adapters.claims_mapping import ClaimSubmission, submission
from reimbursement_engine.entrypoints.claim_command import batch_claims, batch_submissions, submissions
from reimbursement_engine.entrypoints.claims_lean import lean_submissions
from reimbursement_engine.entrypoints.schemas_claims import ClaimBatchIn


def _claim() -> dict[str, Any]:
    return {
        "patient_control_number": "PCN-1",
        "payer_id": "60054",
        "contract_id": "C-1",
        "billing_provider": {"npi": "1234567893", "tin": "12-3456789"},
        "place_of_service": "11",
        "type_of_bill": "0131",
        "drg": "470",
        "medicare_locality": "01112-54",
        "beneficiary_zip": "76801-1234",
        "service_from": "2025-03-14",
        "received_date": "2025-03-20",
        "lines": [
            {
                "code_system": "CPT",
                "code": "99213",
                "modifiers": ["25"],
                "charge": "150.00",
                "service_date": "2025-03-14",
            },
            {
                "code_system": "HCPCS",
                "code": "J1885",
                "units": "2.5",
                "charge": 40,
                "service_date": "2025-03-15",
            },
            {
                "code_system": "REV",
                "code": "0450",
                "revenue_code": "0450",
                "charge": "9.5",
                "invoice_cost": "3.10",
                "service_date": "2025-03-15",
                "place_of_service": "22",
            },
            {"code_system": "MSDRG", "code": "470", "units": 3, "charge": "0", "service_date": "2025-03-16"},
        ],
    }


TODAY = date(2026, 11, 23)


def _full(body: dict[str, Any]) -> list[ClaimSubmission]:
    """The claim command's pydantic path on the body's bytes, checked against the dict path."""
    raw = json.dumps(body).encode()
    command = submissions(batch_claims(raw), "json", TODAY)
    declared = [submission(c.model_dump(), "json", TODAY) for c in ClaimBatchIn.model_validate(body).claims]
    assert command == declared
    return command


def _refused_fields(body: Any) -> list[tuple[Any, ...]]:
    """The fields a declared ClaimBatchIn body refuses (what FastAPI answered before)."""
    try:
        ClaimBatchIn.model_validate(body)
    except ValidationError as exc:
        return [("body", *e["loc"]) for e in exc.errors()]
    return []


def lean_claims(body: Any) -> list[ClaimSubmission] | None:
    return lean_submissions(body, TODAY)


def test_accepted_claims_equal_the_full_validator() -> None:
    minimal = {"patient_control_number": "P", "payer_id": "X", "lines": [_claim()["lines"][0]]}
    body = {"claims": [_claim(), minimal]}
    lean = lean_claims(body)
    assert lean is not None
    assert lean == _full(body)
    assert lean[0].lines[1]["units"] == Decimal("2.5")
    assert lean[0].claim is not None and lean[0].claim.lines[0].modifiers == ("25",)
    assert lean[1].header["received_date"] == "2026-11-23"
    assert (lean[0].header["beneficiary_zip"], "beneficiary_zip" in lean[1].header) == ("76801", False)


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    claim = copy.deepcopy(_claim())
    target: Any = claim
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return {"claims": [claim]}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("lines", 0, "code"), "9921"),
        (("lines", 0, "code_system"), "ICD"),
        (("lines", 0, "charge"), "-1.00"),
        (("lines", 0, "charge"), "1.005"),
        (("lines", 0, "charge"), 150.0),
        (("lines", 0, "units"), 0),
        (("lines", 0, "units"), "100001"),
        (("lines", 0, "modifiers"), ["2"]),
        (("lines", 0, "modifiers"), ["25", "26", "59", "76", "77"]),
        (("lines", 0, "service_date"), "2025-02-30"),
        (("lines", 0, "service_date"), "20250314"),
        (("lines", 0, "extra"), 1),
        (("lines", 3, "code"), "000"),
        (("patient_control_number",), ""),
        (("patient_control_number",), "P" * 39),
        (("payer_id",), 60054),
        (("billing_provider",), {"npi": "123"}),
        (("billing_provider",), {"npi": "1234567893", "name": "x"}),
        (("place_of_service",), "1"),
        (("drg",), "47"),
        (("medicare_locality",), "0111254x"),
        (("beneficiary_zip",), "7680"),
        (("beneficiary_zip",), "76801-12"),
        (("beneficiary_zip",), "７６８０１"),
        (("beneficiary_zip",), 76801),
        (("service_to",), "2025-13-01"),
        (("lines",), []),
        (("unknown",), True),
    ],
)
def test_declines_what_it_does_not_know(path: tuple[Any, ...], value: Any) -> None:
    body = _with(path, value)
    assert lean_claims(body) is None
    refused = _refused_fields(body)
    if refused:
        with pytest.raises(RequestValidationError) as caught:
            batch_submissions(json.dumps(body).encode(), TODAY)
        assert [e["loc"] for e in caught.value.errors()] == refused
        return
    # accepted by ClaimIn only: the batch then uses ClaimIn's values
    assert batch_submissions(json.dumps(body).encode(), TODAY) == _full(body)


def test_the_batch_takes_the_fast_path_when_it_accepts() -> None:
    body = {"claims": [_claim()]}
    assert batch_submissions(json.dumps(body).encode(), TODAY) == lean_claims(body) == _full(body)


def test_a_body_that_is_not_json_is_refused_as_before() -> None:
    with pytest.raises(RequestValidationError) as caught:
        batch_submissions(b'{"claims": [', TODAY)
    assert [(e["type"], e["loc"]) for e in caught.value.errors()] == [("json_invalid", ("body", 12))]


@pytest.mark.parametrize("body", [{}, {"claims": []}, {"claims": {}}, {"claims": [_claim()], "x": 1}, []])
def test_declines_other_bodies(body: Any) -> None:
    assert lean_claims(body) is None
    with pytest.raises(RequestValidationError) as caught:
        batch_submissions(json.dumps(body).encode(), TODAY)
    assert [e["loc"] for e in caught.value.errors()] == _refused_fields(body)
