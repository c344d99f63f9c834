"""A fetched run is applied in one transaction with its inbox rows; anything unusual goes one by one.

Real SQLite database, scripted consumer and producer (no broker needed to check the transaction logic)."""

from __future__ import annotations

import gc
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from accord_common.db import make_engine, make_session_factory, new_metadata
from accord_common.events import CloudEvent
from accord_common.messaging import ConsumerLoop
from accord_common.messaging import consumer as consumer_module
from accord_common.messaging.batch import collector_paused, ignoring_sources, run_scope_of, with_run_scope
from accord_common.tables import add_infra_tables
from accord_common.testing.events import contract_amended as amended
from accord_common.uow import UnitOfWork
from aiokafka import TopicPartition
from sqlalchemy import Column, Integer, String, Table, event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

metadata = new_metadata()
add_infra_tables(metadata)
ledger = Table(
    "ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
)
TP = TopicPartition("contract.amended", 0)


@dataclass
class Record:
    value: bytes
    offset: int
    key: bytes | None = None
    topic: str = "contract.amended"
    partition: int = 0
    headers: tuple[Any, ...] = ()


@dataclass
class Consumer:
    commits: list[int] = field(default_factory=list)

    def assignment(self) -> set[TopicPartition]:
        return {TP}

    def seek(self, tp: TopicPartition, offset: int) -> None:
        pass

    def highwater(self, tp: TopicPartition) -> int:
        return 10_000

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(offsets[TP])


@dataclass
class Producer:
    sent: list[tuple[str, bytes]] = field(default_factory=list)

    async def send_and_wait(self, topic: str, value: bytes, key: bytes | None, headers: Any) -> None:
        self.sent.append((topic, value))


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'batches.db'}")
    async with eng.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield eng
    await eng.dispose()


def loop_for(engine: AsyncEngine, handler: Any) -> tuple[ConsumerLoop, Consumer, Producer]:
    sessions = make_session_factory(engine)
    consumer, producer = Consumer(), Producer()
    loop = ConsumerLoop(
        name="tracker",
        consumer=consumer,  # type: ignore[arg-type]
        producer=producer,  # type: ignore[arg-type]
        handlers={"contract.amended": handler},
        uow_factory=lambda: UnitOfWork(sessions, metadata),
        max_attempts=2,
        backoff_s=0,
    )
    return loop, consumer, producer


async def record_version(event: CloudEvent, uow: UnitOfWork) -> None:
    await uow.session.execute(insert(ledger).values(contract_id=event.subject, version=event.data["version"]))


async def ledger_rows(engine: AsyncEngine) -> list[tuple[str, int]]:
    async with engine.connect() as conn:
        return [
            (r[0], r[1])
            for r in (
                await conn.execute(select(ledger.c.contract_id, ledger.c.version).order_by(ledger.c.id))
            )
        ]


async def count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(metadata.tables[table])) or 0)


def run_of(events: list[CloudEvent], first_offset: int = 0) -> dict[TopicPartition, list[Any]]:
    return {TP: [Record(e.to_bytes(), first_offset + i, e.subject.encode()) for i, e in enumerate(events)]}


def count_commits(engine: AsyncEngine) -> list[int]:
    commits: list[int] = []
    event.listen(engine.sync_engine, "commit", lambda conn: commits.append(1))
    return commits


async def test_a_fetched_run_is_applied_in_one_transaction_and_a_redelivery_changes_nothing(
    engine: AsyncEngine,
) -> None:
    cid = str(uuid.uuid4())
    events = [amended(cid, v) for v in range(1, 51)]
    loop, consumer, _ = loop_for(engine, record_version)
    commits = count_commits(engine)
    await loop.process_batches(run_of(events))
    assert len(commits) == 1  # fifty events, one database transaction
    assert consumer.commits == [50]  # and one offset commit
    assert await ledger_rows(engine) == [(cid, v) for v in range(1, 51)]
    assert await count(engine, "inbox") == 50

    await loop.process_batches(run_of([*events[40:], events[0], events[0]], first_offset=50))
    assert await ledger_rows(engine) == [(cid, v) for v in range(1, 51)]  # redelivered: nothing twice
    assert consumer.commits == [50, 62]


async def test_a_poison_event_sends_the_run_one_by_one_and_only_it_is_dead_lettered(
    engine: AsyncEngine,
) -> None:
    cid = str(uuid.uuid4())

    async def fussy(event: CloudEvent, uow: UnitOfWork) -> None:
        await record_version(event, uow)
        if event.data["version"] == 3:
            raise ValueError("version 3 names a fee schedule that does not exist")

    loop, consumer, producer = loop_for(engine, fussy)
    await loop.process_batches(run_of([amended(cid, v) for v in range(1, 6)]))
    assert await ledger_rows(engine) == [(cid, 1), (cid, 2), (cid, 4), (cid, 5)]  # in order, 3 rolled back
    assert [topic for topic, _ in producer.sent] == ["contract.amended.dlq"]
    assert CloudEvent.from_bytes(producer.sent[0][1]).data["version"] == 3
    assert await count(engine, "dead_letters") == 1
    assert await count(engine, "inbox") == 4
    assert consumer.commits == [5]


async def test_a_handler_that_commits_by_itself_is_applied_one_by_one(engine: AsyncEngine) -> None:
    cid = str(uuid.uuid4())

    async def committing(event: CloudEvent, uow: UnitOfWork) -> None:
        await record_version(event, uow)
        await uow.commit()

    loop, _, producer = loop_for(engine, committing)
    await loop.process_batches(run_of([amended(cid, v) for v in range(1, 4)]))
    assert await ledger_rows(engine) == [(cid, 1), (cid, 2), (cid, 3)]
    assert await count(engine, "inbox") == 3
    assert producer.sent == []


async def test_a_record_that_is_not_a_cloud_event_is_dead_lettered_in_its_place(engine: AsyncEngine) -> None:
    cid = str(uuid.uuid4())
    loop, consumer, producer = loop_for(engine, record_version)
    batch = run_of([amended(cid, 1), amended(cid, 2)])
    batch[TP].insert(1, Record(b"not json", 1))
    for i, rec in enumerate(batch[TP]):
        rec.offset = i
    await loop.process_batches(batch)
    assert await ledger_rows(engine) == [(cid, 1), (cid, 2)]
    assert len(producer.sent) == 1 and producer.sent[0][1] == b"not json"
    assert consumer.commits == [3]


async def test_a_started_consumer_leaves_what_is_alive_at_its_start_out_of_full_collections(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop, _, _ = loop_for(engine, record_version)
    monkeypatch.setattr(consumer_module, "_frozen", False)  # the process's first consumer
    gc.unfreeze()
    started_with = [object()]  # alive before the start: the service's long-lived objects
    assert gc.get_freeze_count() == 0
    loop.start()
    try:
        assert gc.get_freeze_count() > 0
        assert not any(o is started_with for o in gc.get_objects())  # no collection walks it
    finally:
        await loop.stop()
        gc.unfreeze()
    gc.freeze()
    second, _, _ = loop_for(engine, record_version)
    frozen_before = gc.get_freeze_count()
    also_alive = [object()]
    second.start()  # not again: a cycle among frozen objects would never be collected
    try:
        assert gc.get_freeze_count() == frozen_before
        assert any(o is also_alive for o in gc.get_objects())
    finally:
        await second.stop()
        gc.unfreeze()


def scoped(seen: list[Any]) -> Any:
    """record_version carrying a run scope that notes what it was entered with and when it ended."""

    @asynccontextmanager
    async def scope(events: Sequence[CloudEvent], uow: UnitOfWork) -> AsyncIterator[None]:
        seen.append(("enter", [e.data["version"] for e in events]))
        yield
        seen.append(("leave", await count_in(uow)))

    async def handler(event: CloudEvent, uow: UnitOfWork) -> None:
        await record_version(event, uow)

    return with_run_scope(handler, scope)


async def count_in(uow: UnitOfWork) -> int:
    return int(await uow.session.scalar(select(func.count()).select_from(ledger)) or 0)


async def test_a_run_scope_is_entered_once_around_the_run_in_its_transaction(engine: AsyncEngine) -> None:
    cid, seen = str(uuid.uuid4()), []
    events = [amended(cid, v) for v in range(1, 6)]
    loop, consumer, _ = loop_for(engine, scoped(seen))
    await loop.process_batches(run_of(events))
    assert seen == [("enter", [1, 2, 3, 4, 5]), ("leave", 5)]  # after every handler, before the commit
    await loop.process_batches(run_of([events[0], *(amended(cid, v) for v in (6, 7))], first_offset=5))
    assert seen[2:] == [("enter", [6, 7]), ("leave", 7)]  # the redelivered event is not in the run
    assert consumer.commits == [5, 8]


async def test_one_by_one_never_enters_the_run_scope(engine: AsyncEngine) -> None:
    seen: list[Any] = []
    loop, _, _ = loop_for(engine, scoped(seen))
    await loop.process(Record(amended(str(uuid.uuid4()), 1).to_bytes(), 0))  # type: ignore[arg-type]
    assert seen == []
    assert len(await ledger_rows(engine)) == 1


def test_handlers_share_a_scope_only_when_all_carry_the_same_one() -> None:
    async def plain(event: CloudEvent, uow: UnitOfWork) -> None:
        pass

    first, second = scoped([]), scoped([])
    assert run_scope_of([first, first]) is not None
    assert run_scope_of([first, plain]) is None
    assert run_scope_of([first, second]) is None
    assert run_scope_of([plain]) is None


async def test_the_collector_is_off_while_a_run_is_applied_and_back_on_after(engine: AsyncEngine) -> None:
    cid = str(uuid.uuid4())
    seen: list[bool] = []

    async def watching(event: CloudEvent, uow: UnitOfWork) -> None:
        seen.append(gc.isenabled())
        await record_version(event, uow)

    loop, _, _ = loop_for(engine, watching)
    assert gc.isenabled()
    await loop.process_batches(run_of([amended(cid, v) for v in range(1, 4)]))
    assert seen == [False, False, False]  # the run: one transaction, no collections
    assert gc.isenabled()

    async def failing(event: CloudEvent, uow: UnitOfWork) -> None:
        seen.append(gc.isenabled())
        raise ValueError("no such fee schedule")

    loop, _, _ = loop_for(engine, failing)
    seen.clear()
    await loop.process_batches(run_of([amended(cid, 9), amended(cid, 10)], first_offset=3))
    assert seen[0] is False and seen[1:] == [True] * (len(seen) - 1)  # one by one: collector on
    assert gc.isenabled()  # back on after a run that failed


def test_runs_applied_at_once_keep_the_collector_off_until_the_last_one_ends() -> None:
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second run is still being applied
    second.__exit__(None, None, None)
    assert gc.isenabled()


async def test_a_run_leaves_the_collector_off_when_it_found_it_off(engine: AsyncEngine) -> None:
    loop, _, _ = loop_for(engine, record_version)
    gc.disable()
    try:
        await loop.process_batches(run_of([amended(str(uuid.uuid4()), v) for v in range(1, 3)]))
        assert not gc.isenabled()
    finally:
        gc.enable()


async def test_events_from_a_source_the_handler_ignores_leave_no_inbox_row_in_a_run_or_alone(
    engine: AsyncEngine,
) -> None:
    """The engine ignores its own claim.paid (reconciled when its 835 came in): before any
    transaction, as a type without a handler is; the same type from elsewhere is applied."""
    cid = str(uuid.uuid4())
    ours = [amended(cid, v).model_copy(update={"source": "engine"}) for v in (1, 2)]
    theirs = [amended(cid, v) for v in (3, 4)]  # source "test"
    loop, consumer, _ = loop_for(engine, ignoring_sources(record_version, {"engine"}))
    commits = count_commits(engine)

    await loop.process_batches(run_of([ours[0], theirs[0], ours[1], theirs[1]]))
    assert await ledger_rows(engine) == [(cid, 3), (cid, 4)]
    assert await count(engine, "inbox") == 2  # only the applied ones
    assert consumer.commits == [4] and len(commits) == 1

    ignored = await loop.process(
        Record(amended(cid, 5).model_copy(update={"source": "engine"}).to_bytes(), 4)
    )
    applied = await loop.process(Record(amended(cid, 6).to_bytes(), 5))
    assert (ignored, applied) == ("ignored", "applied")
    assert await ledger_rows(engine) == [(cid, 3), (cid, 4), (cid, 6)]
    assert await count(engine, "inbox") == 3

    only_ours = [amended(cid, v).model_copy(update={"source": "engine"}) for v in (7, 8)]
    transactions = len(commits)
    await loop.process_batches(run_of(only_ours, first_offset=6))
    assert consumer.commits[-1] == 8  # a run of ignored events: its offsets committed,
    assert len(commits) == transactions  # no transaction
    assert await count(engine, "inbox") == 3
