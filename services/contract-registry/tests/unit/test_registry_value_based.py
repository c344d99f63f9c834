"""Value-based terms: measures, weights, shared savings and the risk corridor."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from contract_registry.domain import (
    InvalidValueBasedTerms,
    MeasureDirection,
    QualityMeasure,
    RiskCorridor,
    ValueBasedTerms,
)
from registry_factories import value_based

D = Decimal
YEAR = {"period_start": date(2025, 1, 1), "period_end": date(2025, 12, 31)}


def measure(
    name: str,
    weight: str,
    target: str = "15.5",
    direction: MeasureDirection = MeasureDirection.LOWER_IS_BETTER,
) -> QualityMeasure:
    return QualityMeasure(name=name, target=D(target), direction=direction, weight=D(weight), **YEAR)


@pytest.mark.parametrize(
    "weights",
    [("0.6", "0.4"), ("60", "40"), ("0.25", "0.25", "0.5"), ("100",)],
)
def test_weights_summing_to_one_or_a_hundred_are_accepted(weights: tuple[str, ...]) -> None:
    terms = ValueBasedTerms(measures=tuple(measure(f"m{i}", w) for i, w in enumerate(weights)))
    assert sum(terms.weight_share(m) for m in terms.measures) == 1


@pytest.mark.parametrize(
    ("weights", "total"),
    [(("0.6", "0.3"), "0.9"), (("60", "50"), "110"), (("50",), "50")],
)
def test_weights_that_do_not_add_up_are_refused(weights: tuple[str, ...], total: str) -> None:
    message = (
        f"ValueBasedTerms.measures: weights sum to {total}: they must sum to 1 (fractions) or 100 (percent)"
    )
    with pytest.raises(InvalidValueBasedTerms, match=re.escape(message)):
        ValueBasedTerms(measures=tuple(measure(f"m{i}", w) for i, w in enumerate(weights)))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: RiskCorridor(D("10"), D("2")),
            "RiskCorridor.upper_percent: 2% must be above the lower bound 10%",
        ),
        (lambda: RiskCorridor(D("-1"), D("5")), "RiskCorridor.lower_percent: must be within 0 <= p <= 100%"),
        (lambda: RiskCorridor(D("2"), D("150")), "RiskCorridor.upper_percent: must be within 0 <= p <= 100%"),
        (
            lambda: ValueBasedTerms(measures=(), shared_savings_percent=D("5000")),
            "ValueBasedTerms.shared_savings_percent: must be within 0 <= p <= 100%",
        ),
        (
            lambda: ValueBasedTerms(measures=(measure("a", "50"), measure("a", "50"))),
            "ValueBasedTerms.measures: a measure is listed twice",
        ),
        (lambda: measure("HbA1c control", "0"), "QualityMeasure[HbA1c control].weight: must be positive"),
        (
            lambda: QualityMeasure(
                name="Readmissions",
                target=D("15"),
                direction=MeasureDirection.LOWER_IS_BETTER,
                weight=D("1"),
                period_start=date(2025, 12, 31),
                period_end=date(2025, 1, 1),
            ),
            "QualityMeasure[Readmissions].period_end: 2025-01-01 is before 2025-12-31",
        ),
    ],
)
def test_value_based_rules_name_the_field(build: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidValueBasedTerms, match=re.escape(message)):
        build()


@pytest.mark.parametrize(
    ("direction", "target", "observed", "met"),
    [
        (MeasureDirection.LOWER_IS_BETTER, "15.5", "14.2", True),  # 30-day readmissions 14.2% vs 15.5%
        (MeasureDirection.LOWER_IS_BETTER, "15.5", "16.0", False),
        (MeasureDirection.HIGHER_IS_BETTER, "70", "72.5", True),  # HbA1c < 8% in 72.5% of diabetics
        (MeasureDirection.HIGHER_IS_BETTER, "70", "68", False),
    ],
)
def test_a_measure_is_met_in_its_direction(
    direction: MeasureDirection, target: str, observed: str, met: bool
) -> None:
    assert measure("m", "1", target, direction).met(D(observed)) is met


def test_measurement_period_ends_for_the_obligation_tracker() -> None:
    assert value_based().period_ends() == (date(2024, 12, 31),)
