"""Modifiers around a methodology: lesser-of, MPPR, stop-loss, carve-outs, escalators, floors."""

from datetime import date

import pytest
from pricing_builders import D, claim, contract, cpt, line, price, rev, revenue
from reimbursement_engine.domain.pricing import (
    AnniversaryEscalator,
    CodeSystem,
    FeeSchedule,
    FeeScheduleRate,
    FeeScheduleRow,
    InvoiceCostPlus,
    LineStatus,
    MedicareReference,
    MsDrg,
    MultipleProcedureReduction,
    Outlier,
    PaymentTerm,
    PercentOfCharges,
    PercentOfMedicare,
    ServiceCategory,
    StepKind,
)

CPT = CodeSystem.CPT_HCPCS
SURGERY = cpt("surgery", "10000-69999")
SCHEDULE = FeeSchedule(
    "surgery 2025",
    tuple(
        FeeScheduleRow(CPT, code, D(rate))
        for code, rate in [
            ("29881", "1000.00"),
            ("29877", "600.00"),
            ("20610", "400.00"),
            ("11042", "500.00"),
            ("64450", "800.00"),
            ("99213", "95.00"),
        ]
    ),
)


def fee_term(**kw: object) -> PaymentTerm:
    return PaymentTerm("surgery", cpt("all", "10000-99499"), FeeScheduleRate(SCHEDULE), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("charge", "expected", "reduced"),
    [("80.00", "80.00", True), ("95.00", "95.00", False), ("120.00", "95.00", False)],
)
def test_lesser_of_billed_charges_and_contract_rate(charge: str, expected: str, reduced: bool) -> None:
    (result,) = price(claim(line("99213", charge)), contract(fee_term(lesser_of_charges=True))).lines
    assert result.expected_allowed == D(expected)
    assert (result.steps[-1].kind is StepKind.LESSER_OF) is reduced


def test_lesser_of_is_off_unless_the_term_says_so() -> None:
    (result,) = price(claim(line("99213", "80.00")), contract(fee_term())).lines
    assert result.expected_allowed == D("95.00")


ELIGIBLE = frozenset({"29881", "29877", "20610", "11042", "64450"})


@pytest.mark.parametrize(
    ("lines", "percentages", "expected"),
    [
        # 29881 $1,000 x 100%, 29877 $600 x 50%, 20610 $400 x 50%
        ((("29877", "1"), ("29881", "1"), ("20610", "1")), ("100", "50"), ["300.00", "1000.00", "200.00"]),
        # third and later at 25%
        (
            (("29881", "1"), ("29877", "1"), ("20610", "1")),
            ("100", "50", "25"),
            ["1000.00", "300.00", "100.00"],
        ),
        # 11042 x 2 units ($500 each) with 64450 $800: 800 @100%, 500 @50%, 500 @50%
        ((("11042", "2"), ("64450", "1")), ("100", "50"), ["500.00", "800.00"]),
        # a single procedure is not reduced; 99213 is not eligible
        ((("29881", "1"), ("99213", "1")), ("100", "50"), ["1000.00", "95.00"]),
    ],
)
def test_multiple_procedure_reduction(
    lines: tuple[tuple[str, str], ...], percentages: tuple[str, ...], expected: list[str]
) -> None:
    rule = MultipleProcedureReduction(
        tuple(D(p) for p in percentages), ELIGIBLE, use_medicare_indicator=False
    )
    c = claim(*(line(code, "5000", units) for code, units in lines))
    priced = price(c, contract(fee_term(multiple_procedure=rule)))
    assert [ln.expected_allowed for ln in priced.lines] == [D(x) for x in expected]


def test_multiple_procedure_reduction_text() -> None:
    rule = MultipleProcedureReduction(eligible_codes=ELIGIBLE, use_medicare_indicator=False)
    c = claim(line("29881", "5000"), line("29877", "5000"))
    step = price(c, contract(fee_term(multiple_procedure=rule))).lines[1].steps[-1]
    assert (step.kind, step.amount) == (StepKind.MULTIPLE_PROCEDURE, D("-300.00"))
    assert step.text == "ranked #2 at 50% of 2 procedures (unit: rank, % paid)"


def test_multiple_procedure_reduction_by_medicare_indicator(medicare: MedicareReference) -> None:
    # national facility: 29881 16.64 RVU x 32.3465 = 538.25 (MULT_PROC 3);
    # 20610 1.36 RVU = 43.99 (MULT_PROC 2) at 50% = 21.995 -> reduction 22.00; 99213 indicator 0
    term = PaymentTerm(
        "pro",
        cpt("all", "10000-99499"),
        PercentOfMedicare(D(100)),
        multiple_procedure=MultipleProcedureReduction(),
    )
    c = claim(line("20610", "900"), line("29881", "9000"), line("99213", "200"), pos="22")
    priced = price(c, contract(term), medicare)
    assert [ln.expected_allowed for ln in priced.lines] == [D("21.99"), D("538.25"), D("63.72")]


def test_stop_loss_adds_a_percentage_of_charges_above_the_threshold() -> None:
    term = PaymentTerm("outpatient", revenue("all", "0001-0999"), PercentOfCharges(D(50)))
    stop_loss = Outlier(D("100000"), D(65))
    c = claim(rev("0360", "120000"), rev("0450", "30000"), pos=None)
    priced = price(c, contract(term, stop_loss=stop_loss))
    assert priced.cases[0].term == "stop-loss"
    assert priced.cases[0].expected_allowed == D("32500.00")  # 65% x (150,000 - 100,000)
    assert priced.expected_allowed == D("75000.00") + D("32500.00")
    below = price(claim(rev("0360", "100000"), pos=None), contract(term, stop_loss=stop_loss))
    assert below.cases == ()


DRG = PaymentTerm(
    "inpatient DRG",
    ServiceCategory("inpatient", CodeSystem.MS_DRG),
    MsDrg(D("6500.00"), {"470": D("1.9000")}),
)
IMPLANTS = PaymentTerm("implants", revenue("implants", "0278"), InvoiceCostPlus(D(15)))


def test_carve_out_priced_apart_from_the_drg_case() -> None:
    c = claim(
        rev("0120", "20000", units="3"),
        rev("0278", "15000", invoice_cost=D("4200.00")),
        rev("0360", "25000"),
        pos=None,
        drg="470",
    )
    priced = price(c, contract(DRG, carve_outs=(IMPLANTS,)))
    implant = priced.lines[1]
    assert (implant.status, implant.term, implant.expected_allowed) == (
        LineStatus.PRICED,
        "implants",
        D("4830.00"),  # 4,200 + 15%
    )
    assert implant.steps[0].text.startswith("carve-out implants")
    assert [ln.status for ln in priced.lines] == [LineStatus.INCLUDED, LineStatus.PRICED, LineStatus.INCLUDED]
    assert priced.expected_allowed == D("12350.00") + D("4830.00")


def test_carve_out_without_invoice_cost_is_unpriced() -> None:
    c = claim(rev("0278", "15000"), pos=None)
    (result,) = price(c, contract(carve_outs=(IMPLANTS,))).lines
    assert result.status is LineStatus.UNPRICED


@pytest.mark.parametrize(
    ("service_date", "compounding", "expected", "increase"),
    [
        (date(2023, 6, 30), True, "190.00", None),  # no anniversary yet
        (date(2024, 1, 15), True, "195.70", "5.70"),  # 95 x 1.03 = 97.85 x 2
        (date(2025, 3, 14), True, "201.58", "11.58"),  # 95 x 1.0609 = 100.79 (100.7855) x 2
        (date(2025, 3, 14), False, "201.40", "11.40"),  # 95 x 1.06 = 100.70 x 2
    ],
)
def test_escalator_raises_fee_schedule_rates(
    service_date: date, compounding: bool, expected: str, increase: str | None
) -> None:
    escalator = AnniversaryEscalator(date(2022, 7, 1), D(3), compounding)
    c = claim(line("99213", "500", units="2", service_date=service_date))
    (result,) = price(c, contract(fee_term(), escalator=escalator)).lines
    assert result.expected_allowed == D(expected)
    escalations = [s for s in result.steps if s.kind is StepKind.ESCALATOR]
    assert [s.amount for s in escalations] == ([] if increase is None else [D(increase)])


def test_escalator_does_not_touch_percentages() -> None:
    term = PaymentTerm("outpatient", revenue("all", "0001-0999"), PercentOfCharges(D(50)))
    escalator = AnniversaryEscalator(date(2020, 1, 1), D(3))
    (result,) = price(claim(rev("0450", "1000"), pos=None), contract(term, escalator=escalator)).lines
    assert result.expected_allowed == D("500.00")


def test_escalator_on_the_drg_base_rate() -> None:
    escalator = AnniversaryEscalator(date(2024, 1, 1), D(2))
    priced = price(claim(rev("0120", "1000"), pos=None, drg="470"), contract(DRG, escalator=escalator))
    # base rate 6,500 x 1.02 = 6,630.00; x 1.9 = 12,597.00 (12,350.00 + 247.00)
    assert priced.expected_allowed == D("12597.00")
    assert priced.cases[0].steps[2].amount == D("247.00")


@pytest.mark.parametrize(
    ("units", "floor", "flagged"), [("1", "100.00", True), ("2", "95.00", False), ("1", "90", False)]
)
def test_floor_flags_but_does_not_change_the_price(units: str, floor: str, flagged: bool) -> None:
    terms = contract(fee_term(), floors={(CPT, "99213"): D(floor)})
    priced = price(claim(line("99213", "500", units=units)), terms)
    assert priced.lines[0].expected_allowed == D("95.00") * int(units)
    assert bool(priced.flags) is flagged
    if flagged:
        assert priced.flags[0] == "line 1 99213: $95.00 is below the floor $100.00 ($100.00 per unit)"
