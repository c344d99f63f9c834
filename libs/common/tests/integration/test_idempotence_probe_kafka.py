"""ACCORD_*_KAFKA_IDEMPOTENCE=auto asks the broker: Apache Kafka grants producer ids, tansu refuses them.
The same answer sets the consumers' fetch wait: long on Apache Kafka (it answers a waiting fetch as
soon as a record arrives), short on tansu (it answers one only when the wait ends)."""

from __future__ import annotations

import asyncio

from accord_common.messaging.kafka import (
    LONG_POLL_MS,
    KafkaConfig,
    TopicLayout,
    ensure_topics,
    supports_idempotence,
    tuned_for_the_broker,
)
from accord_common.testing.kafka import KafkaBroker, start_tansu_broker


async def publish_once(config: KafkaConfig, topic: str) -> int:
    await ensure_topics(config.bootstrap, [topic], TopicLayout(3, 1, 1))
    producer = config.producer()
    await producer.start()
    try:
        sent = await asyncio.wait_for(producer.send_and_wait(topic, b"{}", key=b"contract-1"), 30)
        return int(sent.offset)
    finally:
        await producer.stop()


async def test_the_session_broker_answers_as_its_kind_and_an_idempotent_producer_publishes(
    kafka_broker: KafkaBroker,
) -> None:
    granted = await supports_idempotence(kafka_broker.bootstrap)
    assert granted is (kafka_broker.kind == "kafka")
    tuned = await tuned_for_the_broker(KafkaConfig(kafka_broker.bootstrap), "auto", None)
    assert (tuned.idempotence, tuned.fetch_max_wait_ms) == (granted, LONG_POLL_MS if granted else 100)
    plain = await tuned_for_the_broker(KafkaConfig(kafka_broker.bootstrap), "off", None)
    assert (plain.idempotence, plain.fetch_max_wait_ms) == (False, LONG_POLL_MS if granted else 100)
    as_set = await tuned_for_the_broker(KafkaConfig(kafka_broker.bootstrap), "off", 250)
    assert (as_set.idempotence, as_set.fetch_max_wait_ms) == (False, 250)
    assert await publish_once(KafkaConfig(kafka_broker.bootstrap, idempotence=granted), "probe.session") >= 0


async def test_tansu_refuses_producer_ids_so_auto_keeps_the_plain_producer() -> None:
    tansu = await asyncio.to_thread(start_tansu_broker)
    try:
        assert await supports_idempotence(tansu.bootstrap) is False
        tuned = await tuned_for_the_broker(KafkaConfig(tansu.bootstrap), "auto", None)
        assert (tuned.idempotence, tuned.fetch_max_wait_ms) == (False, 100)
        assert await publish_once(KafkaConfig(tansu.bootstrap, idempotence=False), "probe.tansu") == 0
    finally:
        await asyncio.to_thread(tansu.stop)
