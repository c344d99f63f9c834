"""Fee schedule lookup: the most specific row in force on the date of service wins."""

from datetime import date
from decimal import Decimal

import pytest
from reimbursement_engine.domain.pricing import CodeSystem, FeeSchedule, FeeScheduleRow, Setting

CPT = CodeSystem.CPT_HCPCS
D = Decimal
ROWS = (
    FeeScheduleRow(CPT, "99213", D("85.00")),
    FeeScheduleRow(CPT, "99213", D("95.00"), place_of_service="11"),
    FeeScheduleRow(CPT, "99213", D("70.00"), setting=Setting.FACILITY),
    FeeScheduleRow(CPT, "71046", D("40.00")),
    FeeScheduleRow(CPT, "71046", D("12.00"), modifiers=("26",)),
    FeeScheduleRow(CPT, "71046", D("28.00"), modifiers=("TC",)),
    FeeScheduleRow(CPT, "20610", D("60.00"), effective_to=date(2024, 12, 31)),
    FeeScheduleRow(CPT, "20610", D("66.00"), effective_from=date(2025, 1, 1)),
    FeeScheduleRow(CodeSystem.REVENUE, "0450", D("310.00")),
)
SCHEDULE = FeeSchedule("commercial 2025", ROWS)


@pytest.mark.parametrize(
    ("code", "modifiers", "pos", "on", "rate", "source"),
    [
        ("99213", (), "11", date(2025, 3, 1), "95.00", "fee schedule row CPT/HCPCS 99213 POS 11"),
        ("99213", ("25",), "11", date(2025, 3, 1), "95.00", "fee schedule row CPT/HCPCS 99213 POS 11"),
        ("99213", (), "22", date(2025, 3, 1), "70.00", "fee schedule row CPT/HCPCS 99213 facility"),
        ("99213", (), "12", date(2025, 3, 1), "85.00", "fee schedule row CPT/HCPCS 99213"),
        ("71046", ("26",), "22", date(2025, 3, 1), "12.00", "fee schedule row CPT/HCPCS 71046-26"),
        ("71046", ("TC",), "11", date(2025, 3, 1), "28.00", "fee schedule row CPT/HCPCS 71046-TC"),
        ("71046", (), "11", date(2025, 3, 1), "40.00", "fee schedule row CPT/HCPCS 71046"),
        (
            "20610",
            (),
            "11",
            date(2024, 12, 31),
            "60.00",
            "fee schedule row CPT/HCPCS 20610 effective 1900-01-01..2024-12-31",
        ),
        (
            "20610",
            (),
            "11",
            date(2025, 1, 1),
            "66.00",
            "fee schedule row CPT/HCPCS 20610 effective 2025-01-01..9999-12-31",
        ),
    ],
)
def test_lookup_picks_the_most_specific_row(
    code: str, modifiers: tuple[str, ...], pos: str, on: date, rate: str, source: str
) -> None:
    setting = Setting.FACILITY if pos == "22" else Setting.NON_FACILITY
    row = SCHEDULE.lookup(CPT, code, modifiers, pos, setting, on)
    assert row is not None
    assert (row.rate, row.source) == (D(rate), source)


@pytest.mark.parametrize(("system", "code"), [(CPT, "99999"), (CodeSystem.REVENUE, "99213"), (CPT, "0450")])
def test_lookup_misses(system: CodeSystem, code: str) -> None:
    assert SCHEDULE.lookup(system, code, (), "11", Setting.NON_FACILITY, date(2025, 3, 1)) is None


def test_len_counts_rows() -> None:
    assert len(SCHEDULE) == len(ROWS)
