"""Which reminders an obligation is due for at a given moment (emitting them exactly once is the
caller's job: it records (obligation id, lead days) and skips what it has already sent)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
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
    """``lead_days`` before the deadline. With ``due_at`` in the org's zone this keeps the wall
    time across a DST change (17:00 stays 17:00), as aware arithmetic in one zone does."""
    return obligation.due_at - timedelta(days=lead_days)


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
