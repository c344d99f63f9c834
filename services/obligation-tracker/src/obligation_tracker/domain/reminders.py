"""Which reminders an obligation is due for at a given moment (emitting them exactly once is the
caller's job: it records (obligation id, lead days) and skips what it has already sent)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from uuid import UUID

from obligation_tracker.domain.model import Obligation

DEFAULT_LEAD_DAYS = (90, 60, 30, 7)


@dataclass(frozen=True)
class Reminder:
    obligation_id: UUID
    lead_days: int


@dataclass(frozen=True)
class ReminderCheck:
    reminders: tuple[Reminder, ...]
    overdue: bool


def reminder_moment(obligation: Obligation, lead_days: int) -> datetime:
    """The start of the local day ``lead_days`` before the due date (0 = the morning of the
    deadline), in ``due_at``'s zone, so DST changes in between do not shift it."""
    day = obligation.due_date - timedelta(days=lead_days)
    return datetime.combine(day, time.min, tzinfo=obligation.due_at.tzinfo)


def reminders_due(obligation: Obligation, lead_days: Sequence[int], now: datetime) -> ReminderCheck:
    """The reminder to send now, if any, and whether the obligation is overdue.

    Only the most urgent lead time already reached is returned: when several have passed
    unsent (an obligation created 20 days out, or a snooze that just ended), the earlier,
    now stale ones are skipped rather than sent in a burst. Nothing is sent for obligations that
    are not open, while snoozed, or once the deadline has passed (then ``overdue`` says so).
    """
    overdue = obligation.is_overdue(now)
    if not obligation.is_open or overdue or obligation.is_snoozed(now):
        return ReminderCheck((), overdue)
    reached = [lead for lead in lead_days if now >= reminder_moment(obligation, lead)]
    if not reached:
        return ReminderCheck((), overdue)
    return ReminderCheck((Reminder(obligation.id, min(reached)),), overdue)
