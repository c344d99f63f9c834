"""Claim input: what the 837 or the billing system says was billed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .codes import CodeSystem
from .medicare import LocalityKey


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One service line. `code_system` says which code prices it (CPT/HCPCS or revenue code)."""

    line_number: int
    code: str
    units: Decimal
    charge: Decimal
    service_date: date
    code_system: CodeSystem = CodeSystem.CPT_HCPCS
    modifiers: tuple[str, ...] = ()
    revenue_code: str | None = None
    place_of_service: str | None = None
    invoice_cost: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Residence:
    """Where the beneficiary lives, by CMS's ZIP5 file: state and RURAL IND ("" urban, "R" rural,
    "B" super rural; None when the ZIP was loaded before the engine kept the indicator)."""

    zip_code: str
    state: str
    rural_indicator: str | None

    @property
    def rural(self) -> bool:
        return self.rural_indicator in ("R", "B")


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim to price. `place_of_service` applies to lines that do not carry their own."""

    patient_control_number: str
    payer_id: str
    service_from: date
    service_to: date
    lines: tuple[ClaimLine, ...]
    place_of_service: str | None = None
    type_of_bill: str | None = None
    drg: str | None = None
    admission_date: date | None = None
    discharge_date: date | None = None
    medicare_locality: LocalityKey | None = None
    # where the service was rendered (the organisation's location): below a term's own locality
    site_locality: LocalityKey | None = None
    # the location's CBSA (ASC / OPPS wage index); a facility's claim (institutional, or billed by
    # a location with a CBSA): POS 24 on it means the ASC schedule
    site_cbsa: str | None = None
    facility_claim: bool = False
    # the beneficiary's residence ZIP (5 digits; JSON beneficiary_zip, 837 loop 2010CA / 2010BA N403)
    # and what CMS's ZIP5 file says of it (None: not given, or not in the file): DMEPOS state and
    # rural / non-rural amount
    beneficiary_zip: str | None = None
    residence: Residence | None = None

    @property
    def total_charges(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal(0))

    @property
    def lines_without_place(self) -> tuple[int, ...]:
        """Lines with no place of service of their own or on the claim (facility or non-facility
        cannot be told for a professional claim)."""
        if self.place_of_service:
            return ()
        return tuple(line.line_number for line in self.lines if not line.place_of_service)
