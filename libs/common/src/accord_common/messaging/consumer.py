"""The consumer loop: inbox for exactly-once effects, waits out outages, dead-letters only bad content.

For each message: open a unit of work, record (event id, consumer) in the inbox, run the handler,
commit -- one transaction, so a redelivered event finds its inbox row and is skipped. Offsets are
committed only after the effects, and never past a record that was not processed. A partition's
fetched run is applied in one transaction when it can be (see `batch.py`), else one by one.

With `concurrent_partitions` (on for PostgreSQL), the partitions of one fetch are applied at the
same time, each in its own transaction, and their offsets committed together in one request once
all are done: a fetch then costs its slowest partition, not the sum of them, so an event waits less
behind the others (per-key order is per partition, so it is kept). Off (SQLite, one writer at a
time) they are applied one after the other, each committed after its records.

Two kinds of failure are told apart (see `failures.py`):
- the infrastructure's (database or broker down, timing out): every partition of the fetched batch is
  sought back to its first unprocessed record, the assignment is paused, and the loop waits with
  backoff until the database answers again, then resumes where it stopped. Nothing is skipped and
  nothing is dead-lettered, however long the outage lasts; the outage is logged once, then at a
  bounded rate.
- the message's own (a payload the handler cannot apply, with the infrastructure healthy): retried a
  few times with backoff, then sent to `<topic>.dlq` and recorded in the dead_letters table; the
  partition moves on only once both are done.

A rebalance is neither: when the group reassigns partitions while a run is applied (a replica or
worker joins or leaves), the broker refuses the run's offset commit. The effects are committed with
their inbox rows, so the partition's owner reads on from the last committed offset and skips what
the run applied; the loop logs it and fetches again at once. (Taken for an outage, paused with
backoff, it had stopped a tracker's consumer for 6.7 s when a second worker joined its group.)
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError
from pydantic import ValidationError
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from accord_common.events import CloudEvent
from accord_common.messaging.batch import NotBatchable, apply_run, handler_for
from accord_common.messaging.dead_letters import DeadLetter
from accord_common.messaging.metrics import CONSUMED, HELD, LAG, ONE_BY_ONE, REASSIGNED
from accord_common.outages import InfrastructureUnavailable, OutageLog, is_infrastructure_failure
from accord_common.telemetry import consumer_span
from accord_common.uow import UnitOfWork

log = logging.getLogger(__name__)
EventHandler = Callable[[CloudEvent, UnitOfWork], Awaitable[None]]
UowFactory = Callable[[], UnitOfWork]
_PROBE_TIMEOUT_S = 5.0


class MembershipChanged(Exception):
    """The broker refused an offset commit because the group reassigned partitions meanwhile."""


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
        outage_backoff_s: tuple[float, float] = (0.5, 5.0),
        # A fetch's records: one run per partition, one transaction each. The broker sends at most
        # 1 MiB a partition a fetch (~1,000 events); at 2,000 the first two partitions filled a
        # fetch and the third got ~100, so partitions applied at once waited on two long runs
        # beside a short one. 6,000 takes each partition's whole share (docs/benchmarks.md).
        max_records: int = 6000,
        batched: bool = True,
        concurrent_partitions: bool = False,
    ) -> None:
        self.name = name
        self._consumer = consumer
        self._producer = producer
        self._handlers = handlers
        self._uow_factory = uow_factory
        self._max_attempts = max_attempts
        self._backoff_s = backoff_s
        self._outage_backoff = outage_backoff_s
        self._delay = outage_backoff_s[0]
        self._max_records = max_records
        self._batched = batched
        self._concurrent = concurrent_partitions
        self._outage = OutageLog(log, f"consumer {name}")
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        _freeze_long_lived()
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.name}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                batches = await self._consumer.getmany(timeout_ms=500, max_records=self._max_records)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the fetch itself failed: the broker
                await self._wait_out(exc)
                continue
            if not batches:
                continue
            try:
                await self.process_batches(batches)
            except asyncio.CancelledError:
                raise
            except InfrastructureUnavailable as exc:
                await self._hold(exc)
            except MembershipChanged as exc:
                REASSIGNED.labels(self.name).inc()
                log.warning(  # each owner reads on from the committed offsets; the inbox skips repeats
                    "offsets not committed: partitions reassigned during the run",
                    extra={"consumer": self.name, "error_type": type(exc.__cause__).__name__},
                )
            except Exception:  # a defect in a handler's plumbing: nothing is skipped (sought back)
                log.exception("consumer loop error; the batch will be read again")
                await asyncio.sleep(1)
            else:
                self._delay = self._outage_backoff[0]
                self._outage.recovered()

    async def process_batches(self, batches: dict[TopicPartition, list[ConsumerRecord[Any, Any]]]) -> None:
        """Apply every fetched record in order and commit each partition's offset after its records.

        On any failure, every partition of the batch is sought back to its first unprocessed record
        before the error propagates, so the next fetch starts there: no record is ever skipped."""
        unprocessed = {tp: records[0].offset for tp, records in batches.items() if records}
        try:
            if self._concurrent and len(unprocessed) > 1:
                await self._apply_partitions_at_once(batches, unprocessed)
                return
            for tp, records in batches.items():
                if records:
                    await self._apply_partition(tp, records, unprocessed)
                    await self._commit({tp: unprocessed[tp]})
                    self._record_lag(tp, unprocessed.pop(tp))
        except BaseException:
            self._rewind(unprocessed)
            raise

    async def _apply_partition(
        self,
        tp: TopicPartition,
        records: list[ConsumerRecord[Any, Any]],
        unprocessed: dict[TopicPartition, int],
    ) -> None:
        """Apply one partition's records in order; `unprocessed[tp]` follows the first one not applied."""
        if not await self._apply_together(tp, records):
            for record in records:
                await self.process(record)
                unprocessed[tp] = record.offset + 1
        unprocessed[tp] = records[-1].offset + 1

    async def _apply_partitions_at_once(
        self,
        batches: dict[TopicPartition, list[ConsumerRecord[Any, Any]]],
        unprocessed: dict[TopicPartition, int],
    ) -> None:
        """Every partition at the same time (each in its own transactions), then one offset commit
        for every partition that moved, done or not; a partition that failed stays in `unprocessed`
        (to be sought back) and its failure is raised, an outage's first."""
        started = dict(unprocessed)
        outcomes = await asyncio.gather(
            *(self._apply_partition(tp, records, unprocessed) for tp, records in batches.items() if records),
            return_exceptions=True,
        )
        moved = {tp: offset for tp, offset in unprocessed.items() if offset != started[tp]}
        if moved:
            await self._commit(moved)
        for tp, records in batches.items():
            if records and unprocessed.get(tp) == records[-1].offset + 1:
                self._record_lag(tp, unprocessed.pop(tp))
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        if failures:
            raise next((f for f in failures if isinstance(f, InfrastructureUnavailable)), failures[0])

    async def _apply_together(self, tp: TopicPartition, records: list[ConsumerRecord[Any, Any]]) -> bool:
        """Apply a partition's run in one transaction (see batch.py); False: apply it one by one."""
        if not self._batched or len(records) < 2:
            return False
        try:
            outcome = await apply_run(self.name, records, self._handlers, self._uow_factory)
        except NotBatchable:
            return False
        except Exception as exc:
            if is_infrastructure_failure(exc):
                raise InfrastructureUnavailable("applying a batch") from exc
            if (problem := await self._database_problem()) is not None:
                raise InfrastructureUnavailable("applying a batch") from problem
            ONE_BY_ONE.labels(self.name).inc()
            log.warning(  # slower by far: worth seeing at the default level
                "batch applied one by one instead",
                extra={"count": len(records), "error_type": type(exc).__name__, "topic": tp.topic},
            )
            return False
        for outcome_name, count in (
            ("applied", outcome.applied),
            ("duplicate", outcome.duplicates),
            ("ignored", outcome.ignored),
        ):
            if count:
                CONSUMED.labels(tp.topic, outcome_name).inc(count)
        return True

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:  # the group moved its partitions
            raise MembershipChanged("offset commit refused: the group is rebalancing") from exc
        except Exception as exc:  # the effects are committed: redelivery finds them in the inbox
            raise InfrastructureUnavailable("offset commit failed") from exc

    def _record_lag(self, tp: TopicPartition, committed: int) -> None:
        end = self._consumer.highwater(tp)
        if end is not None:
            LAG.labels(self.name, tp.topic, str(tp.partition)).set(max(end - committed, 0))

    def _rewind(self, unprocessed: dict[TopicPartition, int]) -> None:
        assigned = self._consumer.assignment()
        for tp, offset in unprocessed.items():
            if tp in assigned:  # a partition taken away by a rebalance is read by its new owner
                self._consumer.seek(tp, offset)

    async def _hold(self, error: InfrastructureUnavailable) -> None:
        """Pause every assigned partition and wait until the database answers again.

        The consumer keeps polling (so the group does not evict it) but gets nothing while paused;
        a record fetched for a partition assigned meanwhile is sought back, never dropped."""
        HELD.inc()
        self._outage.failed(error.__cause__ or error)
        self._consumer.pause(*self._consumer.assignment())
        try:
            while True:
                await asyncio.sleep(self._next_delay())
                stray = await self._consumer.getmany(timeout_ms=0)
                for tp, records in stray.items():
                    self._consumer.seek(tp, records[0].offset)
                    self._consumer.pause(tp)
                problem = await self._database_problem()
                if problem is None:
                    return
                self._outage.failed(problem)
        finally:
            self._consumer.resume(*self._consumer.assignment())

    async def _wait_out(self, error: BaseException) -> None:
        self._outage.failed(error)
        await asyncio.sleep(self._next_delay())

    def _next_delay(self) -> float:
        delay = self._delay
        self._delay = min(self._delay * 2, self._outage_backoff[1])
        return delay

    async def _database_problem(self) -> BaseException | None:
        """None when the database answers; else the infrastructure error it gave."""
        try:
            async with asyncio.timeout(_PROBE_TIMEOUT_S), self._uow_factory() as uow:
                await uow.session.execute(text("SELECT 1"))
        except Exception as exc:
            return exc if is_infrastructure_failure(exc) else None
        return None

    async def process(self, record: ConsumerRecord[Any, Any]) -> str:
        """Apply one record; returns 'applied', 'duplicate', 'ignored' or 'dead_lettered'.

        Raises InfrastructureUnavailable when the database or broker failed: the record was not
        applied and must be read again once they are back."""
        try:
            event = CloudEvent.from_bytes(record.value)
        except (ValidationError, ValueError) as exc:
            await self._dead_letter(record, None, f"not a CloudEvent: {exc}", 1)
            return "dead_lettered"
        handler = handler_for(self._handlers, event)
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
            except Exception as exc:
                if is_infrastructure_failure(exc):
                    raise InfrastructureUnavailable(f"applying {event.type}") from exc
                if (problem := await self._database_problem()) is not None:
                    raise InfrastructureUnavailable(f"applying {event.type}") from problem
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
        letter = DeadLetter(self.name, record, event, error, attempts)
        await letter.send(self._producer, self._uow_factory)


_frozen = False  # once a process: see _freeze_long_lived


def _freeze_long_lived() -> None:
    """Leave the objects alive when the process's first consumer starts (the service's modules,
    models, metadata: a tracker holds ~160,000) out of the collector's full passes.

    A fetched run keeps its rows and events alive until it commits, so they outlive the young
    generations and trigger full collections, each of which walked every object of the process:
    some 2 s of a 20,000-event upload's 13 s in a profile. Garbage is collected first so none of it
    is frozen; what is frozen is still freed by reference counting when it is dropped, but a cycle
    among frozen objects is never collected: hence once a process, at start-up, and not again for
    every consumer a test process starts and stops."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()


def _inbox(uow: UnitOfWork) -> Any:
    return uow.metadata.tables["inbox"]
