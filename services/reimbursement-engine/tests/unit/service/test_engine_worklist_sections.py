"""The worklist (pure): every open variance counted once, in its section, to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from reimbursement_engine.domain.reconciliation import Classification
from reimbursement_engine.domain.worklist import CLAIM_LEVEL, WorklistLine, WorklistVariance, aggregate

D = Decimal
C = Classification


def variance(
    claim: str,
    classification: Classification,
    amount: str,
    lines: tuple[WorklistLine, ...],
    expected: str = "0",
    paid: str = "0",
    on: date = date(2025, 4, 2),
) -> WorklistVariance:
    return WorklistVariance(
        "60054", "c-1", claim, classification, on, D(amount), D(expected), D(paid), ("CO-45",), lines
    )


def line(code: str, amount: str, expected: str = "0", paid: str = "0") -> WorklistLine:
    return WorklistLine(code, "CO-45", D(amount), D(expected), D(paid))


# The case: an inpatient claim whose stop-loss add-on ($19,500) went unpaid while every
# line was paid, beside $1,014.65 of line underpayments and a $50 overpayment.
STOP_LOSS = variance(
    "inpatient",
    C.UNDERPAID,
    "19500.00",
    (line("0120", "0", "12000.00", "12000.00"),),
    expected="31500.00",
    paid="12000.00",
)
LINES = variance(
    "office",
    C.UNDERPAID,
    "1014.65",
    (line("27447", "1000.00", "1800.00", "800.00"), line("99213", "14.65", "88.95", "74.30")),
    expected="1888.95",
    paid="874.30",
)
DENIED = variance("denied", C.DENIED, "88.95", (line("99213", "88.95", "88.95"),), expected="88.95")
OVERPAID = variance(
    "over", C.OVERPAID, "-50.00", (line("99214", "-50.00", "125.00", "175.00"),), "125.00", "175.00"
)
REVIEW = variance("review", C.NEEDS_REVIEW, "-40.00", (line("L8699", "-40.00", "0", "40.00"),), "0", "40.00")


def test_every_open_underpaid_and_denied_variance_is_in_the_total_and_overpayments_apart() -> None:
    found = aggregate([STOP_LOSS, LINES, DENIED, OVERPAID, REVIEW])
    assert found.recoverable.total == D("20603.60")  # 19,500 + 1,014.65 + 88.95
    assert sum((e.amount for e in found.recoverable.entries), D(0)) == found.recoverable.total
    assert found.recoverable.variance_count == 3
    (claim_level,) = [e for e in found.recoverable.entries if e.code == CLAIM_LEVEL]
    assert (claim_level.amount, claim_level.expected_allowed, claim_level.paid) == (
        D("19500.00"),
        D("19500.00"),
        D("0.00"),
    )
    assert found.recoverable.entries[0] is claim_level  # largest first
    assert (found.overpaid.total, [e.code for e in found.overpaid.entries]) == (D("-50.00"), ["99214"])
    assert (found.needs_review.total, [e.code for e in found.needs_review.entries]) == (
        D("-40.00"),
        ["L8699"],
    )


@pytest.mark.parametrize(
    ("claim_variance", "line_variances", "claim_level"),
    [
        ("19500.00", ("0",), "19500.00"),  # a claim-level case payment no line carries
        ("100.00", ("60.00", "40.00"), None),  # lines carry it all
        ("100.00", ("-20.00", "90.00"), "30.00"),  # lines net within the claim; the rest is claim-level
        ("75.00", (), "75.00"),  # an 835 without service lines
    ],
)
def test_a_claims_parts_add_up_to_its_variance(
    claim_variance: str, line_variances: tuple[str, ...], claim_level: str | None
) -> None:
    lines = tuple(line(f"9921{i}", amount) for i, amount in enumerate(line_variances))
    parts = variance("x", C.UNDERPAID, claim_variance, lines).parts()
    assert sum((p.variance for p in parts), D(0)) == D(claim_variance)
    rest = [p.variance for p in parts if p.code == CLAIM_LEVEL]
    assert rest == ([] if claim_level is None else [D(claim_level)])


def test_small_variances_of_many_claims_add_up_to_one_entry() -> None:
    claims = [
        variance(
            f"claim-{i}",
            C.UNDERPAID,
            "3.95",
            (line("99213", "3.95", "88.95", "85.00"),),
            on=date(2025, 4, i + 1),
        )
        for i in range(7)
    ]
    found = aggregate([*claims, variance("paid", C.UNDERPAID, "0", (line("99213", "0"),))])
    (entry,) = found.recoverable.entries
    assert (entry.amount, entry.claim_count, entry.oldest_remittance) == (D("27.65"), 7, date(2025, 4, 1))
    assert found.recoverable.total == D("27.65")
