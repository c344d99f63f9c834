"""What the obligation tracker needs to know of one contract version (a snapshot of its terms)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from obligation_tracker.domain.business_calendar import DayCount


@dataclass(frozen=True)
class NamedDateEscalator:
    """Rates rise by ``percent`` (a whole-number percentage: 3 is 3%) on a date the contract names;
    ``applies_to`` names the payment terms whose rates rise (empty: the contract's rates)."""

    effective_on: date
    percent: Decimal
    applies_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnniversaryEscalator:
    """Rates rise by ``percent`` (3 is 3%) on every anniversary of the effective date."""

    percent: Decimal
    applies_to: tuple[str, ...] = ()


def describe_rises(escalators: Sequence[NamedDateEscalator | AnniversaryEscalator]) -> str:
    """ "3% (Professional services), 2.5% (Laboratory)": each rise and the terms it applies to."""
    parts = []
    for escalator in escalators:
        terms = f" ({', '.join(escalator.applies_to)})" if escalator.applies_to else ""
        parts.append(f"{escalator.percent}%{terms}")
    return ", ".join(parts)


@dataclass(frozen=True)
class PayerAmendment:
    """A payer-initiated amendment: it binds unless the provider objects within the window."""

    reference: str
    notified_on: date
    objection_window_days: int
    day_count: DayCount = DayCount.CALENDAR


@dataclass(frozen=True)
class MeasurementPeriod:
    label: str
    start: date
    end: date


@dataclass(frozen=True)
class ReportingDeliverable:
    """A report owed to the payer ``days_after_period_end`` days after each measurement period."""

    name: str
    days_after_period_end: int
    day_count: DayCount = DayCount.CALENDAR


@dataclass(frozen=True)
class ValueBasedTerms:
    measurement_periods: tuple[MeasurementPeriod, ...] = ()
    deliverables: tuple[ReportingDeliverable, ...] = ()


@dataclass(frozen=True)
class CredentialingEvent:
    """A credentialing or re-credentialing date, e.g. ``("re-credentialing, group NPI", ...)``.
    ``label`` tells the contract's credentialing dates apart (it is the obligation's key)."""

    label: str
    due_on: date


@dataclass(frozen=True, kw_only=True)
class ContractVersionSnapshot:
    """The deadline-bearing terms of one immutable contract version.

    ``termination_date`` ends the initial term; when it is absent, the term runs
    ``renewal_term_months`` from the effective date. An evergreen (``auto_renew``) contract renews
    on each term end ("renewal date") unless notice is given ``notice_days`` before it.
    Interest rates are fractions: ``Decimal("0.18")`` is 18% a year.
    """

    contract_id: UUID
    version_number: int
    contract_name: str
    effective_date: date
    termination_date: date | None = None
    auto_renew: bool = False
    renewal_term_months: int = 12
    notice_days: int = 0
    notice_day_count: DayCount = DayCount.CALENDAR
    timely_filing_days: int | None = None
    appeal_window_days: int | None = None
    prompt_pay_days: int | None = None
    prompt_pay_day_count: DayCount = DayCount.CALENDAR
    prompt_pay_interest_rate_annual: Decimal | None = None
    named_escalators: tuple[NamedDateEscalator, ...] = ()
    anniversary_escalators: tuple[AnniversaryEscalator, ...] = ()
    payer_amendments: tuple[PayerAmendment, ...] = ()
    value_based: ValueBasedTerms | None = None
    credentialing: tuple[CredentialingEvent, ...] = ()

    def __post_init__(self) -> None:
        if self.renewal_term_months <= 0:
            raise ValueError("renewal_term_months must be positive")
        if self.termination_date is not None and self.termination_date < self.effective_date:
            raise ValueError("termination_date precedes effective_date")
        if self.notice_days < 0:
            raise ValueError("notice_days must not be negative")
