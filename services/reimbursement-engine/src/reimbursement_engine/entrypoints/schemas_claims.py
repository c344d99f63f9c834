"""The claim JSON shape (following the 837) and what the claims API answers."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from accord_common.web.types import Amount, IsoDate
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from reimbursement_engine.domain.pricing import PricingCompleteness

CodeSystemName = Literal["CPT", "HCPCS", "REV", "MSDRG", "APC"]
_CODE_FORMATS = {
    "CPT": (re.compile(r"[0-9]{4}[0-9FTU]"), "4 digits then a digit, F, T or U (e.g. 99213)"),
    "HCPCS": (re.compile(r"[A-Z][0-9]{4}"), "a letter then 4 digits (e.g. J1885)"),
    "REV": (re.compile(r"0[0-9]{3}"), "4 digits starting with 0 (e.g. 0450)"),
    "MSDRG": (re.compile(r"(?!000)[0-9]{3}"), "3 digits from 001 to 999"),
    "APC": (re.compile(r"[0-9]{4}"), "4 digits (e.g. 5012)"),
}
PRINTABLE_ASCII = r"^[ -~]+$"
Money = Field(ge=0, max_digits=14, decimal_places=2)


ZIP_PATTERN = r"^[0-9]{5}(-?[0-9]{4})?$"
ZipCode = Field(default=None, pattern=ZIP_PATTERN, description="ZIP or ZIP+4")
LineOfBusinessName = Literal[
    "commercial", "medicare_advantage", "medicaid_managed_care", "workers_compensation", "other"
]


class BillingProvider(BaseModel):
    """Loop 2010AA: the billing provider's NPI, TIN and ZIP (matching and, failing a service
    facility, the Medicare locality)."""

    model_config = ConfigDict(extra="forbid")
    npi: str | None = Field(default=None, pattern=r"^[0-9]{10}$")
    tin: str | None = Field(default=None, pattern=r"^[0-9]{2}-?[0-9]{7}$")
    zip_code: str | None = ZipCode


class ServiceFacility(BaseModel):
    """Loop 2310C (837P) / 2310E (837I): where the service was rendered; its NPI or ZIP gives the
    Medicare locality through the organisation's locations or CMS's ZIP-to-locality file."""

    model_config = ConfigDict(extra="forbid")
    npi: str | None = Field(default=None, pattern=r"^[0-9]{10}$")
    zip_code: str | None = ZipCode


class ClaimLineIn(BaseModel):
    """One service line (loop 2400: SV1 professional / SV2 institutional)."""

    model_config = ConfigDict(extra="forbid")

    code_system: CodeSystemName
    code: str
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: Amount = Field(default=Decimal(1), gt=0, le=100000, max_digits=12, decimal_places=3)
    charge: Amount = Money
    revenue_code: str | None = Field(default=None, pattern=r"^0[0-9]{3}$")
    service_date: IsoDate
    place_of_service: str | None = Field(default=None, pattern=r"^[0-9]{2}$")
    invoice_cost: Amount | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)

    @field_validator("code")
    @classmethod
    def _code_fits_system(cls, code: str, info: ValidationInfo) -> str:
        system = info.data.get("code_system")
        if system is None:
            return code
        pattern, expected = _CODE_FORMATS[system]
        if not pattern.fullmatch(code):
            raise ValueError(f"{system} code {code!r} is not {expected}")
        return code

    @field_validator("modifiers")
    @classmethod
    def _modifiers(cls, modifiers: list[str]) -> list[str]:
        for modifier in modifiers:
            if not re.fullmatch(r"[A-Z0-9]{2}", modifier):
                raise ValueError(f"modifier {modifier!r} is not 2 upper-case letters or digits")
        return modifiers


class ClaimIn(BaseModel):
    """A claim as a billing system sends it (no patient names or birth dates: never send PHI)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "patient_control_number": "PCN-000123",
                    "payer_id": "60054",
                    "billing_provider": {"npi": "1234567893", "tin": "12-3456789"},
                    "service_facility": {"npi": "1245319599", "zip_code": "94110"},
                    "line_of_business": "commercial",
                    "place_of_service": "11",
                    "lines": [
                        {
                            "code_system": "CPT",
                            "code": "99213",
                            "modifiers": ["25"],
                            "units": 1,
                            "charge": "150.00",
                            "service_date": "2025-03-14",
                        }
                    ],
                }
            ]
        },
    )

    patient_control_number: str = Field(
        min_length=1,
        max_length=38,
        pattern=PRINTABLE_ASCII,
        description="CLM01: printable ASCII (the X12 character set), as the 837 carries it.",
    )
    payer_id: str = Field(min_length=1, max_length=80)
    contract_id: str | None = Field(default=None, max_length=64)
    billing_provider: BillingProvider | None = None
    service_facility: ServiceFacility | None = None
    claim_type: Literal["professional", "institutional"] | None = Field(
        default=None, description="837P or 837I; default: institutional when type_of_bill is given"
    )
    line_of_business: LineOfBusinessName | None = Field(
        default=None, description="Picks among the payer's contracts (commercial, Medicare Advantage ...)"
    )
    plan_id: str | None = Field(default=None, max_length=64, description="The payer plan (registry id)")
    service_from: IsoDate | None = None
    service_to: IsoDate | None = None
    received_date: IsoDate | None = None
    place_of_service: str | None = Field(default=None, pattern=r"^[0-9]{2}$")
    type_of_bill: str | None = Field(default=None, pattern=r"^[0-9]{3,4}$")
    frequency_code: str | None = Field(
        default=None,
        pattern=r"^[178]$",
        description="1 original, 7 replacement (supersedes the claim with this patient control number), "
        "8 void (cancels it); default: the type of bill's last digit, else 1",
    )
    drg: str | None = Field(default=None, pattern=r"^[0-9]{3}$")
    admission_date: IsoDate | None = None
    discharge_date: IsoDate | None = None
    medicare_locality: str | None = Field(
        default=None,
        pattern=r"^[0-9]{5}[- ]?[0-9]{1,2}$",
        description="MAC-locality (e.g. 01112-05); default: derived from the organisation's location "
        "by service facility or billing NPI, else by ZIP",
    )
    beneficiary_zip: str | None = Field(
        default=None,
        max_length=10,
        description="Where the beneficiary (patient) lives: 5-digit ZIP or ZIP+4 (837: N403 of loop "
        "2010CA, else 2010BA). Through CMS's ZIP5 file it picks the DMEPOS fee schedule's state and "
        "its rural (R) or non-rural (NR) amount; without it DMEPOS lines take the state of the "
        "claim's Medicare locality, non-rural, and are flagged. Only the first 5 digits are kept.",
        examples=["76801", "76801-1234"],
    )
    lines: list[ClaimLineIn] = Field(min_length=1, max_length=999)

    @field_validator("beneficiary_zip")
    @classmethod
    def _beneficiary_zip(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(ZIP_PATTERN, value):
            raise ValueError(f"{value!r} is not a 5-digit ZIP or ZIP+4 (e.g. 76801 or 76801-1234)")
        return value


class ClaimBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    claims: list[ClaimIn] = Field(min_length=1)


class ClaimSummary(BaseModel):
    id: str
    patient_control_number: str
    status: str
    status_reason: str | None = None
    contract_id: str | None = None
    contract_version: int | None = None
    total_charge: Decimal
    expected_allowed: Decimal | None = None
    pricing_completeness: PricingCompleteness | None = Field(
        default=None,
        description="Once priced: fully_priced, partly_priced (a line or claim-level case has no "
        "price: see its unpriced_reason and the flags) or unpriced. An unpriced line's $0 is not a "
        "price: reconciliation calls such a claim needs_review, never overpaid.",
    )


class BatchOut(BaseModel):
    count: int
    line_count: int
    priced: int
    pending: int
    expected_allowed: Decimal
    claims: list[ClaimSummary]


class ClaimLineOut(BaseModel):
    line_number: int
    code_system: str
    code: str
    modifiers: str
    units: Decimal
    charge: Decimal
    service_date: IsoDate
    status: str | None
    term: str | None
    expected_allowed: Decimal | None
    unpriced_reason: str | None = Field(
        default=None, description="Why pricing could not price the line (null when it could)."
    )


class ExplanationStepOut(BaseModel):
    kind: str = Field(
        description="term, base, escalator, multiple procedure reduction, lesser of "
        "charges, outlier, stop-loss, floor, included, capitated, not covered, unpriced, check or "
        "medicare schedule."
    )
    text: str = Field(description="What the step did, as the explanation's text says it.")
    amount: Decimal | None = Field(description="The signed change it makes (null for a note).")


class ExplainedLineOut(BaseModel):
    line_number: int
    code: str
    status: str
    expected_allowed: Decimal = Field(description="The sum of the line's step amounts.")
    steps: list[ExplanationStepOut]


class ExplainedCaseOut(BaseModel):
    term: str
    expected_allowed: Decimal = Field(description="The sum of the case's step amounts.")
    steps: list[ExplanationStepOut]


class ExplanationOut(BaseModel):
    """The explanation's steps as data: the same steps as `explanation`'s text, line by line."""

    context: str | None = Field(description="Which contract and location priced the claim, and why.")
    lines: list[ExplainedLineOut]
    cases: list[ExplainedCaseOut] = Field(description="Claim-level payments (case rate, DRG, stop-loss).")


class ClaimOut(ClaimSummary):
    payer_id: str
    service_date: IsoDate
    service_to: IsoDate
    received_date: IsoDate
    flags: list[str]
    explanation: str | None
    explanation_steps: ExplanationOut | None = Field(
        default=None,
        description="`explanation` as data (null until priced, and for claims priced before "
        "2026-12-02, whose explanation is text only).",
    )
    created_at: datetime
    priced_at: datetime | None
    lines: list[ClaimLineOut]
    payments: list[dict[str, Any]] = []


class X12ClaimsOut(BaseModel):
    claims: list[ClaimSummary]
    refused: list[dict[str, Any]]
    flags: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Rules the file breaks that do not refuse it: segment, segment_index, rule, message "
        "and the claim's patient_control_number.",
    )
