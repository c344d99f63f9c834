"""The scheduler's queries: candidates across organisations, row claiming, reminders sent.

Exactly once across replicas: each reminder is a row in ``reminders_sent`` (unique on obligation,
lead time and the due date it was for) written in the same transaction as its outbox event. Keying
by due date means a deadline that moves is reminded again, for its new date, at every lead time
still ahead of it, and never twice for the same date. On PostgreSQL the obligation
row is claimed with ``FOR UPDATE SKIP LOCKED`` so replicas do not even try the same one at once;
the unique constraint is the last word everywhere (SQLite has no row locks).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from obligation_tracker.adapters.orm import obligations, reminders_sent

OVERDUE = "overdue"


class ReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def candidates(
        self, horizon: date, after: tuple[date, str] | None, limit: int
    ) -> list[tuple[date, str, str]]:
        """(due date, obligation id, organisation) of open obligations due by ``horizon`` and not
        yet reported overdue for their current due date, in due-date order after ``after``."""
        overdue_sent = exists().where(
            and_(
                reminders_sent.c.obligation_id == obligations.c.id,
                reminders_sent.c.reminder == OVERDUE,
                reminders_sent.c.due_date == obligations.c.due_date,
            )
        )
        query = select(obligations.c.due_date, obligations.c.id, obligations.c.organization_id).where(
            obligations.c.status == "open", obligations.c.due_date <= horizon, ~overdue_sent
        )
        if after is not None:
            due, last_id = after
            query = query.where(
                (obligations.c.due_date > due)
                | ((obligations.c.due_date == due) & (obligations.c.id > last_id))
            )
        rows = await self.session.execute(
            query.order_by(obligations.c.due_date, obligations.c.id).limit(limit)
        )
        return [(r.due_date, r.id, r.organization_id) for r in rows.all()]

    async def claim(self, obligation_id: str) -> Any:
        """Lock one open obligation row, or None when it is settled or another replica holds it."""
        query = (
            select(obligations)
            .where(obligations.c.id == obligation_id, obligations.c.status == "open")
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(query)).first()

    async def sent(self, obligation_id: str, due_date: date) -> set[str]:
        """The reminders already sent for the obligation's deadline on ``due_date``."""
        query = select(reminders_sent.c.reminder).where(
            reminders_sent.c.obligation_id == obligation_id, reminders_sent.c.due_date == due_date
        )
        return {r.reminder for r in (await self.session.execute(query)).all()}

    async def record(
        self, obligation_id: str, reminder: str, due_date: date, event_id: str, at: datetime
    ) -> None:
        await self.session.execute(
            insert(reminders_sent).values(
                obligation_id=obligation_id,
                reminder=reminder,
                due_date=due_date,
                event_id=event_id,
                sent_at=at,
            )
        )
