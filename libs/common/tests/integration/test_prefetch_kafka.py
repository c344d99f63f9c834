"""A consumer whose loop is busy with one partition's records fetches that partition's next records
as soon as it has taken them (`hold_prefetch`), on Apache Kafka, which answers a waiting fetch as
soon as a record arrives.

aiokafka keeps one fetch in flight per broker. Left to itself, 0.1 s after records were fetched and
not yet taken, it fetches the consumer's other partitions without them; that fetch waits on the
broker for one of *those* partitions (here up to 10 s), and the taken partition's next records wait
behind it. The wait is set long so that the stall, if it comes back, is plain: the test allows 5 s
for a record the broker holds."""

from __future__ import annotations

import asyncio
import uuid

from accord_common.messaging.kafka import KafkaConfig, TopicLayout, ensure_topics
from accord_common.testing.kafka import KafkaBroker
from aiokafka import AIOKafkaConsumer, TopicPartition

LONG_WAIT_MS = 10_000


async def _take(consumer: AIOKafkaConsumer, timeout_s: float) -> list[bytes]:
    """The values of the next records fetched within `timeout_s` ([] if none came)."""
    batches = await consumer.getmany(timeout_ms=int(timeout_s * 1000))
    return [record.value for records in batches.values() for record in records if record.value]


async def test_records_after_a_busy_run_are_fetched_at_once_not_after_the_fetch_wait(
    maven_kafka: KafkaBroker,
) -> None:
    run = uuid.uuid4().hex[:8]
    busy, quiet = f"prefetch.busy.{run}", f"prefetch.quiet.{run}"
    await ensure_topics(maven_kafka.bootstrap, [busy, quiet], TopicLayout(1, 1, 1))
    config = KafkaConfig(maven_kafka.bootstrap, fetch_max_wait_ms=LONG_WAIT_MS, idempotence=True)
    producer = config.producer()
    await producer.start()
    consumer = await config.started_consumer(busy, quiet, group_id=f"prefetch-{run}")
    try:
        await producer.send_and_wait(busy, b"first", key=b"k")
        taken: list[bytes] = []
        for _ in range(60):  # joining the group takes a few seconds
            taken += await _take(consumer, 1.0)
            if taken:
                break
        assert taken == [b"first"]

        # fetched while the loop is busy for a second: it waits, untaken, in the consumer
        await producer.send_and_wait(busy, b"second", key=b"k")
        await asyncio.sleep(1.0)
        assert await _take(consumer, 5.0) == [b"second"]

        # the loop took it; the broker now holds the next one
        await producer.send_and_wait(busy, b"third", key=b"k")
        assert await _take(consumer, 5.0) == [b"third"], (
            "a record the broker held was not fetched within 5 s: the fetch for the other "
            "partitions alone was waiting"
        )
        assert consumer.highwater(TopicPartition(busy, 0)) == 3
    finally:
        await consumer.stop()
        await producer.stop()
