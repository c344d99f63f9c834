"""Medicare OPPS (APC) payment from Addendum B January 2025 (rows in data/cms/opps): national
unadjusted or wage-adjusted at 60% labor, packaging by status indicator, status T discounting."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from reimbursement_engine.domain.pricing import LineStatus, MedicareReference
from reimbursement_engine.domain.pricing.asc import WageIndex
from reimbursement_engine.domain.pricing.opps import OPPS_CONVERSION_FACTORS
from reimbursement_engine.domain.pricing.supplies import ClfsRelease
from schedule_builders import line, price, reference, schedules

D = Decimal
ON = date(2025, 3, 14)
MEDICARE = reference()


@pytest.mark.parametrize(
    ("code", "status", "weight", "rate"),
    [
        ("G0463", "J2", "1.4452", "128.87"),  # 1.4452 x 89.169 = 128.867
        ("45378", "T", "10.2245", "911.71"),  # 10.2245 x 89.169 = 911.708
        ("66984", "J1", "25.5776", "2280.73"),  # 25.5776 x 89.169 = 2,280.729
    ],
)
def test_national_unadjusted_rate_is_weight_times_conversion_factor(
    code: str, status: str, weight: str, rate: str
) -> None:
    assert (D(weight) * OPPS_CONVERSION_FACTORS[2025]).quantize(D("0.01")) == D(rate)
    priced = price([line(1, code, ON, pos=None)], "OPPS", MEDICARE, type_of_bill="0131")
    assert priced.lines[0].expected_allowed == D(rate)
    text = priced.explain()
    assert f"status indicator {status}" in text
    assert "national unadjusted: no OPPS wage index loaded for the year" in text


def test_wage_adjusted_at_60_percent_labor_when_a_wage_index_is_loaded() -> None:
    wage = WageIndex(2025, "OPPS", {"19124": D("0.9673")})
    priced = price([line(1, "G0463", ON, pos=None)], "OPPS", reference(wage), site_cbsa="19124")
    # 128.87 x (0.6 x 0.9673 + 0.4) = 128.87 x 0.98038 = 126.342
    assert priced.lines[0].expected_allowed == D("126.34")
    assert "CY2025 OPPS wage index 0.9673 (CBSA 19124), 60% labor" in priced.explain()


def test_status_t_procedures_are_discounted_the_highest_at_100_percent() -> None:
    lines = [line(1, "45378", ON, pos=None), line(2, "43239", ON, pos=None)]
    priced = price(lines, "OPPS", MEDICARE)
    # 43239 $937.56 ranks first; 45378 $911.71 at 50%: 911.71 - 455.86
    assert [p.expected_allowed for p in priced.lines] == [D("455.85"), D("937.56")]


@pytest.mark.parametrize(
    ("codes", "expected", "reason"),
    [
        (("45378", "C1776"), ["911.71", "0"], "status indicator N: packaged"),
        (("66984", "96374"), ["2280.73", "0"], "packaged into comprehensive APC 5491 (J1 66984, line 1)"),
        (("33533",), ["0"], "status indicator C: inpatient only"),
    ],
)
def test_packaging_and_statuses_without_opps_payment(
    codes: tuple[str, ...], expected: list[str], reason: str
) -> None:
    lines = [line(n, code, ON, pos=None) for n, code in enumerate(codes, start=1)]
    priced = price(lines, "OPPS", MEDICARE)
    assert [p.expected_allowed for p in priced.lines] == [D(e) for e in expected]
    assert reason in priced.explain()
    if codes == ("33533",):
        assert priced.lines[0].status is LineStatus.UNPRICED


def test_type_of_bill_13x_prices_by_apc_when_the_term_names_no_schedule() -> None:
    priced = price([line(1, "45378", ON, pos=None)], None, MEDICARE, type_of_bill="0131")
    assert priced.lines[0].expected_allowed == D("911.71")
    assert (
        "Medicare OPPS (hospital outpatient PPS (APC)): type of bill 0131 (hospital outpatient)"
        in priced.explain()
    )


def test_laboratory_tests_on_an_outpatient_bill_are_packaged_or_paid_under_the_clfs() -> None:
    # OPPS Addendum B January 2025: 80053 has status Q4 (conditionally packaged laboratory test)
    alone = price([line(1, "80053", ON, pos=None)], "OPPS", MEDICARE)
    assert alone.lines[0].unpriced_reason == "status indicator Q4: laboratory test paid under the CLFS"
    with_visit = price([line(1, "G0463", ON, pos=None), line(2, "80053", ON, pos=None)], "OPPS", MEDICARE)
    assert with_visit.lines[1].expected_allowed == D("0")
    assert "status indicator Q4: conditionally packaged (billed with status J2)" in with_visit.explain()
    # with a CLFS release in force (here the CLFS 2026 Q1 rate, $10.56, set in force in 2025 only to
    # show the routing) the test alone is paid under the CLFS
    built = schedules()
    clfs = ClfsRelease(date(2025, 1, 1), {("80053", ""): D("10.56")})
    medicare = MedicareReference(years={}, schedules=replace(built, clfs=(*built.clfs, clfs)))
    paid = price([line(1, "80053", ON, pos=None)], "OPPS", medicare)
    assert paid.lines[0].expected_allowed == D("10.56")
    assert (
        "OPPS Addendum B January 2025: status indicator Q4: laboratory test paid under the CLFS"
        in paid.explain()
    )
