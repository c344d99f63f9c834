"""Term selection, not-covered lines, claim totals and the readable explanation."""

from datetime import date

import pytest
from pricing_builders import AS_OF, D, claim, contract, cpt, line, price, revenue
from reimbursement_engine.domain.pricing import (
    CodeSystem,
    FeeSchedule,
    FeeScheduleRate,
    FeeScheduleRow,
    LineStatus,
    LocalityKey,
    MedicareReference,
    PaymentTerm,
    PercentOfCharges,
    PercentOfMedicare,
    ServiceCategory,
    price_claim,
)

CPT = CodeSystem.CPT_HCPCS
LAB = PaymentTerm("lab", cpt("lab", "80047-89398"), PercentOfCharges(D(40)))
EM = PaymentTerm(
    "E/M",
    cpt("E/M", "99202-99499"),
    FeeScheduleRate(FeeSchedule("em", (FeeScheduleRow(CPT, "99213", D("95.00")),))),
)
CATCH_ALL = PaymentTerm("other professional", cpt("all", "00100-99499"), PercentOfCharges(D(55)))
ER = PaymentTerm("emergency", revenue("ER", "0450-0459"), PercentOfCharges(D(70)))


@pytest.mark.parametrize(
    ("code", "term", "amount"),
    [
        ("99213", "E/M", "95.00"),  # first term covering the code
        ("80053", "lab", "80.00"),  # 40% x 200
        ("36415", "other professional", "110.00"),  # falls through to the catch-all: 55% x 200
    ],
)
def test_first_covering_term_in_contract_order(code: str, term: str, amount: str) -> None:
    (result,) = price(claim(line(code, "200.00")), contract(EM, LAB, CATCH_ALL)).lines
    assert (result.term, result.expected_allowed) == (term, D(amount))


def test_carve_outs_come_before_terms() -> None:
    carve = PaymentTerm("venipuncture carve-out", cpt("venipuncture", "36415"), PercentOfCharges(D(90)))
    (result,) = price(claim(line("36415", "200.00")), contract(CATCH_ALL, carve_outs=(carve,))).lines
    assert (result.term, result.expected_allowed) == ("venipuncture carve-out", D("180.00"))


def test_place_of_service_limits_a_category() -> None:
    office_only = PaymentTerm(
        "office E/M",
        ServiceCategory("office", CPT, (), frozenset({"11"})),
        PercentOfCharges(D(80)),
    )
    terms = contract(office_only, CATCH_ALL)
    assert price(claim(line("99213", "100"), pos="11"), terms).lines[0].term == "office E/M"
    assert price(claim(line("99213", "100"), pos="22"), terms).lines[0].term == "other professional"


def test_revenue_code_term_prices_an_outpatient_hcpcs_line() -> None:
    c = claim(line("99284", "1000.00", revenue_code="0450"), pos=None)
    (result,) = price(c, contract(ER)).lines
    assert (result.term, result.expected_allowed) == ("emergency", D("700.00"))


def test_not_covered_lines_are_explained_and_zero() -> None:
    priced = price(claim(line("99213", "150"), line("J3490", "80")), contract(EM))
    not_covered = priced.lines[1]
    assert (not_covered.status, not_covered.expected_allowed) == (LineStatus.NOT_COVERED, 0)
    assert not_covered.steps[0].text == "no term of contract C-100 v1 covers CPT/HCPCS J3490"
    assert priced.expected_allowed == D("95.00")


def test_claim_total_is_the_sum_of_cent_rounded_lines() -> None:
    # 3 lines at 33.335% x $100.00 = 33.335 each, rounded to 33.34 per line: total 100.02
    term = PaymentTerm("odd", cpt("all", "00100-99499"), PercentOfCharges(D("33.335")))
    c = claim(line("99211", "100.00"), line("99212", "100.00"), line("99213", "100.00"))
    priced = price(c, contract(term))
    assert [ln.expected_allowed for ln in priced.lines] == [D("33.34")] * 3
    assert priced.expected_allowed == D("100.02")
    assert priced.total_charges == D("300.00")


def test_explanation_reads_line_by_line(medicare: MedicareReference) -> None:
    term = PaymentTerm(
        "professional",
        cpt("all", "00100-99499"),
        PercentOfMedicare(D(140)),
        lesser_of_charges=True,
    )
    c = claim(
        line("99213", "150.00"),
        line("99214", "120.00"),
        medicare_locality=LocalityKey("01112", "54"),
    )
    priced = price_claim(c, contract(term), medicare, AS_OF)
    assert priced.explain() == "\n".join(
        [
            "Claim PCN-1, contract C-100 v1, priced 2025-04-01: charges $270.00, expected allowed $249.70",
            "  line 1 99213 [priced] $129.70",
            "    term: term professional: all (CPT/HCPCS 00100-99499)",
            "    base: 140% x Medicare CY2025 RVU25D locality 01112-54 99213 non-facility $92.64 "
            "x 1 unit(s) = $129.70",
            "  line 2 99214 [priced] $120.00",
            "    term: term professional: all (CPT/HCPCS 00100-99499)",
            "    base: 140% x Medicare CY2025 RVU25D locality 01112-54 99214 non-facility $130.01 "
            "x 1 unit(s) = $182.01",
            "    lesser of charges: billed charges $120.00 below contract amount $182.01 = -$62.01",
        ]
    )


def test_priced_result_keeps_the_as_of_date_and_contract() -> None:
    priced = price_claim(claim(line("99213")), contract(EM), MedicareReference({}), date(2026, 1, 2))
    assert (priced.priced_as_of, priced.contract) == (date(2026, 1, 2), "contract C-100 v1")
