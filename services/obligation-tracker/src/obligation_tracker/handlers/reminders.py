"""The reminder sweep: obligation.due_soon at each lead time and obligation.overdue, each exactly
once per (obligation, lead time, due date), however many replicas sweep at once. A deadline that
moves is reminded again for its new date at the lead times still ahead of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from accord_common.uow import UnitOfWork
from sqlalchemy.exc import IntegrityError

from obligation_tracker.adapters.reminder_repository import OVERDUE, ReminderRepository
from obligation_tracker.adapters.repository import to_stored
from obligation_tracker.domain import reminders_due
from obligation_tracker.handlers.context import Tracker
from obligation_tracker.handlers.publishing import obligation_event

MAX_LEAD_DAYS = 365
UowFactory = Callable[[], UnitOfWork]


async def sweep(uow_factory: UowFactory, tracker: Tracker, batch_size: int = 500) -> int:
    """One pass over the open obligations near their deadline; returns how many events it sent."""
    now = tracker.now()
    horizon = (now + timedelta(days=MAX_LEAD_DAYS + 2)).date()
    after: tuple[date, str] | None = None
    sent = 0
    while True:
        async with uow_factory() as uow:
            page = await ReminderRepository(uow.session).candidates(horizon, after, batch_size)
        for due_date, obligation_id, organization_id in page:
            sent += await remind(uow_factory(), tracker, obligation_id, organization_id, now)
            after = (due_date, obligation_id)
        if len(page) < batch_size:
            return sent


async def remind(
    uow: UnitOfWork, tracker: Tracker, obligation_id: str, organization_id: str, now: datetime
) -> int:
    """Send what one obligation is due for, in its own transaction with its reminders_sent rows."""
    async with uow:
        reminders = ReminderRepository(uow.session)
        row = await reminders.claim(obligation_id)
        if row is None:
            return 0  # settled meanwhile, or another replica holds it right now
        calendar = await tracker.calendar(uow.session, organization_id)
        stored = to_stored(row, calendar.schedule.zone)
        check = reminders_due(stored.obligation, calendar.lead_days, now)
        wanted: list[tuple[str, str, int | None]] = [
            (str(r.lead_days), "obligation.due_soon", r.lead_days) for r in check.reminders
        ]
        if check.overdue:
            wanted.append((OVERDUE, "obligation.overdue", None))
        due_date = stored.obligation.due_date
        already = await reminders.sent(obligation_id, due_date)
        fresh = [w for w in wanted if w[0] not in already]
        if not fresh:
            return 0
        try:
            for reminder, event_type, lead_days in fresh:
                event = obligation_event(
                    event_type,
                    stored.obligation,
                    stored.refs,
                    lead_days=lead_days,
                    description=stored.description,
                )
                uow.publish(event)
                await reminders.record(obligation_id, reminder, due_date, event.id, now)
            await uow.commit()
        except IntegrityError:
            await uow.rollback()  # another replica recorded it first: it sent the event, not us
            return 0
        return len(fresh)
