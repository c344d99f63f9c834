"""The registry refuses what its consumers cannot apply, naming the field (issue 10, item 6):
day counts up to ten years, dates from 1990 to 2100, amounts that fit the engine's NUMERIC(18, 6)
even times 100,000 units, and no more decimal places than it stores."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from contract_registry.domain import (
    CaseRateTerm,
    ContractVersion,
    CredentialingDate,
    DatedEscalator,
    InvalidField,
    MeasureDirection,
    PercentOfMedicareTerm,
    QualityMeasure,
)
from registry_factories import contract_terms

D = Decimal


def measure(target: str = "15.5", start: date = date(2024, 1, 1)) -> QualityMeasure:
    return QualityMeasure(
        name="30-day readmission rate",
        target=D(target),
        direction=MeasureDirection.LOWER_IS_BETTER,
        weight=D("100"),
        period_start=start,
        period_end=date(2024, 12, 31),
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: contract_terms(notice_days=10**12), "notice_days: must be at most 3650 days (ten years)"),
        (lambda: contract_terms(timely_filing_days=3651), "timely_filing_days: must be at most 3650 days"),
        (lambda: contract_terms(renewal_term_months=121), "renewal_term_months: must be at most 120 months"),
        (
            lambda: contract_terms(effective_date=date(1, 1, 1)),
            "effective_date: must be from 1990-01-01 to 2100-12-31, got 0001-01-01",
        ),
        (
            lambda: contract_terms(termination_date=date(9999, 12, 31)),
            "termination_date: must be from 1990-01-01 to 2100-12-31, got 9999-12-31",
        ),
        (
            lambda: ContractVersion(
                number=2, effective_from=date(9999, 1, 1), effective_to=None, terms=contract_terms()
            ),
            "effective_from: must be from 1990-01-01 to 2100-12-31",
        ),
        (lambda: CaseRateTerm(D("10000000.00")), "CaseRateTerm.rate: must be at most 9999999.99"),
        (
            lambda: PercentOfMedicareTerm(D("120.1234567")),
            "PercentOfMedicareTerm.percent: must have at most 6 decimal places",
        ),
        (
            lambda: DatedEscalator(D("3"), date(9999, 1, 1)),
            "DatedEscalator.effective_on: must be from 1990-01-01",
        ),
        (
            lambda: CredentialingDate(kind="recredentialing", due_date=date(1, 1, 1)),
            "due_date: must be from 1990-01-01",
        ),
        (
            lambda: measure(target="1E+15"),
            "QualityMeasure[30-day readmission rate].target: must be within -9999999.99 and 9999999.99",
        ),
        (
            lambda: measure(start=date(1, 1, 1)),
            "QualityMeasure[30-day readmission rate].period_start: must be from 1990-01-01",
        ),
    ],
)
def test_values_the_engine_and_tracker_cannot_apply_are_refused(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(InvalidField, match=re.escape(message)):
        build()


@pytest.mark.parametrize(
    "build",
    [
        lambda: contract_terms(notice_days=3650, effective_date=date(1990, 1, 1)),
        lambda: contract_terms(termination_date=date(2100, 12, 31), renewal_term_months=120),
        lambda: CaseRateTerm(D("9999999.99")),
        lambda: PercentOfMedicareTerm(D("112.345678")),
    ],
)
def test_the_bounds_themselves_are_accepted(build: Callable[[], object]) -> None:
    build()
