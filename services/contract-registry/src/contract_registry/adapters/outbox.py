"""Writing events to the outbox as they are made, inside the open transaction.

The unit of work holds published events in memory until commit, which is right for a contract's
one or two events but not for a 100,000-row fee schedule's hundred chunk events: these are written
batch by batch in the same transaction instead, so memory stays flat and the rows and their events
still commit (or roll back) together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from accord_common.events import CloudEvent
from accord_common.telemetry import current_traceparent, trace_headers
from accord_common.uow import UnitOfWork
from sqlalchemy import insert


async def write_to_outbox(uow: UnitOfWork, events: Sequence[CloudEvent]) -> None:
    """Insert the events' outbox rows now (the relay publishes them once the transaction commits)."""
    if not events:
        return
    now = datetime.now(UTC)
    traced = [
        e if e.traceparent is not None else e.model_copy(update={"traceparent": current_traceparent()})
        for e in events
    ]
    await uow.session.execute(
        insert(uow.metadata.tables["outbox"]),
        [
            {
                "event_id": e.id,
                "topic": e.type,
                "message_key": e.subject,
                "payload": e.to_bytes(),
                "headers": trace_headers(e),
                "created_at": now,
            }
            for e in traced
        ],
    )
