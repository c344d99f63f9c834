"""Wake-ups across workers on a real PostgreSQL and a real broker.

Two runtimes of one service on one database stand for two uvicorn workers (or two replicas). A commit
through one of them reaches the relay of the other, which polls only every 30 s: the event is on the
broker within a few seconds, which polling cannot do. The NOTIFY travels with the transaction: a
rolled-back unit of work wakes nobody.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from accord_common.db import make_engine, new_metadata
from accord_common.runtime import ServiceRuntime
from accord_common.settings import ServiceSettings
from accord_common.tables import add_infra_tables
from accord_common.testing.events import contract_amended
from accord_common.testing.kafka import KafkaBroker
from accord_common.testing.postgres import PostgresServer
from accord_common.wakeups import OUTBOX
from aiokafka import AIOKafkaConsumer
from sqlalchemy import select

metadata = new_metadata()
add_infra_tables(metadata)
LONG_POLL_MS = 30_000
PROMPT_S = 5.0  # far below the poll interval: only a wake-up can publish this fast
TOPIC = "contract.amended"


def worker(url: str, bootstrap: str, *, relays: bool) -> ServiceRuntime:
    settings = ServiceSettings(
        service_name="wake-test",
        database_url=url,
        kafka_bootstrap=bootstrap,
        relay_enabled=relays,
        relay_poll_interval_ms=LONG_POLL_MS,
        retention_interval_seconds=3600,
    )
    return ServiceRuntime(
        settings=settings, metadata=metadata, service_root=Path("."), migrate_on_start=False
    )


@pytest.fixture
async def database(postgres_server: PostgresServer) -> str:
    url = await postgres_server.create_database_async(f"wake_{uuid.uuid4().hex[:8]}")
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await engine.dispose()
    return url


@pytest.fixture
async def workers(database: str, kafka_broker: KafkaBroker) -> AsyncIterator[tuple[ServiceRuntime, ...]]:
    """`committer` serves requests without relaying; `relayer` holds the lease and polls every 30 s."""
    committer = worker(database, kafka_broker.bootstrap, relays=False)
    relayer = worker(database, kafka_broker.bootstrap, relays=True)
    await committer.start()
    await relayer.start()
    try:
        async with asyncio.timeout(30):
            await relayer.wakeups.listening.wait()
        await asyncio.sleep(1)  # the relay's first pass is done: from now on it polls every 30 s
        yield committer, relayer
    finally:
        await relayer.stop()
        await committer.stop()


async def reader_at_end(bootstrap: str) -> AIOKafkaConsumer:
    """Every partition of the topic, from its current end (no group: no rebalance to wait for)."""
    consumer = AIOKafkaConsumer(TOPIC, bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    async with asyncio.timeout(30):
        while not consumer.assignment():
            await asyncio.sleep(0.1)
    await consumer.seek_to_end()
    for partition in consumer.assignment():
        await consumer.position(partition)  # the end is fixed now, before anything is committed
    return consumer


async def arrival(consumer: AIOKafkaConsumer, key: str, timeout: float) -> float:
    """Seconds until a message with `key` is read (TimeoutError after `timeout`)."""
    began = time.monotonic()
    async with asyncio.timeout(timeout):
        while True:
            batch = await consumer.getmany(timeout_ms=200)
            if any(r.key == key.encode() for rs in batch.values() for r in rs):
                return time.monotonic() - began


async def test_a_commit_in_one_worker_is_published_at_once_by_the_relay_of_another(
    workers: tuple[ServiceRuntime, ServiceRuntime], kafka_broker: KafkaBroker
) -> None:
    committer, relayer = workers
    assert committer.relay is not None and relayer.relay is not None
    reader = await reader_at_end(kafka_broker.bootstrap)
    try:
        for version in (1, 2, 3):  # each one waits for its own wake-up, never for a poll
            cid = str(uuid.uuid4())
            async with committer.uow() as uow:
                uow.publish(contract_amended(cid, version))
                await uow.commit()
            assert await arrival(reader, cid, timeout=PROMPT_S) < PROMPT_S
    finally:
        await reader.stop()
    # the relay marks a row published once the broker acknowledged it: a reader may see the message
    # a moment before the mark is committed
    outbox = metadata.tables["outbox"]
    async with asyncio.timeout(PROMPT_S):
        while True:
            async with committer.sessions() as session:
                unpublished = await session.scalar(select(outbox.c.id).where(outbox.c.published_at.is_(None)))
            if unpublished is None:
                break
            await asyncio.sleep(0.05)


async def test_only_a_commit_rings_the_other_workers(workers: tuple[ServiceRuntime, ServiceRuntime]) -> None:
    committer, relayer = workers
    heard: list[float] = []
    relayer.wakeups.on(OUTBOX, lambda: heard.append(time.monotonic()))
    async with committer.uow() as uow:  # never committed: its NOTIFY is rolled back with the rows
        uow.publish(contract_amended(str(uuid.uuid4()), 1))
        await uow.flush_events()
    await asyncio.sleep(1.5)
    assert heard == []
    async with committer.uow() as uow:
        uow.publish(contract_amended(str(uuid.uuid4()), 1))
        committed = time.monotonic()
        await uow.commit()
    async with asyncio.timeout(PROMPT_S):
        while not heard:
            await asyncio.sleep(0.01)
    assert heard[0] - committed < PROMPT_S
