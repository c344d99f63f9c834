"""Payer scorecard by hand: four claims of one payer and contract over two months.

A  Jan  expected 100.00, paid 80.00 (CO-45), underpaid 20.00, received 01-05, remitted 02-20 (46 days,
   prompt pay 30: 16 days late; interest 80.00 x 12% x 16 / 365 = 0.4208... = 0.42); recovered 20.00
   on 03-22 (30 days after the remittance)
B  Jan  expected 150.00 denied (CO-50, RARC N130), received 01-10, remitted 01-30 (20 days)
C  Feb  expected 100.00 paid 100.00, received 02-01, remitted 02-11 (10 days)
D  Feb  expected 200.00, not remitted yet
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from reimbursement_engine.domain.scorecard import ClaimFact, Remitted, interest_owed, scorecards

D = Decimal


def _fact(service: date, received: date, expected: str, remitted: Remitted | None) -> ClaimFact:
    return ClaimFact("60054", "c-1", service, received, D(expected), 30, D("0.12"), remitted)


FACTS = [
    _fact(
        date(2026, 1, 3),
        date(2026, 1, 5),
        "100.00",
        Remitted(date(2026, 2, 20), D("80.00"), D(0), D("100.00"), "underpaid", D("20.00"), ("CO-45",), (),
                 D("20.00"), date(2026, 3, 22)),
    ),
    _fact(
        date(2026, 1, 8),
        date(2026, 1, 10),
        "150.00",
        Remitted(date(2026, 1, 30), D(0), D(0), D("150.00"), "denied", D("150.00"), ("CO-50",), ("N130",)),
    ),
    _fact(
        date(2026, 2, 1),
        date(2026, 2, 1),
        "100.00",
        Remitted(date(2026, 2, 11), D("100.00"), D(0), D("100.00"), "paid_as_expected", D(0), (), ()),
    ),
    _fact(date(2026, 2, 5), date(2026, 2, 6), "200.00", None),
]  # fmt: skip


def test_the_period_totals() -> None:
    (card,) = scorecards(FACTS)
    total = card.total.as_json()
    assert {k: total[k] for k in total if k != "months"} == {
        "claims": 4,
        "reconciled_claims": 3,
        "expected_allowed": "550.00",
        "expected_reconciled": "350.00",
        "paid": "180.00",
        "patient_responsibility": "0.00",
        "underpayment_amount": "20.00",
        "underpayment_rate": "0.3333",  # 1 of 3 reconciled
        "denial_rate": "0.3333",
        "denial_rate_by_carc_group": {"CO": "0.3333"},
        "denial_rate_by_rarc": {"N130": "0.3333"},
        "average_days_to_pay": "25.3",  # (46 + 20 + 10) / 3
        "paid_late": 1,
        "prompt_pay_interest_owed": "0.42",
        "recovered_claims": 1,
        "recovered_amount": "20.00",
        "average_recovery_days": "30.0",
    }


def test_trended_by_month_of_service() -> None:
    (card,) = scorecards(FACTS)
    months = {m: (s.claims, s.reconciled, str(s.paid), s.denied_claims) for m, s in card.months.items()}
    assert months == {"2026-01": (2, 2, "80.00", 1), "2026-02": (2, 1, "100.00", 0)}


@pytest.mark.parametrize(
    ("paid", "rate", "days_late", "owed"),
    [
        ("80.00", "0.12", 16, "0.42"),
        ("1000.00", "0.10", 365, "100.00"),
        ("1000.00", "0.18", 1, "0.49"),  # 0.4931...
        ("1000.00", None, 30, "0.00"),  # no rate in the contract
        ("1000.00", "0.12", 0, "0.00"),  # on time
    ],
)
def test_prompt_pay_interest(paid: str, rate: str | None, days_late: int, owed: str) -> None:
    assert interest_owed(D(paid), None if rate is None else D(rate), days_late) == D(owed)
