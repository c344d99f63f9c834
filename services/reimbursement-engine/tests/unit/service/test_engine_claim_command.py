"""The claim command (entrypoints/claim_command.py) that every intake path shares: a validated
claim with every field the 837 carries becomes the same submission the dict mapping makes, and a
Kafka claim.submitted payload goes through the same function."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accord_common.events.payloads import ClaimData
from reimbursement_engine.adapters.claims_mapping import submission
from reimbursement_engine.entrypoints.claim_command import submissions
from reimbursement_engine.entrypoints.consumers import claim_in
from reimbursement_engine.entrypoints.schemas_claims import ClaimIn

TODAY = date(2026, 12, 2)

INSTITUTIONAL = {
    "patient_control_number": "PCN-837I-1",
    "payer_id": "60054",
    "contract_id": "C-1",
    "billing_provider": {"npi": "1234567893", "tin": "12-3456789", "zip_code": "94110"},
    "service_facility": {"npi": "1245319599", "zip_code": "93301-1234"},
    "claim_type": "institutional",
    "line_of_business": "medicare_advantage",
    "plan_id": "PLAN-7",
    "service_from": "2026-03-10",
    "service_to": "2026-03-13",
    "received_date": "2026-03-20",
    "type_of_bill": "0117",
    "frequency_code": "7",
    "drg": "470",
    "admission_date": "2026-03-10",
    "discharge_date": "2026-03-13",
    "medicare_locality": "01112-05",
    "lines": [
        {"code_system": "MSDRG", "code": "470", "charge": "42000.00", "service_date": "2026-03-10"},
        {
            "code_system": "REV",
            "code": "0278",
            "revenue_code": "0278",
            "units": "2.5",
            "charge": "1250.10",
            "invoice_cost": "600.05",
            "service_date": "2026-03-11",
            "modifiers": ["RT", "59"],
            "place_of_service": "21",
        },
    ],
}


def test_a_full_claim_becomes_the_same_submission_as_the_dict_mapping() -> None:
    claim = ClaimIn.model_validate(INSTITUTIONAL)
    (command,) = submissions([claim], "x12", TODAY)
    assert command == submission(claim.model_dump(), "x12", TODAY)
    assert command.header["service_facility_zip"] == "93301-1234"
    assert command.lines[1]["modifiers"] == "RT:59"
    assert command.lines[1]["units"] == Decimal("2.5")
    assert command.claim is not None and command.claim.lines[1].charge == Decimal("1250.10")


def test_dates_default_from_the_lines_and_today() -> None:
    body = {
        k: v for k, v in INSTITUTIONAL.items() if k not in ("service_from", "service_to", "received_date")
    }
    (command,) = submissions([ClaimIn.model_validate(body)], "json", TODAY)
    assert (command.header["service_from"], command.header["service_to"]) == ("2026-03-10", "2026-03-11")
    assert command.header["received_date"] == "2026-12-02"


def test_a_kafka_claim_submitted_payload_goes_through_the_same_command() -> None:
    data = ClaimData.model_validate(
        {
            "claim_id": "c-1",
            "organization_id": "org-1",
            "patient_control_number": "K-1",
            "payer_id": "60054",
            "service_date": "2026-03-14",
            "received_date": "2026-03-20",
            "place_of_service": "11",
            "billing_provider_npi": "1234567893",
            "beneficiary_zip": "76801-1234",
            "total_charge": "150.00",
            "lines": [
                {"code_system": "CPT", "code": "99213", "charge": "150.00", "service_date": "2026-03-14"}
            ],
        }
    )
    claim = ClaimIn.model_validate(claim_in(data))
    (command,) = submissions([claim], "kafka", TODAY)
    assert command == submission(claim.model_dump(), "kafka", TODAY)
    assert command.source == "kafka"
    assert command.header["service_from"] == "2026-03-14"
    assert command.lines[0]["charge"] == Decimal("150.00")
    assert command.header["beneficiary_zip"] == "76801"  # DMEPOS rural: where the beneficiary lives
