"""Outbox -> relay -> Kafka -> consumer with inbox, on a real PostgreSQL and a real broker."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from accord_common.db import make_engine, make_session_factory, new_metadata
from accord_common.events import CloudEvent
from accord_common.messaging import ConsumerLoop, KafkaConfig, OutboxRelay, ensure_topics
from accord_common.messaging.batch import apply_run
from accord_common.messaging.kafka import TopicLayout
from accord_common.messaging.metrics import HELD, REASSIGNED
from accord_common.messaging.partitions import partition_of
from accord_common.outbox_bundles import events_of
from accord_common.tables import add_infra_tables
from accord_common.testing.events import ScriptedRecord
from accord_common.testing.events import contract_amended as contract_event
from accord_common.testing.kafka import KafkaBroker
from accord_common.testing.outbox import outbox_events
from accord_common.testing.postgres import PostgresServer
from accord_common.uow import UnitOfWork
from sqlalchemy import Column, Integer, String, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError

metadata = new_metadata()
add_infra_tables(metadata)
ledger = Table(
    "ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
)


class Harness:
    def __init__(self, url: str, bootstrap: str) -> None:
        self.engine = make_engine(url)
        self.sessions = make_session_factory(self.engine)
        self.kafka = KafkaConfig(bootstrap, session_timeout_ms=6000, heartbeat_interval_ms=2000)
        self.group = f"g-{uuid.uuid4().hex[:8]}"

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, metadata)

    async def ledger_rows(self, contract_id: str) -> list[tuple[str, int]]:
        """The topic is shared between tests, so each test looks only at its own contract."""
        async with self.sessions() as s:
            rows = await s.execute(
                select(ledger.c.contract_id, ledger.c.version)
                .where(ledger.c.contract_id == contract_id)
                .order_by(ledger.c.id)
            )
            return [(r[0], r[1]) for r in rows.all()]

    async def count(self, table: str, contract_id: str) -> int:
        """The outbox's events keyed by the contract, or the inbox rows of those events."""
        async with self.sessions() as s:
            events = await outbox_events(s, metadata.tables["outbox"], key=contract_id)
            if table == "outbox":
                return len(events)
            inbox = metadata.tables["inbox"]
            ids = [json.loads(e.payload)["id"] for e in events]
            return int(await s.scalar(select(func.count()).where(inbox.c.event_id.in_(ids))) or 0)


@pytest.fixture
async def harness(postgres_server: PostgresServer, kafka_broker: KafkaBroker) -> AsyncIterator[Harness]:
    url = await postgres_server.create_database_async(f"msg_{uuid.uuid4().hex[:8]}")
    h = Harness(url, kafka_broker.bootstrap)
    async with h.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await ensure_topics(kafka_broker.bootstrap, ["contract.amended", "contract.amended.dlq"])
    yield h
    await h.engine.dispose()


async def record(event: CloudEvent, uow: UnitOfWork) -> None:
    await uow.session.execute(insert(ledger).values(contract_id=event.subject, version=event.data["version"]))


async def run_consumer(
    h: Harness, handler: Any, until: Any, timeout: float = 60, *, concurrent: bool = False
) -> ConsumerLoop:
    consumer = h.kafka.consumer("contract.amended", group_id=h.group)
    producer = h.kafka.producer()
    await consumer.start()
    await producer.start()
    loop = ConsumerLoop(
        name="test",
        consumer=consumer,
        producer=producer,
        handlers={"contract.amended": handler},
        uow_factory=h.uow,
        max_attempts=3,
        backoff_s=0.05,
        concurrent_partitions=concurrent,
    )
    loop.start()
    try:
        async with asyncio.timeout(timeout):
            while not await until():
                await asyncio.sleep(0.2)
    finally:
        await loop.stop()
        await consumer.stop()
        await producer.stop()
    return loop


async def publish_all(h: Harness) -> int:
    """One relay pass that keeps the rows it published (OUTBOX_RETENTION_DAYS > 0): these tests
    publish them again, and find a contract's inbox rows through their event ids."""
    producer = h.kafka.producer()
    await producer.start()
    try:
        return await OutboxRelay(h.sessions, metadata, producer, keep_published=True).publish_pending()
    finally:
        await producer.stop()


class _FailsAfterSending(OutboxRelay):
    """A relay whose database goes away once the broker has acknowledged the pass's rows."""

    async def _send(self, rows: Any) -> list[asyncio.Future[Any]]:
        await asyncio.gather(*await super()._send(rows))
        raise ConnectionResetError("the database went away after the broker acknowledged")


async def test_published_rows_are_deleted_and_a_pass_that_fails_after_sending_sends_them_again(
    harness: Harness,
) -> None:
    cid = str(uuid.uuid4())
    outbox = metadata.tables["outbox"]

    async def held() -> list[Any]:  # each event's row's publication time
        async with harness.sessions() as s:
            rows = (await s.execute(select(outbox).order_by(outbox.c.id))).all()
        return [
            row.published_at
            for row in rows
            for event in events_of(row.topic, row.message_key, row.payload, row.event_count)
            if event.key == cid.encode()
        ]

    async with harness.uow() as uow:
        uow.publish(contract_event(cid, 1))
        uow.publish(contract_event(cid, 2))
        await uow.commit()
    producer = harness.kafka.producer()
    await producer.start()
    try:
        with pytest.raises(ConnectionResetError):
            await _FailsAfterSending(harness.sessions, metadata, producer).publish_pending()
        assert await held() == [None, None]  # sent, but the pass rolled back: both wait to go again
        while await OutboxRelay(harness.sessions, metadata, producer).publish_pending():
            pass
        assert await held() == []  # published, so deleted (nothing kept by default)
        async with harness.uow() as uow:  # a marker after the duplicates, on the same key
            uow.publish(contract_event(cid, 3))
            await uow.commit()
        while await OutboxRelay(harness.sessions, metadata, producer).publish_pending():
            pass
    finally:
        await producer.stop()

    async def marker_applied() -> bool:  # so both duplicates were read before it
        return (cid, 3) in await harness.ledger_rows(cid)

    await run_consumer(harness, record, marker_applied)
    assert await harness.ledger_rows(cid) == [(cid, 1), (cid, 2), (cid, 3)]


async def test_committed_events_reach_the_consumer_once_in_order(harness: Harness) -> None:
    cid = str(uuid.uuid4())
    for version in (1, 2, 3):
        async with harness.uow() as uow:
            uow.publish(contract_event(cid, version))
            await uow.commit()
    async with harness.uow() as uow:  # rolled back: its event must never leave
        uow.publish(contract_event(cid, 99))
    assert await publish_all(harness) == 3
    assert await publish_all(harness) == 0

    async def three() -> bool:
        return len(await harness.ledger_rows(cid)) >= 3

    await run_consumer(harness, record, three)
    assert await harness.ledger_rows(cid) == [(cid, 1), (cid, 2), (cid, 3)]


async def test_partitions_applied_at_once_keep_each_contract_in_order_and_apply_once(
    harness: Harness,
) -> None:
    contracts = [str(uuid.uuid4()) for _ in range(24)]  # spread over the topic's 3 partitions
    for version in range(1, 6):
        async with harness.uow() as uow:
            for cid in contracts:
                uow.publish(contract_event(cid, version))
            await uow.commit()
    assert await publish_all(harness) == 120
    async with harness.sessions() as s, s.begin():  # the relay "crashed" before marking: sent twice
        outbox = metadata.tables["outbox"]
        await s.execute(update(outbox).where(outbox.c.message_key.in_(contracts)).values(published_at=None))
    async with harness.uow() as uow:  # markers after the duplicates, on the same keys and partitions
        for cid in contracts:
            uow.publish(contract_event(cid, 6))
        await uow.commit()
    assert await publish_all(harness) == 144

    async def markers_applied() -> bool:  # so every duplicate was read before them
        async with harness.sessions() as s:
            query = select(func.count()).select_from(ledger)
            query = query.where(ledger.c.contract_id.in_(contracts), ledger.c.version == 6)
            return int(await s.scalar(query) or 0) == 24

    await run_consumer(harness, record, markers_applied, concurrent=True)
    for cid in contracts:
        assert await harness.ledger_rows(cid) == [(cid, v) for v in range(1, 7)]
        assert await harness.count("inbox", cid) == 6


async def test_redelivered_events_change_nothing(harness: Harness) -> None:
    cid = str(uuid.uuid4())
    async with harness.uow() as uow:
        uow.publish(contract_event(cid, 1))
        uow.publish(contract_event(cid, 2))
        await uow.commit()
    await publish_all(harness)
    async with harness.sessions() as s, s.begin():  # as if the relay crashed before marking
        await s.execute(update(metadata.tables["outbox"]).values(published_at=None))
    async with harness.uow() as uow:  # a marker after the duplicates, on the same key and partition
        uow.publish(contract_event(cid, 3))
        await uow.commit()
    assert await publish_all(harness) == 3

    async def marker_applied() -> bool:  # so both duplicates were read before it
        return (cid, 3) in await harness.ledger_rows(cid)

    await run_consumer(harness, record, marker_applied)
    assert await harness.ledger_rows(cid) == [(cid, 1), (cid, 2), (cid, 3)]
    assert await harness.count("inbox", cid) == 3


async def test_a_failing_event_is_retried_then_dead_lettered(harness: Harness) -> None:
    cid = str(uuid.uuid4())
    attempts: list[int] = []

    async def poisoned(event: CloudEvent, uow: UnitOfWork) -> None:
        await record(event, uow)  # written, then rolled back with the failure
        if event.subject == cid and event.data["version"] == 1:
            attempts.append(1)
            raise RuntimeError("cannot apply version 1")

    async with harness.uow() as uow:
        uow.publish(contract_event(cid, 1))
        uow.publish(contract_event(cid, 2))
        await uow.commit()
    await publish_all(harness)

    async def settled() -> bool:
        return await harness.count("dead_letters", cid) == 1 and len(await harness.ledger_rows(cid)) == 1

    dead_before = dead_letters_counted()
    await run_consumer(harness, poisoned, settled)
    assert dead_letters_counted() == dead_before + 1  # operators see it on /metrics
    assert len(attempts) == 1 + 3  # once in the fetched run's transaction, then 3 times on its own
    assert await harness.ledger_rows(cid) == [(cid, 2)]
    assert await harness.count("inbox", cid) == 1
    dlq = harness.kafka.consumer("contract.amended.dlq", group_id=f"dlq-{harness.group}")
    await dlq.start()
    records: list[Any] = []
    try:  # the topic is shared with other tests: read until our own record turns up
        async with asyncio.timeout(60):
            while not records:
                batch = await dlq.getmany(timeout_ms=500)
                records = [r for rs in batch.values() for r in rs if r.key == cid.encode()]
    finally:
        await dlq.stop()
    headers = dict(records[0].headers)
    assert b"cannot apply version 1" in headers["dlq_error"]
    assert CloudEvent.from_bytes(records[0].value).data["version"] == 1


def dead_letters_counted() -> float:
    from prometheus_client import REGISTRY

    labels = {"consumer": "test", "topic": "contract.amended"}
    return REGISTRY.get_sample_value("accord_dead_letters_total", labels) or 0.0


async def test_operators_see_the_outbox_backlog_and_consumer_lag(harness: Harness) -> None:
    from prometheus_client import REGISTRY

    cid = str(uuid.uuid4())
    async with harness.uow() as uow:
        for version in (1, 2, 3):
            uow.publish(contract_event(cid, version))
        await uow.commit()
    producer = harness.kafka.producer()
    await producer.start()
    try:
        relay = OutboxRelay(harness.sessions, metadata, producer)
        count, age = await relay.measure_backlog()
        assert count >= 3 and age > 0  # other tests' rows may wait too: at least ours
        assert REGISTRY.get_sample_value("accord_outbox_backlog") == count
        while await relay.publish_pending():
            pass
        assert await relay.measure_backlog() == (0, 0.0)
        assert REGISTRY.get_sample_value("accord_outbox_oldest_unpublished_seconds") == 0.0
    finally:
        await producer.stop()

    async def applied() -> bool:
        return len(await harness.ledger_rows(cid)) == 3

    loop = await run_consumer(harness, record, applied)
    lags = [
        s.value
        for metric in REGISTRY.collect()
        if metric.name == "accord_consumer_lag"
        for s in metric.samples
        if s.labels["consumer"] == loop.name
    ]
    assert lags and min(lags) >= 0


async def test_relay_is_exclusive_across_replicas(harness: Harness) -> None:
    """Two relays on one PostgreSQL database: the advisory lease lets one publish at a time."""
    cid = str(uuid.uuid4())
    async with harness.uow() as uow:
        for version in range(1, 21):
            uow.publish(contract_event(cid, version))
        await uow.commit()
    p1, p2 = harness.kafka.producer(), harness.kafka.producer()
    await p1.start()
    await p2.start()
    try:
        r1 = OutboxRelay(harness.sessions, metadata, p1, batch_size=5)
        r2 = OutboxRelay(harness.sessions, metadata, p2, batch_size=5)
        sent = 0
        for _ in range(10):
            results = await asyncio.gather(r1.publish_pending(), r2.publish_pending())
            sent += sum(results)
    finally:
        await p1.stop()
        await p2.stop()
    assert sent == 20

    async def all_in() -> bool:
        return len(await harness.ledger_rows(cid)) >= 20

    await run_consumer(harness, record, all_in)
    assert [v for _, v in await harness.ledger_rows(cid)] == list(range(1, 21))


async def test_messages_follow_the_cloudevents_kafka_binding_in_structured_mode(harness: Harness) -> None:
    """A consumer using the official CloudEvents SDK (not Accord's code) reads every message."""
    from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka_event

    cid = str(uuid.uuid4())
    async with harness.uow() as uow:
        uow.publish(contract_event(cid, 1))
        uow.publish_batch(
            "contract.amended",
            source="test",
            organization_id="org-a",
            items=[(cid, contract_event(cid, 2).data)],
        )
        await uow.commit()
    await publish_all(harness)
    reader = harness.kafka.consumer("contract.amended", group_id=f"sdk-{harness.group}")
    await reader.start()
    mine: list[Any] = []
    try:
        async with asyncio.timeout(60):
            while len(mine) < 2:
                batch = await reader.getmany(timeout_ms=500)
                mine += [r for rs in batch.values() for r in rs if r.key == cid.encode()]
    finally:
        await reader.stop()
    for record, version in zip(mine, (1, 2), strict=True):
        headers = {k: v for k, v in record.headers}
        assert headers["content-type"] == b"application/cloudevents+json; charset=UTF-8"
        event = from_kafka_event(KafkaMessage(headers=headers, key=record.key, value=record.value))
        assert event.get_type() == "contract.amended"
        assert event.get_source() == "test"
        assert event.get_subject() == cid
        assert event.get_data()["version"] == version
        assert event.get_id() == CloudEvent.from_bytes(record.value).id


async def test_a_pass_lands_each_key_where_kafkas_partitioner_puts_it_in_order(harness: Harness) -> None:
    """The relay builds a batch a partition itself: each record is on the partition the producer's
    own (Java-compatible) partitioner picks for its key, one key's events in their order; a row larger
    than a batch goes on its own, between its neighbours; every row is marked published."""
    from aiokafka.partitioner import DefaultPartitioner

    topic = f"relay-placement-{uuid.uuid4().hex[:8]}"  # its own: other tests read contract.amended whole
    await ensure_topics(harness.kafka.bootstrap, [topic])
    keys = [str(uuid.uuid4()) for _ in range(30)]
    big_key, big = keys[0], b"x" * (600 * 1024)  # above the producer's 512 KiB batch, below 1 MiB
    outbox = metadata.tables["outbox"]
    async with harness.uow() as uow:
        for version in (1, 2, 3):
            uow.publish_batch(
                "contract.amended",
                source="test",
                organization_id="org-a",
                items=[(k, contract_event(k, version).data) for k in keys],
            )
            await uow.flush_events()
            if version == 2:
                await uow.session.execute(
                    insert(outbox).values(
                        event_id=str(uuid.uuid4()),
                        topic=topic,
                        message_key=big_key,
                        payload=big,
                        headers={"content-type": "application/octet-stream"},
                        created_at=func.now(),
                    )
                )
        await uow.session.execute(update(outbox).where(outbox.c.message_key.in_(keys)).values(topic=topic))
        await uow.commit()
    assert await publish_all(harness) == 91
    assert await harness.count("outbox", big_key) == 4
    async with harness.sessions() as s:
        mine = outbox.c.message_key.in_(keys)
        assert await s.scalar(select(func.count()).where(mine, outbox.c.published_at.is_(None))) == 0
    reader = harness.kafka.consumer(topic, group_id=f"where-{harness.group}")
    await reader.start()
    seen: dict[str, list[tuple[int, bytes]]] = {}
    try:
        async with asyncio.timeout(60):
            while sum(map(len, seen.values())) < 91:
                batch = await reader.getmany(timeout_ms=500)
                for tp, records in batch.items():
                    for r in records:
                        if r.key is not None and r.key.decode() in keys:
                            seen.setdefault(r.key.decode(), []).append((tp.partition, r.value))
        partitions = sorted(reader.partitions_for_topic(topic) or ())
    finally:
        await reader.stop()
    assert len(partitions) == 3
    chosen = DefaultPartitioner()
    for key in keys:
        records = seen[key]
        assert {p for p, _ in records} == {chosen(key.encode(), partitions, partitions)}
        versions = [CloudEvent.from_bytes(v).data["version"] if v != big else "big" for _, v in records]
        assert versions == ([1, 2, "big", 3] if key == big_key else [1, 2, 3])


async def test_a_run_whose_inbox_rows_a_replica_writes_first_keeps_nothing_then_applies_the_rest(
    harness: Harness,
) -> None:
    """The run's inbox rows go in by COPY: a replica that inserts one of them after the run looked
    (its transaction still open) makes the COPY wait, then fail when it commits; the run keeps
    nothing (no inbox row, no effect), and applied again it skips that event and applies the rest."""
    cid = str(uuid.uuid4())
    events = [contract_event(cid, version=v) for v in (1, 2, 3)]
    records = [ScriptedRecord(e.to_bytes(), i) for i, e in enumerate(events)]
    inbox = metadata.tables["inbox"]

    async with harness.engine.connect() as replica:
        await replica.execute(  # the replica's transaction: its inbox row for event 2, not committed
            insert(inbox).values(
                event_id=events[1].id, consumer="test", event_type=events[1].type, processed_at=func.now()
            )
        )
        run = asyncio.create_task(apply_run("test", records, {"contract.amended": record}, harness.uow))
        await asyncio.sleep(0.5)
        assert not run.done()  # the COPY waits on the replica's uncommitted row
        await replica.commit()
        with pytest.raises(IntegrityError):
            await run

    assert await harness.ledger_rows(cid) == []
    async with harness.sessions() as s:
        ids = set(await s.scalars(select(inbox.c.event_id).where(inbox.c.consumer == "test")))
    assert {e.id for e in events} & ids == {events[1].id}

    outcome = await apply_run("test", records, {"contract.amended": record}, harness.uow)
    assert (outcome.applied, outcome.duplicates) == (2, 1)
    assert await harness.ledger_rows(cid) == [(cid, 1), (cid, 3)]


async def test_a_worker_joining_mid_run_costs_no_outage_and_nothing_twice(harness: Harness) -> None:
    """A second worker joins the group while the first applies a run of both partitions of a topic:
    the group gives it one, so the run's offset commit names a partition the first no longer holds
    and is refused. The first goes on fetching at once, no outage hold, and every event is applied
    exactly once between them (the inbox skips what is read again)."""
    topic = f"rebalance-{uuid.uuid4().hex[:8]}"
    await ensure_topics(harness.kafka.bootstrap, [topic], TopicLayout(partitions=2))
    contracts: dict[int, str] = {}
    while len(contracts) < 2:  # a contract on each partition
        cid = str(uuid.uuid4())
        contracts.setdefault(partition_of(cid.encode(), 2), cid)
    producer = harness.kafka.producer()
    await producer.start()
    try:
        for cid in contracts.values():
            for version in range(1, 11):
                event = contract_event(cid, version=version)
                await producer.send_and_wait(topic, event.to_bytes(), key=cid.encode())
    finally:
        await producer.stop()
    in_run = asyncio.Event()

    async def slow_first(event: CloudEvent, uow: UnitOfWork) -> None:
        if not in_run.is_set():
            in_run.set()
            await asyncio.sleep(4)  # long enough for the second worker to join meanwhile
        await record(event, uow)

    reassigned, held = REASSIGNED.labels("rebalance")._value.get(), HELD._value.get()
    letters = harness.kafka.producer()  # for dead letters (none expected)
    await letters.start()
    loops = []
    everything = {cid: [(cid, v) for v in range(1, 11)] for cid in contracts.values()}
    try:  # every consumer started is stopped, whatever fails
        for handler in (slow_first, record):
            consumer = harness.kafka.consumer(topic, group_id=harness.group)
            await consumer.start()
            loop = ConsumerLoop(
                name="rebalance",
                consumer=consumer,
                producer=letters,
                handlers={"contract.amended": handler},
                uow_factory=harness.uow,
                concurrent_partitions=True,
            )
            loop.start()
            loops.append((loop, consumer))
            if handler is slow_first:
                await asyncio.wait_for(in_run.wait(), 30)
        async with asyncio.timeout(30):
            while {cid: await harness.ledger_rows(cid) for cid in everything} != everything:
                await asyncio.sleep(0.2)
    finally:
        for loop, consumer in loops:
            await loop.stop()
            await consumer.stop()
        await letters.stop()
    assert REASSIGNED.labels("rebalance")._value.get() > reassigned  # the refusal came,
    assert HELD._value.get() == held  # and passed without a hold
    assert {cid: await harness.ledger_rows(cid) for cid in everything} == everything  # nothing twice


async def test_a_pass_takes_whole_rows_up_to_a_batch_of_events_and_the_backlog_counts_events(
    harness: Harness,
) -> None:
    """1,200 events of one unit of work are three rows: the backlog says 1,200, a pass of a
    1,000-event batch sends the whole rows that fit (the first two), the next the last; every event
    reaches its key's partition as its own record, in the order written."""
    topic = f"bundles-{uuid.uuid4().hex[:8]}"
    await ensure_topics(harness.kafka.bootstrap, [topic])
    producer = harness.kafka.producer()
    await producer.start()
    try:
        relay = OutboxRelay(harness.sessions, metadata, producer)
        while await relay.publish_pending():  # what other tests left
            pass
        keys = [str(uuid.uuid4()) for _ in range(40)]
        items = [(keys[n % 40], contract_event(keys[n % 40], n // 40 + 1).data) for n in range(1200)]
        outbox = metadata.tables["outbox"]
        async with harness.uow() as uow:
            uow.publish_batch("contract.amended", source="test", organization_id="org-a", items=items)
            await uow.flush_events()
            await uow.session.execute(
                update(outbox).where(outbox.c.published_at.is_(None)).values(topic=topic)
            )
            await uow.commit()
        async with harness.sessions() as s:
            counts = (await s.scalars(select(outbox.c.event_count).order_by(outbox.c.id))).all()
        # ~1.1 KB an event: rows of 463 events stay within MAX_BYTES (512 KiB)
        assert list(counts) == [463, 463, 274]
        assert (await relay.measure_backlog())[0] == 1200
        assert [await relay.publish_pending() for _ in range(3)] == [926, 274, 0]
    finally:
        await producer.stop()
    reader = harness.kafka.consumer(topic, group_id=f"bundles-{harness.group}")
    await reader.start()
    seen: dict[str, list[tuple[int, int]]] = {}
    try:
        async with asyncio.timeout(60):
            while sum(map(len, seen.values())) < 1200:
                for tp, records in (await reader.getmany(timeout_ms=500)).items():
                    for r in records:
                        version = CloudEvent.from_bytes(r.value).data["version"]
                        seen.setdefault(r.key.decode(), []).append((tp.partition, version))
    finally:
        await reader.stop()
    assert sorted(seen) == sorted(keys)
    for key in keys:
        assert [v for _, v in seen[key]] == list(range(1, 31))  # each key's 30 events, in order
        assert {p for p, _ in seen[key]} == {partition_of(key.encode(), 3)}
