"""CLFS 2026 Q1 and DMEPOS / PEN January 2026 per-code amounts (rows in data/cms), and which
schedule a % of Medicare term without a basis means for a line."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from reimbursement_engine.domain.pricing import Gpci, LocalityKey, MedicareYear, Residence
from reimbursement_engine.domain.zip5 import parse_zip5
from schedule_builders import CMS, line, price, reference

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


def residences() -> dict[str, Residence]:
    """The beneficiaries' ZIP codes as CMS's ZIP5 file states them (rows in data/cms/zip5)."""
    text = (CMS / "zip5" / "ZIP5_JAN2026.csv").read_text(encoding="utf-8")
    return {
        r.zip_code: Residence(r.zip_code, r.state, r.rural_indicator) for r in parse_zip5(io.StringIO(text))
    }


ZIPS = residences()


# E0601-RR (CPAP rental) on the DMEPOS January 2026 file: TX (NR) 50.91, TX (R) 91.52; OK (NR) 50.91,
# OK (R) 97.02; AR (NR) 51.94, AR (R) 86.69. E0114-NU: TX (NR) 58.68, TX (R) 0 (no rural amount).
# The supplier bills from Rest of Texas (04412-99) in every row: the beneficiary's ZIP decides.
@pytest.mark.parametrize(
    ("code", "modifier", "zip_code", "expected", "area", "source"),
    [
        ("E0601", "RR", "75201", "50.91", "beneficiary ZIP 75201 in TX, urban (RURAL IND blank)", "TX (NR)"),
        ("E0601", "RR", "76801", "91.52", "beneficiary ZIP 76801 in TX, rural (RURAL IND R)", "TX (R)"),
        ("E0601", "RR", "79843", "91.52", "beneficiary ZIP 79843 in TX, super rural (RURAL IND B)", "TX (R)"),
        ("E0601", "RR", "73102", "50.91", "beneficiary ZIP 73102 in OK, urban (RURAL IND blank)", "OK (NR)"),
        ("E0601", "RR", "74401", "97.02", "beneficiary ZIP 74401 in OK, rural (RURAL IND R)", "OK (R)"),
        ("E0601", "RR", "71701", "86.69", "beneficiary ZIP 71701 in AR, rural (RURAL IND R)", "AR (R)"),
        (
            "E0114",
            "NU",
            "76801",
            "58.68",
            "beneficiary ZIP 76801 in TX, rural (RURAL IND R)",
            "TX (NR), the file has no rural amount",
        ),
    ],
)
def test_dmepos_by_the_beneficiary_s_state_and_rural_indicator(
    code: str, modifier: str, zip_code: str, expected: str, area: str, source: str
) -> None:
    priced = price(
        [line(1, code, ON, modifier, pos="12")],
        "DMEPOS",
        MEDICARE,
        medicare_locality=TEXAS,
        beneficiary_zip=zip_code,
        residence=ZIPS[zip_code],
    )
    assert priced.lines[0].expected_allowed == D(expected)
    text = priced.explain()
    assert f"DMEPOS state and rural / non-rural: {area} in CMS's ZIP5 file" in text
    assert f"DMEPOS January 2026 {code}-{modifier} {source}: ${expected}" in text
    assert priced.flags == ()


@pytest.mark.parametrize(
    ("claim", "why"),
    [
        ({}, "no beneficiary ZIP on the claim: state TX of the claim's Medicare locality, non-rural assumed"),
        (
            {"beneficiary_zip": "00601"},
            "beneficiary ZIP 00601 is not in CMS's ZIP5 file: state TX of the claim's Medicare locality, "
            "non-rural assumed",
        ),
        (
            {"beneficiary_zip": "76801", "residence": Residence("76801", "TX", None)},
            "beneficiary ZIP 76801 in TX; its rural indicator is not loaded (reload CMS's ZIP5 file): "
            "non-rural assumed",
        ),
    ],
)
def test_without_the_beneficiary_s_residence_dmepos_takes_the_locality_s_state_non_rural_flagged(
    claim: dict[str, object], why: str
) -> None:
    priced = price(
        [line(1, "E0601", ON, "RR", pos="12")], "DMEPOS", MEDICARE, medicare_locality=TEXAS, **claim
    )
    assert priced.lines[0].expected_allowed == D("50.91")
    assert f"DMEPOS state and rural / non-rural: {why}" in priced.explain()
    assert "DMEPOS January 2026 E0601-RR TX (NR): $50.91" in priced.explain()
    assert priced.flags == (f"line 1 E0601: DMEPOS: {why}",)
