"""Calendar rules for contract deadlines: calendar and business days, months, end of business day.

Business days skip Saturdays, Sundays and the public holidays the `holidays` library lists for a
country and optional subdivision (``US``, ``US-TX``), including *observed* days (Independence Day
on a Saturday is observed on the Friday before). The library is static data, not I/O.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

SATURDAY = 5


class DayCount(StrEnum):
    """How a contract counts the days of a period."""

    CALENDAR = "calendar"
    BUSINESS = "business"


@lru_cache(maxsize=256)
def _holidays_in(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    listed = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(listed.keys())


@dataclass(frozen=True)
class BusinessCalendar:
    """The days an organisation and its payers do business: ``BusinessCalendar.for_region("US-TX")``."""

    country: str = "US"
    subdivision: str | None = None
    extra_closures: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def for_region(cls, region: str) -> BusinessCalendar:
        """Parse ``"US"`` or ``"US-TX"`` (ISO 3166 country, optional subdivision)."""
        country, _, subdivision = region.partition("-")
        return cls(country=country, subdivision=subdivision or None)

    def is_holiday(self, day: date) -> bool:
        return day in self.extra_closures or day in _holidays_in(self.country, self.subdivision, day.year)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and not self.is_holiday(day)

    def add_business_days(self, start: date, days: int) -> date:
        """Count ``days`` business days forward (or backward when negative) from ``start``.

        ``start`` itself is never counted: 1 business day after a Friday is the Monday.
        """
        step = timedelta(days=1 if days >= 0 else -1)
        remaining = abs(days)
        current = start
        while remaining:
            current += step
            if self.is_business_day(current):
                remaining -= 1
        return current

    def preceding_business_day(self, day: date) -> date:
        """``day`` itself when it is a business day, else the last business day before it."""
        while not self.is_business_day(day):
            day -= timedelta(days=1)
        return day

    def following_business_day(self, day: date) -> date:
        """``day`` itself when it is a business day, else the first business day after it."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day


def add_days(start: date, days: int, day_count: DayCount, business: BusinessCalendar) -> date:
    """``start`` plus ``days`` (negative to go back), counted as the contract says."""
    if day_count is DayCount.BUSINESS:
        return business.add_business_days(start, days)
    return start + timedelta(days=days)


def add_months(start: date, months: int) -> date:
    """Calendar-month arithmetic clamped to the month's end: Jan 31 + 1 month = Feb 28 (29 in leap
    years). Feb 29 + 12 months = Feb 28. Negative ``months`` go back."""
    month_index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))


def add_years(start: date, years: int) -> date:
    """Anniversary ``years`` after ``start`` (a Feb 29 anniversary falls on Feb 28)."""
    return add_months(start, 12 * years)


@dataclass(frozen=True)
class OrgSchedule:
    """An organisation's working time: its zone, when its business day ends, its holidays."""

    time_zone: str = "America/Chicago"
    end_of_business: time = time(17, 0)
    business_calendar: BusinessCalendar = field(default_factory=BusinessCalendar)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def due_at(self, due_date: date) -> datetime:
        """End of business on ``due_date`` in the organisation's zone (aware; DST handled)."""
        local = datetime.combine(due_date, self.end_of_business, tzinfo=self.zone)
        # A round trip through UTC normalises wall times that do not exist (spring-forward gap).
        return local.astimezone(UTC).astimezone(self.zone)

    def due_at_utc(self, due_date: date) -> datetime:
        return self.due_at(due_date).astimezone(UTC)

    def local_date(self, moment: datetime) -> date:
        """The organisation's calendar date at an aware instant."""
        return moment.astimezone(self.zone).date()
