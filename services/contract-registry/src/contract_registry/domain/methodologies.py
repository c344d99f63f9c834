"""Payment methodologies: how a payment term computes what the payer owes for what it covers.

Percentages are whole numbers (120 = 120% of Medicare); money is Decimal dollars.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .errors import InvalidPaymentTerm
from .validation import require_money, require_percent


@dataclass(frozen=True, slots=True)
class FeeScheduleTerm:
    """Rate x units from the contract's fee schedule (optionally a named schedule)."""

    schedule_id: str | None = None


@dataclass(frozen=True, slots=True)
class PercentOfMedicareTerm:
    """percent x Medicare allowed; `basis_year` fixes the Medicare year (None: year of service);
    `basis` names the Medicare schedule (None: the claim's setting decides, as before)."""

    percent: Decimal
    basis_year: int | None = None
    basis: str | None = None

    def __post_init__(self) -> None:
        require_percent(InvalidPaymentTerm, "PercentOfMedicareTerm.percent", self.percent)
        if self.basis_year is not None and not 1992 <= self.basis_year <= 2100:
            raise InvalidPaymentTerm(
                "PercentOfMedicareTerm.basis_year",
                f"{self.basis_year} is not a Medicare fee schedule year (RBRVS began in 1992)",
            )
        if self.basis is not None and self.basis not in MEDICARE_BASES:
            raise InvalidPaymentTerm(
                "PercentOfMedicareTerm.basis",
                f"{self.basis!r} is not a Medicare schedule ({', '.join(MEDICARE_BASES)})",
            )


# Medicare schedules a % of Medicare term can name: physician fee schedule, ambulatory surgery
# center, hospital outpatient (APC), clinical laboratory, durable medical equipment and supplies
MEDICARE_BASES = ("PFS", "ASC", "OPPS", "CLFS", "DMEPOS")


@dataclass(frozen=True, slots=True)
class PercentOfChargesTerm:
    """percent x billed charges."""

    percent: Decimal

    def __post_init__(self) -> None:
        require_percent(InvalidPaymentTerm, "PercentOfChargesTerm.percent", self.percent)


@dataclass(frozen=True, slots=True)
class LevelOfCareRate:
    """A daily rate for one level of care (med/surg, ICU, NICU, rehab ...)."""

    level_of_care: str
    rate: Decimal


@dataclass(frozen=True, slots=True)
class PerDiemTerm:
    """Rate x days, by level of care."""

    rates: tuple[LevelOfCareRate, ...]

    def __post_init__(self) -> None:
        if not self.rates:
            raise InvalidPaymentTerm("PerDiemTerm.rates", "at least one level of care is required")
        levels = [rate.level_of_care for rate in self.rates]
        for rate in self.rates:
            field = f"PerDiemTerm.rates[{rate.level_of_care}]"
            if not rate.level_of_care.strip():
                raise InvalidPaymentTerm(field, "the level of care needs a name")
            if levels.count(rate.level_of_care) > 1:
                raise InvalidPaymentTerm(field, "level of care listed twice")
            require_money(InvalidPaymentTerm, field, rate.rate)


@dataclass(frozen=True, slots=True)
class CaseRateTerm:
    """A flat amount per case or bundle, whatever the lines."""

    rate: Decimal

    def __post_init__(self) -> None:
        require_money(InvalidPaymentTerm, "CaseRateTerm.rate", self.rate)


@dataclass(frozen=True, slots=True)
class MsDrgTerm:
    """DRG relative weight x base rate; above the outlier threshold, outlier percent of the excess."""

    base_rate: Decimal
    outlier_threshold: Decimal | None = None
    outlier_percent: Decimal | None = None

    def __post_init__(self) -> None:
        require_money(InvalidPaymentTerm, "MsDrgTerm.base_rate", self.base_rate)
        if (self.outlier_threshold is None) != (self.outlier_percent is None):
            raise InvalidPaymentTerm("MsDrgTerm.outlier_percent", "outlier threshold and percent go together")
        if self.outlier_threshold is not None:
            require_money(InvalidPaymentTerm, "MsDrgTerm.outlier_threshold", self.outlier_threshold)
        if self.outlier_percent is not None:
            require_percent(InvalidPaymentTerm, "MsDrgTerm.outlier_percent", self.outlier_percent)


@dataclass(frozen=True, slots=True)
class CapitationTerm:
    """Per member per month; paid on member months, not per claim."""

    pmpm: Decimal

    def __post_init__(self) -> None:
        require_money(InvalidPaymentTerm, "CapitationTerm.pmpm", self.pmpm)


@dataclass(frozen=True, slots=True)
class InvoiceCostTerm:
    """Invoice cost plus a markup percent (implants, high-cost drugs); 0 means at cost."""

    markup_percent: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if self.markup_percent != 0:
            require_percent(InvalidPaymentTerm, "InvoiceCostTerm.markup_percent", self.markup_percent)


Methodology = (
    FeeScheduleTerm
    | PercentOfMedicareTerm
    | PercentOfChargesTerm
    | PerDiemTerm
    | CaseRateTerm
    | MsDrgTerm
    | CapitationTerm
    | InvoiceCostTerm
)

METHODOLOGY_KINDS: dict[str, type[Methodology]] = {
    "fee_schedule": FeeScheduleTerm,
    "percent_of_medicare": PercentOfMedicareTerm,
    "percent_of_charges": PercentOfChargesTerm,
    "per_diem": PerDiemTerm,
    "case_rate": CaseRateTerm,
    "ms_drg": MsDrgTerm,
    "capitation": CapitationTerm,
    "invoice_cost": InvoiceCostTerm,
}
"""Stable names used in stored versions and event payloads."""
