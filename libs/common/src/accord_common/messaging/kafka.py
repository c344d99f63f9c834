"""aiokafka settings that work on Apache Kafka and on tansu alike."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from aiokafka import AIOKafkaClient, AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError, NoError, TopicAlreadyExistsError, for_code
from aiokafka.protocol.transaction import InitProducerIdRequest

log = logging.getLogger(__name__)
MIN_ISR = "min.insync.replicas"


@dataclass(frozen=True, slots=True)
class KafkaConfig:
    bootstrap: str
    client_id: str = "accord"
    # tansu answers a waiting fetch only when it expires: keep the wait short for latency.
    fetch_max_wait_ms: int = 100
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 3_000

    # idempotence stops a retried batch from being written twice and keeps retrying instead of expiring a
    # batch, but tansu refuses InitProducerId: off unless the broker grants producer ids (see
    # supports_idempotence). Either way acks=all, one batch per partition in flight (order kept on
    # retries), and the consumers' inboxes make duplicates harmless.
    idempotence: bool = False

    def producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            client_id=self.client_id,
            acks="all",
            enable_idempotence=self.idempotence,
            linger_ms=5,
            # aiokafka builds one batch a partition and waits for it to reach the broker once it is
            # full: at the default 16 KiB (a dozen events) the relay waited a round trip every dozen
            # events, 60-880 ms to hand over 1,000 rows; at 512 KiB 5-33 ms (docs/benchmarks.md)
            max_batch_size=512 * 1024,
            request_timeout_ms=15_000,
        )

    async def started_consumer(self, *topics: str, group_id: str) -> AIOKafkaConsumer:
        """`consumer`, started, its prefetch held until what it fetched is taken (`hold_prefetch`)."""
        consumer = self.consumer(*topics, group_id=group_id)
        await consumer.start()
        hold_prefetch(consumer)
        return consumer

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


# How long aiokafka's fetcher lets fetched records wait untaken before it fetches the consumer's
# other partitions without them (its default, 0.1 s): longer than any run takes to apply.
PREFETCH_HELD_S = 3600.0


def hold_prefetch(consumer: AIOKafkaConsumer) -> None:
    """Fetch again only once the records fetched are taken (a started consumer).

    aiokafka keeps one fetch in flight per broker. While fetched records wait for the loop (it is
    applying the run before), it fetches after 0.1 s for the other partitions only, and that fetch
    waits on the broker until one of *them* has data or the wait (`LONG_POLL_MS`) ends. The loop,
    meanwhile, takes its records and finds the next ones on the broker unreachable: the tracker sat
    idle 0.27-0.35 s at a time with claim.variance_detected waiting (docs/benchmarks.md). Held, the
    next fetch asks for every partition once the loop has taken what was fetched, and the broker
    answers it at once when any has data. No public setting reaches it (aiokafka 0.14:
    `Fetcher._prefetch_backoff`); a version without it keeps its default, and says so."""
    fetcher = getattr(consumer, "_fetcher", None)
    if fetcher is None or not hasattr(fetcher, "_prefetch_backoff"):
        log.warning("aiokafka's fetcher has no prefetch backoff to hold: fetching as it does")
        return
    fetcher._prefetch_backoff = PREFETCH_HELD_S


@dataclass(frozen=True, slots=True)
class TopicLayout:
    """How every Accord topic is laid out on the cluster (settings: partitions, replicas, min ISR)."""

    partitions: int = 3
    replication_factor: int = 1
    min_insync_replicas: int = 1

    def new_topic(self, name: str) -> NewTopic:
        configs = {MIN_ISR: str(self.min_insync_replicas)}
        return NewTopic(name, self.partitions, self.replication_factor, topic_configs=configs)


@dataclass(frozen=True, slots=True)
class ExistingTopic:
    """A topic as the cluster describes it; ``min_insync_replicas`` None when the broker does not say."""

    name: str
    partitions: int
    replication_factor: int
    min_insync_replicas: int | None

    def differences(self, wanted: TopicLayout) -> list[str]:
        """What differs from ``wanted``, in words an operator can act on (empty when it matches)."""
        found = [
            ("partitions", self.partitions, wanted.partitions),
            ("replication factor", self.replication_factor, wanted.replication_factor),
            (MIN_ISR, self.min_insync_replicas, wanted.min_insync_replicas),
        ]
        if self.min_insync_replicas is None and wanted.min_insync_replicas == 1:
            found.pop()  # a broker that does not say (tansu) is taken to use Kafka's default of 1
        return [
            f"{what} is {'unknown' if actual is None else actual}, expected {expected}"
            for what, actual, expected in found
            if actual != expected
        ]


class TopicLayoutMismatch(RuntimeError):
    """Existing topics are laid out otherwise than the settings say (refused in production)."""


def layout_report(topics: Iterable[ExistingTopic], wanted: TopicLayout) -> list[str]:
    """One line per mismatching topic: ``<topic>: <what differs>; ...``."""
    lines = []
    for topic in sorted(topics, key=lambda t: t.name):
        if differs := topic.differences(wanted):
            lines.append(f"{topic.name}: {'; '.join(differs)}")
    return lines


async def ensure_topics(
    bootstrap: str, topics: Iterable[str], layout: TopicLayout | None = None, *, strict: bool = False
) -> list[str]:
    """Create missing topics with ``layout``, then check that existing ones match it.

    Returns the mismatches (one line per topic). With ``strict`` (production) a mismatch raises
    :class:`TopicLayoutMismatch` naming every topic and what differs; otherwise it is logged as a warning.
    """
    wanted, names = layout or TopicLayout(), list(dict.fromkeys(topics))
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        for topic in (t for t in names if t not in existing):
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([wanted.new_topic(topic)])
        older = [t for t in names if t in existing]  # the ones just created have the layout
        described = await describe_topics(admin, older)
        mismatches = layout_report(described, wanted)
        unknown = sorted(set(older) - {t.name for t in described})
        mismatches += [f"{name}: the cluster did not describe it" for name in unknown]
    finally:
        await admin.close()
    if mismatches and strict:
        raise TopicLayoutMismatch("Kafka topics differ from the settings:\n" + "\n".join(mismatches))
    if mismatches:
        log.warning("Kafka topics differ from the settings: %s", " | ".join(mismatches))
    return mismatches


async def describe_topics(admin: AIOKafkaAdminClient, names: list[str]) -> list[ExistingTopic]:
    """Partitions and replicas from the metadata, ``min.insync.replicas`` from DescribeConfigs."""
    described = await admin.describe_topics(names)
    min_isr = await _min_insync_replicas(admin, names)
    return [
        ExistingTopic(
            topic["topic"],
            len(topic["partitions"]),
            min((len(p["replicas"]) for p in topic["partitions"]), default=0),
            min_isr.get(topic["topic"]),
        )
        for topic in described
        if topic["error_code"] == 0
    ]


async def _min_insync_replicas(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, int]:
    wanted = [ConfigResource(ConfigResourceType.TOPIC, name, {MIN_ISR: None}) for name in names]
    try:
        responses = await admin.describe_configs(wanted)
    except KafkaError as exc:  # a broker without DescribeConfigs: every value unknown
        log.info("could not read topic configs: %s", exc)
        return {}
    found: dict[str, int] = {}
    for response in responses:
        for error_code, _message, _type, name, entries, *_ in response.resources:
            for entry in entries if error_code == 0 else ():
                if entry[0] == MIN_ISR and entry[1] is not None:
                    found[name] = int(entry[1])
    return found


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


LONG_POLL_MS = 500  # a consumer's fetch wait on a broker that answers a waiting fetch early


async def tuned_for_the_broker(
    config: KafkaConfig, idempotence: Literal["auto", "on", "off"], fetch_max_wait_ms: int | None
) -> KafkaConfig:
    """`config` with idempotence and the consumers' fetch wait as set, or (auto, None) as the broker
    allows: asked once whether it grants producer ids, which Apache Kafka does and tansu does not.
    Apache Kafka answers a waiting fetch as soon as a record arrives, so there a consumer waits
    `LONG_POLL_MS` (a fetch every 100 ms from each consumer, for all its partitions, was half the
    broker's CPU during the 835 bench: docs/benchmarks.md); tansu answers one only when its wait
    ends, so there it keeps `config`'s short wait."""
    granted: bool | None = None

    async def grants_producer_ids() -> bool:
        nonlocal granted
        if granted is None:
            granted = await supports_idempotence(config.bootstrap)
        return granted

    wanted = idempotence == "on" or (idempotence == "auto" and await grants_producer_ids())
    wait = fetch_max_wait_ms
    if wait is None:
        wait = LONG_POLL_MS if await grants_producer_ids() else config.fetch_max_wait_ms
    return replace(config, idempotence=wanted, fetch_max_wait_ms=wait)


async def supports_idempotence(bootstrap: str, timeout_s: float = 15.0) -> bool:
    """True if the broker grants a producer id (Apache Kafka does; tansu refuses InitProducerId).

    A retriable answer (a fresh broker still loading its coordinator) is asked again until ``timeout_s``.
    """
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=5_000)
    deadline = asyncio.get_running_loop().time() + timeout_s
    try:
        await client.bootstrap()
        while True:
            request = InitProducerIdRequest(transactional_id=None, transaction_timeout_ms=60_000)
            error = for_code((await client.send(client.get_random_node(), request)).error_code)
            if error is NoError or not error.retriable or asyncio.get_running_loop().time() > deadline:
                return error is NoError
            await asyncio.sleep(0.5)
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        await client.close()
