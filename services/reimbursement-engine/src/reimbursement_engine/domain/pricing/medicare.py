"""Medicare physician fee schedule (RBRVS) reference data and the CMS payment formula."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from .codes import Setting
from .conversion_factors import (
    ANESTHESIA_CONVERSION_FACTORS,
    CONVERSION_FACTORS,
    ConversionFactorPeriod,
    conversion_factor_for,
)
from .money import fmt_money, to_cents

# Status codes with RVU-based payment under the MPFS (RVU25D layout: A active, R restricted,
# T paid only if no other service that day). Other statuses have no fee schedule amount.
PAYABLE_STATUS_CODES = frozenset({"A", "R", "T"})
# Status J: anesthesia services, paid per anesthesia unit (base + time units) at the locality's
# anesthesia conversion factor (anes<year>.csv), not from RVUs.
ANESTHESIA_STATUS = "J"
# MULT_PROC indicators under which the multiple procedure reduction applies (2 standard, 3 endoscopy).
MPPR_INDICATORS = frozenset({"2", "3"})
# Modifiers that select their own RVU row (professional / technical component, discontinued).
RVU_MODIFIERS = ("26", "TC", "53")
if TYPE_CHECKING:
    from .msdrg import DrgWeightTable

NATIONAL = "national"
_CACHE_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class LocalityKey:
    """A Medicare payment locality: MAC number + locality number, e.g. 01112-54 (Bakersfield)."""

    mac: str
    locality: str

    def __str__(self) -> str:
        return f"{self.mac}-{self.locality}"


@dataclass(frozen=True, slots=True)
class Gpci:
    """Geographic practice cost indices of one locality."""

    locality: LocalityKey
    name: str
    state: str
    work: Decimal
    pe: Decimal
    mp: Decimal
    # the work GPCI before the 1.0 floor, when the file states both (CY2026 Addendum E)
    work_without_floor: Decimal | None = None

    @property
    def floored(self) -> bool:
        """Whether the 1.0 work-GPCI floor raised this locality's work GPCI."""
        return self.work_without_floor is not None and self.work_without_floor != self.work


NATIONAL_GPCI = Gpci(LocalityKey("00000", "00"), NATIONAL, "", Decimal(1), Decimal(1), Decimal(1))


@dataclass(frozen=True, slots=True)
class RvuRow:
    """One HCPCS+modifier row of the PPRRVU file."""

    hcpcs: str
    modifier: str
    status: str
    work: Decimal
    pe_non_facility: Decimal
    pe_facility: Decimal
    mp: Decimal
    mult_proc: str = "0"
    non_facility_na: bool = False
    facility_na: bool = False
    # payment policy indicators (PPRRVU BILAT SURG, ASST SURG, CO SURG); "" when not loaded
    bilat_surg: str = ""
    asst_surg: str = ""
    co_surg: str = ""

    @property
    def payable(self) -> bool:
        return self.status in PAYABLE_STATUS_CODES

    @property
    def mppr_eligible(self) -> bool:
        return self.mult_proc in MPPR_INDICATORS

    def pe(self, setting: Setting) -> Decimal:
        return self.pe_facility if setting is Setting.FACILITY else self.pe_non_facility


def medicare_allowed(rvu: RvuRow, gpci: Gpci, setting: Setting, cf: Decimal) -> Decimal:
    """CMS formula: round_half_up((wRVU*wGPCI + peRVU*peGPCI + mpRVU*mpGPCI) * CF, 2)."""
    total = rvu.work * gpci.work + rvu.pe(setting) * gpci.pe + rvu.mp * gpci.mp
    return to_cents(total * cf)


@dataclass(frozen=True, slots=True)
class OppsCap:
    """The OPPS payment cap of an imaging service in one locality (oppscap<year>_oct.csv): the
    physician fee schedule pays the lesser of its own amount and this (Deficit Reduction Act)."""

    facility: Decimal
    non_facility: Decimal

    def price(self, setting: Setting) -> Decimal:
        return self.facility if setting is Setting.FACILITY else self.non_facility


@dataclass(frozen=True, slots=True)
class MedicareQuote:
    """Medicare allowed for one unit, with what produced it (for the explanation).

    `capped_from` is the fee schedule amount when the OPPS cap paid less; an anesthesia quote
    (status J) is the anesthesia conversion factor, per anesthesia unit."""

    amount: Decimal
    rvu: RvuRow
    gpci: Gpci
    setting: Setting
    cf: ConversionFactorPeriod
    capped_from: Decimal | None = None
    source: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        code = self.rvu.hcpcs + (f"-{self.rvu.modifier}" if self.rvu.modifier else "")
        where = "national" if self.gpci is NATIONAL_GPCI else f"locality {self.gpci.locality}"
        if self.rvu.status == ANESTHESIA_STATUS:
            text = f"Medicare {self.cf.label} anesthesia conversion factor {where} {code} per anesthesia unit"
        else:
            text = f"Medicare {self.cf.label} {where} {code} {self.setting.value}"
            if self.gpci.floored:
                floor = f"{self.gpci.work:.3f} with the 1.0 floor, {self.gpci.work_without_floor:.3f} without"
                text += f" (work GPCI {floor})"
        if self.capped_from is not None:
            text += f" (OPPS cap, below the fee schedule's {fmt_money(self.capped_from)})"
        object.__setattr__(self, "source", text)


@dataclass(frozen=True, slots=True)
class MedicareYear:
    """One release of one calendar year's RVUs and GPCIs, OPPS caps and anesthesia conversion
    factors (as loaded from CMS files; caps and anesthesia factors are optional).

    `release` names it (RVU26C); it supersedes the year's earlier releases from `effective`
    (None: January 1). `conversion_factor` is the one the RVU file states (None: the table's)."""

    year: int
    rvus: Mapping[tuple[str, str], RvuRow]
    gpcis: Mapping[LocalityKey, Gpci]
    opps_caps: Mapping[tuple[str, str, LocalityKey], OppsCap] = field(default_factory=dict)
    anesthesia_cfs: Mapping[LocalityKey, Decimal] = field(default_factory=dict)
    anesthesia_national_cf: Decimal | None = None
    release: str = ""
    effective: date | None = None
    conversion_factor: Decimal | None = None

    @property
    def effective_on(self) -> date:
        return self.effective or date(self.year, 1, 1)

    @property
    def label(self) -> str:
        return f"CY{self.year} {self.release}" if self.release else f"CY{self.year}"

    def rvu_for(self, hcpcs: str, modifiers: tuple[str, ...]) -> RvuRow | None:
        """The row for a code, preferring a component row (26/TC/53) when the line carries one."""
        for modifier in modifiers:
            if modifier in RVU_MODIFIERS:
                row = self.rvus.get((hcpcs, modifier))
                if row is not None:
                    return row
        return self.rvus.get((hcpcs, ""))


@dataclass(frozen=True, slots=True)
class MedicareReference:
    """Medicare reference data by year, with the conversion factors by date of service, and the
    MS-DRG relative weights by federal fiscal year."""

    years: Mapping[int, MedicareYear]
    later_releases: Mapping[int, tuple[MedicareYear, ...]] = field(default_factory=dict)
    conversion_factors: tuple[ConversionFactorPeriod, ...] = CONVERSION_FACTORS
    drg_weights: Mapping[int, DrgWeightTable] = field(default_factory=dict)
    _cache: dict[tuple[object, ...], MedicareQuote | str] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def quote(
        self,
        hcpcs: str,
        modifiers: tuple[str, ...],
        locality: LocalityKey | None,
        setting: Setting,
        service_date: date,
    ) -> MedicareQuote | str:
        """Medicare allowed per unit, or the reason there is none (text for the explanation)."""
        key = (hcpcs, modifiers, locality, setting, service_date)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._quote(hcpcs, modifiers, locality, setting, service_date)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = cached
        return cached

    def drg_weight(self, drg: str, discharged: date) -> tuple[Decimal, int] | None:
        """CMS's relative weight for the DRG in the fiscal year of discharge, with that year."""
        fiscal_year = discharged.year + 1 if discharged.month >= 10 else discharged.year
        table = self.drg_weights.get(fiscal_year)
        weight = None if table is None else table.weight(drg)
        return None if weight is None else (weight, fiscal_year)

    def release_on(self, service_date: date) -> MedicareYear | None:
        """The year's release in force on the date: the latest effective on or before it, else
        (a date before every loaded release) the year's earliest release."""
        chosen = self.years.get(service_date.year)
        for later in self.later_releases.get(service_date.year, ()):
            if later.effective_on <= service_date:
                chosen = later
        return chosen

    def mppr_eligible(self, hcpcs: str, modifiers: tuple[str, ...], service_date: date) -> bool:
        """Whether Medicare's MULT_PROC indicator (2 or 3) subjects the code to the reduction."""
        year = self.release_on(service_date)
        rvu = None if year is None else year.rvu_for(hcpcs, modifiers)
        return rvu is not None and rvu.mppr_eligible

    def _quote(
        self,
        hcpcs: str,
        modifiers: tuple[str, ...],
        locality: LocalityKey | None,
        setting: Setting,
        service_date: date,
    ) -> MedicareQuote | str:
        year = self.release_on(service_date)
        cf = conversion_factor_for(service_date, self.conversion_factors)
        if year is None or cf is None:
            return f"no Medicare data loaded for CY{service_date.year}"
        if year.release or year.conversion_factor is not None:
            cf = ConversionFactorPeriod(cf.start, cf.end, year.conversion_factor or cf.value, year.label)
        rvu = year.rvu_for(hcpcs, modifiers)
        if rvu is None:
            return f"{hcpcs} is not in the CY{year.year} Medicare fee schedule"
        gpci = NATIONAL_GPCI if locality is None else year.gpcis.get(locality)
        if gpci is None:
            return f"Medicare locality {locality} is not in the CY{year.year} GPCI file"
        if rvu.status == ANESTHESIA_STATUS:
            return _anesthesia_quote(year, rvu, gpci, setting, cf)
        if not rvu.payable:
            return f"{hcpcs} has Medicare status {rvu.status}: no fee schedule amount"
        amount = medicare_allowed(rvu, gpci, setting, cf.value)
        cap = None if locality is None else year.opps_caps.get((rvu.hcpcs, rvu.modifier, locality))
        if cap is not None and cap.price(setting) < amount:
            return MedicareQuote(cap.price(setting), rvu, gpci, setting, cf, capped_from=amount)
        return MedicareQuote(amount, rvu, gpci, setting, cf)


def _anesthesia_quote(
    year: MedicareYear, rvu: RvuRow, gpci: Gpci, setting: Setting, cf: ConversionFactorPeriod
) -> MedicareQuote | str:
    """An anesthesia service: the locality's anesthesia conversion factor per unit (the claim
    line's units are anesthesia units, base plus time, as anesthesia claims bill them)."""
    if gpci is NATIONAL_GPCI:
        factor = year.anesthesia_national_cf or ANESTHESIA_CONVERSION_FACTORS.get(year.year)
    else:
        factor = year.anesthesia_cfs.get(gpci.locality)
    if factor is None:
        where = "national" if gpci is NATIONAL_GPCI else f"locality {gpci.locality}"
        return f"no CY{year.year} Medicare anesthesia conversion factor loaded ({where})"
    return MedicareQuote(factor, rvu, gpci, setting, cf)
