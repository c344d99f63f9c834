"""The 837 claim (005010X222A2 professional, 005010X223A3 institutional) as plain records.

Only what pricing and matching need: no patient or subscriber names, street addresses or birth
dates; the subscriber's member id and the patient's residence ZIP (DMEPOS rural amounts) are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .codes import ProcedureCode
from .errors import Finding


class ClaimKind(StrEnum):
    PROFESSIONAL = "professional"
    INSTITUTIONAL = "institutional"


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """An HI composite: qualifier (ABK/BK principal ICD-10/ICD-9, ABF/BF other ...) and code."""

    qualifier: str
    code: str


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """Loop 2400: SV1 (professional) or SV2 (institutional) with its date of service."""

    line_number: int
    procedure: ProcedureCode | None
    revenue_code: str | None
    charge: Decimal
    unit_basis: str | None
    units: Decimal | None
    place_of_service: str | None
    diagnosis_pointers: tuple[str, ...]
    service_date: date | None
    service_end_date: date | None
    line_control_number: str | None
    segment_index: int


@dataclass(frozen=True, slots=True)
class Claim837:
    """Loop 2300 with the billing provider, payer and member it was submitted under."""

    kind: ClaimKind
    version: str
    transaction_control_number: str
    patient_control_number: str
    total_charge: Decimal
    facility_code: str
    facility_code_qualifier: str | None
    frequency_code: str | None
    billing_provider_name: str | None
    billing_provider_npi: str | None
    billing_provider_tin: str | None
    payer_name: str | None
    payer_id: str | None
    member_id: str | None
    statement_start: date | None
    statement_end: date | None
    admission_date: date | None
    service_date: date | None
    diagnoses: tuple[Diagnosis, ...]
    drg_code: str | None
    admission_type: str | None
    admission_source: str | None
    patient_status: str | None
    lines: tuple[ServiceLine, ...]
    segment_index: int
    notes: tuple[Finding, ...]
    billing_provider_zip: str | None = None
    service_facility_npi: str | None = None
    service_facility_zip: str | None = None
    line_of_business: str | None = None
    # N403 of the patient (loop 2010CA) when the claim has a patient loop that gives one, else of
    # the subscriber (2010BA): where the beneficiary lives
    patient_zip: str | None = None

    @property
    def place_of_service(self) -> str | None:
        """837P: CLM05-1 is the place of service code."""
        return self.facility_code if self.kind is ClaimKind.PROFESSIONAL else None

    @property
    def type_of_bill(self) -> str | None:
        """837I: facility type (CLM05-1) + frequency (CLM05-3) as the 4-digit UB-04 FL4 code."""
        if self.kind is not ClaimKind.INSTITUTIONAL or not self.frequency_code:
            return None
        return f"0{self.facility_code}{self.frequency_code}"
