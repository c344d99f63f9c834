"""The registry's JSON (contract.* payloads, fee schedule rows) mapped to the pricing domain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from reimbursement_engine.adapters.terms_mapping import TermsMappingError, contract_terms, parse_locality
from reimbursement_engine.domain.pricing import (
    AnniversaryEscalator,
    CaseRate,
    Claim,
    ClaimLine,
    CodeSystem,
    FeeScheduleRate,
    LocalityKey,
    MedicareReference,
    NamedDateEscalator,
    PercentOfCharges,
    PercentOfMedicare,
    PerDiem,
    price_claim,
)

D = Decimal


def registry_term(name: str, methodology: dict, *ranges: dict, **extra: object) -> dict:
    """A payment term exactly as the registry's to_json writes it."""
    return {
        "name": name,
        "service_category": name,
        "matcher": {"ranges": list(ranges)},
        "methodology": methodology,
        "lesser_of_billed": False,
        "multiple_procedure_reduction": None,
        "stop_loss": None,
        "carve_outs": [],
        "escalators": [],
        "floors": [],
        **extra,
    }


def rng(system: str, first: str | None = None, last: str | None = None) -> dict:
    return {"code_system": system, "first": first, "last": last}


def version(*terms: dict, fee_schedule: dict | None = None) -> dict:
    return {
        "contract_id": "c-1",
        "organization_id": "org",
        "payer_id": "p",
        "status": "active",
        "version": 3,
        "effective_from": "2025-01-01",
        "effective_to": None,
        "retroactive": False,
        "terms": {"effective_date": "2024-07-01", "prompt_pay_days": 30},
        "payment_terms": list(terms),
        "value_based_terms": None,
        "fee_schedule": fee_schedule,
    }


ROWS = [
    {
        "code_system": "CPT",
        "code": "99213",
        "rate_kind": "amount",
        "effective_from": "2025-01-01",
        "effective_to": None,
        "modifiers": [],
        "place_of_service": None,
        "setting": None,
        "unit": "unit",
        "amount": "92.50",
        "percentage": None,
    },
    {
        "code_system": "CPT",
        "code": "99213",
        "rate_kind": "amount",
        "effective_from": "2025-01-01",
        "effective_to": "2025-12-31",
        "modifiers": ["25"],
        "place_of_service": "22",
        "setting": "facility",
        "unit": "unit",
        "amount": "70",
        "percentage": None,
    },
    {
        "code_system": "CPT",
        "code": "99214",
        "rate_kind": "percent_of_medicare",
        "effective_from": "2025-01-01",
        "effective_to": None,
        "modifiers": [],
        "place_of_service": None,
        "setting": None,
        "unit": "unit",
        "amount": None,
        "percentage": "140",
    },
]


def test_a_fee_schedule_term_reads_every_row_of_its_schedule() -> None:
    fee = registry_term("visits", {"kind": "fee_schedule", "schedule_id": "fs"}, rng("CPT", "99201", "99499"))
    terms = contract_terms(
        version(fee, fee_schedule={"schedule_id": "fs", "content_hash": "h", "row_count": 3}), ROWS
    )
    (term,) = terms.terms
    assert (terms.contract_id, terms.version) == ("c-1", 3)
    assert isinstance(term.methodology, FeeScheduleRate)
    assert len(term.methodology.fee_schedule) == 3  # the 140% of Medicare row included
    assert term.category.covers(CodeSystem.CPT_HCPCS, "99213", "11")
    assert not term.category.covers(CodeSystem.CPT_HCPCS, "10021", "11")


@pytest.mark.parametrize(
    ("methodology", "expected"),
    [
        ({"kind": "percent_of_medicare", "percent": "140", "basis_year": None}, PercentOfMedicare(D(140))),
        (
            {"kind": "percent_of_medicare", "percent": "110", "locality": "01112-54"},
            PercentOfMedicare(D(110), LocalityKey("01112", "54")),
        ),
        (
            {"kind": "percent_of_medicare", "percent": "120", "basis_year": 2024},
            PercentOfMedicare(D(120), None, 2024),
        ),
        (
            {"kind": "percent_of_medicare", "percent": "180", "basis_year": None, "basis": "ASC"},
            PercentOfMedicare(D(180), basis="ASC"),
        ),
        ({"kind": "percent_of_charges", "percent": "65.5"}, PercentOfCharges(D("65.5"))),
        ({"kind": "case_rate", "rate": "12000"}, CaseRate(D(12000))),
    ],
)
def test_methodologies_map_by_kind(methodology: dict, expected: object) -> None:
    (term,) = contract_terms(version(registry_term("t", methodology, rng("CPT")))).terms
    assert term.methodology == expected


def test_per_diem_levels_find_their_room_and_board_revenue_codes() -> None:
    method = {
        "kind": "per_diem",
        "rates": [{"level_of_care": "med/surg", "rate": "2100"}, {"level_of_care": "ICU", "rate": "4200"}],
    }
    (term,) = contract_terms(version(registry_term("inpatient", method, rng("REV")))).terms
    assert isinstance(term.methodology, PerDiem)
    assert term.methodology.level_for("0120").name == "med/surg"
    assert term.methodology.level_for("0200").name == "ICU"


def test_modifiers_carve_outs_escalators_and_floors() -> None:
    surgery = registry_term(
        "surgery",
        {"kind": "percent_of_medicare", "percent": "150", "basis_year": None},
        rng("CPT", "10004", "69990"),
        lesser_of_billed=True,
        multiple_procedure_reduction={"percentages": ["100", "50"]},
        carve_outs=[
            {
                "name": "implants",
                "matcher": {"ranges": [rng("HCPCS", "C1713", "C1713")]},
                "methodology": {"kind": "invoice_cost", "markup_percent": "10"},
            }
        ],
        escalators=[{"kind": "anniversary_escalator", "percent": "3"}],
        floors=[{"code_system": "CPT", "code": "27447", "minimum": "1500.00"}],
    )
    terms = contract_terms(version(surgery))
    (term,) = terms.terms
    assert term.lesser_of_charges and term.multiple_procedure is not None
    assert term.multiple_procedure.percentages == (D(100), D(50))
    assert [c.name for c in terms.carve_outs] == ["implants"]
    assert terms.escalator == AnniversaryEscalator(date(2024, 7, 1), D(3))
    assert terms.floors == {(CodeSystem.CPT_HCPCS, "27447"): D("1500.00")}


def test_dated_and_anniversary_escalators_combine_into_named_dates() -> None:
    both = registry_term(
        "t",
        {"kind": "fee_schedule", "schedule_id": None},
        rng("CPT"),
        escalators=[
            {"kind": "anniversary_escalator", "percent": "2"},
            {"kind": "dated_escalator", "percent": "5", "effective_on": "2026-03-01"},
        ],
    )
    escalator = contract_terms(version(both)).escalator
    assert isinstance(escalator, NamedDateEscalator)
    assert escalator.escalation_on(date(2026, 3, 1)).factor == D("1.02") * D("1.05")  # anniversary 2025-07-01


def test_a_term_over_several_code_systems_becomes_one_term_per_system() -> None:
    charges = registry_term(
        "all", {"kind": "percent_of_charges", "percent": "50"}, rng("CPT"), rng("HCPCS"), rng("REV")
    )
    systems = [t.category.code_system for t in contract_terms(version(charges)).terms]
    assert sorted(systems) == sorted(
        [CodeSystem.CPT_HCPCS, CodeSystem.REVENUE]
    )  # CPT and HCPCS share a system


def test_the_mapped_terms_price_a_claim() -> None:
    fee = registry_term("visits", {"kind": "fee_schedule", "schedule_id": "fs"}, rng("CPT", "99201", "99499"))
    terms = contract_terms(version(fee), ROWS)
    line = ClaimLine(1, "99213", D(1), D(150), date(2025, 3, 1))
    claim = Claim("PCN", "p", date(2025, 3, 1), date(2025, 3, 1), (line,), place_of_service="11")
    assert price_claim(claim, terms, MedicareReference(years={}), date(2025, 4, 1)).expected_allowed == D(
        "92.50"
    )


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        (registry_term("t", {"kind": "bartering"}, rng("CPT")), "payment_terms[0].methodology.kind"),
        (
            registry_term("t", {"kind": "percent_of_charges", "percent": 1.5}, rng("CPT")),
            "payment_terms[0].methodology.percent",
        ),
        (
            registry_term("t", {"kind": "percent_of_charges", "percent": "50"}, rng("ICD10")),
            "payment_terms[0].matcher.ranges[0].code_system",
        ),
        (
            registry_term(
                "t", {"kind": "percent_of_medicare", "percent": "150", "basis": "IPPS"}, rng("CPT")
            ),
            "payment_terms[0].methodology.basis",
        ),
    ],
)
def test_unreadable_terms_name_the_field(payload: dict, path: str) -> None:
    with pytest.raises(TermsMappingError) as caught:
        contract_terms(version(payload))
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("01112-54", LocalityKey("01112", "54")),
        ("0111254", LocalityKey("01112", "54")),
        ("05302 1", LocalityKey("05302", "01")),
        (None, None),
    ],
)
def test_localities_are_mac_plus_locality(text: str | None, key: LocalityKey | None) -> None:
    assert parse_locality(text) == key
