"""A broker dies under load on a three-node Apache Kafka cluster: nothing acknowledged is lost (issue 16 item 6).

Three KRaft nodes (each broker and controller, a three-voter quorum) from the Maven jars; topics with
3 partitions, 3 replicas and min.insync.replicas 2, created and checked by ``ensure_topics`` as a
production service would. Writers commit events to the outbox on a real PostgreSQL (30 contracts, one
version after another); the outbox relay publishes them with the services' producer settings; a
ConsumerLoop applies each to a ledger through its inbox. Once the consumer is under way the leader of
the busiest partition is SIGKILLed; writing goes on for a while, then everything drains.

Checked: every committed (acknowledged) event applied, none twice, every contract's versions in
order, no dead letter, nothing left unpublished. The figures (cluster start-up, time until the killed
partition's new events are applied again, lost and duplicate counts) are printed (pytest -s).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from accord_common.db import make_engine, make_session_factory, new_metadata
from accord_common.events import CloudEvent
from accord_common.messaging import ConsumerLoop, KafkaConfig, OutboxRelay
from accord_common.messaging.kafka import TopicLayout, TopicLayoutMismatch, ensure_topics
from accord_common.runtime import ServiceRuntime
from accord_common.settings import Environment, ServiceSettings
from accord_common.tables import add_infra_tables
from accord_common.testing.events import contract_amended as amended
from accord_common.testing.kafka_cluster import KafkaCluster, start_kafka_cluster
from accord_common.testing.postgres import PostgresServer
from accord_common.uow import UnitOfWork
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.partitioner import DefaultPartitioner
from sqlalchemy import Column, Integer, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

TOPIC, PARTITIONS = "contract.amended", 3
WRITERS, KEYS_PER_WRITER = 3, 10
# ACCORD_TEST_KAFKA_IDEMPOTENCE=on measures the same run with idempotent producers (the services' "on")
IDEMPOTENCE = os.environ.get("ACCORD_TEST_KAFKA_IDEMPOTENCE", "off") == "on"
WRITE_AFTER_KILL_S = 15.0
WRITE_PAUSE_S = 1.0  # 30 events a second: what the consumer keeps up with on a busy two-core machine
metadata = new_metadata()
add_infra_tables(metadata)
ledger = Table(
    "ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[KafkaCluster]:
    with start_kafka_cluster(3) as started:
        yield started


@dataclass
class Load:
    """What the writers committed (acknowledged) and what the consumer applied, with times."""

    committed: dict[tuple[str, int], float] = field(default_factory=dict)
    applied: list[tuple[str, int, float]] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)


def partition_of(contract_id: str) -> int:
    return int(DefaultPartitioner()(contract_id.encode(), list(range(PARTITIONS)), []))


async def write(load: Load, new_uow: Callable[[], UnitOfWork], contracts: list[str]) -> None:
    """Commit one version of each contract per transaction until told to stop."""
    version = 0
    while not load.stop.is_set():
        version += 1
        async with new_uow() as uow:
            for cid in contracts:
                uow.publish(amended(cid, version))
            await uow.commit()
        now = time.monotonic()
        load.committed.update({(cid, version): now for cid in contracts})
        await asyncio.sleep(WRITE_PAUSE_S)


async def ledger_rows(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(ledger)) or 0)


async def records_in(kafka: KafkaConfig, topic: str) -> int:
    """Records in the topic's log (end offsets), duplicates included."""
    consumer = kafka.consumer(group_id=f"count-{uuid.uuid4().hex[:8]}")
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in range(PARTITIONS)])
        return sum(ends.values())
    finally:
        await consumer.stop()


@pytest.fixture
async def database(postgres_server: PostgresServer) -> str:
    url = await postgres_server.create_database_async(f"repl_{uuid.uuid4().hex[:8]}")
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await engine.dispose()
    return url


async def test_start_up_refuses_topics_laid_out_otherwise_in_production_and_warns_elsewhere(
    cluster: KafkaCluster, database: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Topics made by an older release (replication factor 1, hard-coded) are named with what differs."""
    old = [
        TopicLayout(3, 1, 1).new_topic("claim.priced"),
        TopicLayout(1, 3, 2).new_topic("contract.activated"),
    ]
    admin = AIOKafkaAdminClient(bootstrap_servers=cluster.bootstrap)
    await admin.start()
    try:
        await admin.create_topics(old)
    finally:
        await admin.close()

    def runtime(environment: Environment) -> ServiceRuntime:
        settings = ServiceSettings(
            service_name="layout-test",
            environment=environment,
            database_url=database,
            kafka_bootstrap=cluster.bootstrap,
            kafka_replication_factor=3,
            kafka_min_insync_replicas=2,
        )
        return ServiceRuntime(
            settings=settings, metadata=metadata, service_root=Path("."), migrate_on_start=False
        )

    production = runtime("production")
    with pytest.raises(TopicLayoutMismatch) as refused:
        await production.start()
    await production.stop()
    assert str(refused.value).splitlines()[1:] == [
        "claim.priced: replication factor is 1, expected 3; min.insync.replicas is 1, expected 2",
        "contract.activated: partitions is 1, expected 3",
    ]
    assert production.producer is None  # refused before publishing anything

    development = runtime("development")
    caplog.set_level(logging.WARNING, logger="accord_common.messaging.kafka")
    await development.start()
    await development.stop()
    warnings = [r.getMessage() for r in caplog.records if r.name == "accord_common.messaging.kafka"]
    assert warnings == [
        "Kafka topics differ from the settings: claim.priced: replication factor is 1, expected 3;"
        " min.insync.replicas is 1, expected 2 | contract.activated: partitions is 1, expected 3"
    ]


async def report_progress(load: Load, began: float) -> None:
    """A line every 10 s (pytest -s): where a slow run spends its time."""
    while True:
        await asyncio.sleep(10)
        print(
            f"  {time.monotonic() - began:5.0f}s: {len(load.committed)} committed, {len(load.applied)} applied"
        )


@pytest.mark.timeout(600)
async def test_killing_a_partition_leader_under_load_loses_and_duplicates_nothing(
    cluster: KafkaCluster, database: str
) -> None:
    wanted = TopicLayout(PARTITIONS, 3, 2)
    assert await ensure_topics(cluster.bootstrap, [TOPIC, f"{TOPIC}.dlq"], wanted, strict=True) == []
    assert await ensure_topics(cluster.bootstrap, [TOPIC, f"{TOPIC}.dlq"], wanted, strict=True) == []
    engine = make_engine(database)
    sessions = make_session_factory(engine)
    kafka = KafkaConfig(
        cluster.bootstrap, session_timeout_ms=10_000, heartbeat_interval_ms=3_000, idempotence=IDEMPOTENCE
    )
    load, contracts = Load(), [str(uuid.uuid4()) for _ in range(WRITERS * KEYS_PER_WRITER)]

    async def apply(event: CloudEvent, uow: UnitOfWork) -> None:
        await uow.session.execute(
            insert(ledger).values(contract_id=event.subject, version=event.data["version"])
        )
        load.applied.append((str(event.subject), int(event.data["version"]), time.monotonic()))

    relay_producer, loop_producer = kafka.producer(), kafka.producer()
    consumer = kafka.consumer(TOPIC, group_id=f"repl-{uuid.uuid4().hex[:8]}")
    for client in (relay_producer, loop_producer, consumer):
        await client.start()
    relay = OutboxRelay(sessions, metadata, relay_producer, poll_interval_s=0.1)
    loop = ConsumerLoop(
        name="replication-test",
        consumer=consumer,
        producer=loop_producer,
        handlers={TOPIC: apply},
        uow_factory=lambda: UnitOfWork(sessions, metadata),
        max_attempts=3,
        backoff_s=0.05,
    )
    relay.start()
    loop.start()
    progress = asyncio.create_task(report_progress(load, time.monotonic()))
    writers = [
        asyncio.create_task(
            write(load, lambda: UnitOfWork(sessions, metadata, on_commit=relay.wake), contracts[n::WRITERS])
        )
        for n in range(WRITERS)
    ]
    try:
        async with asyncio.timeout(120):
            while len(load.applied) < 100:
                await asyncio.sleep(0.1)
        busiest = Counter(partition_of(cid) for cid in contracts).most_common(1)[0][0]
        victim = await cluster.leader(TOPIC, busiest)
        await asyncio.to_thread(cluster.kill, victim)
        killed_at = time.monotonic()
        print(f"  killed node {victim}, leader of {TOPIC}/{busiest}")
        await asyncio.sleep(WRITE_AFTER_KILL_S)
        load.stop.set()
        await asyncio.gather(*writers)
        async with asyncio.timeout(180):  # the ledger, not the handler's calls: a rolled-back try counts not
            while await ledger_rows(sessions) < len(load.committed):
                await asyncio.sleep(0.5)
        await asyncio.sleep(3)  # anything applied twice would show now
        new_leader = await cluster.leader(TOPIC, busiest)
    finally:
        progress.cancel()
        load.stop.set()
        await asyncio.gather(*writers, return_exceptions=True)
        await loop.stop()
        await relay.stop()
        for client in (consumer, loop_producer, relay_producer):
            await client.stop()

    async with sessions() as s:
        rows = (await s.execute(select(ledger.c.contract_id, ledger.c.version).order_by(ledger.c.id))).all()
        outbox = metadata.tables["outbox"]
        unpublished = await s.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
        dead = await s.scalar(select(func.count()).select_from(metadata.tables["dead_letters"]))
    await engine.dispose()

    effects = Counter((str(cid), int(version)) for cid, version in rows)
    lost = set(load.committed) - set(effects)
    duplicated = {key: n for key, n in effects.items() if n > 1}
    after_kill = [
        at - killed_at
        for cid, version, at in load.applied
        if partition_of(cid) == busiest and load.committed[(cid, version)] > killed_at
    ]
    on_victim = sorted(at for cid, _, at in load.applied if partition_of(cid) == busiest and at > killed_at)
    stall = max(b - a for a, b in zip([killed_at, *on_victim], on_victim, strict=False))
    records = await records_in(kafka, TOPIC)
    print(
        f"\nidempotence {'on' if IDEMPOTENCE else 'off'}; cluster start-up {cluster.startup_seconds:.1f}s;"
        f" killed node {victim} (leader of {TOPIC}/{busiest}, now led by {new_leader}); that partition applied"
        f" nothing for {stall:.1f}s; first event committed after the kill applied"
        f" {min(after_kill, default=float('nan')):.1f}s after it; {len(load.committed)} events committed,"
        f" {records} records in the topic ({records - len(load.committed)} sent twice), {len(rows)} effects,"
        f" {len(lost)} lost, {len(duplicated)} applied twice"
    )
    assert victim not in cluster.alive() and new_leader != victim
    assert not lost and not duplicated
    per_contract: dict[str, list[int]] = {}
    for cid, version in rows:
        per_contract.setdefault(cid, []).append(version)
    for cid in contracts:  # per-key order: every version, in the order it was committed
        assert per_contract[cid] == list(range(1, max(v for c, v in load.committed if c == cid) + 1)), cid
    assert unpublished == 0 and dead == 0
    assert after_kill, "no event was written to the killed leader's partition after the kill"
