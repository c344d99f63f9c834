"""accord_common.testing: each provider really starts, answers, and is stopped (timings printed)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from accord_common.testing import _process
from accord_common.testing.kafka import (
    KafkaBroker,
    create_topics,
    start_tansu,
    start_tansu_broker,
)
from accord_common.testing.postgres import PostgresServer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

TANSU_CONSUMER = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 2000}


def _report(what: str, seconds: float) -> None:
    print(f"\n[startup] {what}: {seconds:.2f}s")


async def _roundtrip(bootstrap: str, topic: str, group: str) -> None:
    """Produce one record (acks=all), consume it in a consumer group, commit manually."""
    await create_topics(bootstrap, [topic], partitions=3)
    await create_topics(bootstrap, [topic], partitions=3)  # already exists: not an error
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        sent = await producer.send_and_wait(topic, b"hello", key=b"aggregate-1")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=100,
        **TANSU_CONSUMER,
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=60)
        assert (record.key, record.value) == (b"aggregate-1", b"hello")
        assert (record.partition, record.offset) == (sent.partition, sent.offset)
        await consumer.commit()
        committed = await consumer.committed(TopicPartition(topic, record.partition))
        assert committed == record.offset + 1
    finally:
        await consumer.stop()


@pytest.mark.integration
async def test_postgres_server_answers(postgres_server: PostgresServer) -> None:
    _report(postgres_server.describe(), postgres_server.startup_seconds)
    assert postgres_server.admin_url.startswith("postgresql+asyncpg://")
    url = await postgres_server.create_database_async("accord_infra_test")
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        version = await conn.fetchval("select version()")
        assert await conn.fetchval("select current_database()") == "accord_infra_test"
    finally:
        await conn.close()
    assert str(version).startswith(f"PostgreSQL {postgres_server.version}")


@pytest.mark.integration
async def test_kafka_from_maven_jars_round_trip(maven_kafka: KafkaBroker) -> None:
    _report(maven_kafka.describe(), maven_kafka.startup_seconds)
    assert maven_kafka.kind == "kafka"
    assert maven_kafka.describe().startswith("Apache Kafka ")
    await _roundtrip(maven_kafka.bootstrap, "infra.kafka", "infra-kafka")


@pytest.fixture(scope="module")
def tansu_broker() -> Iterator[KafkaBroker]:
    with start_tansu_broker() as broker:
        yield broker


@pytest.mark.integration
async def test_tansu_round_trip_with_group_and_manual_commit(tansu_broker: KafkaBroker) -> None:
    _report(tansu_broker.describe(), tansu_broker.startup_seconds)
    assert tansu_broker.kind == "tansu"
    began = time.monotonic()
    await _roundtrip(tansu_broker.bootstrap, "infra.tansu", "infra-tansu")
    print(f"[tansu] produce + group join + consume + commit: {time.monotonic() - began:.2f}s")


@pytest.mark.integration
def test_start_tansu_for_the_dev_stack(tmp_path: Path) -> None:
    port = _process.free_port()
    began = time.monotonic()
    proc = start_tansu(port, tmp_path / "run")
    _report("start_tansu(port, data_dir)", time.monotonic() - began)
    try:
        assert proc.bootstrap == f"127.0.0.1:{port}"
        assert proc.log_path == tmp_path / "run" / "tansu.log"
        assert proc.popen.poll() is None
    finally:
        proc.stop()
    assert proc.popen.poll() is not None
    assert not _process.port_open("127.0.0.1", port)
    assert (tmp_path / "run").is_dir()  # a caller's data dir is never deleted
