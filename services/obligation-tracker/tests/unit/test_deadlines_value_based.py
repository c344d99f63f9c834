"""Value-based measures: on track, at risk (on course to miss), missed."""

from datetime import date
from decimal import Decimal

import pytest
from obligation_tracker.domain import (
    Direction,
    Measure,
    MeasureEvaluation,
    MeasureReading,
    MeasureStatus,
    evaluate_measure,
    weighted_share,
)

D = Decimal
ON_TRACK, AT_RISK, MISSED = MeasureStatus.ON_TRACK, MeasureStatus.AT_RISK, MeasureStatus.MISSED

READMISSIONS = Measure(
    name="30-day all-cause readmission rate (%)",
    direction=Direction.LOWER_IS_BETTER,
    target=D("15.0"),
    weight=D("0.4"),
    period_start=date(2025, 1, 1),
    period_end=date(2025, 12, 31),
)
HBA1C_CONTROL = Measure(
    name="Diabetes HbA1c < 8% (%)",
    direction=Direction.HIGHER_IS_BETTER,
    target=D("70"),
    weight=D("0.6"),
    period_start=date(2025, 1, 1),
    period_end=date(2025, 12, 31),
)
MID_YEAR = date(2025, 7, 15)


def readings(*points: tuple[date, str]) -> list[MeasureReading]:
    return [MeasureReading(day, D(value)) for day, value in points]


@pytest.mark.parametrize(
    ("measure", "recorded", "as_of", "status", "projected", "reason_start"),
    [
        # Exact line: 10 on Jan 1, 12 on Jul 2 (day 182) reaches 14 on Dec 31 (day 364).
        (
            READMISSIONS,
            readings((date(2025, 1, 1), "10"), (date(2025, 7, 2), "12")),
            MID_YEAR,
            ON_TRACK,
            "14.0000",
            "currently 12",
        ),
        (
            READMISSIONS,
            readings((date(2025, 2, 1), "12.0"), (date(2025, 4, 1), "13.0"), (date(2025, 6, 1), "14.0")),
            MID_YEAR,
            AT_RISK,
            None,
            "on course to miss",
        ),
        (
            READMISSIONS,
            readings((date(2025, 2, 1), "18.0"), (date(2025, 4, 1), "16.0"), (date(2025, 6, 1), "14.0")),
            MID_YEAR,
            ON_TRACK,
            None,
            "currently 14.0",
        ),
        (
            READMISSIONS,
            readings((date(2025, 3, 1), "20"), (date(2025, 6, 1), "16")),
            MID_YEAR,
            AT_RISK,
            None,
            "currently 16 vs target",
        ),
        (READMISSIONS, readings((date(2025, 6, 1), "14.2")), MID_YEAR, ON_TRACK, "14.2000", "currently 14.2"),
        (
            READMISSIONS,
            readings((date(2025, 6, 1), "15.1")),
            MID_YEAR,
            AT_RISK,
            "15.1000",
            "on course to miss",
        ),
        (READMISSIONS, [], MID_YEAR, AT_RISK, None, "no values recorded"),
        (
            READMISSIONS,
            readings((date(2025, 12, 1), "14.5")),
            date(2026, 1, 15),
            ON_TRACK,
            "14.5",
            "final 14.5 met",
        ),
        (
            READMISSIONS,
            readings((date(2025, 12, 1), "15.5")),
            date(2026, 1, 15),
            MISSED,
            "15.5",
            "final 15.5 missed",
        ),
        (READMISSIONS, [], date(2026, 1, 15), MISSED, None, "no values recorded"),
        # Readings after as_of or outside the period do not count.
        (
            READMISSIONS,
            readings((date(2024, 12, 1), "30"), (date(2025, 6, 1), "14"), (date(2025, 8, 1), "30")),
            MID_YEAR,
            ON_TRACK,
            "14.0000",
            "currently 14",
        ),
        (
            HBA1C_CONTROL,
            readings((date(2025, 2, 1), "65"), (date(2025, 4, 1), "68"), (date(2025, 6, 1), "71")),
            MID_YEAR,
            ON_TRACK,
            None,
            "currently 71",
        ),
        (
            HBA1C_CONTROL,
            readings((date(2025, 2, 1), "75"), (date(2025, 4, 1), "73"), (date(2025, 6, 1), "71")),
            MID_YEAR,
            AT_RISK,
            None,
            "on course to miss",
        ),
    ],
)
def test_evaluate_measure(
    measure: Measure,
    recorded: list[MeasureReading],
    as_of: date,
    status: MeasureStatus,
    projected: str | None,
    reason_start: str,
) -> None:
    evaluation = evaluate_measure(measure, recorded, as_of)
    assert evaluation.status is status
    if projected is not None:
        assert evaluation.projected == D(projected)
    assert evaluation.reason.startswith(reason_start)


def test_weighted_share_of_the_scorecard() -> None:
    on_track = MeasureEvaluation(HBA1C_CONTROL, ON_TRACK, D("71"), D("75"), "")
    at_risk = MeasureEvaluation(READMISSIONS, AT_RISK, D("14"), D("16"), "")
    assert weighted_share([on_track, at_risk], ON_TRACK) == D("0.6")
    assert weighted_share([on_track, at_risk], AT_RISK) == D("0.4")
    assert weighted_share([], ON_TRACK) == D(0)
