"""Medicare formula, conversion factors by date of service, and why a code has no amount."""

from datetime import date
from decimal import Decimal

import pytest
from reimbursement_engine.domain.pricing import (
    Gpci,
    LocalityKey,
    MedicareQuote,
    MedicareReference,
    MedicareYear,
    RvuRow,
    Setting,
    conversion_factor_for,
    medicare_allowed,
    setting_for,
)

D = Decimal
LOC = LocalityKey("01112", "54")
GPCI = Gpci(LOC, "BAKERSFIELD", "CA", D("1.017"), D("1.093"), D("0.662"))
ROW = RvuRow("99213", "", "A", D("1.30"), D("1.35"), D("0.57"), D("0.10"))


@pytest.mark.parametrize(
    ("service_date", "cf", "label"),
    [
        (date(2023, 7, 1), "33.8872", "CY2023"),
        (date(2024, 1, 1), "32.7442", "CY2024"),
        (date(2024, 3, 8), "32.7442", "CY2024"),  # last day before the mid-year change
        (date(2024, 3, 9), "33.2875", "CY2024"),  # Consolidated Appropriations Act 2024
        (date(2025, 12, 31), "32.3465", "CY2025"),
        (date(2026, 1, 1), "33.4009", "CY2026"),
    ],
)
def test_conversion_factor_by_date_of_service(service_date: date, cf: str, label: str) -> None:
    period = conversion_factor_for(service_date)
    assert period is not None
    assert (period.value, period.label) == (D(cf), label)


def test_no_conversion_factor_before_2023() -> None:
    assert conversion_factor_for(date(2022, 12, 31)) is None


@pytest.mark.parametrize(
    ("setting", "cf", "expected"),
    [
        # (1.30*1.017 + 1.35*1.093 + 0.10*0.662) = 2.86385; x 32.3465 = 92.6356...
        (Setting.NON_FACILITY, "32.3465", "92.64"),
        # (1.30*1.017 + 0.57*1.093 + 0.10*0.662) = 2.01131; x 32.3465 = 65.0591...
        (Setting.FACILITY, "32.3465", "65.06"),
        (Setting.NON_FACILITY, "33.2875", "95.33"),  # same RVUs under the 2024 (Mar 9+) CF
    ],
)
def test_medicare_allowed_formula(setting: Setting, cf: str, expected: str) -> None:
    assert medicare_allowed(ROW, GPCI, setting, D(cf)) == D(expected)


@pytest.mark.parametrize(
    ("pos", "setting"),
    [
        ("11", Setting.NON_FACILITY),  # office
        ("22", Setting.FACILITY),  # outpatient hospital
        ("21", Setting.FACILITY),
        ("24", Setting.FACILITY),  # ASC
        ("31", Setting.FACILITY),  # SNF
        ("02", Setting.FACILITY),  # telehealth other than home
        ("10", Setting.NON_FACILITY),  # telehealth in the home
        ("12", Setting.NON_FACILITY),  # home
        ("2", Setting.FACILITY),  # zero-padded
        (None, Setting.FACILITY),  # institutional claim
    ],
)
def test_setting_by_place_of_service(pos: str | None, setting: Setting) -> None:
    assert setting_for(pos) is setting


def _reference() -> MedicareReference:
    rvus = {
        ("99213", ""): ROW,
        ("G0008", ""): RvuRow("G0008", "", "X", D(0), D(0), D(0), D(0)),
    }
    return MedicareReference(years={2025: MedicareYear(2025, rvus, {LOC: GPCI})})


@pytest.mark.parametrize(
    ("code", "locality", "service_date", "reason"),
    [
        ("G0008", LOC, date(2025, 3, 1), "G0008 has Medicare status X: no fee schedule amount"),
        ("99999", LOC, date(2025, 3, 1), "99999 is not in the CY2025 Medicare fee schedule"),
        ("99213", LOC, date(2024, 3, 1), "no Medicare data loaded for CY2024"),
        (
            "99213",
            LocalityKey("99999", "01"),
            date(2025, 3, 1),
            "Medicare locality 99999-01 is not in the CY2025 GPCI file",
        ),
    ],
)
def test_quote_explains_a_missing_amount(
    code: str, locality: LocalityKey, service_date: date, reason: str
) -> None:
    assert _reference().quote(code, (), locality, Setting.FACILITY, service_date) == reason


def test_quote_without_locality_is_national_and_named_so() -> None:
    quote = _reference().quote("99213", (), None, Setting.NON_FACILITY, date(2025, 3, 1))
    assert isinstance(quote, MedicareQuote)
    assert quote.amount == D("88.95")
    assert quote.source == "Medicare CY2025 national 99213 non-facility"
