"""Retention of the infrastructure tables: published outbox rows and old inbox rows are deleted.

Without it both tables grow by one row per event for ever. Each pass deletes in small batches (short
transactions, no long lock on a busy table), so any number of replicas can run it at the same time:
on PostgreSQL a batch takes rows with SKIP LOCKED, so two replicas never wait on each other's rows.
Unpublished outbox rows are never deleted, however old.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, MetaData, Table, and_, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accord_common.outages import OutageLog

log = logging.getLogger(__name__)
_BATCH = 5_000


@dataclass(frozen=True)
class RetentionPolicy:
    outbox_days: int
    inbox_days: int


@dataclass(frozen=True)
class Swept:
    outbox: int
    inbox: int


async def sweep(
    sessions: async_sessionmaker[AsyncSession], metadata: MetaData, policy: RetentionPolicy, now: datetime
) -> Swept:
    """One retention pass; returns how many rows of each table were deleted."""
    outbox, inbox = metadata.tables["outbox"], metadata.tables["inbox"]
    published_before = and_(
        outbox.c.published_at.is_not(None), outbox.c.published_at < now - timedelta(days=policy.outbox_days)
    )
    outbox_gone = await _delete_in_batches(sessions, outbox, [outbox.c.id], published_before)
    processed_before = inbox.c.processed_at < now - timedelta(days=policy.inbox_days)
    inbox_gone = await _delete_in_batches(
        sessions, inbox, [inbox.c.event_id, inbox.c.consumer], processed_before
    )
    return Swept(outbox_gone, inbox_gone)


async def _delete_in_batches(
    sessions: async_sessionmaker[AsyncSession], table: Table, key: list[Any], condition: Any
) -> int:
    total = 0
    while True:
        async with sessions() as session, session.begin():
            chosen = select(*key).where(condition).limit(_BATCH)
            if session.get_bind().dialect.name == "postgresql":
                chosen = chosen.with_for_update(skip_locked=True)
            target = key[0].in_(chosen) if len(key) == 1 else tuple_(*key).in_(chosen)
            result = cast(CursorResult[Any], await session.execute(delete(table).where(target)))
            deleted = result.rowcount or 0
        total += deleted
        if deleted < _BATCH:
            return total
        await asyncio.sleep(0)  # let requests in between batches


async def run_retention(
    sessions: async_sessionmaker[AsyncSession], metadata: MetaData, policy: RetentionPolicy, interval_s: float
) -> None:
    """Sweep now and then every `interval_s`, for as long as the service runs."""
    outage = OutageLog(log, "retention")
    while True:
        try:
            swept = await sweep(sessions, metadata, policy, datetime.now(UTC))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            outage.failed(exc)
        else:
            outage.recovered()
            if swept.outbox or swept.inbox:
                log.info("retention swept", extra={"count": swept.outbox + swept.inbox})
        await asyncio.sleep(interval_s)
