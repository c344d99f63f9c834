"""A database outage under a backlog: the consumer waits, skips nothing and dead-letters nothing.

Issue 16 item 1, as measured on the old loop: PostgreSQL stopped for 60 s while a consumer had about
1,000 events to go made it dead-letter the first record of each fetched batch, fail to record the dead
letter, and fetch the next batch, so the committed offsets ended past hundreds of unapplied events.

Here a real PostgreSQL cluster (stopped and started again on the same port and data directory) and a
real broker carry 1,500 events on 50 keys over 3 partitions; the database is stopped once the consumer
is under way and kept down for ACCORD_OUTAGE_SECONDS (60 by default). Afterwards every event's effect is
present exactly once and in per-key order, no dead letter exists (table or `.dlq` topic), the group's
committed offsets equal the end of every partition, and the outage was logged once, not per attempt.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from accord_common.db import make_engine, make_session_factory, new_metadata
from accord_common.events import CloudEvent
from accord_common.messaging import ConsumerLoop, KafkaConfig
from accord_common.tables import add_infra_tables
from accord_common.testing.events import contract_amended as amended
from accord_common.testing.kafka import KafkaBroker
from accord_common.testing.postgres import LocalCluster
from accord_common.uow import UnitOfWork
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from prometheus_client import REGISTRY
from sqlalchemy import Column, Integer, String, Table, func, insert, select

KEYS, VERSIONS = 50, 30  # 1,500 events
OUTAGE_S = float(os.environ.get("ACCORD_OUTAGE_SECONDS", "60"))
metadata = new_metadata()
add_infra_tables(metadata)
ledger = Table(
    "ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
)


@pytest.fixture
async def cluster() -> AsyncIterator[LocalCluster]:
    local = LocalCluster()
    await asyncio.to_thread(local.start)
    try:
        yield local
    finally:
        await asyncio.to_thread(local.remove)


async def make_topic(bootstrap: str) -> str:
    topic = f"test.outage.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(t, 3, 1) for t in (topic, f"{topic}.dlq")])
    finally:
        await admin.close()
    return topic


async def end_offsets(kafka: KafkaConfig, topic: str, group: str) -> tuple[int, int]:
    """(sum of end offsets, sum of the group's committed offsets) over the topic's partitions."""
    consumer = kafka.consumer(group_id=group)
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or {0, 1, 2})]
        ends = await consumer.end_offsets(parts)
        committed = [await consumer.committed(tp) or 0 for tp in parts]
        return sum(ends.values()), sum(committed)
    finally:
        await consumer.stop()


def holds() -> float:
    return REGISTRY.get_sample_value("accord_consumer_holds_total") or 0.0


@pytest.mark.parametrize("concurrent", [False, True], ids=["partitions-in-turn", "partitions-at-once"])
async def test_a_database_outage_under_a_backlog_skips_and_dead_letters_nothing(
    cluster: LocalCluster, kafka_broker: KafkaBroker, caplog: pytest.LogCaptureFixture, concurrent: bool
) -> None:
    url = await cluster.server().create_database_async(f"outage_{uuid.uuid4().hex[:6]}")
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    kafka = KafkaConfig(kafka_broker.bootstrap, session_timeout_ms=10_000, heartbeat_interval_ms=3_000)
    topic = await make_topic(kafka_broker.bootstrap)
    group = f"outage-{uuid.uuid4().hex[:8]}"
    contracts = [str(uuid.uuid4()) for _ in range(KEYS)]

    producer = kafka.producer()
    await producer.start()
    try:
        for version in range(1, VERSIONS + 1):
            for cid in contracts:
                event = amended(cid, version)
                await producer.send(topic, event.to_bytes(), key=cid.encode())
        await producer.flush()
    finally:
        await producer.stop()

    async def apply(event: CloudEvent, uow: UnitOfWork) -> None:
        await uow.session.execute(
            insert(ledger).values(contract_id=event.subject, version=event.data["version"])
        )
        await asyncio.sleep(0.002)  # a handler's own work: the backlog is still there when the database stops

    async def applied() -> int:
        async with sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(ledger)) or 0)

    consumer = kafka.consumer(topic, group_id=group)
    loop_producer = kafka.producer()
    await consumer.start()
    await loop_producer.start()
    loop = ConsumerLoop(
        name="outage-test",
        consumer=consumer,
        producer=loop_producer,
        handlers={"contract.amended": apply},
        uow_factory=lambda: UnitOfWork(sessions, metadata),
        max_attempts=3,
        backoff_s=0.05,
        concurrent_partitions=concurrent,
    )
    holds_before = holds()
    caplog.set_level(logging.WARNING, logger="accord_common.messaging.consumer")
    loop.start()
    try:
        async with asyncio.timeout(120):
            while await applied() < 100:
                await asyncio.sleep(0.05)
        await asyncio.to_thread(cluster.halt)
        stopped_at = time.monotonic()
        await asyncio.sleep(OUTAGE_S)
        await asyncio.to_thread(cluster.start)
        outage = time.monotonic() - stopped_at
        async with asyncio.timeout(240):
            while await applied() < KEYS * VERSIONS:
                await asyncio.sleep(0.5)
        await asyncio.sleep(2)  # anything applied twice or late would show now
    finally:
        await loop.stop()
        await consumer.stop()
        await loop_producer.stop()

    async with sessions() as s:
        rows = (await s.execute(select(ledger.c.contract_id, ledger.c.version).order_by(ledger.c.id))).all()
        inbox = int(await s.scalar(select(func.count()).select_from(metadata.tables["inbox"])) or 0)
        dead = int(await s.scalar(select(func.count()).select_from(metadata.tables["dead_letters"])) or 0)
    await engine.dispose()

    assert outage >= OUTAGE_S
    assert len(rows) == KEYS * VERSIONS == inbox  # every effect, once
    per_key: dict[str, list[int]] = {}
    for cid, version in rows:
        per_key.setdefault(cid, []).append(version)
    assert per_key == {cid: list(range(1, VERSIONS + 1)) for cid in contracts}  # in per-key order
    assert dead == 0
    assert await end_offsets(kafka, f"{topic}.dlq", f"dlq-{group}") == (0, 0)
    end, committed = await end_offsets(kafka, topic, group)
    assert end == committed == KEYS * VERSIONS  # nothing committed past an unprocessed record, lag 0
    assert holds() > holds_before  # the consumer paused for the outage
    messages = [r.getMessage() for r in caplog.records if r.name == "accord_common.messaging.consumer"]
    assert sum("infrastructure unavailable" in m for m in messages) == 1
    assert sum("still unavailable" in m for m in messages) <= OUTAGE_S / 30 + 1
    assert sum("infrastructure back" in m for m in messages) >= 1
    assert not [m for m in messages if "dead-lettered" in m or "handler failed" in m]
