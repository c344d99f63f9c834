"""Value-based measures: is each quality or efficiency measure on track for its period's target?

- After the period ends, the last reading in the period decides: target met, or ``missed``.
- During the period the measure is ``on_track`` only when the latest reading meets the target
  *and* the linear trend of the readings so far (least squares over days), projected to the
  period's end, meets it too; otherwise it is ``at_risk`` ("on course to miss" when the
  projection misses). One reading projects flat. No readings yet is ``at_risk``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

PROJECTION_PLACES = Decimal("0.0001")


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class MeasureStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    MISSED = "missed"


@dataclass(frozen=True)
class Measure:
    name: str
    direction: Direction
    target: Decimal
    weight: Decimal
    period_start: date
    period_end: date

    def meets_target(self, value: Decimal) -> bool:
        if self.direction is Direction.HIGHER_IS_BETTER:
            return value >= self.target
        return value <= self.target


@dataclass(frozen=True)
class MeasureReading:
    """The measure's value to date, as recorded on ``recorded_on``."""

    recorded_on: date
    value: Decimal


@dataclass(frozen=True)
class MeasureEvaluation:
    measure: Measure
    status: MeasureStatus
    latest: Decimal | None
    projected: Decimal | None
    reason: str


def project_to(readings: Sequence[MeasureReading], day: date) -> Decimal:
    """Least-squares line through the readings, evaluated at ``day`` (flat for one reading)."""
    xs = [Decimal(r.recorded_on.toordinal()) for r in readings]
    ys = [r.value for r in readings]
    mean_x = sum(xs, Decimal(0)) / len(xs)
    mean_y = sum(ys, Decimal(0)) / len(ys)
    spread = sum(((x - mean_x) ** 2 for x in xs), Decimal(0))
    if spread == 0:
        return ys[-1].quantize(PROJECTION_PLACES)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    projected = mean_y + slope * (Decimal(day.toordinal()) - mean_x)
    return projected.quantize(PROJECTION_PLACES)


def evaluate_measure(measure: Measure, readings: Iterable[MeasureReading], as_of: date) -> MeasureEvaluation:
    """Status of ``measure`` on ``as_of`` from the readings recorded in its period so far."""
    known = sorted(
        (r for r in readings if measure.period_start <= r.recorded_on <= min(as_of, measure.period_end)),
        key=lambda r: r.recorded_on,
    )
    ended = as_of > measure.period_end
    if not known:
        status = MeasureStatus.MISSED if ended else MeasureStatus.AT_RISK
        return MeasureEvaluation(measure, status, None, None, "no values recorded")
    latest = known[-1].value
    if ended:
        return _final(measure, latest)
    projected = project_to(known, measure.period_end)
    return _in_progress(measure, latest, projected)


def _final(measure: Measure, final: Decimal) -> MeasureEvaluation:
    if measure.meets_target(final):
        reason = f"final {final} met target {measure.target}"
        return MeasureEvaluation(measure, MeasureStatus.ON_TRACK, final, final, reason)
    reason = f"final {final} missed target {measure.target}"
    return MeasureEvaluation(measure, MeasureStatus.MISSED, final, final, reason)


def _in_progress(measure: Measure, latest: Decimal, projected: Decimal) -> MeasureEvaluation:
    target, end = measure.target, measure.period_end
    if not measure.meets_target(projected):
        reason = f"on course to miss: projected {projected} at {end} vs target {target}"
        status = MeasureStatus.AT_RISK
    elif not measure.meets_target(latest):
        reason = f"currently {latest} vs target {target}, trending to {projected} at {end}"
        status = MeasureStatus.AT_RISK
    else:
        reason = f"currently {latest}, projected {projected} at {end}, target {target}"
        status = MeasureStatus.ON_TRACK
    return MeasureEvaluation(measure, status, latest, projected, reason)


def weighted_share(evaluations: Iterable[MeasureEvaluation], status: MeasureStatus) -> Decimal:
    """The share of total measure weight in ``status`` (e.g. how much of the scorecard is on track)."""
    listed = list(evaluations)
    total = sum((e.measure.weight for e in listed), Decimal(0))
    if total == 0:
        return Decimal(0)
    in_status = sum((e.measure.weight for e in listed if e.status is status), Decimal(0))
    return in_status / total
