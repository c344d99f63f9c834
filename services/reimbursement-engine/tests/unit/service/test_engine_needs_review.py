"""A claim pricing could not fully price is never called overpaid: it needs review (item 9)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from reimbursement_engine.domain.reconciliation import (
    CasAmount,
    Classification,
    ExpectedLine,
    PaidClaim,
    PaidLine,
    reconcile,
)

D = Decimal
TOLERANCE = D("1.00")
# 99213 priced at $88.95; the implant L8699 had no invoice cost, so pricing left it at $0
EXPECTED = (ExpectedLine(1, "99213", D("88.95")), ExpectedLine(2, "L8699", D("0")))


def paid(office: str, implant: str, status: str = "1") -> PaidClaim:
    lines = (
        PaidLine("99213", D(office), (CasAmount("CO", "45", D("111.05") - D(office) + D("88.95")),), "1"),
        PaidLine("L8699", D(implant), (), "2"),
    )
    return PaidClaim(status, D(office) + D(implant), None, (), lines)


@pytest.mark.parametrize(
    ("office", "implant", "fully_priced", "classification", "variance"),
    [
        ("88.95", "1200.00", True, Classification.OVERPAID, "-1200.00"),  # what a $0 line used to give
        ("88.95", "1200.00", False, Classification.NEEDS_REVIEW, "-1200.00"),
        ("88.95", "0", False, Classification.NEEDS_REVIEW, "0.00"),  # the implant may be owed
        ("40.00", "0", False, Classification.UNDERPAID, "48.95"),  # short of the floor: certain
        ("0", "0", False, Classification.DENIED, "88.95"),
    ],
)
def test_an_unpriced_line_never_makes_a_claim_overpaid(
    office: str, implant: str, fully_priced: bool, classification: Classification, variance: str
) -> None:
    result = reconcile(EXPECTED, D("88.95"), paid(office, implant), TOLERANCE, fully_priced)
    assert (result.classification, result.variance) == (classification, D(variance))
    assert result.classification.is_variance
