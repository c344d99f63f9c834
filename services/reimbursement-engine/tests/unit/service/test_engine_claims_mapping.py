"""A submission builds the pricing domain's claim in the same pass as its stored rows; that claim
must equal the one re-built from the stored header and rows (what re-pricing and what-if use)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from reimbursement_engine.adapters.claims_mapping import claim_from_837, domain_claim, submission
from reimbursement_engine.bench.x12_837 import generate_837
from reimbursement_engine.domain.pricing import CodeSystem, LocalityKey
from reimbursement_engine.domain.x12 import parse_837
from reimbursement_engine.entrypoints.schemas_claims import ClaimIn

TODAY = date(2026, 11, 23)


def _line(**extra: Any) -> dict[str, Any]:
    return {
        "code_system": "CPT",
        "code": "99213",
        "charge": Decimal("150.00"),
        "service_date": date(2025, 3, 14),
    } | extra


PROFESSIONAL = {
    "patient_control_number": "PCN-1",
    "payer_id": "60054",
    "place_of_service": "11",
    "medicare_locality": "01112-54",
    "billing_provider": {"npi": "1234567893", "tin": None},
    "lines": [
        _line(modifiers=["26", "LT"], units=Decimal("2")),
        _line(code="J1100", code_system="HCPCS", units=Decimal("1.5"), service_date=date(2025, 3, 16)),
        _line(place_of_service="22", invoice_cost=Decimal("12.34")),
    ],
}
INSTITUTIONAL = {
    "patient_control_number": "PCN-2",
    "payer_id": "60054",
    "type_of_bill": "0111",
    "drg": "470",
    "admission_date": date(2025, 3, 1),
    "discharge_date": date(2025, 3, 4),
    "service_from": date(2025, 3, 1),
    "service_to": date(2025, 3, 4),
    "received_date": date(2025, 3, 10),
    "frequency_code": "1",
    "lines": [
        _line(code_system="REV", code="0120", revenue_code="0120", units=Decimal("3")),
        _line(code_system="REV", code="0250", revenue_code="0250"),
    ],
}


@pytest.mark.parametrize("claim", [PROFESSIONAL, INSTITUTIONAL], ids=["837P-like", "837I-like"])
def test_the_claim_built_with_the_rows_equals_the_one_read_back_from_them(claim: dict[str, Any]) -> None:
    sub = submission(claim, "json", TODAY)
    assert sub.claim is not None
    assert sub.claim == domain_claim(sub.header, sub.lines)


def test_dates_default_from_the_lines_and_none_values_are_left_out_of_the_header() -> None:
    sub = submission(PROFESSIONAL, "json", TODAY)
    assert sub.header == {
        "patient_control_number": "PCN-1",
        "payer_id": "60054",
        "billing_provider_npi": "1234567893",
        "service_from": "2025-03-14",
        "service_to": "2025-03-16",
        "received_date": "2026-11-23",
        "place_of_service": "11",
        "medicare_locality": "01112-54",
    }
    assert sub.claim is not None
    assert sub.claim.medicare_locality == LocalityKey("01112", "54")
    first = sub.claim.lines[0]
    assert (first.line_number, first.modifiers, first.units) == (1, ("26", "LT"), Decimal("2"))
    assert sub.claim.lines[1].code_system is CodeSystem.CPT_HCPCS
    assert sub.lines[0]["modifiers"] == "26:LT"


def test_an_unreadable_locality_leaves_the_claim_to_domain_claim_to_refuse() -> None:
    sub = submission(PROFESSIONAL | {"medicare_locality": "not-a-locality"}, "json", TODAY)
    assert sub.claim is None
    with pytest.raises(ValueError, match="medicare_locality"):
        domain_claim(sub.header, sub.lines)


@pytest.mark.parametrize(
    ("given", "kept"), [("76801", "76801"), ("76801-1234", "76801"), ("768011234", "76801"), (None, None)]
)
def test_the_beneficiary_zip_is_kept_as_5_digits_and_read_back_for_re_pricing(
    given: str | None, kept: str | None
) -> None:
    sub = submission(PROFESSIONAL | {"beneficiary_zip": given}, "json", TODAY)
    assert sub.header.get("beneficiary_zip") == kept
    assert sub.claim is not None and sub.claim.beneficiary_zip == kept
    assert domain_claim(sub.header, sub.lines) == sub.claim


@pytest.mark.parametrize(
    ("n403", "kept"), [("798431234", "79843"), ("79843", "79843"), ("K1A0B1", None), (None, None)]
)
def test_an_837_claim_keeps_the_patient_s_us_zip_and_leaves_a_foreign_postal_code_out(
    n403: str | None, kept: str | None
) -> None:
    [parsed] = parse_837(generate_837(1))
    shaped = claim_from_837(dataclasses.replace(parsed, patient_zip=n403))
    assert shaped["beneficiary_zip"] == kept
    sub = submission(ClaimIn.model_validate(shaped).model_dump(), "x12", TODAY)
    assert sub.header.get("beneficiary_zip") == kept
