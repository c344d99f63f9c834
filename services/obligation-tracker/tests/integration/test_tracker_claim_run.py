"""On PostgreSQL and Kafka: a mixed run of claim events fetched from the broker in one partition is
applied as a set (no fallback to one by one) and leaves every row as the one-by-one consumer does on
another database: obligations, history, pricings, parked events, inbox and outbox. The run and the
figures are tests/unit/tracker_claim_events.mixed_run (checked by hand in the unit test)."""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from accord_common.messaging import ConsumerLoop
from accord_common.messaging.metrics import ONE_BY_ONE
from accord_common.migrate import upgrade_async
from accord_common.runtime import ServiceRuntime
from accord_common.testing.kafka import KafkaBroker
from accord_common.testing.postgres import PostgresServer
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from obligation_tracker.bootstrap import SERVICE_ROOT, build_runtime
from obligation_tracker.config import TrackerSettings
from obligation_tracker.handlers.context import Tracker

_UNIT = str(Path(__file__).parents[1] / "unit")
if _UNIT not in sys.path:
    sys.path.insert(0, _UNIT)

from tracker_claim_events import NOW, everything, mixed_run, record  # noqa: E402

pytestmark = pytest.mark.integration
CONSUMER = "obligation-tracker"


async def tracker_on(postgres: PostgresServer, bootstrap: str) -> ServiceRuntime:
    url = await postgres.create_database_async(f"tracker_run_{uuid.uuid4().hex[:8]}")
    await upgrade_async(SERVICE_ROOT, url)
    settings = TrackerSettings(database_url=url, kafka_bootstrap=bootstrap, scheduler_enabled=False)
    return build_runtime(settings, tracker=Tracker.from_settings(settings, lambda: NOW))


async def consume(runtime: ServiceRuntime, topic: str, count: int, *, batched: bool) -> None:
    consumer = runtime.kafka.consumer(topic, group_id=f"run-{uuid.uuid4().hex[:8]}")
    await consumer.start()
    loop = ConsumerLoop(
        name=CONSUMER,
        consumer=consumer,
        producer=None,  # type: ignore[arg-type]  # nothing is dead-lettered (asserted below)
        handlers=runtime.handlers,
        uow_factory=runtime.uow,
        batched=batched,
    )
    loop.start()
    try:
        async with asyncio.timeout(120):
            while (await consumer.committed(TopicPartition(topic, 0)) or 0) < count:
                await asyncio.sleep(0.1)
    finally:
        await loop.stop()
        await consumer.stop()


async def test_a_mixed_run_from_kafka_applies_as_a_set_with_the_rows_of_one_by_one(
    postgres_server: PostgresServer, kafka_broker: KafkaBroker
) -> None:
    contract, unknown = str(uuid.uuid4()), str(uuid.uuid4())
    before, run = mixed_run(contract, unknown)
    alone = await tracker_on(postgres_server, kafka_broker.bootstrap)
    together = await tracker_on(postgres_server, kafka_broker.bootstrap)
    topic = f"claims.run.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_broker.bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 1, 1)])
    finally:
        await admin.close()
    try:
        for runtime in (alone, together):
            loop = ConsumerLoop(
                name=CONSUMER,
                consumer=None,  # type: ignore[arg-type]
                producer=None,  # type: ignore[arg-type]
                handlers=runtime.handlers,
                uow_factory=runtime.uow,
                max_attempts=1,
            )
            for offset, event in enumerate(before):
                assert await loop.process(record(event, offset)) == "applied"
        producer = together.kafka.producer()
        await producer.start()
        try:
            for event in run:  # one partition: one fetched run, in this order
                await producer.send(topic, event.to_bytes(), key=b"claims")
            await producer.flush()
        finally:
            await producer.stop()

        fell_back = ONE_BY_ONE.labels(CONSUMER)._value.get()
        await consume(together, topic, len(run), batched=True)
        assert ONE_BY_ONE.labels(CONSUMER)._value.get() == fell_back  # applied as a set
        await consume(alone, topic, len(run), batched=False)

        expected: dict[str, Any] = await everything(alone.sessions)
        got: dict[str, Any] = await everything(together.sessions)
        for table in expected:
            assert got[table] == expected[table], table
        claims = {(r["claim_id"], r["kind"], r["status"]) for r in got["obligations"] if r["claim_id"]}
        assert ("B", "prompt_pay", "breached") in claims  # the payment saw the pricing of its run
        assert ("P", "prompt_pay", "completed") in claims  # the stored payment, released by the run
        assert ("D", "appeal", "cancelled") in claims  # the write-off parked and released in the run
        assert len(got["inbox"]) == len(before) + len(run) - 1
        for runtime in (alone, together):
            async with runtime.sessions() as session:
                dead = runtime.metadata.tables["dead_letters"]
                assert (await session.execute(dead.select())).all() == []
    finally:
        await alone.engine.dispose()
        await together.engine.dispose()
