"""Value-based terms: quality and efficiency measures, shared savings, and a downside-risk corridor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .errors import InvalidValueBasedTerms
from .validation import require_date, require_figure, require_share


class MeasureDirection(StrEnum):
    """Whether a measure improves by going up (HbA1c control) or down (readmission rate)."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


@dataclass(frozen=True, slots=True, kw_only=True)
class QualityMeasure:
    """One measure: target, direction, weight in the score, and its measurement period."""

    name: str
    target: Decimal
    direction: MeasureDirection
    weight: Decimal
    period_start: date
    period_end: date

    def __post_init__(self) -> None:
        field = f"QualityMeasure[{self.name}]"
        if not self.name.strip():
            raise InvalidValueBasedTerms("QualityMeasure.name", "a measure needs a name")
        if not isinstance(self.target, Decimal) or not self.target.is_finite():
            raise InvalidValueBasedTerms(f"{field}.target", f"must be a number, got {self.target!r}")
        require_figure(InvalidValueBasedTerms, f"{field}.target", self.target)  # the tracker's NUMERIC(18, 6)
        if not isinstance(self.weight, Decimal) or self.weight <= 0:
            raise InvalidValueBasedTerms(f"{field}.weight", f"must be positive, got {self.weight}")
        require_figure(InvalidValueBasedTerms, f"{field}.weight", self.weight)
        require_date(InvalidValueBasedTerms, f"{field}.period_start", self.period_start)
        require_date(InvalidValueBasedTerms, f"{field}.period_end", self.period_end)
        if self.period_end < self.period_start:
            raise InvalidValueBasedTerms(
                f"{field}.period_end",
                f"{self.period_end.isoformat()} is before {self.period_start.isoformat()}",
            )

    def met(self, observed: Decimal) -> bool:
        """Whether an observed value meets the target in the measure's direction."""
        if self.direction is MeasureDirection.HIGHER_IS_BETTER:
            return observed >= self.target
        return observed <= self.target


@dataclass(frozen=True, slots=True)
class RiskCorridor:
    """Downside risk: the provider bears losses between lower and upper percent of the benchmark."""

    lower_percent: Decimal
    upper_percent: Decimal

    def __post_init__(self) -> None:
        require_share(InvalidValueBasedTerms, "RiskCorridor.lower_percent", self.lower_percent)
        require_share(InvalidValueBasedTerms, "RiskCorridor.upper_percent", self.upper_percent)
        if self.lower_percent >= self.upper_percent:
            raise InvalidValueBasedTerms(
                "RiskCorridor.upper_percent",
                f"{self.upper_percent}% must be above the lower bound {self.lower_percent}%",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueBasedTerms:
    """Measures whose weights sum to 1 (fractions) or 100 (percent); shared savings in percent."""

    measures: tuple[QualityMeasure, ...]
    shared_savings_percent: Decimal | None = None
    risk_corridor: RiskCorridor | None = None

    def __post_init__(self) -> None:
        names = [measure.name for measure in self.measures]
        if len(set(names)) != len(names):
            raise InvalidValueBasedTerms("ValueBasedTerms.measures", "a measure is listed twice")
        total = sum((measure.weight for measure in self.measures), Decimal(0))
        if self.measures and total not in (Decimal(1), Decimal(100)):
            raise InvalidValueBasedTerms(
                "ValueBasedTerms.measures",
                f"weights sum to {total}: they must sum to 1 (fractions) or 100 (percent)",
            )
        if self.shared_savings_percent is not None:
            require_share(
                InvalidValueBasedTerms,
                "ValueBasedTerms.shared_savings_percent",
                self.shared_savings_percent,
            )

    def weight_share(self, measure: QualityMeasure) -> Decimal:
        """The measure's weight as a fraction of the whole score (0.25 for 25 of 100)."""
        total = sum((m.weight for m in self.measures), Decimal(0))
        return measure.weight / total

    def period_ends(self) -> tuple[date, ...]:
        """Measurement period end dates, for the obligation tracker's reporting deadlines."""
        return tuple(sorted({measure.period_end for measure in self.measures}))
