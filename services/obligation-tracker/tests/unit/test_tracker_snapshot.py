"""contract.* payloads in the contract registry's JSON shape, mapped to the tracker's snapshot.

``REGISTRY_VERSION`` is what contract_registry.domain.serialisation.version_to_dict produces for a
typical commercial contract (copied from its output, not imported: services never import each
other): escalators sit inside each payment term, tagged ``anniversary_escalator`` or
``dated_escalator``, percentages are whole numbers as strings, and value-based measures carry their
own measurement periods.
"""

from __future__ import annotations

import copy
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from accord_common.events.payloads import ContractVersionData
from obligation_tracker.domain import (
    AnniversaryEscalator,
    CredentialingEvent,
    DayCount,
    Direction,
    Measure,
    MeasurementPeriod,
    NamedDateEscalator,
    ObligationKind,
    OrgSchedule,
    ReportingDeliverable,
    derive_obligations,
)
from obligation_tracker.handlers.snapshot import MalformedTerms, measures_of, snapshot_of
from pydantic import ValidationError

CONTRACT_ID = str(uuid.UUID("00000000-0000-4000-8000-0000000000c7"))

REGISTRY_VERSION: dict[str, Any] = {
    "version": 2,
    "effective_from": "2026-01-01",
    "effective_to": None,
    "retroactive": False,
    "payer_initiated": False,
    "objection_window_days": None,
    "terms": {
        "effective_date": "2026-01-01",
        "termination_date": "2028-12-31",
        "auto_renew": False,
        "renewal_term_months": None,
        "notice_days": 90,
        "timely_filing_days": 95,
        "appeal_window_days": 180,
        "prompt_pay_days": 30,
        "prompt_pay_interest_rate": "18",
    },
    "payment_terms": [
        {
            "name": "Professional services",
            "service_category": "professional",
            "matcher": {
                "ranges": [
                    {"code_system": "CPT", "first": "10004", "last": "69990"},
                    {"code_system": "CPT", "first": "99202", "last": "99499"},
                ]
            },
            "methodology": {"kind": "percent_of_medicare", "percent": "120", "basis_year": None},
            "lesser_of_billed": True,
            "multiple_procedure_reduction": {"percentages": ["100", "50"]},
            "stop_loss": None,
            "carve_outs": [],
            "escalators": [{"kind": "anniversary_escalator", "percent": "3"}],
            "floors": [{"code_system": "CPT", "code": "99213", "minimum": "85.00"}],
        },
        {
            "name": "Laboratory",
            "service_category": "outpatient",
            "matcher": {"ranges": [{"code_system": "CPT", "first": "80047", "last": "89398"}]},
            "methodology": {"kind": "fee_schedule", "schedule_id": "lab-2026"},
            "lesser_of_billed": False,
            "multiple_procedure_reduction": None,
            "stop_loss": None,
            "carve_outs": [],
            "escalators": [{"kind": "dated_escalator", "percent": "2.5", "effective_on": "2026-07-01"}],
            "floors": [],
        },
        {
            "name": "Inpatient",
            "service_category": "inpatient",
            "matcher": {"ranges": [{"code_system": "MSDRG", "first": None, "last": None}]},
            "methodology": {
                "kind": "ms_drg",
                "base_rate": "6500.00",
                "outlier_threshold": "150000.00",
                "outlier_percent": "65",
            },
            "lesser_of_billed": False,
            "multiple_procedure_reduction": None,
            "stop_loss": {"threshold": "150000.00", "percent": "65"},
            "carve_outs": [
                {
                    "name": "Implants",
                    "matcher": {
                        "ranges": [
                            {"code_system": "REV", "first": "0275", "last": "0275"},
                            {"code_system": "REV", "first": "0278", "last": "0278"},
                        ]
                    },
                    "methodology": {"kind": "invoice_cost", "markup_percent": "10"},
                }
            ],
            "escalators": [
                {"kind": "dated_escalator", "percent": "4", "effective_on": "2026-07-01"},
                {"kind": "anniversary_escalator", "percent": "3"},
            ],
            "floors": [],
        },
        {
            "name": "Inpatient rehab",
            "service_category": "inpatient",
            "matcher": {"ranges": [{"code_system": "REV", "first": "0118", "last": "0118"}]},
            "methodology": {
                "kind": "per_diem",
                "rates": [{"level_of_care": "rehab", "rate": "1850.00"}],
            },
            "lesser_of_billed": False,
            "multiple_procedure_reduction": None,
            "stop_loss": None,
            "carve_outs": [],
            "escalators": [],
            "floors": [],
        },
    ],
    "value_based_terms": {
        "measures": [
            {
                "name": "30-day readmission rate",
                "target": "15.5",
                "direction": "lower_is_better",
                "weight": "50",
                "period_start": "2026-01-01",
                "period_end": "2026-12-31",
            },
            {
                "name": "HbA1c control",
                "target": "70",
                "direction": "higher_is_better",
                "weight": "30",
                "period_start": "2026-01-01",
                "period_end": "2026-12-31",
            },
            {
                "name": "Colorectal cancer screening",
                "target": "65",
                "direction": "higher_is_better",
                "weight": "20",
                "period_start": "2027-01-01",
                "period_end": "2027-12-31",
            },
        ],
        "shared_savings_percent": "50",
        "risk_corridor": {"lower_percent": "2", "upper_percent": "10"},
    },
    "fee_schedule": {"schedule_id": "lab-2026", "content_hash": "ab" * 32, "row_count": 2},
}


def payload(**extra: Any) -> ContractVersionData:
    """The registry's version with what contract_events adds around it (ids, status, names)."""
    data = copy.deepcopy(REGISTRY_VERSION) | {
        "contract_id": CONTRACT_ID,
        "organization_id": "org-st-mary",
        "payer_id": "payer-acme",
        "payer_name": "Acme Health Plan",
        "contract_name": "Acme PPO",
        "status": "active",
    }
    return ContractVersionData.model_validate(data | extra)


def test_escalators_of_every_payment_term_are_mapped() -> None:
    snapshot = snapshot_of(payload(), date(2026, 1, 1))
    assert snapshot.named_escalators == (
        NamedDateEscalator(date(2026, 7, 1), Decimal("2.5"), ("Laboratory",)),
        NamedDateEscalator(date(2026, 7, 1), Decimal("4"), ("Inpatient",)),
    )
    # the same 3% anniversary rise in two terms is one escalator naming both
    assert snapshot.anniversary_escalators == (
        AnniversaryEscalator(Decimal("3"), ("Professional services", "Inpatient")),
    )


def test_escalator_effective_dates_become_obligations() -> None:
    snapshot = snapshot_of(payload(), date(2026, 1, 1))
    schedule = OrgSchedule(time_zone="America/Chicago")
    derivation = derive_obligations(snapshot, schedule, today=date(2026, 3, 2))
    escalators = {
        o.key.discriminator: o for o in derivation.obligations if o.kind is ObligationKind.ESCALATOR
    }
    assert {key: o.due_date for key, o in escalators.items()} == {
        "dated 2026-07-01": date(2026, 7, 1),
        "anniversary 1": date(2027, 1, 1),
        "anniversary 2": date(2028, 1, 1),
    }
    assert escalators["dated 2026-07-01"].title.startswith("Rates rise 2.5% (Laboratory), 4% (Inpatient)")
    assert escalators["anniversary 1"].title.startswith("Rates rise 3% (Professional services, Inpatient)")


def test_measures_give_measurement_periods_and_deliverables_fall_after_them() -> None:
    deliverables = [{"name": "Quality report", "days_after_period_end": 60, "day_count": "calendar"}]
    snapshot = snapshot_of(payload(reporting_deliverables=deliverables), date(2026, 1, 1))
    assert snapshot.value_based is not None
    assert snapshot.value_based.measurement_periods == (
        MeasurementPeriod("2026-01-01 to 2026-12-31", date(2026, 1, 1), date(2026, 12, 31)),
        MeasurementPeriod("2027-01-01 to 2027-12-31", date(2027, 1, 1), date(2027, 12, 31)),
    )
    assert snapshot.value_based.deliverables == (
        ReportingDeliverable("Quality report", 60, DayCount.CALENDAR),
    )
    derivation = derive_obligations(snapshot, OrgSchedule(time_zone="America/Chicago"), date(2026, 3, 2))
    reports = {
        o.key.discriminator: o.due_date for o in derivation.obligations if o.kind is ObligationKind.VBC_REPORT
    }
    assert reports == {
        "Quality report / 2026-01-01 to 2026-12-31": date(2027, 3, 1),
        "Quality report / 2027-01-01 to 2027-12-31": date(2028, 2, 29),  # a leap year
    }


def test_credentialing_dates_are_mapped_and_told_apart() -> None:
    credentialing = [
        {"kind": "recredentialing", "due_date": "2027-03-01", "provider_npi": "1234567893"},
        {"kind": "recredentialing", "due_date": "2027-03-01", "provider_npi": "1234567893"},  # repeated
        {"kind": "caqh_attestation", "due_date": "2026-10-15"},
        {"kind": "caqh_attestation", "due_date": "2027-01-15"},
    ]
    snapshot = snapshot_of(payload(credentialing=credentialing), date(2026, 1, 1))
    assert snapshot.credentialing == (
        CredentialingEvent("recredentialing, NPI 1234567893", date(2027, 3, 1)),
        CredentialingEvent("caqh attestation due 2026-10-15", date(2026, 10, 15)),
        CredentialingEvent("caqh attestation due 2027-01-15", date(2027, 1, 15)),
    )
    derivation = derive_obligations(snapshot, OrgSchedule(time_zone="America/Chicago"), date(2026, 3, 2))
    titles = sorted(o.title for o in derivation.obligations if o.kind is ObligationKind.CREDENTIALING)
    assert titles[-1] == "Recredentialing, NPI 1234567893: Acme PPO (Acme Health Plan)"


def test_prompt_pay_interest_percent_becomes_a_fraction() -> None:
    assert snapshot_of(payload(), date(2026, 1, 1)).prompt_pay_interest_rate_annual == Decimal("0.18")


def test_a_version_without_escalators_or_value_based_terms() -> None:
    snapshot = snapshot_of(payload(payment_terms=[], value_based_terms=None), date(2026, 1, 1))
    assert (snapshot.named_escalators, snapshot.anniversary_escalators) == ((), ())
    assert snapshot.value_based is None
    assert snapshot.credentialing == ()


def test_unknown_escalator_kinds_are_skipped() -> None:
    terms = copy.deepcopy(REGISTRY_VERSION["payment_terms"][:1])
    terms[0]["escalators"] = [{"kind": "cpi_escalator", "index": "CPI-U"}]
    assert snapshot_of(payload(payment_terms=terms), date(2026, 1, 1)).anniversary_escalators == ()


@pytest.mark.parametrize(
    ("escalator", "message"),
    [
        ({"kind": "dated_escalator", "percent": "2"}, "payment_terms[0].escalators[0].effective_on"),
        ({"kind": "anniversary_escalator", "percent": 2.5}, "payment_terms[0].escalators[0].percent"),
        ({"kind": "anniversary_escalator", "percent": "lots"}, "payment_terms[0].escalators[0].percent"),
    ],
)
def test_malformed_escalators_name_the_path(escalator: dict[str, Any], message: str) -> None:
    terms = copy.deepcopy(REGISTRY_VERSION["payment_terms"][:1])
    terms[0]["escalators"] = [escalator]
    with pytest.raises(MalformedTerms, match=message.replace("[", r"\[").replace("]", r"\]")):
        snapshot_of(payload(payment_terms=terms), date(2026, 1, 1))


def test_the_credentialing_field_is_validated() -> None:
    with pytest.raises(ValidationError, match="provider_npi"):
        payload(credentialing=[{"kind": "recredentialing", "due_date": "2027-03-01", "provider_npi": "12"}])


def test_value_based_measures_become_kpi_measures() -> None:
    assert measures_of(payload()) == (
        Measure(
            "30-day readmission rate",
            Direction.LOWER_IS_BETTER,
            Decimal("15.5"),
            Decimal("50"),
            date(2026, 1, 1),
            date(2026, 12, 31),
        ),
        Measure(
            "HbA1c control",
            Direction.HIGHER_IS_BETTER,
            Decimal("70"),
            Decimal("30"),
            date(2026, 1, 1),
            date(2026, 12, 31),
        ),
        Measure(
            "Colorectal cancer screening",
            Direction.HIGHER_IS_BETTER,
            Decimal("65"),
            Decimal("20"),
            date(2027, 1, 1),
            date(2027, 12, 31),
        ),
    )
    assert measures_of(payload(value_based_terms=None)) == ()
    assert measures_of(payload(value_based_terms={"measures": []})) == ()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("target", None, "value_based_terms.measures[1].target: expected a number"),
        ("target", "high", "value_based_terms.measures[1].target: expected a number"),
        ("target", "NaN", "value_based_terms.measures[1].target: expected a number"),
        ("weight", 0.3, "value_based_terms.measures[1].weight: expected a number"),
        ("direction", "sideways", "value_based_terms.measures[1].direction: expected higher_is_better or"),
        ("period_end", "end of year", "value_based_terms.measures[1].period_end: expected an ISO date"),
        ("name", " ", "value_based_terms.measures[1].name: expected 1 to 200 characters"),
        ("name", "x" * 201, "value_based_terms.measures[1].name: expected 1 to 200 characters"),
    ],
)
def test_malformed_measures_name_the_path(field: str, value: Any, message: str) -> None:
    terms = copy.deepcopy(REGISTRY_VERSION["value_based_terms"])
    terms["measures"][1][field] = value
    with pytest.raises(MalformedTerms, match=message.replace("[", r"\[").replace("]", r"\]")):
        measures_of(payload(value_based_terms=terms))


def test_a_measure_without_a_weight_weighs_one() -> None:
    terms = copy.deepcopy(REGISTRY_VERSION["value_based_terms"])
    del terms["measures"][0]["weight"]
    assert measures_of(payload(value_based_terms=terms))[0].weight == Decimal(1)
