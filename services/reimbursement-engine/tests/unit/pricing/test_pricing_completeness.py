"""A claim says whether every line got a price; each line without one says why (issue 10 item 9)."""

from __future__ import annotations

from datetime import date

import pytest
from pricing_builders import D, claim, contract, cpt, line, price
from reimbursement_engine.domain.pricing import (
    CodeSystem,
    FeeSchedule,
    FeeScheduleRate,
    FeeScheduleRow,
    InvoiceCostPlus,
    LineStatus,
    MedicareReference,
    PaymentTerm,
    PercentOfMedicare,
    PricingCompleteness,
)

CPT = CodeSystem.CPT_HCPCS
EM = PaymentTerm(
    "E/M",
    cpt("E/M", "99202-99215"),
    FeeScheduleRate(FeeSchedule("em 2025", (FeeScheduleRow(CPT, "99213", D("95.00")),))),
)
IMPLANTS = PaymentTerm("implants", cpt("implants", "L8600-L8699"), InvoiceCostPlus(D(10)))
MEDICARE = PaymentTerm("surgery", cpt("surgery", "10004-69990", "0001T-0999T"), PercentOfMedicare(D(150)))
TERMS = contract(EM, IMPLANTS, MEDICARE)
FULL, PART, NONE = (
    PricingCompleteness.FULLY_PRICED,
    PricingCompleteness.PARTLY_PRICED,
    PricingCompleteness.UNPRICED,
)


@pytest.mark.parametrize(
    ("codes", "completeness", "reason"),
    [
        (("99213",), FULL, None),
        (("99213", "99214"), PART, "no row for CPT/HCPCS 99214 on 2025-03-14 in fee schedule em 2025"),
        (("99214",), NONE, "no row for CPT/HCPCS 99214 on 2025-03-14 in fee schedule em 2025"),
        (("99213", "L8699"), PART, "invoice cost needed, none on line"),
        (("99213", "0042T"), PART, "0042T has Medicare status C: no fee schedule amount"),
        (("99213", "32850"), PART, "32850 has Medicare status X: no fee schedule amount"),
        (("99213", "99499"), PART, "no term of contract C-100 v1 covers CPT/HCPCS 99499"),
    ],
)
def test_a_claim_says_how_completely_it_is_priced(
    codes: tuple[str, ...], completeness: PricingCompleteness, reason: str | None, medicare: MedicareReference
) -> None:
    lines = [line(code, "200.00", n=i) for i, code in enumerate(codes, start=1)]
    priced = price(claim(*lines), TERMS, medicare)
    assert priced.completeness is completeness
    unpriced = [ln for ln in priced.lines if ln.unpriced_reason is not None]
    if reason is None:
        assert unpriced == []
        return
    (without_price,) = unpriced
    assert without_price.expected_allowed == D(0)
    assert without_price.status in (LineStatus.UNPRICED, LineStatus.NOT_COVERED)
    assert reason in str(without_price.unpriced_reason)
    assert any("unpriced" in flag and without_price.code in flag for flag in priced.flags)


def test_no_medicare_year_for_the_date_of_service_leaves_the_line_unpriced(
    medicare: MedicareReference,
) -> None:
    in_2024 = line("27447", "3000.00", service_date=date(2024, 6, 3))
    priced = price(claim(in_2024), contract(MEDICARE), medicare)
    assert priced.completeness is NONE
    assert "2024" in str(priced.lines[0].unpriced_reason)
