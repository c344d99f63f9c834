"""Escalators: anniversaries (compounding or simple) and named dates."""

from datetime import date
from decimal import Decimal

import pytest
from reimbursement_engine.domain.pricing import (
    AnniversaryEscalator,
    EscalatorStep,
    NamedDateEscalator,
)

D = Decimal
START = date(2022, 7, 1)


@pytest.mark.parametrize(
    ("service_date", "compounding", "factor", "rate_100"),
    [
        (date(2023, 6, 30), True, "1", "100.00"),  # before the first anniversary
        (date(2023, 7, 1), True, "1.03", "103.00"),  # on it
        (date(2025, 3, 14), True, "1.0609", "106.09"),  # 1.03 x 1.03
        (date(2025, 7, 1), True, "1.092727", "109.27"),  # 1.03^3
        (date(2025, 7, 1), False, "1.09", "109.00"),  # simple: 1 + 3 x 3%
    ],
)
def test_anniversary_escalator(service_date: date, compounding: bool, factor: str, rate_100: str) -> None:
    escalation = AnniversaryEscalator(START, D(3), compounding).escalation_on(service_date)
    assert escalation.factor == D(factor)
    assert escalation.apply(D("100.00")) == D(rate_100)


def test_anniversary_of_29_february_falls_on_28_february() -> None:
    escalator = AnniversaryEscalator(date(2024, 2, 29), D(2))
    assert escalator.escalation_on(date(2025, 2, 27)).factor == 1
    assert escalator.escalation_on(date(2025, 2, 28)).steps[0].effective == date(2025, 2, 28)


def test_named_dates_in_any_order() -> None:
    escalator = NamedDateEscalator(
        (EscalatorStep(date(2025, 1, 1), D("2.5")), EscalatorStep(date(2024, 1, 1), D(2)))
    )
    assert escalator.escalation_on(date(2023, 12, 31)).factor == 1
    assert escalator.escalation_on(date(2024, 6, 1)).apply(D("100.00")) == D("102.00")
    escalation = escalator.escalation_on(date(2025, 1, 1))
    assert escalation.factor == D("1.0455")  # 1.02 x 1.025
    assert escalation.description == (
        "escalator 2% on 2024-01-01, 2.5% on 2025-01-01 (compounding, factor 1.0455)"
    )
