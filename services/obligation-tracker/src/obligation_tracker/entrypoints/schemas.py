"""Request and response models of the tracker's HTTP API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays
from accord_common.web.types import Amount, IsoDate, PositiveAmount, WholeNumber
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from obligation_tracker.domain import Direction, MeasureStatus


class ObligationOut(BaseModel):
    id: str
    kind: str
    status: str
    due_date: IsoDate
    due_at: datetime = Field(description="End of business on the due date, in the organisation's zone.")
    contract_id: str
    claim_id: str | None
    payer_id: str | None
    patient_control_number: str | None = Field(
        default=None, description="A claim deadline's claim, as the billing system numbers it (CLM01)."
    )
    payer_name: str | None = Field(default=None, description="The payer's name, from the contract version.")
    title: str
    description: str
    reasons: list[str]
    snoozed_until: datetime | None
    interest_owed: Decimal | None = Field(description="Prompt-pay interest the payer owes, when breached.")
    created_at: datetime
    updated_at: datetime


class HistoryEntryOut(BaseModel):
    action: str
    from_status: str | None
    to_status: str
    due_date: IsoDate
    actor: str
    at: datetime
    comment: str | None


class ObligationDetailOut(ObligationOut):
    history: list[HistoryEntryOut]


class ObligationPage(BaseModel):
    items: list[ObligationOut]
    next_cursor: str | None = None


class CompleteIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"comment": "Notice sent by certified mail"}]}
    )
    comment: str | None = Field(default=None, max_length=2000)


class WaiveIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Payer agreed to extend"}]}
    )
    reason: str = Field(min_length=1, max_length=2000)


class SnoozeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"until": "2027-09-15", "comment": "Waiting on legal's redline of the renewal terms"},
                {"until": "2027-10-01"},
            ]
        },
    )
    until: IsoDate = Field(description="No reminders before this date (start of day, organisation's zone).")
    comment: str | None = Field(default=None, max_length=2000)


# What the calendar settings accept, listed in the document: the zones and holiday calendars
# this server knows (a subdivision must also belong to the chosen country: a rule across fields).
ZONES = sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC")
_SUPPORTED = holidays.list_supported_countries()
COUNTRIES = sorted(_SUPPORTED)
SUBDIVISIONS = sorted({code for codes in _SUPPORTED.values() for code in codes})


class SettingsIn(BaseModel):
    """An organisation's calendar: its zone, whose public holidays count, when to remind."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "time_zone": "America/Chicago",
                    "holiday_country": "US",
                    "holiday_subdivision": "TX",
                    "lead_days": [90, 60, 30, 7],
                }
            ]
        },
    )

    time_zone: str = Field(
        description="IANA zone, e.g. America/New_York", json_schema_extra={"enum": [*ZONES]}
    )
    holiday_country: str = Field(
        min_length=2, max_length=3, description="ISO 3166 country", json_schema_extra={"enum": [*COUNTRIES]}
    )
    holiday_subdivision: str | None = Field(
        default=None,
        max_length=16,
        description="e.g. TX; one of the holiday_country's own subdivisions (the list is every country's).",
        json_schema_extra={"anyOf": [{"type": "string", "enum": [*SUBDIVISIONS]}, {"type": "null"}]},
    )
    lead_days: list[WholeNumber] = Field(
        min_length=1, max_length=12, description="Days before a deadline to remind"
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}")
        return value

    @field_validator("lead_days")
    @classmethod
    def _lead_days(cls, value: list[int]) -> list[int]:
        if any(day < 0 or day > 365 for day in value):
            raise ValueError("lead days must be between 0 and 365")
        return sorted(set(value), reverse=True)

    @field_validator("holiday_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value not in holidays.list_supported_countries():
            raise ValueError(f"no holiday calendar for country {value!r}")
        return value

    @field_validator("holiday_subdivision")
    @classmethod
    def _known_subdivision(cls, value: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("holiday_country")
        if value and country and value not in holidays.list_supported_countries()[country]:
            raise ValueError(f"{value!r} is not a subdivision of {country}")
        return value


class SettingsOut(SettingsIn):
    model_config = ConfigDict(extra="ignore")
    is_default: bool = Field(description="True until the organisation saves its own settings")


class FeedIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "Contracting team"},
                {"name": "Revenue cycle: all deadlines", "include_settled": True},
            ]
        },
    )
    name: str = Field(min_length=1, max_length=200)
    include_settled: bool = Field(default=False, description="Also list completed, waived, breached ones")


class FeedOut(BaseModel):
    id: str
    name: str
    include_settled: bool
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


class FeedCreatedOut(FeedOut):
    url: str = Field(description="Subscribe to this URL; it is the credential, shown once")


class MeasureIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "contract_id": "3f0c9a52-8a51-4c1e-9d0e-2b7f1f6f1a10",
                    "measure": "Diabetes care: HbA1c control (<8%)",
                    "direction": "higher_is_better",
                    "target": "0.80",
                    "weight": "2",
                    "period_start": "2026-01-01",
                    "period_end": "2026-12-31",
                },
                {
                    "contract_id": "3f0c9a52-8a51-4c1e-9d0e-2b7f1f6f1a10",
                    "measure": "All-cause 30-day readmission rate",
                    "direction": "lower_is_better",
                    "target": "0.12",
                    "period_start": "2026-01-01",
                    "period_end": "2026-12-31",
                },
            ]
        },
    )

    contract_id: str = Field(min_length=1, max_length=64, description="The value-based contract.")
    measure: str = Field(min_length=1, max_length=200, description="The measure's name, as in the contract.")
    direction: Direction = Field(description="Whether a higher or a lower value meets the target.")
    target: Amount = Field(max_digits=18, decimal_places=6, description="The value to reach, e.g. '0.80'.")
    weight: PositiveAmount = Field(
        default=Decimal(1), gt=0, max_digits=18, decimal_places=6, description="Relative weight (default 1)."
    )
    period_start: IsoDate = Field(description="First day of the measurement period.")
    period_end: IsoDate = Field(description="Last day of the measurement period.")

    @field_validator("period_end")
    @classmethod
    def _period_in_order(cls, value: IsoDate, info: ValidationInfo) -> date:
        start = info.data.get("period_start")
        if start is not None and value < start:
            raise ValueError("period_end must not precede period_start")
        return value


class ReadingIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"value": "0.74", "as_of": "2026-06-30"}]}
    )
    value: Amount = Field(max_digits=18, decimal_places=6, description="The measure's value to date.")
    as_of: IsoDate = Field(description="The day the value was measured.")


class MeasureOut(BaseModel):
    id: str
    contract_id: str
    measure: str
    direction: Direction
    target: Decimal
    weight: Decimal
    period_start: IsoDate
    period_end: IsoDate
    status: MeasureStatus
    latest: Decimal | None
    projected: Decimal | None
    reason: str
    defined_by: Literal["staff", "contract"] = Field(
        description="`staff` (defined through this API) or `contract` (from a contract version's "
        "value-based terms, kept in line with each newer version)."
    )
    contract_version: int | None = Field(description="The contract version that last changed it.")
    changes: list[str] = Field(description="What each contract version did to it, oldest first.")
    retired_at: datetime | None = Field(
        description="When its term left the contract (or the contract was terminated); it keeps its "
        "readings and takes no more."
    )
    retired_reason: str | None


PARKED_PAGE_EXAMPLE: dict[str, Any] = {
    "items": [
        {
            "event_id": "01935a7e-4c2b-7d10-9a3e-5b8f2c1d0e47",
            "event_type": "claim.priced",
            "awaiting": "contract",
            "contract_id": "3f0c9a52-8a51-4c1e-9d0e-2b7f1f6f1a10",
            "claim_id": "CLM-2026-004211",
            "occurred_at": "2026-06-01T14:02:11.512000Z",
            "parked_at": "2026-06-01T14:02:11.730000Z",
            "data": {
                "claim_id": "CLM-2026-004211",
                "organization_id": "org-demo",
                "payer_id": "payer-acme",
                "contract_id": "3f0c9a52-8a51-4c1e-9d0e-2b7f1f6f1a10",
                "service_date": "2026-05-01",
                "received_date": "2026-05-05",
                "total_charge": "1200.00",
                "expected_allowed": "840.00",
            },
        },
        {
            "event_id": "01935a7f-0b91-7c44-8e21-3d6a9f0b5c12",
            "event_type": "claim.paid",
            "awaiting": "claim.priced",
            "contract_id": None,
            "claim_id": "CLM-2026-004388",
            "occurred_at": "2026-06-01T14:05:40.118000Z",
            "parked_at": "2026-06-01T14:05:40.264000Z",
            "data": {
                "claim_id": "CLM-2026-004388",
                "organization_id": "org-demo",
                "payer_id": "payer-acme",
                "remittance_id": "rem-2026-0601-17",
                "paid_amount": "655.20",
                "patient_responsibility": "40.00",
                "paid_date": "2026-05-29",
                "claim_status_code": "1",
            },
        },
    ],
    "next_cursor": None,
}


class ParkedEventOut(BaseModel):
    event_id: str
    event_type: str = Field(
        description="claim.priced, claim.paid, claim.variance_detected or claim.variance_status_changed."
    )
    awaiting: Literal["contract", "claim.priced", "appeal"] = Field(
        description="What it waits for: its contract, or (a claim.paid) the claim's pricing."
    )
    contract_id: str | None = Field(description="The contract it names (a payment may name none).")
    claim_id: str | None
    occurred_at: datetime = Field(description="When the event happened (its CloudEvents time).")
    parked_at: datetime
    data: dict[str, Any] = Field(description="The event's ids, dates and amounts (no patient data).")


class ParkedEventPage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PARKED_PAGE_EXAMPLE]})
    items: list[ParkedEventOut]
    next_cursor: str | None = None
