"""KPI measures a contract version defines: defined, updated in place, retired and restored."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from obligation_tracker.domain import (
    ContractMeasure,
    Direction,
    Measure,
    MeasureKey,
    MeasurePlan,
    plan_contract_measures,
    retire_contract_measures,
)

D = Decimal
READMISSIONS = Measure(
    name="30-day readmission rate",
    direction=Direction.LOWER_IS_BETTER,
    target=D("15.5"),
    weight=D("50"),
    period_start=date(2026, 1, 1),
    period_end=date(2026, 12, 31),
)
HBA1C = Measure(
    name="HbA1c control",
    direction=Direction.HIGHER_IS_BETTER,
    target=D("70"),
    weight=D("30"),
    period_start=date(2026, 1, 1),
    period_end=date(2026, 12, 31),
)
SCREENING = Measure(
    name="Colorectal cancer screening",
    direction=Direction.HIGHER_IS_BETTER,
    target=D("65"),
    weight=D("20"),
    period_start=date(2026, 1, 1),
    period_end=date(2026, 12, 31),
)
HBA1C_2027 = replace(HBA1C, period_start=date(2027, 1, 1), period_end=date(2027, 12, 31))


def held(*measures: Measure, retired: str | None = None) -> list[ContractMeasure]:
    return [ContractMeasure(m, retired) for m in measures]


def summary(plan: MeasurePlan) -> dict[str, list[tuple[str, date, str]]]:
    """Each group of the plan as (name, period start, reason)."""
    groups = {
        "define": plan.to_define,
        "update": plan.to_update,
        "restore": plan.to_restore,
        "retire": plan.to_retire,
    }
    return {
        group: [(c.key.name, c.key.period_start, c.reason) for c in changes]
        for group, changes in groups.items()
        if changes
    }


JAN_1 = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("stored", "terms", "version", "expected"),
    [
        pytest.param(
            [],
            [READMISSIONS, HBA1C],
            1,
            {
                "define": [
                    (
                        "30-day readmission rate",
                        JAN_1,
                        "defined by contract version 1: target 15.5 (lower is better), weight 50,"
                        " 2026-01-01 to 2026-12-31",
                    ),
                    (
                        "HbA1c control",
                        JAN_1,
                        "defined by contract version 1: target 70 (higher is better), weight 30,"
                        " 2026-01-01 to 2026-12-31",
                    ),
                ]
            },
            id="a first version defines its measures",
        ),
        pytest.param(held(READMISSIONS, HBA1C), [READMISSIONS, HBA1C], 2, {}, id="unchanged terms: nothing"),
        pytest.param(
            held(READMISSIONS, HBA1C),
            [READMISSIONS, replace(HBA1C, target=D("70.00"))],
            2,
            {},
            id="the same target spelled with more places is no change",
        ),
        pytest.param(
            held(READMISSIONS, HBA1C),
            [READMISSIONS, replace(HBA1C, target=D("75"))],
            2,
            {"update": [("HbA1c control", JAN_1, "contract version 2 changed target 70 -> 75")]},
            id="a new target updates the measure in place",
        ),
        pytest.param(
            held(READMISSIONS),
            [replace(READMISSIONS, weight=D("40"), period_end=date(2027, 3, 31))],
            3,
            {
                "update": [
                    (
                        "30-day readmission rate",
                        JAN_1,
                        "contract version 3 changed weight 50 -> 40; period end 2026-12-31 -> 2027-03-31",
                    )
                ]
            },
            id="weight and period end change together",
        ),
        pytest.param(
            held(HBA1C),
            [replace(HBA1C, direction=Direction.LOWER_IS_BETTER)],
            2,
            {
                "update": [
                    (
                        "HbA1c control",
                        JAN_1,
                        "contract version 2 changed direction higher_is_better -> lower_is_better",
                    )
                ]
            },
            id="a reversed direction is a change",
        ),
        pytest.param(
            held(READMISSIONS, HBA1C, SCREENING),
            [READMISSIONS, HBA1C],
            4,
            {"retire": [("Colorectal cancer screening", JAN_1, "no longer in contract version 4")]},
            id="a term that disappears retires its measure",
        ),
        pytest.param(
            held(READMISSIONS, HBA1C),
            [],
            5,
            {
                "retire": [
                    ("30-day readmission rate", JAN_1, "no longer in contract version 5"),
                    ("HbA1c control", JAN_1, "no longer in contract version 5"),
                ]
            },
            id="a version without value-based terms retires them all",
        ),
        pytest.param(
            held(SCREENING, retired="no longer in contract version 4"), [], 5, {}, id="retired stays retired"
        ),
        pytest.param(
            held(SCREENING, retired="no longer in contract version 4"),
            [replace(SCREENING, target=D("68"))],
            6,
            {
                "restore": [
                    (
                        "Colorectal cancer screening",
                        JAN_1,
                        "in contract version 6 again: target 68 (higher is better), weight 20,"
                        " 2026-01-01 to 2026-12-31",
                    )
                ]
            },
            id="a term that comes back restores its measure",
        ),
        pytest.param(
            held(HBA1C),
            [HBA1C_2027],
            7,
            {
                "define": [
                    (
                        "HbA1c control",
                        date(2027, 1, 1),
                        "defined by contract version 7: target 70 (higher is better), weight 30,"
                        " 2027-01-01 to 2027-12-31",
                    )
                ],
                "retire": [("HbA1c control", JAN_1, "no longer in contract version 7")],
            },
            id="the next year's period is another measure",
        ),
    ],
)
def test_plan_contract_measures(
    stored: list[ContractMeasure], terms: list[Measure], version: int, expected: dict[str, object]
) -> None:
    assert summary(plan_contract_measures(stored, terms, version)) == expected


def test_an_updated_measure_carries_the_versions_terms() -> None:
    plan = plan_contract_measures(held(HBA1C), [replace(HBA1C, target=D("75"))], 2)
    (update,) = plan.to_update
    assert update.key == MeasureKey("HbA1c control", JAN_1)
    assert update.measure.target == D("75")


@pytest.mark.parametrize(
    ("stored", "retired"),
    [
        (held(READMISSIONS, HBA1C), ["30-day readmission rate", "HbA1c control"]),
        (
            [*held(READMISSIONS), *held(SCREENING, retired="no longer in contract version 4")],
            ["30-day readmission rate"],
        ),
        ([], []),
    ],
)
def test_termination_retires_every_measure_in_force(
    stored: list[ContractMeasure], retired: list[str]
) -> None:
    plan = retire_contract_measures(stored, "contract terminated (version 3)")
    assert [c.key.name for c in plan.to_retire] == retired
    assert {c.reason for c in plan.to_retire} <= {"contract terminated (version 3)"}
    assert not (plan.to_define or plan.to_update or plan.to_restore)
