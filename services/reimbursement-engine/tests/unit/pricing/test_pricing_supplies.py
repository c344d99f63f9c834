"""CLFS 2026 Q1 and DMEPOS / PEN January 2026 per-code amounts (rows in data/cms), and which
schedule a % of Medicare term without a basis means for a line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from reimbursement_engine.domain.pricing import Gpci, LocalityKey, MedicareYear
from schedule_builders import line, price, reference

D = Decimal
ON = date(2026, 2, 9)
TEXAS = LocalityKey("04412", "99")
YEAR_2026 = MedicareYear(2026, {}, {TEXAS: Gpci(TEXAS, "REST OF TEXAS", "TX", D(1), D(1), D(1))})
MEDICARE = reference(years={2026: YEAR_2026})


@pytest.mark.parametrize(
    ("code", "modifiers", "expected", "source"),
    [
        ("80053", (), "10.56", "CLFS 2026 Q1 80053: $10.56"),
        ("85025", ("QW",), "7.77", "CLFS 2026 Q1 85025-QW: $7.77"),
        ("36415", (), "9.34", "CLFS 2026 Q1 36415: $9.34"),
    ],
)
def test_clfs_rate(code: str, modifiers: tuple[str, ...], expected: str, source: str) -> None:
    priced = price([line(1, code, ON, *modifiers, pos="81")], "CLFS", MEDICARE)
    assert priced.lines[0].expected_allowed == D(expected)
    assert source in priced.explain()


@pytest.mark.parametrize(
    ("code", "modifiers", "expected", "source"),
    [
        ("E0601", ("RR",), "50.91", "DMEPOS January 2026 E0601-RR TX (NR): $50.91"),
        ("E0114", ("NU",), "58.68", "DMEPOS January 2026 E0114-NU TX (NR): $58.68"),  # ceiling 67.26
        ("B4034", (), "3.87", "DMEPOS January 2026 B4034 TX (NR): $3.87"),  # the PEN file
    ],
)
def test_dmepos_by_state(code: str, modifiers: tuple[str, ...], expected: str, source: str) -> None:
    priced = price([line(1, code, ON, *modifiers, pos="12")], "DMEPOS", MEDICARE, medicare_locality=TEXAS)
    assert priced.lines[0].expected_allowed == D(expected)
    assert source in priced.explain()


@pytest.mark.parametrize(
    ("code", "pos", "claim", "basis"),
    [
        ("45378", "24", {"facility_claim": True}, "ASC"),
        ("45378", None, {"type_of_bill": "0131"}, "OPPS"),
        ("45378", None, {"type_of_bill": "0831"}, "ASC"),
        ("80053", "11", {}, "CLFS"),
        ("E0601", "12", {"medicare_locality": TEXAS}, "DMEPOS"),
    ],
)
def test_the_schedule_by_setting_when_the_term_names_none(
    code: str, pos: str | None, claim: dict[str, object], basis: str
) -> None:
    on = date(2025, 3, 14) if basis in ("ASC", "OPPS") else ON
    priced = price([line(1, code, on, pos=pos)], None, MEDICARE, **claim)
    assert f"medicare schedule: Medicare {basis} (" in priced.explain()
