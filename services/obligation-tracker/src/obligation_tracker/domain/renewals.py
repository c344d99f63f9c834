"""Term ends, renewals and notice deadlines of a contract version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from obligation_tracker.domain.business_calendar import BusinessCalendar, DayCount, add_days, add_months
from obligation_tracker.domain.contract_terms import ContractVersionSnapshot


@dataclass(frozen=True)
class Renewal:
    """The ``term_number``-th term ends (and an evergreen contract renews) on ``renewal_date``."""

    term_number: int
    renewal_date: date


def first_term_end(version: ContractVersionSnapshot) -> date:
    """The initial term's end: the termination date, or one renewal term after the effective date."""
    if version.termination_date is not None:
        return version.termination_date
    return add_months(version.effective_date, version.renewal_term_months)


def renewal_for_term(version: ContractVersionSnapshot, term_number: int) -> Renewal:
    # Counted from a fixed anchor, never term by term, so Jan 31 terms do not drift to the 28th.
    if version.termination_date is None:
        months = term_number * version.renewal_term_months
        return Renewal(term_number, add_months(version.effective_date, months))
    months = (term_number - 1) * version.renewal_term_months
    return Renewal(term_number, add_months(version.termination_date, months))


def next_renewal(version: ContractVersionSnapshot, today: date) -> Renewal:
    """The first renewal of an evergreen contract on or after ``today``."""
    term_number = 1
    renewal = renewal_for_term(version, term_number)
    while renewal.renewal_date < today:
        term_number += 1
        renewal = renewal_for_term(version, term_number)
    return renewal


def expiry_date(version: ContractVersionSnapshot) -> date:
    """When a contract that does not renew ends."""
    return first_term_end(version)


def notice_deadline(
    renewal_date: date, notice_days: int, day_count: DayCount, business: BusinessCalendar
) -> date:
    """Last day to give notice: ``notice_days`` (calendar or business) before the renewal date,
    pulled back to the preceding business day when it lands on a weekend or holiday."""
    computed = add_days(renewal_date, -notice_days, day_count, business)
    return business.preceding_business_day(computed)
