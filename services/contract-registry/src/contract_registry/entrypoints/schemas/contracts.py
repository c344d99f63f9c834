"""Contracts, versions and their terms."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from accord_common.web.bounded import bounded, bounded_date
from accord_common.web.types import Amount, IsoDate
from pydantic import BaseModel, ConfigDict, Field

from contract_registry.domain.validation import EARLIEST_DATE, LATEST_DATE, MAX_DAYS, MAX_MONTHS, MAX_PERCENT
from contract_registry.entrypoints.schemas.parties import LineOfBusiness
from contract_registry.entrypoints.schemas.payment_terms import NON_BLANK, PAYMENT_TERM_EXAMPLE, PaymentTermIn
from contract_registry.entrypoints.schemas.scope import ContractScopeIn, ContractScopeOut

# Shapes only: the domain checks the bounds (and names the field); the schema publishes them.
Days = Annotated[int, Field(json_schema_extra={"minimum": 1, "maximum": MAX_DAYS})]
Months = Annotated[int, Field(json_schema_extra={"minimum": 1, "maximum": MAX_MONTHS})]
InterestRate = Annotated[
    Amount,
    bounded(
        MAX_PERCENT, positive=True, description=f"Percent a year (18 = 18%), above 0 up to {MAX_PERCENT}"
    ),
]
DATES = f"Contract dates fall from {EARLIEST_DATE} to {LATEST_DATE}."
_CONTRACT_DATE = bounded_date(EARLIEST_DATE, LATEST_DATE, description=DATES)
ContractDate = Annotated[IsoDate, _CONTRACT_DATE]
# Left out: kept. A draft always has an effective date, so the document does not offer null
# (the domain refuses it: 422 "effective_date: required").
KeptContractDate = Annotated[
    ContractDate | None, _CONTRACT_DATE, Field(json_schema_extra=lambda schema: schema.pop("default", None))
]


class CredentialingIn(BaseModel):
    """A credentialing date the contract names (the obligation tracker reminds of it)."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(
        min_length=1,
        max_length=60,
        json_schema_extra={"pattern": NON_BLANK},
        description='"credentialing", "recredentialing", "caqh_attestation" ...',
    )
    due_date: ContractDate
    provider_npi: str | None = Field(
        default=None,
        json_schema_extra={"pattern": "^[0-9]{10}$"},
        description="One provider's NPI, if it is theirs: 10 digits, the last a Luhn check digit",
    )


class ReportingDeliverableIn(BaseModel):
    """A value-based report owed after each measurement period of the value-based measures."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, json_schema_extra={"pattern": NON_BLANK})
    days_after_period_end: int = Field(json_schema_extra={"minimum": 0, "maximum": MAX_DAYS})
    day_count: Literal["calendar", "business"] = "calendar"


class TermsIn(BaseModel):
    """Dates, renewal, operational deadlines and how services are paid (validated by the domain)."""

    effective_date: ContractDate = Field(description=DATES)
    termination_date: ContractDate | None = None
    auto_renew: bool = False
    renewal_term_months: Months | None = None
    notice_days: Days | None = Field(default=None, description="Days before renewal to give notice")
    timely_filing_days: Days | None = None
    appeal_window_days: Days | None = None
    prompt_pay_days: Days | None = None
    prompt_pay_interest_rate: InterestRate | None = None
    payment_terms: list[PaymentTermIn] = Field(
        default=[], max_length=200, description="How services are paid (methodology tagged by kind)"
    )
    value_based_terms: dict[str, Any] | None = None
    fee_schedule_id: str | None = Field(default=None, description="A fee schedule imported before")
    credentialing: list[CredentialingIn] = []
    reporting_deliverables: list[ReportingDeliverableIn] = Field(
        default=[], description="Needs value-based measures: reports follow their measurement periods"
    )


CONTRACT_EXAMPLE: dict[str, Any] = {
    "payer_id": "0b9d2f0e-7a51-4c5e-9b0a-3f3c5f0d2a11",
    "name": "Acme PPO professional 2026",
    "line_of_business": "commercial",
    "effective_date": "2026-01-01",
    "termination_date": "2027-12-31",
    "auto_renew": True,
    "renewal_term_months": 12,
    "notice_days": 90,
    "timely_filing_days": 95,
    "appeal_window_days": 180,
    "prompt_pay_days": 30,
    "payment_terms": [PAYMENT_TERM_EXAMPLE],
    "credentialing": [{"kind": "recredentialing", "due_date": "2027-06-30", "provider_npi": None}],
}


class ContractIn(TermsIn):
    """A new contract (a draft until reviewed, approved and activated)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CONTRACT_EXAMPLE]})

    payer_id: str
    name: str = Field(min_length=1, max_length=200)
    line_of_business: LineOfBusiness = Field(description="Required: commercial, medicare_advantage ...")
    plan_ids: list[str] = []
    scope: ContractScopeIn | None = Field(
        default=None, description="Claim types, types of bill, billing TINs / NPIs covered (default: any)"
    )


class ContractPatchIn(BaseModel):
    """Edit a draft in place: only the fields sent change. Term fields (as in TermsIn) change the
    latest proposed version (version 1 unless further versions were proposed); a null
    `fee_schedule_id` unlinks the schedule."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Acme PPO professional 2026 (v2 draft)", "notice_days": 120}]
        },
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    line_of_business: LineOfBusiness | None = None
    plan_ids: list[str] | None = None
    scope: ContractScopeIn | None = None
    effective_date: KeptContractDate = None
    termination_date: ContractDate | None = None
    auto_renew: bool | None = None
    renewal_term_months: Months | None = None
    notice_days: Days | None = None
    timely_filing_days: Days | None = None
    appeal_window_days: Days | None = None
    prompt_pay_days: Days | None = None
    prompt_pay_interest_rate: InterestRate | None = None
    payment_terms: list[PaymentTermIn] | None = Field(default=None, max_length=200)
    value_based_terms: dict[str, Any] | None = None
    fee_schedule_id: str | None = None
    credentialing: list[CredentialingIn] | None = None
    reporting_deliverables: list[ReportingDeliverableIn] | None = None


class AmendedTermsIn(BaseModel):
    """Terms of a new or corrected version, over the terms of the version it follows: a field
    left out is inherited unchanged; a field sent as null is cleared (a list sent as [] is
    emptied); a value replaces. `fee_schedule_id` left out keeps the schedule, null unlinks it."""

    model_config = ConfigDict(extra="forbid")

    effective_date: ContractDate | None = Field(default=None, description=f"Left out: inherited. {DATES}")
    termination_date: ContractDate | None = None
    auto_renew: bool | None = Field(default=None, description="null: does not auto-renew")
    renewal_term_months: Months | None = None
    notice_days: Days | None = None
    timely_filing_days: Days | None = None
    appeal_window_days: Days | None = None
    prompt_pay_days: Days | None = None
    prompt_pay_interest_rate: InterestRate | None = None
    payment_terms: list[PaymentTermIn] | None = Field(default=None, max_length=200)
    value_based_terms: dict[str, Any] | None = None
    fee_schedule_id: str | None = None
    credentialing: list[CredentialingIn] | None = None
    reporting_deliverables: list[ReportingDeliverableIn] | None = None


VERSION_EXAMPLE: dict[str, Any] = {
    "effective_from": "2026-07-01",
    "notice_days": 120,
    "prompt_pay_interest_rate": None,
    "payer_initiated": True,
    "objection_window_days": 30,
}


class VersionIn(AmendedTermsIn):
    """A new version in force from effective_from (before today: retroactive, and marked so).
    It inherits every term it does not send; null clears one (see AmendedTermsIn)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [VERSION_EXAMPLE]})

    effective_from: ContractDate = Field(description=DATES)
    payer_initiated: bool = False
    objection_window_days: Days | None = Field(
        default=None, description="Required for a payer-initiated amendment, and only for one"
    )


class CorrectionIn(AmendedTermsIn):
    """Correct the terms of the latest version before it takes effect (same number and dates)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"notice_days": 90, "termination_date": None}]}
    )


class WithdrawalIn(BaseModel):
    """Withdraw the latest version before it takes effect; the reason is audited and published."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Entered against the wrong payer; never signed"}]},
    )

    reason: str = Field(
        min_length=1, max_length=500, json_schema_extra={"pattern": NON_BLANK}, description="Why (not blank)"
    )


class ContractOut(BaseModel):
    id: str
    organization_id: str
    payer_id: str
    name: str
    status: str
    line_of_business: str
    plan_ids: list[str]
    scope: ContractScopeOut
    current_version: int
    termination_date: IsoDate | None
    required_approver_roles: list[str]
    pending_roles: list[str]
    approvals: list[dict[str, Any]]
    rejections: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime
    version: dict[str, Any] | None = Field(default=None, description="The version shown (see as_of)")


class ContractListItem(BaseModel):
    id: str
    payer_id: str
    payer_name: str
    name: str
    status: str
    line_of_business: str
    current_version: int
    termination_date: IsoDate | None
    created_at: datetime


class VersionOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: int
    effective_from: IsoDate
    effective_to: IsoDate | None
    retroactive: bool
    payer_initiated: bool
    objection_window_days: int | None
    proposed: bool = Field(description="True while the contract is a draft (not yet in force)")
    terms: dict[str, Any]
    payment_terms: list[dict[str, Any]]
    value_based_terms: dict[str, Any] | None
    fee_schedule: dict[str, Any] | None
    created_at: datetime
    created_by: str


class DiffOut(BaseModel):
    from_version: int
    to_version: int
    fields: list[dict[str, Any]]
    fee_schedule: dict[str, list[dict[str, Any]]]


class ReviewIn(BaseModel):
    """An approval or rejection for one required role (a rejection must say why)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"role": "legal", "comment": "Indemnity clause reviewed."}]},
    )

    role: str = Field(
        min_length=1,
        max_length=40,
        json_schema_extra={"pattern": r"^[a-z][a-z0-9_-]{0,39}$"},
        description="One of the organisation's required approver roles (GET /v1/organisation).",
    )
    comment: str = ""


class RenewIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"renewal_term_months": 12}]})

    renewal_term_months: Months | None = Field(default=None, description="Default: the terms' renewal term")


class TerminateIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"last_day": "2026-09-30", "reason": "Payer breached prompt-pay terms"}]
        },
    )

    last_day: ContractDate = Field(description=f"The last day the contract is in force. {DATES}")
    reason: str = Field(min_length=1, json_schema_extra={"pattern": NON_BLANK}, description="Why (not blank)")


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code_system: Literal["CPT", "HCPCS", "REV", "MSDRG", "APC"]
    code: str = Field(min_length=1, max_length=10)


class CoverageIn(BaseModel):
    """Billed codes and the date of service."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "codes": [
                        {"code_system": "CPT", "code": "99213"},
                        {"code_system": "REV", "code": "0278"},
                    ],
                    "date": "2026-03-15",
                }
            ]
        },
    )

    codes: list[CodeIn] = Field(min_length=1, max_length=1000)
    date: IsoDate


class CoverageOut(BaseModel):
    date: IsoDate
    version: int
    proposed: bool = Field(
        description="True when the contract is not yet active: the answer is its proposed version's"
    )
    covered: list[dict[str, Any]]
    not_covered: list[dict[str, Any]]


class LinkScheduleIn(BaseModel):
    """Use a fee schedule from a date: records a new version of the latest terms."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"schedule_id": "5d0c6b7e-2f3a-4d61-9a2b-8c1e0f9d7a43", "effective_from": "2026-07-01"}
            ]
        },
    )

    schedule_id: str
    effective_from: ContractDate
