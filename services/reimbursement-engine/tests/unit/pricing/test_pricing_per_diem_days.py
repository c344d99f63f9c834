"""Per diem days against the stay: units of the room-and-board lines vs discharge - admission.

Med/surg $2,100.00 a day, ICU $4,500.00 a day. A stay 2025-03-10 to 2025-03-15 is 5 days (the
discharge day is not counted). 3 med/surg + 2 ICU days = 5: no note; 3 + 3 = 6: noted, and the
amount is still what was billed (6,300.00 + 13,500.00 = 19,800.00) for the analyst to judge.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pricing_builders import claim, contract, price, rev, revenue
from reimbursement_engine.domain.pricing import LevelOfCare, PaymentTerm, PerDiem, StepKind, codes

D = Decimal
PER_DIEM = PerDiem(
    (
        LevelOfCare("med/surg", codes("0110-0179"), D("2100.00")),
        LevelOfCare("ICU", codes("0200-0209"), D("4500.00")),
    )
)
TERMS = contract(PaymentTerm("inpatient days", revenue("room and board", "0100-0219"), PER_DIEM))
ADMIT, DISCHARGE = date(2025, 3, 10), date(2025, 3, 15)


@pytest.mark.parametrize(
    ("icu_days", "admitted", "discharged", "total", "note"),
    [
        ("2", ADMIT, DISCHARGE, "15300.00", None),  # 3 + 2 = 5 days
        (
            "3",
            ADMIT,
            DISCHARGE,
            "19800.00",
            "per diem days billed 6 (units of 2 room-and-board line(s)) != 5 day(s) "
            "from admission 2025-03-10 to discharge 2025-03-15",
        ),
        ("3", None, DISCHARGE, "19800.00", None),  # no admission date: nothing to check
    ],
)
def test_per_diem_days_are_checked_against_the_stay(
    icu_days: str, admitted: date | None, discharged: date, total: str, note: str | None
) -> None:
    c = claim(
        rev("0120", "9000", units="3"),
        rev("0200", "12000", units=icu_days),
        pos=None,
        admission_date=admitted,
        discharge_date=discharged,
    )
    priced = price(c, TERMS)
    assert priced.expected_allowed == D(total)
    checks = [s.text for ln in priced.lines for s in ln.steps if s.kind is StepKind.CHECK]
    assert checks == ([note] if note else [])
    assert priced.flags == ((f"line 1 0120: {note}",) if note else ())
    if note:
        assert note in priced.explain()


def test_a_same_day_stay_is_one_day() -> None:
    c = claim(rev("0120", "2100", units="1"), pos=None, admission_date=ADMIT, discharge_date=ADMIT)
    assert price(c, TERMS).flags == ()
