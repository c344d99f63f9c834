"""The outbox relay: publishes committed outbox rows in order, then deletes them (or, when published
rows are kept for a while, marks them published).

A crash between publish and delete (or mark) republishes the same rows (same event ids) on restart:
delivery is at least once and consumers' inboxes make the effect exactly once. On PostgreSQL a
transaction-scoped advisory lock lets exactly one replica relay at a time, which keeps per-key order
across replicas.

A row may hold a run of events (`outbox_bundles.py`); each goes out as its own record, with its own
key. A pass takes whole rows in id order, up to a batch of events, and sends them as one record
batch per partition (`create_batch` / `send_batch`), each partition's events in the order written,
the partition picked as Kafka's default partitioner picks it (`partitions.py`): not a `send` per
event, whose future, accumulator lookup and partitioner cost 30 us of CPU an event
(docs/benchmarks.md).

Deleting a published row costs PostgreSQL a mark on the row; marking it published writes a whole new
version of it (its payload, and an entry in each of the table's indexes) that autovacuum later
clears: on a 10,000-claim 835's 40,000 events, 0.45-0.6 s of the database's CPU (docs/benchmarks.md).
So published rows are kept only when `OUTBOX_RETENTION_DAYS` asks for them (to audit or re-publish
from the database rather than the broker), and retention deletes them after that.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter as Tally
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.producer.message_accumulator import BatchBuilder
from prometheus_client import Counter, Gauge
from sqlalchemy import MetaData, Text, cast, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accord_common.messaging.partitions import partition_of
from accord_common.outages import OutageLog, is_infrastructure_failure
from accord_common.outbox_bundles import events_of
from accord_common.sql_sets import among, on_postgresql, parts
from accord_common.telemetry import STRUCTURED_CONTENT_TYPE

log = logging.getLogger(__name__)
PUBLISHED = Counter("accord_outbox_published_total", "Outbox events published", ["topic"])
BACKLOG = Gauge("accord_outbox_backlog", "Outbox events committed but not yet published")
OLDEST = Gauge(
    "accord_outbox_oldest_unpublished_seconds", "Age of the oldest unpublished outbox row (0 when none)"
)
_MEASURE_EVERY_S = 10.0
_RELAY_LOCK_ID = 0x0ACC0D
_FAILURE_BACKOFF_S = (0.5, 10.0)


class OutboxRelay:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        metadata: MetaData,
        producer: AIOKafkaProducer,
        *,
        poll_interval_s: float = 0.2,
        batch_size: int = 1000,  # a 10,000-claim 835's 20,000 events: 12.5 -> 11.2 s end to end vs 200
        keep_published: bool = False,
    ) -> None:
        self._sessions = session_factory
        self._outbox = metadata.tables["outbox"]
        self._producer = producer
        self._poll = poll_interval_s
        self._batch = batch_size
        self._keep = keep_published
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        outage, delay, measured = OutageLog(log, "outbox relay"), _FAILURE_BACKOFF_S[0], float("-inf")
        while True:
            try:
                sent = await self.publish_pending()
            except Exception as exc:
                if is_infrastructure_failure(exc):
                    outage.failed(exc)  # once per outage, then at a bounded rate
                else:
                    log.exception("outbox relay pass failed; retrying")
                await asyncio.sleep(delay)
                delay = min(delay * 2, _FAILURE_BACKOFF_S[1])
                continue
            outage.recovered()
            delay = _FAILURE_BACKOFF_S[0]
            if (now := asyncio.get_running_loop().time()) - measured >= _MEASURE_EVERY_S:
                measured = now
                with contextlib.suppress(Exception):  # a gauge must never stop the relay
                    await self.measure_backlog()
            if sent < self._batch:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll):  # not wait_for: it can swallow a cancel
                        await self._wake.wait()
                self._wake.clear()

    async def measure_backlog(self) -> tuple[int, float]:
        """Set the backlog gauges; returns (unpublished rows, age in seconds of the oldest)."""
        async with self._sessions() as session:
            count, oldest = (
                await session.execute(
                    select(func.sum(self._outbox.c.event_count), func.min(self._outbox.c.created_at)).where(
                        self._outbox.c.published_at.is_(None)
                    )
                )
            ).one()
        age = (datetime.now(UTC) - _aware(oldest)).total_seconds() if oldest is not None else 0.0
        BACKLOG.set(count or 0)
        OLDEST.set(max(age, 0.0))
        return int(count or 0), max(age, 0.0)

    async def publish_pending(self) -> int:
        """One pass: publish up to a batch of unpublished events in id order (whole rows, at least
        one), then delete their rows (or mark them published). Returns events sent."""
        async with self._sessions() as session, session.begin():
            if not await self._take_lease(session):
                return 0
            outbox = self._outbox
            last = await self._last_row_of_batch(session)
            if last is None:
                return 0
            rows = (
                await session.execute(
                    select(  # what is sent: the headers as their stored text (decoded once a pass)
                        outbox.c.id,
                        outbox.c.topic,
                        outbox.c.message_key,
                        outbox.c.payload,
                        cast(outbox.c.headers, Text).label("headers"),
                        outbox.c.event_count,
                    )
                    .where(outbox.c.published_at.is_(None), outbox.c.id <= last)
                    .order_by(outbox.c.id)
                )
            ).all()
            if not rows:
                return 0
            await asyncio.gather(*await self._send(rows))
            pg = on_postgresql(session)
            for part in parts([r.id for r in rows], pg):  # by primary key: one array on PostgreSQL
                sent_rows = among(self._outbox.c.id, part, pg)
                if self._keep:
                    await session.execute(
                        update(self._outbox).where(sent_rows).values(published_at=datetime.now(UTC))
                    )
                else:
                    await session.execute(delete(self._outbox).where(sent_rows))
        published: Tally[str] = Tally()
        for row in rows:
            published[row.topic] += row.event_count
        for topic, count in published.items():
            PUBLISHED.labels(topic).inc(count)
        return published.total()

    async def _last_row_of_batch(self, session: AsyncSession) -> int | None:
        """The id of the last unpublished row whose events, with those of the rows before it, stay
        within a batch (the first row's, however many); None when nothing waits."""
        outbox = self._outbox
        counts = (
            await session.execute(
                select(outbox.c.id, outbox.c.event_count)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.id)
                .limit(self._batch)
            )
        ).all()
        last, events = None, 0
        for row_id, count in counts:
            events += count
            if last is not None and events > self._batch:
                break
            last = row_id
        return last

    async def _send(self, rows: Sequence[Any]) -> list[asyncio.Future[Any]]:
        """Rows handed to the producer, a batch a partition; the futures of their delivery."""
        producer = self._producer
        counts: dict[str, int] = {}  # partitions a topic
        header_lists: dict[str | None, list[tuple[str, bytes]]] = {}  # by stored text
        batches: dict[tuple[str, int], BatchBuilder] = {}
        sent: list[asyncio.Future[Any]] = []
        for row in rows:
            if (count := counts.get(row.topic)) is None:
                count = counts[row.topic] = len(await producer.partitions_for(row.topic))
            headers = header_lists.get(row.headers)
            if headers is None:  # a transaction's rows share one text (its span's traceparent)
                headers = header_lists[row.headers] = _headers(row.headers)
            for _, key, value in events_of(row.topic, row.message_key, row.payload, row.event_count):
                where = (row.topic, partition_of(key, count))
                batch = batches.get(where)
                if batch is None:
                    batch = batches[where] = producer.create_batch()
                if batch.append(key=key, value=value, timestamp=None, headers=headers) is not None:
                    continue
                if batch.record_count():  # full: it goes now, the event starts the partition's next one
                    sent.append(await self._send_batch(batches.pop(where), where))
                    batch = batches[where] = producer.create_batch()
                    if batch.append(key=key, value=value, timestamp=None, headers=headers) is not None:
                        continue
                # larger than a batch: on its own, after what its partition had (the producer's own
                # size checks apply, as they did to every event before)
                batches.pop(where)
                sent.append(await producer.send(where[0], value, key, partition=where[1], headers=headers))
        for where, batch in batches.items():
            sent.append(await self._send_batch(batch, where))
        return sent

    async def _send_batch(self, batch: BatchBuilder, where: tuple[str, int]) -> asyncio.Future[Any]:
        batch.close()
        future: asyncio.Future[Any] = await self._producer.send_batch(batch, where[0], partition=where[1])
        return future

    async def _take_lease(self, session: AsyncSession) -> bool:
        if session.get_bind().dialect.name != "postgresql":
            return True
        got = await session.scalar(select(func.pg_try_advisory_xact_lock(_RELAY_LOCK_ID)))
        return bool(got)


def _headers(text: str | None) -> list[tuple[str, bytes]]:
    """A row's Kafka headers from their stored JSON text."""
    held = json.loads(text) if text else None
    stored = {k: v for k, v in (held or {}).items() if not k.startswith("ce_")}  # rows of old
    stored.setdefault("content-type", STRUCTURED_CONTENT_TYPE)  # releases: binary-mode headers
    return [(k, str(v).encode()) for k, v in stored.items()]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
