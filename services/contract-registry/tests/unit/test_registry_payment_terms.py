"""Payment terms: methodologies, modifiers and matchers, validated naming the field."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from contract_registry.domain import (
    AnniversaryEscalator,
    BilledCode,
    CapitationTerm,
    CarveOut,
    CaseRateTerm,
    CodeFloor,
    CodeMatcher,
    CodeRange,
    CodeSystem,
    DatedEscalator,
    InvalidPaymentTerm,
    InvoiceCostTerm,
    LevelOfCareRate,
    MsDrgTerm,
    MultipleProcedureReduction,
    PaymentTerm,
    PercentOfChargesTerm,
    PercentOfMedicareTerm,
    PerDiemTerm,
    StopLoss,
    escalation_dates,
)
from registry_factories import inpatient_term, professional_term

D = Decimal
C = CodeSystem


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: PercentOfMedicareTerm(D("5000")),
            "PercentOfMedicareTerm.percent: must be within 0 < p <= 1000%, got 5000%",
        ),
        (
            lambda: PercentOfMedicareTerm(D("-120")),
            "PercentOfMedicareTerm.percent: must be within 0 < p <= 1000%",
        ),
        (
            lambda: PercentOfMedicareTerm(D("120"), basis_year=1980),
            "PercentOfMedicareTerm.basis_year: 1980 is not a Medicare fee schedule year",
        ),
        (
            lambda: PercentOfMedicareTerm(D("180"), basis="IPPS"),
            "PercentOfMedicareTerm.basis: 'IPPS' is not a Medicare schedule (PFS, ASC, OPPS, CLFS, DMEPOS)",
        ),
        (
            lambda: PercentOfChargesTerm(D("0")),
            "PercentOfChargesTerm.percent: must be within 0 < p <= 1000%, got 0%",
        ),
        (
            lambda: PerDiemTerm((LevelOfCareRate("ICU", D("-4200")),)),
            "PerDiemTerm.rates[ICU]: must not be negative, got -4200",
        ),
        (lambda: PerDiemTerm(()), "PerDiemTerm.rates: at least one level of care is required"),
        (
            lambda: PerDiemTerm((LevelOfCareRate("ICU", D("1")), LevelOfCareRate("ICU", D("2")))),
            "PerDiemTerm.rates[ICU]: level of care listed twice",
        ),
        (lambda: CaseRateTerm(D("-18500")), "CaseRateTerm.rate: must not be negative"),
        (lambda: MsDrgTerm(D("-6500")), "MsDrgTerm.base_rate: must not be negative"),
        (
            lambda: MsDrgTerm(D("6500"), D("150000")),
            "MsDrgTerm.outlier_percent: outlier threshold and percent go together",
        ),
        (
            lambda: MsDrgTerm(D("6500"), D("150000"), D("5000")),
            "MsDrgTerm.outlier_percent: must be within 0 < p <= 1000%",
        ),
        (lambda: CapitationTerm(D("-42.50")), "CapitationTerm.pmpm: must not be negative"),
        (lambda: InvoiceCostTerm(D("5000")), "InvoiceCostTerm.markup_percent: must be within 0 < p <= 1000%"),
        (lambda: CapitationTerm(42.5), "CapitationTerm.pmpm: must be a Decimal, got float"),  # type: ignore[arg-type]
    ],
)
def test_methodology_rules_name_the_field(build: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidPaymentTerm, match=re.escape(message)):
        build()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: MultipleProcedureReduction(()),
            "MultipleProcedureReduction.percentages: at least one percentage is required",
        ),
        (
            lambda: MultipleProcedureReduction((D("100"), D("150"))),
            "MultipleProcedureReduction.percentages[2]: must be within 0 <= p <= 100%, got 150%",
        ),
        (lambda: StopLoss(D("-1"), D("65")), "StopLoss.threshold: must not be negative"),
        (
            lambda: StopLoss(D("150000"), D("5000")),
            "StopLoss.percent: must be within 0 < p <= 1000%, got 5000%",
        ),
        (
            lambda: AnniversaryEscalator(D("300")),
            "AnniversaryEscalator.percent: must be within 0 < p <= 100%, got 300%",
        ),
        (
            lambda: DatedEscalator(D("0"), date(2025, 7, 1)),
            "DatedEscalator.percent: must be within 0 < p <= 100%",
        ),
        (lambda: CodeFloor(C.CPT, "99213", D("-85")), "CodeFloor[99213].minimum: must not be negative"),
        (lambda: CodeFloor(C.CPT, "9921", D("85")), "CodeFloor.code: CPT code '9921'"),
        (
            lambda: CarveOut("Implants", CodeMatcher(()), InvoiceCostTerm()),
            "CarveOut[Implants].matcher: names no codes",
        ),
        (
            lambda: CarveOut("PCP", CodeMatcher.codes(C.CPT, "99213"), CapitationTerm(D("42.50"))),
            "CarveOut[PCP].methodology: capitation is paid per member, not per code",
        ),
        (
            lambda: CodeRange(C.CPT, "99499", "99202"),
            "CodeRange.last: range 99499-99202 ends before it starts",
        ),
        (lambda: CodeRange(C.REV, "450"), "CodeRange.first: REV code '450'"),
    ],
)
def test_modifier_rules_name_the_field(build: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidPaymentTerm, match=re.escape(message)):
        build()


def test_a_term_needs_codes_unless_it_is_capitation() -> None:
    with pytest.raises(InvalidPaymentTerm, match=re.escape("PaymentTerm[Surgery].matcher: covers no codes")):
        PaymentTerm(
            name="Surgery",
            service_category="outpatient",
            matcher=CodeMatcher(()),
            methodology=PercentOfChargesTerm(D("55")),
        )
    PaymentTerm(
        name="Primary care",
        service_category="capitation",
        matcher=CodeMatcher(()),
        methodology=CapitationTerm(D("42.50")),
    )


@pytest.mark.parametrize(
    ("code_system", "code", "covered"),
    [
        (C.CPT, "99202", True),
        (C.CPT, "99213", True),
        (C.CPT, "99499", True),
        (C.CPT, "99500", False),  # home visit codes, outside E/M 99202-99499
        (C.CPT, "27447", True),  # total knee, in surgery 10004-69990
        (C.CPT, "70450", False),  # CT head: radiology, not covered by this term
        (C.HCPCS, "J1885", False),
    ],
)
def test_the_matcher_says_which_codes_a_term_covers(
    code_system: CodeSystem, code: str, covered: bool
) -> None:
    assert professional_term().covers(BilledCode(code_system, code)) is covered


@pytest.mark.parametrize(
    ("rank", "percent"),
    [(1, D("100")), (2, D("50")), (3, D("50")), (6, D("50"))],
)
def test_multiple_procedure_reduction_pays_the_highest_in_full_and_the_rest_at_half(
    rank: int, percent: Decimal
) -> None:
    reduction = professional_term().multiple_procedure_reduction
    assert reduction is not None and reduction.percent_for_rank(rank) == percent


def test_carve_outs_and_floors_are_found_per_code() -> None:
    inpatient = inpatient_term()
    carve_out = inpatient.carve_out_for(BilledCode(C.REV, "0278"))
    assert carve_out is not None and carve_out.methodology == InvoiceCostTerm(D("10"))
    assert inpatient.carve_out_for(BilledCode(C.REV, "0250")) is None
    assert professional_term().floor_for(BilledCode(C.CPT, "99213")) == D("85.00")
    assert professional_term().floor_for(BilledCode(C.CPT, "99214")) is None


@pytest.mark.parametrize(
    ("escalators", "effective", "through", "expected"),
    [
        (
            (AnniversaryEscalator(D("3")),),
            date(2024, 1, 1),
            date(2026, 12, 31),
            ((date(2025, 1, 1), D("3")), (date(2026, 1, 1), D("3"))),
        ),
        (
            (AnniversaryEscalator(D("2.5")),),
            date(2024, 2, 29),
            date(2025, 12, 31),
            ((date(2025, 2, 28), D("2.5")),),  # leap-day contract: anniversary on 28 February
        ),
        (
            (DatedEscalator(D("4"), date(2025, 7, 1)), DatedEscalator(D("2"), date(2027, 7, 1))),
            date(2024, 1, 1),
            date(2026, 12, 31),
            ((date(2025, 7, 1), D("4")),),
        ),
    ],
)
def test_escalation_dates(
    escalators: tuple[AnniversaryEscalator | DatedEscalator, ...],
    effective: date,
    through: date,
    expected: tuple[tuple[date, Decimal], ...],
) -> None:
    assert escalation_dates(escalators, effective, through) == expected
