"""What a service's outbox holds, event by event (a row may hold several: outbox_bundles.py), for
tests that check what a unit of work published."""

from __future__ import annotations

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from accord_common.outbox_bundles import OutboxEvent, events_of


async def outbox_events(
    session: AsyncSession, outbox: Table, topic: str | None = None, key: str | None = None
) -> list[OutboxEvent]:
    """Every event in the outbox (published or not), in the order written; of one topic and one
    message key when given."""
    query = select(outbox.c.topic, outbox.c.message_key, outbox.c.payload, outbox.c.event_count)
    if topic is not None:
        query = query.where(outbox.c.topic == topic)
    rows = (await session.execute(query.order_by(outbox.c.id))).all()
    found = [event for row in rows for event in events_of(*row)]
    return found if key is None else [e for e in found if e.key == key.encode()]
