"""Fee schedule rows: code formats per system, rates, duplicate keys, content hash, diff."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from contract_registry.domain import (
    BilledCode,
    BillingUnit,
    CodeSystem,
    DuplicateFeeScheduleRow,
    FeeSchedule,
    FieldChange,
    InvalidFeeScheduleRow,
    RateKind,
    Setting,
    diff_fee_schedules,
    fee_schedule_hash,
)
from registry_factories import fee_row

D = Decimal
C = CodeSystem


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (C.CPT, "99213"),  # established patient office visit
        (C.CPT, "0001T"),  # category III
        (C.CPT, "3008F"),  # category II
        (C.CPT, "0001U"),  # proprietary lab analysis
        (C.HCPCS, "J1885"),  # ketorolac injection
        (C.HCPCS, "G0008"),  # flu vaccine administration
        (C.REV, "0450"),  # emergency room
        (C.REV, "0278"),  # implants
        (C.MSDRG, "001"),
        (C.MSDRG, "470"),  # major joint replacement without MCC
        (C.APC, "5012"),  # clinic visit
    ],
)
def test_valid_codes_of_each_system(system: CodeSystem, code: str) -> None:
    assert fee_row(code_system=system, code=code).code == code


@pytest.mark.parametrize(
    ("system", "code", "message"),
    [
        (C.CPT, "9921", "CPT code '9921' is not 4 digits then a digit, F, T or U"),
        (C.CPT, "992131", "CPT code '992131'"),
        (C.CPT, "J1885", "CPT code 'J1885'"),
        (C.HCPCS, "99213", "HCPCS code '99213' is not a letter then 4 digits"),
        (C.HCPCS, "J188", "HCPCS code 'J188'"),
        (C.REV, "450", "REV code '450' is not 4 digits starting with 0"),
        (C.REV, "1450", "REV code '1450'"),
        (C.MSDRG, "000", "MSDRG code '000' is not 3 digits from 001 to 999"),
        (C.MSDRG, "1000", "MSDRG code '1000'"),
        (C.APC, "501", "APC code '501' is not 4 digits"),
    ],
)
def test_invalid_codes_are_refused_naming_the_format(system: CodeSystem, code: str, message: str) -> None:
    with pytest.raises(InvalidFeeScheduleRow, match=re.escape(f"code: {message}")):
        fee_row(code_system=system, code=code)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": D("-88.95")}, "amount", "must not be negative, got -88.95"),
        ({"modifiers": ("2",)}, "modifiers", "modifier '2' is not 2 upper-case letters or digits"),
        ({"modifiers": ("tc",)}, "modifiers", "modifier 'tc'"),
        ({"modifiers": ("26", "26")}, "modifiers", "repeated modifier"),
        ({"place_of_service": "1"}, "place_of_service", "place of service '1' is not a two-digit CMS code"),
        ({"amount": None}, "amount", "required for a amount row"),
        ({"percentage": D("150")}, "percentage", "must be empty for a amount row"),
        (
            {"rate_kind": RateKind.PERCENT_OF_MEDICARE, "amount": None, "percentage": D("5000")},
            "percentage",
            "must be within 0 < p <= 1000%, got 5000%",
        ),
        (
            {"rate_kind": RateKind.PERCENT_OF_CHARGES, "amount": None, "percentage": D("0")},
            "percentage",
            "must be within 0 < p <= 1000%, got 0%",
        ),
        ({"rate_kind": RateKind.PER_DIEM}, "unit", "a per_diem row is paid per day"),
        ({"rate_kind": RateKind.CASE_RATE}, "unit", "a case_rate row is paid per case"),
        (
            {"effective_to": date(2024, 12, 31)},
            "effective_to",
            "2024-12-31 is before effective_from 2025-01-01",
        ),
        ({"amount": D("NaN")}, "amount", "must be a finite number"),
        ({"amount": 88.95}, "amount", "must be a Decimal, got float"),
    ],
)
def test_row_rules_name_the_field(overrides: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(InvalidFeeScheduleRow, match=re.escape(f"{field}: {message}")) as refused:
        fee_row(**overrides)
    assert refused.value.field == field


@pytest.mark.parametrize(
    "overrides",
    [
        {"rate_kind": RateKind.PERCENT_OF_MEDICARE, "amount": None, "percentage": D("1000")},
        {"rate_kind": RateKind.PERCENT_OF_CHARGES, "amount": None, "percentage": D("40.5")},
        {"rate_kind": RateKind.PER_DIEM, "unit": BillingUnit.DAY, "code_system": C.REV, "code": "0120"},
        {"rate_kind": RateKind.CASE_RATE, "unit": BillingUnit.CASE, "code_system": C.MSDRG, "code": "470"},
        {"amount": D("0")},  # a zero rate (bundled service) is a rate
    ],
)
def test_rows_the_rules_accept(overrides: dict[str, Any]) -> None:
    fee_row(**overrides)


def test_a_schedule_refuses_duplicate_keys() -> None:
    with pytest.raises(DuplicateFeeScheduleRow, match="duplicate row CPT 99213 from 2025-01-01"):
        FeeSchedule((fee_row(), fee_row(amount=D("92.00"))))


def test_a_schedule_refuses_overlapping_dates_for_the_same_code() -> None:
    first = fee_row(effective_to=date(2025, 6, 30))
    overlapping = fee_row(effective_from=date(2025, 6, 1), amount=D("92.00"))
    with pytest.raises(
        DuplicateFeeScheduleRow,
        match="CPT 99213 from 2025-06-01 overlaps the rate in force 2025-01-01 to 2025-06-30",
    ):
        FeeSchedule((first, overlapping))


def test_same_code_differing_by_modifier_place_or_setting_are_distinct_rows() -> None:
    schedule = FeeSchedule(
        (
            fee_row(effective_to=date(2025, 12, 31)),
            fee_row(modifiers=("25",)),
            fee_row(place_of_service="11"),
            fee_row(setting=Setting.FACILITY, amount=D("63.72")),
            fee_row(effective_from=date(2026, 1, 1), amount=D("91.62")),
        )
    )
    assert len(schedule.rows_for(BilledCode(C.CPT, "99213"), date(2025, 3, 1))) == 4
    in_2026 = schedule.rows_for(BilledCode(C.CPT, "99213"), date(2026, 3, 1))
    assert len(in_2026) == 4
    assert fee_row(effective_to=date(2025, 12, 31)) not in in_2026


ROWS = (
    fee_row(),
    fee_row(code="99214", amount=D("125.00")),
    fee_row(code_system=C.HCPCS, code="J1885", amount=D("2.18")),
)


def test_the_content_hash_ignores_row_order_and_decimal_spelling() -> None:
    shuffled = (ROWS[2], ROWS[0], replace(ROWS[1], amount=D("125.0")))
    assert fee_schedule_hash(ROWS) == fee_schedule_hash(shuffled)
    assert re.fullmatch(r"[0-9a-f]{64}", fee_schedule_hash(ROWS))


@pytest.mark.parametrize(
    "changed",
    [
        replace(ROWS[0], amount=D("88.96")),
        replace(ROWS[0], modifiers=("25",)),
        replace(ROWS[0], effective_to=date(2025, 12, 31)),
        replace(ROWS[0], place_of_service="11"),
    ],
)
def test_the_content_hash_changes_when_any_rate_changes(changed: Any) -> None:
    assert fee_schedule_hash((changed, *ROWS[1:])) != fee_schedule_hash(ROWS)


def test_the_schedule_reference_carries_hash_and_row_count() -> None:
    reference = FeeSchedule(ROWS).reference("commercial-2025")
    assert (reference.schedule_id, reference.row_count) == ("commercial-2025", 3)
    assert reference.content_hash == fee_schedule_hash(ROWS)


def test_diff_of_two_schedules_lists_added_removed_and_changed_rows() -> None:
    old = (fee_row(), fee_row(code="99214", amount=D("125.00")), fee_row(code="99215", amount=D("176.00")))
    new = (
        fee_row(amount=D("91.62")),  # 3% escalator
        fee_row(code="99214", amount=D("125.00")),
        fee_row(code="99212", amount=D("55.00")),
    )
    diff = diff_fee_schedules(old, new)
    assert [row.code for row in diff.added] == ["99212"]
    assert [row.code for row in diff.removed] == ["99215"]
    [change] = diff.changed
    assert change.changes == (FieldChange("amount", "88.95", "91.62"),)
    assert str(change) == "CPT 99213 from 2025-01-01: amount: 88.95 -> 91.62"
    assert diff_fee_schedules(old, reversed(old)).unchanged
