"""Deadlines a contract version names beyond its scalar terms: credentialing dates and the
value-based reports owed after each measurement period (the obligation tracker derives them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .errors import InvalidContractTerms
from .parties import npi_check_digit_ok
from .validation import require_date

_NPI = re.compile(r"[0-9]{10}")


class DayCount(StrEnum):
    """How `days_after_period_end` counts: every day, or business days (a holiday calendar)."""

    CALENDAR = "calendar"
    BUSINESS = "business"


@dataclass(frozen=True, slots=True, kw_only=True)
class CredentialingDate:
    """A credentialing date: `kind` says which ("credentialing", "recredentialing",
    "caqh_attestation" ...); `provider_npi` narrows it to one provider."""

    kind: str
    due_date: date
    provider_npi: str | None = None

    def __post_init__(self) -> None:
        require_date(InvalidContractTerms, "due_date", self.due_date)
        if not self.kind.strip() or len(self.kind) > 60:
            raise InvalidContractTerms("kind", f"must be 1 to 60 characters, got {self.kind!r}")
        if self.provider_npi is not None and not (
            _NPI.fullmatch(self.provider_npi) and npi_check_digit_ok(self.provider_npi)
        ):
            raise InvalidContractTerms(
                "provider_npi", f"{self.provider_npi!r} is not a valid NPI (10 digits, Luhn check digit)"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportingDeliverable:
    """A value-based report owed `days_after_period_end` days after each measurement period ends
    (the periods are the measures' period_start / period_end)."""

    name: str
    days_after_period_end: int
    day_count: DayCount = DayCount.CALENDAR

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > 200:
            raise InvalidContractTerms("name", f"must be 1 to 200 characters, got {self.name!r}")
        days = self.days_after_period_end
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 3650:
            raise InvalidContractTerms(
                "days_after_period_end", f"must be a whole number of days from 0 to 3650, got {days!r}"
            )
