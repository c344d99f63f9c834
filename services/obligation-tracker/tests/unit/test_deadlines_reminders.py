"""Reminder schedule: which lead-time reminder is due now, and overdue detection."""

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from obligation_tracker.domain import (
    DEFAULT_LEAD_DAYS,
    Obligation,
    ObligationKey,
    ObligationKind,
    ObligationStatus,
    OrgSchedule,
    Reminder,
    reminders_due,
)

CHICAGO = ZoneInfo("America/Chicago")
SCHEDULE = OrgSchedule(time_zone="America/Chicago")
KEY = ObligationKey(ObligationKind.RENEWAL_NOTICE, UUID(int=1), None, "term 2")
NOTICE = Obligation.new(KEY, "Notice", date(2025, 10, 3), SCHEDULE.due_at(date(2025, 10, 3)), "why")


def chicago(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


@pytest.mark.parametrize(
    ("obligation", "now", "lead", "overdue"),
    [
        (NOTICE, chicago(2025, 7, 1, 12), None, False),  # more than 90 days out
        (NOTICE, chicago(2025, 7, 4, 23, 59), None, False),
        (NOTICE, chicago(2025, 7, 5), 90, False),  # the morning 90 days before
        (NOTICE, chicago(2025, 8, 10, 9), 60, False),  # 90 and 60 passed: only the latest
        (NOTICE, chicago(2025, 9, 30, 9), 7, False),
        (NOTICE, chicago(2025, 10, 3, 16, 59), 7, False),
        (NOTICE, chicago(2025, 10, 3, 17, 1), None, True),
        (replace(NOTICE, status=ObligationStatus.COMPLETED), chicago(2025, 10, 4), None, False),
        (replace(NOTICE, status=ObligationStatus.CANCELLED), chicago(2025, 9, 30), None, False),
        (replace(NOTICE, snoozed_until=chicago(2025, 8, 15)), chicago(2025, 8, 10), None, False),
        (replace(NOTICE, snoozed_until=chicago(2025, 8, 15)), chicago(2025, 8, 16), 60, False),
        (replace(NOTICE, snoozed_until=chicago(2025, 12, 1)), chicago(2025, 10, 4), None, True),
    ],
)
def test_reminders_due(obligation: Obligation, now: datetime, lead: int | None, overdue: bool) -> None:
    check = reminders_due(obligation, DEFAULT_LEAD_DAYS, now)
    expected = () if lead is None else (Reminder(obligation.id, lead),)
    assert check.reminders == expected
    assert check.overdue is overdue


@pytest.mark.parametrize(
    ("now", "lead"),
    [
        (datetime(2025, 10, 11, 4, 59, tzinfo=UTC), None),
        (datetime(2025, 10, 11, 5, 0, tzinfo=UTC), 30),  # midnight CDT, though the deadline is CST
    ],
)
def test_lead_time_counts_local_days_across_dst(now: datetime, lead: int | None) -> None:
    due = date(2025, 11, 10)
    obligation = Obligation.new(KEY, "Notice", due, SCHEDULE.due_at(due), "why")
    check = reminders_due(obligation, (30,), now)
    assert check.reminders == (() if lead is None else (Reminder(obligation.id, lead),))


def test_day_of_reminder() -> None:
    assert reminders_due(NOTICE, (0, 1), chicago(2025, 10, 2, 10)).reminders == (Reminder(NOTICE.id, 1),)
    assert reminders_due(NOTICE, (0, 1), chicago(2025, 10, 3, 0)).reminders == (Reminder(NOTICE.id, 0),)
