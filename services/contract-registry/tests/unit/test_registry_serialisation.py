"""version_to_dict / version_from_dict: JSON-safe, round-trips, and fits the event payload."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from contract_registry.domain import (
    ContractTerms,
    ContractVersion,
    DatedEscalator,
    InvalidPaymentTerm,
    MalformedPayload,
    version_from_dict,
    version_to_dict,
)
from registry_factories import contract_terms

D = Decimal


def version(**overrides: Any) -> ContractVersion:
    fields: dict[str, Any] = {
        "number": 3,
        "effective_from": date(2024, 7, 1),
        "effective_to": None,
        "terms": contract_terms(),
        "retroactive": True,
        "payer_initiated": True,
        "objection_window_days": 30,
    }
    fields.update(overrides)
    return ContractVersion(**fields)


@pytest.mark.parametrize(
    "original",
    [
        version(),
        version(effective_to=date(2024, 12, 31), payer_initiated=False, objection_window_days=None),
        version(terms=ContractTerms(effective_date=date(2024, 1, 1))),  # bare terms
        version(
            terms=contract_terms(value_based=None, fee_schedule=None, termination_date=None, auto_renew=False)
        ),
    ],
)
def test_round_trip_through_json_text(original: ContractVersion) -> None:
    text = json.dumps(version_to_dict(original))
    assert version_from_dict(json.loads(text)) == original


def test_money_and_percentages_are_strings_and_dates_iso() -> None:
    data = version_to_dict(version())
    assert data["version"] == 3 and data["effective_from"] == "2024-07-01"
    assert data["terms"]["prompt_pay_interest_rate"] == "18"
    assert data["terms"]["termination_date"] == "2024-12-31"
    professional = data["payment_terms"][0]
    assert professional["methodology"] == {
        "kind": "percent_of_medicare",
        "percent": "120",
        "basis_year": None,
        "basis": None,  # the Medicare schedule; None: by the claim's setting
    }
    assert professional["floors"] == [{"code_system": "CPT", "code": "99213", "minimum": "85.00"}]
    assert data["value_based_terms"]["risk_corridor"] == {"lower_percent": "2", "upper_percent": "10"}
    assert "float" not in text_types(data)


def text_types(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(text_types(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(text_types(v) for v in value)) if value else set()
    return {type(value).__name__}


def test_the_dict_fits_the_contract_event_payload() -> None:
    from accord_common.events.catalogue import validate_payload

    payload = {
        "contract_id": "C-1",
        "organization_id": "org-st-mary",
        "payer_id": "payer-acme",
        "status": "active",
        **version_to_dict(version()),
    }
    payload["fee_schedule"]["rows_url"] = "/fee-schedules/lab-2024/rows"
    validated = validate_payload("contract.amended", payload, strict=True)
    assert validated["version"] == 3 and validated["retroactive"] is True


@pytest.mark.parametrize(
    ("mutate", "error", "message"),
    [
        (lambda d: d.pop("terms"), MalformedPayload, "$.terms: expected an object"),
        (lambda d: d.pop("effective_from"), MalformedPayload, "$.effective_from: required"),
        (
            lambda d: d.update(effective_from="July 1st"),
            MalformedPayload,
            "$.effective_from: 'July 1st' is not a valid date",
        ),
        (
            lambda d: d["terms"].update(notice_days="ninety"),
            MalformedPayload,
            "$.terms.notice_days: 'ninety' is not a valid int",
        ),
        (
            lambda d: d["payment_terms"][0]["methodology"].update(percent=120.0),
            MalformedPayload,
            "$.terms.payment_terms[0].methodology.percent: 120.0 is not a valid Decimal",
        ),
        (
            lambda d: d["payment_terms"][0]["methodology"].update(kind="percent_of_gdp"),
            MalformedPayload,
            "$.terms.payment_terms[0].methodology.kind: 'percent_of_gdp' is not one of",
        ),
        (
            lambda d: d["payment_terms"][0]["methodology"].update(percent="5000"),
            InvalidPaymentTerm,
            "PercentOfMedicareTerm.percent: must be within 0 < p <= 1000%",
        ),
    ],
)
def test_bad_payloads_are_refused_naming_the_path(mutate: Any, error: type[Exception], message: str) -> None:
    data = version_to_dict(version())
    mutate(data)
    with pytest.raises(error, match=re.escape(message)):
        version_from_dict(data)


def test_escalators_keep_their_kind() -> None:
    professional = contract_terms().payment_terms[0]
    dated = replace(professional, escalators=(DatedEscalator(D("4"), date(2025, 7, 1)),))
    original = version(terms=contract_terms(payment_terms=(dated,)))
    data = version_to_dict(original)
    assert data["payment_terms"][0]["escalators"] == [
        {"kind": "dated_escalator", "percent": "4", "effective_on": "2025-07-01"}
    ]
    assert version_from_dict(data) == original
