"""Typed payloads of Accord's events. Producers are strict; consumers ignore unknown fields."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class FeeScheduleRef(Payload):
    """A contract version names its fee schedule by id and content hash; the rows travel in
    fee_schedule.published chunks, so no consumer calls the registry at pricing time."""

    schedule_id: str
    content_hash: str
    row_count: int


class FeeScheduleChunkData(Payload):
    """fee_schedule.published: one chunk of a schedule's rows (rows travel in chunks, never as one
    giant message; a consumer assembles a schedule once it holds every chunk of its content hash)."""

    schedule_id: str
    organization_id: str
    content_hash: str
    chunk_index: int
    chunk_count: int
    row_count: int
    rows: list[dict[str, Any]]


class ContractTerms(Payload):
    effective_date: date
    termination_date: date | None = None
    auto_renew: bool = False
    renewal_term_months: int | None = None
    notice_days: int | None = None
    timely_filing_days: int | None = None
    appeal_window_days: int | None = None
    prompt_pay_days: int | None = None
    prompt_pay_interest_rate: Decimal | None = None


class CredentialingDate(Payload):
    """A credentialing date a contract version names: ``kind`` says which ("credentialing",
    "recredentialing", "caqh_attestation" ...), ``provider_npi`` narrows it to one provider."""

    kind: str = Field(min_length=1, max_length=60)
    due_date: date
    provider_npi: str | None = Field(default=None, pattern=r"^[0-9]{10}$")


class ReportingDeliverable(Payload):
    """A value-based report owed ``days_after_period_end`` days after each measurement period
    ends (the periods are the measures' ``period_start`` / ``period_end`` in value_based_terms)."""

    name: str = Field(min_length=1, max_length=200)
    days_after_period_end: int = Field(ge=0)
    day_count: Literal["calendar", "business"] = "calendar"


class ContractVersionData(Payload):
    """contract.created / amended / activated / renewed / terminated: the full effective version."""

    contract_id: str
    organization_id: str
    payer_id: str
    payer_x12_id: str | None = None
    payer_name: str | None = None
    contract_name: str | None = None
    status: str
    version: int
    effective_from: date
    effective_to: date | None = None
    retroactive: bool = False
    payer_initiated: bool = False
    objection_window_days: int | None = None
    terms: ContractTerms
    payment_terms: list[dict[str, Any]] = []
    value_based_terms: dict[str, Any] | None = None
    fee_schedule: FeeScheduleRef | None = None
    line_of_business: str | None = None
    plan_ids: list[str] = []
    termination_reason: str | None = None
    credentialing: list[CredentialingDate] = []
    reporting_deliverables: list[ReportingDeliverable] = []
    # which claims the contract covers beyond payer, plans and line of business (empty: any)
    claim_types: list[Literal["professional", "institutional"]] = []
    bill_types: list[str] = []
    provider_tins: list[str] = []
    provider_npis: list[str] = []

    revision: int = Field(
        default=0,
        description="Counts every change published for the contract (0: from a producer before "
        "revisions). A draft edit or a correction keeps the version number with a higher revision: "
        "consumers apply the highest revision they see, whatever its version number.",
    )
    withdrawn_version: int | None = Field(
        default=None,
        description="Set on contract.amended when a future version was withdrawn before it took "
        "effect: consumers drop that version; the payload is the version now latest again.",
    )


class MedicareLocalityData(Payload):
    mac: str = Field(pattern=r"^[0-9]{5}$")
    locality: str = Field(pattern=r"^[0-9]{2}$")


class LocationData(Payload):
    """A location of the organisation: where services are rendered and priced (GPCIs, wage index)."""

    name: str
    medicare_locality: MedicareLocalityData
    npis: list[str] = []
    zip_code: str | None = None
    cbsa: str | None = None


class OrganisationData(Payload):
    """The organisation profile as far as other services need it (no approver roles, no names of
    people): its locations."""

    organization_id: str
    name: str
    locations: list[LocationData] = []


class ClaimData(Payload):
    """claim.submitted and claim.priced: a claim as the billing system sent it (no patient names)."""

    claim_id: str
    organization_id: str
    patient_control_number: str
    payer_id: str
    contract_id: str | None = None
    contract_version: int | None = None
    service_date: date
    service_to: date | None = None
    received_date: date | None = None
    place_of_service: str | None = None
    type_of_bill: str | None = None
    drg: str | None = None
    medicare_locality: str | None = None
    billing_provider_npi: str | None = None
    billing_provider_tin: str | None = None
    billing_provider_zip: str | None = None
    service_facility_npi: str | None = None
    service_facility_zip: str | None = None
    # claim.submitted: where the beneficiary lives (ZIP or ZIP+4), e.g. for DMEPOS rural amounts
    beneficiary_zip: str | None = None
    line_of_business: str | None = None
    plan_id: str | None = None
    total_charge: Decimal
    expected_allowed: Decimal | None = None
    # claim.priced: fully_priced, partly_priced or unpriced (a line without a price has
    # `unpriced_reason` in `lines`; its $0 is not what the payer should allow)
    pricing_completeness: str | None = None
    lines: list[dict[str, Any]] = []


class ClaimPricingRequestData(Payload):
    """claim.pricing_requested: the engine asks itself to (re-)price one more bounded batch of an
    organisation's claims after a contract or fee schedule changed (each batch its own transaction).
    `scope` "pending": claims waiting for a contract (of `payer_ids` / `contract_id` when given);
    "version": claims priced under another version of `contract_id` that `contract_version`
    (in force `effective_from` to `effective_to`) now governs. `after_claim_id`: the batch starts
    after this claim id; `until_claim_id`: a planned batch ends with this one (inclusive), else the
    batch is the next 2,000 claims and, when full, plans the rest."""

    organization_id: str
    scope: Literal["pending", "version"]
    reason: str
    payer_ids: list[str] = []
    contract_id: str | None = None
    contract_version: int | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    after_claim_id: str | None = None
    until_claim_id: str | None = None


class ClaimPaidData(Payload):
    claim_id: str | None = None
    organization_id: str
    patient_control_number: str
    payer_id: str
    contract_id: str | None = None
    paid_amount: Decimal
    patient_responsibility: Decimal = Decimal("0")
    paid_date: date
    remittance_id: str | None = None
    payer_claim_control_number: str | None = None
    claim_status_code: str | None = None


class ClaimVarianceData(Payload):
    claim_id: str
    organization_id: str
    patient_control_number: str
    payer_id: str
    contract_id: str | None = None
    classification: str
    expected_allowed: Decimal
    paid_amount: Decimal
    patient_responsibility: Decimal
    variance: Decimal
    remittance_date: date
    carcs: list[str] = []
    variance_id: str | None = None
    lines: list[dict[str, Any]] = []


class VarianceStatusChangedData(Payload):
    """claim.variance_status_changed: staff moved a variance along its workflow (open -> appealed
    -> recovered | written_off); ``amount`` is what was recovered or written off, when given."""

    variance_id: str
    claim_id: str
    organization_id: str
    patient_control_number: str
    payer_id: str
    contract_id: str | None = None
    classification: str
    from_status: str
    status: Literal["open", "appealed", "recovered", "written_off"]
    changed_on: date
    note: str | None = None
    amount: Decimal | None = None


class AppealSentData(Payload):
    """claim.appeal_sent: an appeal letter to mail to the payer (the notifier sends it, the PDF
    attached). ``pdf_base64`` is the letter as a PDF, base64 (a letter is tens of kilobytes)."""

    appeal_id: str
    organization_id: str
    reference: str
    payer_id: str
    contract_id: str
    variance_ids: list[str]
    recipients: list[str] = Field(min_length=1)
    subject: str
    text: str
    html: str
    amount_due: Decimal
    deadline: date | None = None
    pdf_filename: str
    pdf_base64: str


class ObligationData(Payload):
    obligation_id: str
    organization_id: str
    kind: str
    status: str
    due_date: date
    contract_id: str | None = None
    claim_id: str | None = None
    payer_id: str | None = None
    title: str
    description: str = ""
    lead_days: int | None = None
    reason: str | None = None
    interest_owed: Decimal | None = None
    # How a person reads a claim deadline: the claim's patient control number and the payer's name
    patient_control_number: str | None = None
    payer_name: str | None = None


class KpiAtRiskData(Payload):
    organization_id: str
    contract_id: str
    measure: str
    target: Decimal
    projected: Decimal
    period_end: date


class NotificationData(Payload):
    organization_id: str
    delivery_id: str
    event_id: str
    event_type: str
    subscription_id: str
    channel: str
    attempts: int
    at: datetime
    error: str | None = None


class ApiKeyData(Payload):
    """api_key.issued / revoked / expiry_changed: the key's whole state as the registry (the key
    authority) holds it. Only SHA-256 of the key travels (the key itself is shown once, to the admin);
    a projection applies a revision newer than the one it holds, whatever the topic order."""

    key_id: str
    organization_id: str
    name: str
    prefix: str = Field(max_length=32)
    key_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    scopes: list[str]
    holder_id: str
    issued_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    rate_limit_per_minute: int | None = Field(default=None, ge=1)
    revision: int = Field(ge=1)


class ApiKeyUsageData(Payload):
    """api_key.used: a service saw the key in use (coalesced: at most one per key per flush interval)."""

    key_id: str
    organization_id: str
    service: str
    last_used_at: datetime
