"""The Medicare physician fee schedule conversion factors by date of service (CMS final rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class ConversionFactorPeriod:
    """A conversion factor in force from `start` to `end` (inclusive)."""

    start: date
    end: date
    value: Decimal
    label: str


# domain.md, Medicare facts. CY2026 has two factors (MACRA): 33.4009 for clinicians who are not
# qualifying APM participants and 33.5675 for those who are. The table holds the non-qualifying one:
# it is the factor of PPRRVU2026_Jul_nonQPP.csv and the one CMS's national figures reproduce
# (99213 non-facility 2.85 RVU x 33.4009 = $95.19).
CONVERSION_FACTORS: tuple[ConversionFactorPeriod, ...] = (
    ConversionFactorPeriod(date(2023, 1, 1), date(2023, 12, 31), Decimal("33.8872"), "CY2023"),
    ConversionFactorPeriod(date(2024, 1, 1), date(2024, 3, 8), Decimal("32.7442"), "CY2024"),
    ConversionFactorPeriod(date(2024, 3, 9), date(2024, 12, 31), Decimal("33.2875"), "CY2024"),
    ConversionFactorPeriod(date(2025, 1, 1), date(2025, 12, 31), Decimal("32.3465"), "CY2025"),
    ConversionFactorPeriod(date(2026, 1, 1), date(2026, 12, 31), Decimal("33.4009"), "CY2026"),
)
ANESTHESIA_CONVERSION_FACTORS = {2025: Decimal("20.3178")}
QUALIFYING_APM_CONVERSION_FACTORS = {2026: Decimal("33.5675")}


def conversion_factor_for(
    service_date: date, periods: tuple[ConversionFactorPeriod, ...] = CONVERSION_FACTORS
) -> ConversionFactorPeriod | None:
    """The MPFS conversion factor in force on a date of service (None when unknown)."""
    for period in periods:
        if period.start <= service_date <= period.end:
            return period
    return None
