"""Calendar rules: month ends, leap days, business days across US holidays, time zones."""

from datetime import UTC, date, datetime, time

import pytest
from obligation_tracker.domain import BusinessCalendar, DayCount, OrgSchedule, add_days, add_months, add_years

US = BusinessCalendar()
TEXAS = BusinessCalendar.for_region("US-TX")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2025, 1, 31), 2, date(2025, 3, 31)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),  # year boundary
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 5, 31), -12, date(2024, 5, 31)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 6, 10), 0, date(2025, 6, 10)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2024, 2, 29), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2023, 3, 1), 1, date(2024, 3, 1)),
    ],
)
def test_anniversaries_of_a_leap_day(start: date, years: int, expected: date) -> None:
    assert add_years(start, years) == expected


@pytest.mark.parametrize(
    ("business", "start", "days", "expected"),
    [
        (US, date(2025, 1, 3), 5, date(2025, 1, 10)),  # Fri + 5 = next Fri
        (US, date(2025, 1, 10), 1, date(2025, 1, 13)),  # over a weekend
        (US, date(2025, 11, 26), 1, date(2025, 11, 28)),  # over Thanksgiving
        (TEXAS, date(2025, 11, 26), 1, date(2025, 12, 1)),  # Texas: and the Friday after
        (US, date(2025, 12, 24), 1, date(2025, 12, 26)),  # over Christmas
        (TEXAS, date(2025, 12, 24), 1, date(2025, 12, 29)),  # Texas: and the day after
        (US, date(2026, 7, 2), 1, date(2026, 7, 6)),  # July 4th (Sat) observed Fri 3rd
        (US, date(2027, 7, 2), 1, date(2027, 7, 6)),  # July 4th (Sun) observed Mon 5th
        (US, date(2021, 12, 30), 1, date(2022, 1, 3)),  # New Year 2022 (Sat) observed Dec 31
        (US, date(2026, 1, 5), -2, date(2025, 12, 31)),  # backwards over New Year's Day
        (US, date(2025, 6, 7), 0, date(2025, 6, 7)),
    ],
)
def test_business_days_skip_weekends_and_holidays(
    business: BusinessCalendar, start: date, days: int, expected: date
) -> None:
    assert business.add_business_days(start, days) == expected


@pytest.mark.parametrize(
    ("day", "preceding", "following"),
    [
        (date(2025, 6, 4), date(2025, 6, 4), date(2025, 6, 4)),  # a Wednesday
        (date(2026, 7, 4), date(2026, 7, 2), date(2026, 7, 6)),  # Sat July 4th, Fri observed
        (date(2025, 11, 27), date(2025, 11, 26), date(2025, 11, 28)),  # Thanksgiving
        (date(2025, 12, 25), date(2025, 12, 24), date(2025, 12, 26)),
    ],
)
def test_rolling_to_a_business_day(day: date, preceding: date, following: date) -> None:
    assert US.preceding_business_day(day) == preceding
    assert US.following_business_day(day) == following


@pytest.mark.parametrize(
    ("day_count", "start", "days", "expected"),
    [
        (DayCount.CALENDAR, date(2025, 11, 26), 2, date(2025, 11, 28)),
        (DayCount.BUSINESS, date(2025, 11, 26), 2, date(2025, 12, 1)),
        (DayCount.CALENDAR, date(2024, 2, 28), 1, date(2024, 2, 29)),
        (DayCount.CALENDAR, date(2026, 1, 1), -90, date(2025, 10, 3)),
    ],
)
def test_add_days_counts_as_the_contract_says(
    day_count: DayCount, start: date, days: int, expected: date
) -> None:
    assert add_days(start, days, day_count, US) == expected


def test_extra_closures_are_not_business_days() -> None:
    closed = BusinessCalendar(extra_closures=frozenset({date(2025, 6, 4)}))
    assert not closed.is_business_day(date(2025, 6, 4))
    assert closed.add_business_days(date(2025, 6, 3), 1) == date(2025, 6, 5)


def test_region_parsing() -> None:
    assert BusinessCalendar.for_region("US-TX") == BusinessCalendar("US", "TX")
    assert BusinessCalendar.for_region("US") == BusinessCalendar("US", None)


@pytest.mark.parametrize(
    ("zone", "due_date", "expected_utc"),
    [
        ("America/Chicago", date(2025, 1, 15), datetime(2025, 1, 15, 23, 0, tzinfo=UTC)),  # CST
        ("America/Chicago", date(2025, 7, 15), datetime(2025, 7, 15, 22, 0, tzinfo=UTC)),  # CDT
        ("America/Chicago", date(2025, 3, 8), datetime(2025, 3, 8, 23, 0, tzinfo=UTC)),
        ("America/Chicago", date(2025, 3, 9), datetime(2025, 3, 9, 22, 0, tzinfo=UTC)),  # springs fwd
        ("America/Chicago", date(2025, 11, 1), datetime(2025, 11, 1, 22, 0, tzinfo=UTC)),
        ("America/Chicago", date(2025, 11, 2), datetime(2025, 11, 2, 23, 0, tzinfo=UTC)),  # falls back
        ("America/New_York", date(2025, 7, 15), datetime(2025, 7, 15, 21, 0, tzinfo=UTC)),
        ("Pacific/Honolulu", date(2025, 7, 15), datetime(2025, 7, 16, 3, 0, tzinfo=UTC)),
    ],
)
def test_end_of_business_day_in_utc(zone: str, due_date: date, expected_utc: datetime) -> None:
    schedule = OrgSchedule(time_zone=zone)
    assert schedule.due_at_utc(due_date) == expected_utc
    assert schedule.due_at(due_date).time() == time(17, 0)
    assert schedule.local_date(expected_utc) == due_date


def test_configured_end_of_business_that_does_not_exist_is_normalised() -> None:
    schedule = OrgSchedule(time_zone="America/Chicago", end_of_business=time(2, 30))
    due_at = schedule.due_at(date(2025, 3, 9))  # 02:30 is skipped when clocks spring forward
    assert due_at.astimezone(UTC) == datetime(2025, 3, 9, 8, 30, tzinfo=UTC)
    assert due_at.time() == time(3, 30)
