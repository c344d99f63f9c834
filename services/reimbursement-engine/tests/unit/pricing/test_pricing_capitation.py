"""Capitation: PMPM x member months, outside claim pricing."""

from datetime import date

import pytest
from pricing_builders import D, cpt
from reimbursement_engine.domain.pricing import (
    AnniversaryEscalator,
    Capitation,
    PaymentTerm,
    PercentOfCharges,
    capitation_payment,
    member_months,
)

TERM = PaymentTerm("primary care capitation", cpt("E/M", "99202-99215"), Capitation(D("42.50")))


@pytest.mark.parametrize(
    ("months", "expected"),
    [("1200", "51000.00"), ("1187.5", "50468.75"), ("0", "0.00")],
)
def test_pmpm_times_member_months(months: str, expected: str) -> None:
    payment = capitation_payment(TERM, D(months), date(2025, 1, 1))
    assert payment.expected_allowed == D(expected)


def test_escalated_pmpm() -> None:
    escalator = AnniversaryEscalator(date(2024, 1, 1), D(3))
    payment = capitation_payment(TERM, D(1000), date(2025, 1, 1), escalator)
    # 42.50 x 1.03 = 43.775 -> 43.78 PMPM; x 1,000 = 43,780.00 (42,500.00 + 1,280.00)
    assert payment.expected_allowed == D("43780.00")
    assert [s.amount for s in payment.steps] == [D("42500.00"), D("1280.00")]


def test_member_months_from_monthly_counts() -> None:
    assert member_months([100, 102, 98]) == D(300)


def test_capitation_needs_a_capitation_term() -> None:
    other = PaymentTerm("x", cpt("E/M", "99213"), PercentOfCharges(D(50)))
    with pytest.raises(TypeError):
        capitation_payment(other, D(1), date(2025, 1, 1))
