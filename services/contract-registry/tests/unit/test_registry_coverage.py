"""Coverage check: which billed codes the version in force pays, and under which term."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from contract_registry.domain import (
    BilledCode,
    CodeSystem,
    FeeSchedule,
    NoVersionInForce,
    check_coverage,
)
from registry_factories import active_contract, contract_terms, fee_row, lab_term, professional_term

D = Decimal
C = CodeSystem
ON = date(2024, 3, 15)


@pytest.mark.parametrize(
    ("code_system", "code", "term", "carve_out"),
    [
        (C.CPT, "99213", "Professional services", None),
        (C.CPT, "27447", "Professional services", None),
        (C.CPT, "80053", "Laboratory", None),  # comprehensive metabolic panel
        (C.MSDRG, "470", "Inpatient", None),  # major joint replacement
        (C.REV, "0278", "Inpatient", "Implants"),  # carved out: invoice cost + 10%
        (C.REV, "0118", "Inpatient rehab", None),
    ],
)
def test_each_covered_code_names_the_term_that_pays_it(
    code_system: CodeSystem, code: str, term: str, carve_out: str | None
) -> None:
    billed = BilledCode(code_system, code)
    report = check_coverage(active_contract(), [billed], ON)
    paid = report.paid_under(billed)
    assert paid is not None and (paid.term_name, paid.carve_out_name) == (term, carve_out)
    assert report.version_number == 1 and report.not_covered == ()


def test_codes_no_term_covers_are_listed_with_the_reason() -> None:
    billed = [
        BilledCode(C.CPT, "99213"),
        BilledCode(C.CPT, "70450"),
        BilledCode(C.HCPCS, "J1885"),
        BilledCode(C.CPT, "70450"),
    ]
    report = check_coverage(active_contract(), billed, ON)
    assert [str(u.billed) for u in report.not_covered] == ["CPT 70450", "HCPCS J1885"]
    assert report.not_covered[0].reason == "no payment term of version 1 covers CPT 70450"
    assert [str(c) for c in report.covered] == ["CPT 99213: paid under Professional services"]


def test_a_fee_schedule_term_needs_a_rate_in_force_on_the_date() -> None:
    schedule = FeeSchedule((fee_row(code="80053", amount=D("10.56"), effective_from=date(2024, 1, 1)),))
    report = check_coverage(
        active_contract(), [BilledCode(C.CPT, "80053"), BilledCode(C.CPT, "85025")], ON, schedule
    )
    assert [str(c.billed) for c in report.covered] == ["CPT 80053"]
    [uncovered] = report.not_covered
    assert (
        uncovered.reason
        == "CPT 85025 falls under Laboratory (fee schedule) but the fee schedule has no rate for it on 2024-03-15"
    )


def test_coverage_follows_the_version_in_force_on_the_date_of_service() -> None:
    contract = active_contract()
    contract.amend(
        contract_terms(payment_terms=(professional_term(),)),
        effective_from=date(2024, 7, 1),
        today=date(2024, 6, 1),
    )
    lab = [BilledCode(C.CPT, "80053")]
    assert check_coverage(contract, lab, date(2024, 6, 30)).covered[0].term_name == lab_term().name
    after = check_coverage(contract, lab, date(2024, 7, 1))
    assert after.version_number == 2 and after.covered == ()


def test_no_coverage_answer_outside_the_contract_dates() -> None:
    with pytest.raises(NoVersionInForce, match="contract C-1 has no version in force on 2023-12-31"):
        check_coverage(active_contract(), [BilledCode(C.CPT, "99213")], date(2023, 12, 31))
