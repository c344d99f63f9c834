"""Request and response models of the registry's HTTP API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")


class PayerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"name": "Acme Health Plan", "x12_payer_id": "60054",
                      "plans": [{"name": "Acme PPO", "line_of_business": "commercial"}]}]})

    name: str = Field(min_length=1, max_length=200)
    x12_payer_id: str | None = Field(default=None, max_length=80, pattern=r"^[A-Za-z0-9]+$")
    plans: list[dict[str, Any]] = []


class PayerOut(PayerIn):
    model_config = ConfigDict(extra="ignore")
    id: str
    created_at: datetime


class ContractTermsIn(BaseModel):
    """Dates and operational terms of one contract version."""

    model_config = ConfigDict(extra="forbid")

    effective_date: date
    termination_date: date | None = None
    auto_renew: bool = False
    renewal_term_months: int | None = Field(default=None, ge=1, le=120)
    notice_days: int | None = Field(default=None, ge=0, le=730)
    timely_filing_days: int | None = Field(default=None, ge=1, le=3650)
    appeal_window_days: int | None = Field(default=None, ge=1, le=3650)
    prompt_pay_days: int | None = Field(default=None, ge=1, le=365)

    @model_validator(mode="after")
    def _dates_in_order(self) -> ContractTermsIn:
        if self.termination_date and self.termination_date <= self.effective_date:
            raise ValueError("termination_date must be after effective_date")
        if self.auto_renew and not self.renewal_term_months:
            raise ValueError("renewal_term_months is required when auto_renew is true")
        return self


class ContractIn(ContractTermsIn):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "payer_id": "3f1c...", "name": "Acme PPO professional 2026",
        "line_of_business": "commercial", "effective_date": "2026-01-01",
        "termination_date": "2027-12-31", "auto_renew": True, "renewal_term_months": 12,
        "notice_days": 90, "timely_filing_days": 95, "appeal_window_days": 180,
        "prompt_pay_days": 30}]})

    payer_id: str
    name: str = Field(min_length=1, max_length=200)
    line_of_business: str | None = Field(default=None, max_length=40)


class AmendmentIn(ContractTermsIn):
    """A new version: its terms take effect on effective_from (may be retroactive)."""

    effective_from: date


class VersionOut(BaseModel):
    version: int
    effective_from: date
    effective_to: date | None
    retroactive: bool
    terms: dict[str, Any]
    created_at: datetime
    created_by: str


class ContractOut(BaseModel):
    id: str
    organization_id: str
    payer_id: str
    name: str
    status: str
    line_of_business: str | None
    current_version: int
    created_at: datetime
    updated_at: datetime
    version: VersionOut | None = None


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
