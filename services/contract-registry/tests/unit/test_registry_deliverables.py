"""Credentialing dates and value-based reporting deliverables: validated, serialised beside the
terms, carried by contract.* payloads (so the obligation tracker can derive them)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from accord_common.events.catalogue import validate_payload
from contract_registry.domain import (
    ContractVersion,
    CredentialingDate,
    DayCount,
    InvalidContractTerms,
    InvalidField,
    ReportingDeliverable,
    version_from_dict,
    version_to_dict,
)
from contract_registry.handlers.terms import command_from_terms, terms_from_command
from registry_factories import contract_terms

NPI = "1234567893"  # passes the Luhn check with the 80840 prefix
CREDENTIALING = (
    CredentialingDate(kind="recredentialing", due_date=date(2024, 9, 30), provider_npi=NPI),
    CredentialingDate(kind="caqh_attestation", due_date=date(2024, 4, 1)),
)
REPORTS = (
    ReportingDeliverable(name="Quality report", days_after_period_end=45, day_count=DayCount.BUSINESS),
)


def version() -> ContractVersion:
    terms = contract_terms(credentialing=CREDENTIALING, reporting_deliverables=REPORTS)
    return ContractVersion(number=1, effective_from=date(2024, 1, 1), effective_to=None, terms=terms)


def test_they_travel_beside_the_terms_and_round_trip() -> None:
    data = version_to_dict(version())
    assert data["credentialing"][0] == {
        "kind": "recredentialing",
        "due_date": "2024-09-30",
        "provider_npi": NPI,
    }
    assert data["reporting_deliverables"] == [
        {"name": "Quality report", "days_after_period_end": 45, "day_count": "business"}
    ]
    assert "credentialing" not in data["terms"]
    assert version_from_dict(json.loads(json.dumps(data))) == version()


def test_the_contract_event_payload_accepts_them() -> None:
    payload = {"contract_id": "C-1", "organization_id": "o", "payer_id": "p", "status": "active"}
    validated = validate_payload("contract.activated", {**payload, **version_to_dict(version())}, strict=True)
    assert [c["kind"] for c in validated["credentialing"]] == ["recredentialing", "caqh_attestation"]
    assert validated["reporting_deliverables"][0]["days_after_period_end"] == 45


def test_a_version_stored_before_they_existed_reads_back_without_them() -> None:
    data = version_to_dict(version())
    del data["credentialing"], data["reporting_deliverables"]
    terms = version_from_dict(data).terms
    assert (terms.credentialing, terms.reporting_deliverables) == ((), ())


@pytest.mark.parametrize(
    ("patch", "field", "message"),
    [
        ({"credentialing": [{"kind": "", "due_date": "2024-09-30"}]}, "credentialing[0].kind", "1 to 60"),
        (
            {"credentialing": [{"kind": "x", "due_date": "2024-09-30", "provider_npi": "1234567890"}]},
            "credentialing[0].provider_npi",
            "not a valid NPI",
        ),
        (
            {"reporting_deliverables": [{"name": "Report", "days_after_period_end": -1}]},
            "reporting_deliverables[0].days_after_period_end",
            "from 0 to 3650",
        ),
        (
            {
                "reporting_deliverables": [{"name": "Report", "days_after_period_end": 30}],
                "value_based_terms": None,
            },
            "reporting_deliverables",
            "state value-based measures",
        ),
    ],
)
def test_nonsense_is_refused_naming_the_field(patch: dict[str, Any], field: str, message: str) -> None:
    command = {**command_from_terms(contract_terms()), **patch}
    with pytest.raises(InvalidField, match=re.escape(message)) as refused:
        terms_from_command(command, None)
    assert refused.value.field == field


def test_a_command_made_from_terms_makes_the_same_terms() -> None:
    terms = version().terms
    assert terms_from_command(command_from_terms(terms), terms.fee_schedule) == terms


def test_the_domain_refuses_reports_without_measurement_periods() -> None:
    with pytest.raises(InvalidContractTerms, match="reporting_deliverables"):
        contract_terms(value_based=None, reporting_deliverables=REPORTS)
