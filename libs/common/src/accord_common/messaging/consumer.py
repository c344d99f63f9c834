"""The consumer loop: inbox for exactly-once effects, bounded retries with backoff, dead letters.

For each message: open a unit of work, record (event id, consumer) in the inbox, run the handler,
commit -- one transaction, so a redelivered event finds its inbox row and is skipped. A message that
still fails after the configured attempts goes to `<topic>.dlq` (and the dead_letters table) with the
error, and the partition moves on. Offsets are committed only after the effect is committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from prometheus_client import Counter
from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from accord_common.events import CloudEvent
from accord_common.telemetry import consumer_span
from accord_common.uow import UnitOfWork

log = logging.getLogger(__name__)
EventHandler = Callable[[CloudEvent, UnitOfWork], Awaitable[None]]
UowFactory = Callable[[], UnitOfWork]
CONSUMED = Counter("accord_events_consumed_total", "Events consumed", ["topic", "outcome"])


class ConsumerLoop:
    def __init__(
        self,
        *,
        name: str,
        consumer: AIOKafkaConsumer,
        producer: AIOKafkaProducer,
        handlers: dict[str, EventHandler],
        uow_factory: UowFactory,
        max_attempts: int = 5,
        backoff_s: float = 0.2,
    ) -> None:
        self.name = name
        self._consumer = consumer
        self._producer = producer
        self._handlers = handlers
        self._uow_factory = uow_factory
        self._max_attempts = max_attempts
        self._backoff_s = backoff_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.name}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                batches = await self._consumer.getmany(timeout_ms=500, max_records=100)
                for tp, records in batches.items():
                    for record in records:
                        await self.process(record)
                        await self._consumer.commit({tp: record.offset + 1})
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("consumer loop error; continuing")
                await asyncio.sleep(1)

    async def process(self, record: ConsumerRecord[Any, Any]) -> str:
        """Apply one record; returns 'applied', 'duplicate', 'ignored' or 'dead_lettered'."""
        try:
            event = CloudEvent.from_bytes(record.value)
        except (ValidationError, ValueError) as exc:
            await self._dead_letter(record, None, f"not a CloudEvent: {exc}", 1)
            return "dead_lettered"
        handler = self._handlers.get(event.type)
        if handler is None:
            CONSUMED.labels(record.topic, "ignored").inc()
            return "ignored"
        with consumer_span(record.topic, event.id, record.headers):
            outcome = await self._apply_with_retries(record, event, handler)
        CONSUMED.labels(record.topic, outcome).inc()
        return outcome

    async def _apply_with_retries(
        self, record: ConsumerRecord[Any, Any], event: CloudEvent, handler: EventHandler
    ) -> str:
        error = ""
        for attempt in range(1, self._max_attempts + 1):
            try:
                return await self._apply_once(event, handler)
            except Exception as exc:  # any failure of the handler is retried, then dead-lettered
                error = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "handler failed",
                    extra={"event_id": event.id, "event_type": event.type, "attempt": attempt},
                )
                if attempt < self._max_attempts:
                    await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
        await self._dead_letter(record, event, error, self._max_attempts)
        return "dead_lettered"

    async def _apply_once(self, event: CloudEvent, handler: EventHandler) -> str:
        async with self._uow_factory() as uow:
            inbox = _inbox(uow)
            seen = await uow.session.scalar(
                select(inbox.c.event_id).where(inbox.c.event_id == event.id, inbox.c.consumer == self.name)
            )
            if seen:
                return "duplicate"
            await uow.session.execute(
                insert(inbox).values(
                    event_id=event.id,
                    consumer=self.name,
                    event_type=event.type,
                    processed_at=datetime.now(UTC),
                )
            )
            await handler(event, uow)
            try:
                if not uow.committed:
                    await uow.commit()
            except IntegrityError:
                return "duplicate"  # a concurrent replica applied it first
        return "applied"

    async def _dead_letter(
        self, record: ConsumerRecord[Any, Any], event: CloudEvent | None, error: str, attempts: int
    ) -> None:
        headers = [
            *(record.headers or ()),
            ("dlq_error", error[:1000].encode()),
            ("dlq_consumer", self.name.encode()),
            ("dlq_source_topic", record.topic.encode()),
        ]
        await self._producer.send_and_wait(
            f"{record.topic}.dlq", value=record.value, key=record.key, headers=headers
        )
        async with self._uow_factory() as uow:
            await uow.session.execute(
                insert(_dead_letters(uow)).values(
                    event_id=event.id if event else None,
                    topic=record.topic,
                    consumer=self.name,
                    payload=record.value,
                    error=error[:4000],
                    attempts=attempts,
                    failed_at=datetime.now(UTC),
                    message_key=record.key.decode() if record.key else None,
                )
            )
            await uow.commit()
        log.error(
            "event dead-lettered",
            extra={"topic": record.topic, "event_id": event.id if event else None},
        )


def _inbox(uow: UnitOfWork) -> Any:
    return uow.metadata.tables["inbox"]


def _dead_letters(uow: UnitOfWork) -> Any:
    return uow.metadata.tables["dead_letters"]
