"""aiokafka settings that work on Apache Kafka and on tansu alike."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KafkaConfig:
    bootstrap: str
    client_id: str = "accord"
    # tansu answers a waiting fetch only when it expires: keep the wait short for latency.
    fetch_max_wait_ms: int = 100
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 3_000

    def producer(self) -> AIOKafkaProducer:
        # acks=all without idempotence: tansu refuses InitProducerId; the inbox makes
        # duplicates harmless. One request in flight keeps order per partition on retries.
        return AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            client_id=self.client_id,
            acks="all",
            enable_idempotence=False,
            linger_ms=5,
            request_timeout_ms=15_000,
        )

    def consumer(self, *topics: str, group_id: str) -> AIOKafkaConsumer:
        # 'earliest' with committed offsets: never 'latest' (tansu's end offsets are unreliable)
        return AIOKafkaConsumer(
            *topics,
            bootstrap_servers=self.bootstrap,
            client_id=self.client_id,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=self.fetch_max_wait_ms,
            session_timeout_ms=self.session_timeout_ms,
            heartbeat_interval_ms=self.heartbeat_interval_ms,
            metadata_max_age_ms=5_000,
        )


async def ensure_topics(bootstrap: str, topics: Iterable[str], partitions: int = 3) -> None:
    """Create topics if missing (Kafka may have auto-create off; tansu needs explicit topics)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in dict.fromkeys(topics) if t not in existing]
        for topic in missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    finally:
        await admin.close()


async def wait_for_broker(bootstrap: str, timeout_s: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3_000)
        try:
            await admin.start()
            await admin.list_topics()
            return
        except (KafkaError, OSError) as exc:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"Kafka broker at {bootstrap} not reachable") from exc
            await asyncio.sleep(0.5)
        finally:
            await admin.close()
