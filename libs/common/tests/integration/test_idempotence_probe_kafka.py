"""ACCORD_*_KAFKA_IDEMPOTENCE=auto asks the broker: Apache Kafka grants producer ids, tansu refuses them."""

from __future__ import annotations

import asyncio

from accord_common.messaging.kafka import KafkaConfig, TopicLayout, ensure_topics, supports_idempotence
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
    assert await publish_once(KafkaConfig(kafka_broker.bootstrap, idempotence=granted), "probe.session") >= 0


async def test_tansu_refuses_producer_ids_so_auto_keeps_the_plain_producer() -> None:
    tansu = await asyncio.to_thread(start_tansu_broker)
    try:
        assert await supports_idempotence(tansu.bootstrap) is False
        assert await publish_once(KafkaConfig(tansu.bootstrap, idempotence=False), "probe.tansu") == 0
    finally:
        await asyncio.to_thread(tansu.stop)
