"""Which failures wait for the infrastructure and which dead-letter, and that a failed batch is read again."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import pytest
from accord_common.messaging import ConsumerLoop
from accord_common.messaging.consumer import MembershipChanged
from accord_common.outages import InfrastructureUnavailable, OutageLog, is_infrastructure_failure
from aiokafka import TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaConnectionError, RequestTimedOutError
from sqlalchemy import exc as sa_exc


class FakeSqlState(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


class AdminShutdownError(Exception):
    """Named like asyncpg's: terminating connection due to administrator command."""


AdminShutdownError.__module__ = "asyncpg.exceptions"


def wrapped(inner: BaseException) -> BaseException:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise RuntimeError("handler could not load the contract") from exc
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    ("error", "infrastructure"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (TimeoutError(), True),
        (sa_exc.OperationalError("SELECT 1", {}, ConnectionRefusedError()), True),
        (sa_exc.InterfaceError("SELECT 1", {}, Exception("connection is closed")), True),
        (sa_exc.TimeoutError("QueuePool limit reached"), True),
        (FakeSqlState("57P01"), True),  # admin shutdown
        (FakeSqlState("57P03"), True),  # cannot connect now: the database system is starting up
        (FakeSqlState("08006"), True),  # connection failure
        (FakeSqlState("40001"), True),  # serialization failure: retry as it is
        (FakeSqlState("53300"), True),  # too many connections
        (AdminShutdownError(), True),
        (KafkaConnectionError(), True),
        (RequestTimedOutError(), True),  # retriable broker error
        (wrapped(ConnectionResetError()), True),  # raised from an infrastructure error
        (FakeSqlState("23505"), False),  # unique violation: the content
        (FakeSqlState("22003"), False),  # numeric value out of range: the content
        (sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key")), False),
        (ValueError("notice_days must be positive"), False),
        (KeyError("terms"), False),
        (CommitFailedError(), False),  # not retriable by itself; the loop still never skips
    ],
)
def test_failures_are_told_apart(error: BaseException, infrastructure: bool) -> None:
    assert is_infrastructure_failure(error) is infrastructure


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    value: bytes = b""
    key: bytes | None = None
    headers: tuple[Any, ...] = ()


@dataclass
class FakeConsumer:
    assigned: set[TopicPartition]
    seeks: dict[TopicPartition, int] = field(default_factory=dict)
    commits: list[dict[TopicPartition, int]] = field(default_factory=list)

    def assignment(self) -> set[TopicPartition]:
        return self.assigned

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks[tp] = offset

    def highwater(self, tp: TopicPartition) -> int | None:
        return None

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(dict(offsets))


class ScriptedLoop(ConsumerLoop):
    """process() is scripted: records whose offset is in `fail_at` raise InfrastructureUnavailable."""

    def __init__(
        self, consumer: FakeConsumer, fail_at: set[tuple[int, int]], *, concurrent: bool = False
    ) -> None:
        super().__init__(
            name="t",
            consumer=consumer,
            producer=None,
            handlers={},
            uow_factory=None,  # type: ignore[arg-type]
            concurrent_partitions=concurrent,
        )
        self.fail_at = fail_at
        self.applied: list[tuple[int, int]] = []

    async def process(self, record: Any) -> str:
        if (record.partition, record.offset) in self.fail_at:
            raise InfrastructureUnavailable("database down")
        self.applied.append((record.partition, record.offset))
        return "applied"


def batch(parts: dict[int, range]) -> dict[TopicPartition, list[Any]]:
    return {TopicPartition("t", p): [Record("t", p, o) for o in offsets] for p, offsets in parts.items()}


async def test_an_outage_mid_batch_seeks_every_partition_back_to_its_first_unprocessed_record() -> None:
    p0, p1, p2 = (TopicPartition("t", p) for p in range(3))
    consumer = FakeConsumer({p0, p1, p2})
    loop = ScriptedLoop(consumer, fail_at={(1, 22)})
    with pytest.raises(InfrastructureUnavailable):
        await loop.process_batches(batch({0: range(10, 13), 1: range(20, 25), 2: range(30, 32)}))
    assert loop.applied == [(0, 10), (0, 11), (0, 12), (1, 20), (1, 21)]
    assert consumer.commits == [{p0: 13}]  # never past an unprocessed record
    assert consumer.seeks == {p1: 22, p2: 30}


async def test_a_partition_lost_to_a_rebalance_is_not_sought() -> None:
    p0, _p1 = TopicPartition("t", 0), TopicPartition("t", 1)
    consumer = FakeConsumer({p0})
    loop = ScriptedLoop(consumer, fail_at={(0, 5)})
    with pytest.raises(InfrastructureUnavailable):
        await loop.process_batches(batch({0: range(5, 7), 1: range(8, 9)}))
    assert consumer.seeks == {p0: 5}


async def test_a_clean_batch_commits_each_partition_after_its_records() -> None:
    p0, p1 = TopicPartition("t", 0), TopicPartition("t", 1)
    consumer = FakeConsumer({p0, p1})
    loop = ScriptedLoop(consumer, fail_at=set())
    await loop.process_batches(batch({0: range(0, 3), 1: range(7, 8)}))
    assert consumer.commits == [{p0: 3}, {p1: 8}]
    assert consumer.seeks == {}


async def test_a_cancelled_batch_is_sought_back_too() -> None:
    p0 = TopicPartition("t", 0)
    consumer = FakeConsumer({p0})

    class Slow(ScriptedLoop):
        async def process(self, record: Any) -> str:
            if record.offset == 1:
                await asyncio.sleep(10)
            return await super().process(record)

    loop = Slow(consumer, fail_at=set())
    task = asyncio.create_task(loop.process_batches(batch({0: range(0, 3)})))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert consumer.seeks == {p0: 1}
    assert consumer.commits == []


async def test_partitions_at_once_are_applied_together_and_committed_in_one_request() -> None:
    p0, p1, p2 = (TopicPartition("t", p) for p in range(3))
    consumer = FakeConsumer({p0, p1, p2})
    handed_over = asyncio.Event()

    class Waiting(ScriptedLoop):
        async def process(self, record: Any) -> str:
            if (record.partition, record.offset) == (0, 11):  # only a concurrent partition 1 sets it
                await asyncio.wait_for(handed_over.wait(), timeout=5)
            if (record.partition, record.offset) == (1, 20):
                handed_over.set()
            return await super().process(record)

    loop = Waiting(consumer, fail_at=set(), concurrent=True)
    await loop.process_batches(batch({0: range(10, 13), 1: range(20, 22), 2: range(30, 31)}))
    assert loop.applied.index((1, 20)) < loop.applied.index((0, 11))
    for p, offsets in ((0, range(10, 13)), (1, range(20, 22))):  # each partition still in order
        assert [o for q, o in loop.applied if q == p] == list(offsets)
    assert consumer.commits == [{p0: 13, p1: 22, p2: 31}]
    assert consumer.seeks == {}


async def test_partitions_at_once_an_outage_in_one_commits_the_others_and_seeks_it_back() -> None:
    p0, p1, p2 = (TopicPartition("t", p) for p in range(3))
    consumer = FakeConsumer({p0, p1, p2})
    loop = ScriptedLoop(consumer, fail_at={(1, 22)}, concurrent=True)
    with pytest.raises(InfrastructureUnavailable):
        await loop.process_batches(batch({0: range(10, 13), 1: range(20, 25), 2: range(30, 32)}))
    assert sorted(loop.applied) == [(0, 10), (0, 11), (0, 12), (1, 20), (1, 21), (2, 30), (2, 31)]
    assert consumer.commits == [{p0: 13, p1: 22, p2: 32}]  # p1 up to its first unprocessed record
    assert consumer.seeks == {p1: 22}


async def test_partitions_at_once_raise_the_outage_before_a_bad_message() -> None:
    p0, p1 = TopicPartition("t", 0), TopicPartition("t", 1)
    consumer = FakeConsumer({p0, p1})

    class Mixed(ScriptedLoop):
        async def process(self, record: Any) -> str:
            if record.partition == 0:
                raise RuntimeError("a defect in the plumbing")
            return await super().process(record)

    loop = Mixed(consumer, fail_at={(1, 8)}, concurrent=True)
    with pytest.raises(InfrastructureUnavailable):
        await loop.process_batches(batch({0: range(0, 2), 1: range(7, 9)}))
    assert consumer.commits == [{p1: 8}]
    assert consumer.seeks == {p0: 0, p1: 8}


async def test_partitions_at_once_a_cancelled_batch_is_sought_back() -> None:
    p0, p1 = TopicPartition("t", 0), TopicPartition("t", 1)
    consumer = FakeConsumer({p0, p1})

    class Slow(ScriptedLoop):
        async def process(self, record: Any) -> str:
            if record.offset in (1, 6):
                await asyncio.sleep(10)
            return await super().process(record)

    loop = Slow(consumer, fail_at=set(), concurrent=True)
    task = asyncio.create_task(loop.process_batches(batch({0: range(0, 3), 1: range(5, 8)})))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert consumer.seeks == {p0: 1, p1: 6}
    assert consumer.commits == []


async def test_one_partition_is_applied_alone_even_with_partitions_at_once() -> None:
    p0 = TopicPartition("t", 0)
    consumer = FakeConsumer({p0})
    loop = ScriptedLoop(consumer, fail_at=set(), concurrent=True)
    await loop.process_batches(batch({0: range(4, 6)}))
    assert consumer.commits == [{p0: 6}]


def test_an_outage_is_logged_once_then_at_a_bounded_rate(caplog: pytest.LogCaptureFixture) -> None:
    outage = OutageLog(logging.getLogger("t.outage"), "consumer t", every_s=3600)
    with caplog.at_level(logging.WARNING, logger="t.outage"):
        for _ in range(5000):
            outage.failed(ConnectionRefusedError())
        outage.recovered()
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["consumer t: infrastructure unavailable, waiting", "consumer t: infrastructure back"]
    assert caplog.records[-1].retries == 5000  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "refusal", [CommitFailedError("rebalancing"), IllegalStateError("Partition t-0 is not assigned")]
)
async def test_a_commit_refused_by_a_rebalance_is_not_an_outage(refusal: Exception) -> None:
    """The run's effects are committed; the broker refused its offsets because the group moved the
    partitions: the loop is told the membership changed (it fetches again at once), not that the
    infrastructure is down (it would pause with backoff)."""
    p0 = TopicPartition("t", 0)

    class Refusing(FakeConsumer):
        async def commit(self, offsets: dict[TopicPartition, int]) -> None:
            raise refusal

    consumer = Refusing({p0})
    loop = ScriptedLoop(consumer, fail_at=set())
    with pytest.raises(MembershipChanged) as raised:
        await loop.process_batches(batch({0: range(4, 7)}))
    assert raised.value.__cause__ is refusal
    assert loop.applied == [(0, 4), (0, 5), (0, 6)]
    assert consumer.seeks == {p0: 7}  # past what was applied, if the partition is still ours
