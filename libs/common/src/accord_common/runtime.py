"""One service's running infrastructure: database, outbox relay, consumers, bootstrap key."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from aiokafka import AIOKafkaProducer
from sqlalchemy import MetaData, text

from accord_common.auth import ensure_bootstrap_key
from accord_common.db import is_sqlite, make_engine, make_read_session_factory, make_session_factory
from accord_common.events import CATALOGUE
from accord_common.keys.counters import Counters, DatabaseCounters, InProcessCounters
from accord_common.keys.guard import KeyGuard, RateLimits
from accord_common.keys.usage import flush_usage, run_usage_flush
from accord_common.messaging import ConsumerLoop, EventHandler, KafkaConfig, OutboxRelay
from accord_common.messaging.kafka import TopicLayout, ensure_topics, tuned_for_the_broker, wait_for_broker
from accord_common.messaging.retention import RetentionPolicy, run_retention
from accord_common.migrate import upgrade_async
from accord_common.settings import ServiceSettings
from accord_common.uow import UnitOfWork
from accord_common.wakeups import KEYS, OUTBOX, Wakeups

log = logging.getLogger(__name__)
T = TypeVar("T")
BackgroundTask = Callable[["ServiceRuntime"], Coroutine[Any, Any, None]]


@dataclass
class ServiceRuntime:
    """Everything a service's handlers need from infrastructure, built by its composition root."""

    settings: ServiceSettings
    metadata: MetaData
    service_root: Path
    handlers: dict[str, EventHandler] = field(default_factory=dict)
    background: list[BackgroundTask] = field(default_factory=list)
    on_stop: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    migrate_on_start: bool = True

    def __post_init__(self) -> None:
        self.engine = make_engine(self.settings.database_url)
        self.sessions = make_session_factory(self.engine)
        self.read_sessions = make_read_session_factory(self.engine)  # reads without a transaction
        self.kafka = KafkaConfig(
            self.settings.kafka_bootstrap,
            client_id=self.settings.kafka_client_id or self.settings.service_name,
        )
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self.consumer_loop: ConsumerLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._jobs: set[asyncio.Task[Any]] = set()  # work started by requests (`spawn`)
        limits = RateLimits(
            self.settings.rate_limit_per_key_per_minute,
            self.settings.rate_limit_failed_auth_per_address_per_minute,
        )
        self.key_guard = KeyGuard(
            self.sessions,
            self.metadata,
            limits,
            counters=self._rate_counters(),
            cache_ttl_s=self.settings.key_cache_seconds,
        )
        # Loops woken when a commit brings them work: this process's at once, on PostgreSQL every
        # worker's and replica's (NOTIFY/LISTEN). Register with `wakeups.on` before `start`.
        self.wakeups = Wakeups(self.settings.service_name)
        self.wakeups.on(KEYS, self.key_guard.verified.clear)  # a key changed: verify keys again

    def _rate_counters(self) -> Counters:
        """On PostgreSQL the workers of the service share their counts in the database; SQLite is one
        process, which counts in memory."""
        table = self.metadata.tables.get("rate_limit_hits")
        if self.engine.dialect.name == "postgresql" and table is not None:
            return DatabaseCounters(table)
        return InProcessCounters()

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.metadata, wakeups=self.wakeups)

    async def start(self) -> None:
        if self.migrate_on_start:
            await upgrade_async(self.service_root, self.settings.database_url)
        await self._bootstrap_key()
        if self.settings.kafka_enabled:
            await self._start_messaging()
        self.wakeups.start(self.settings.database_url)
        for task in self.background:
            self._tasks.append(asyncio.create_task(task(self), name=task.__name__))
        policy = RetentionPolicy(self.settings.outbox_retention_days, self.settings.inbox_retention_days)
        retention = run_retention(
            self.sessions, self.metadata, policy, self.settings.retention_interval_seconds
        )
        self._tasks.append(asyncio.create_task(retention, name="retention"))
        usage = run_usage_flush(
            self.key_guard.usage,
            self.uow,
            self.settings.service_name,
            self.settings.key_usage_flush_seconds,
            publish=self.settings.kafka_enabled,
        )
        self._tasks.append(asyncio.create_task(usage, name="key-usage"))

    async def _start_messaging(self) -> None:
        await wait_for_broker(self.kafka.bootstrap)
        topics = [s.topic for s in CATALOGUE.values()]
        await ensure_topics(
            self.kafka.bootstrap,
            topics + [f"{t}.dlq" for t in topics],
            self.topic_layout(),
            strict=self.settings.environment == "production",  # refuse to start; warn elsewhere
        )
        s = self.settings
        self.kafka = await tuned_for_the_broker(self.kafka, s.kafka_idempotence, s.kafka_fetch_max_wait_ms)
        self.producer = self.kafka.producer()
        await self.producer.start()
        self.relay = OutboxRelay(
            self.sessions,
            self.metadata,
            self.producer,
            poll_interval_s=self.settings.relay_poll_interval_ms / 1000,
            keep_published=self.settings.outbox_retention_days > 0,
        )
        if self.settings.relay_enabled:
            self.wakeups.on(OUTBOX, self.relay.wake)
            self.relay.start()
        if self.handlers:
            consumer = await self.kafka.started_consumer(*self.handlers, group_id=self.settings.service_name)
            self.consumer_loop = ConsumerLoop(
                name=self.settings.service_name,
                consumer=consumer,
                producer=self.producer,
                handlers=self.handlers,
                uow_factory=self.uow,
                max_attempts=self.settings.consumer_max_attempts,
                backoff_s=self.settings.consumer_backoff_ms / 1000,
                concurrent_partitions=self._concurrent_partitions(),
            )
            self.consumer_loop.start()
            self._consumer = consumer

    def _concurrent_partitions(self) -> bool:
        wanted = self.settings.consumer_concurrent_partitions
        return not is_sqlite(self.settings.database_url) if wanted is None else wanted

    def topic_layout(self) -> TopicLayout:
        s = self.settings
        return TopicLayout(s.kafka_topic_partitions, s.topic_replicas, s.topic_min_insync_replicas)

    async def _bootstrap_key(self) -> None:
        key, org = self.settings.bootstrap_api_key, self.settings.bootstrap_org_id
        if key and org:
            async with self.sessions() as session, session.begin():
                await ensure_bootstrap_key(session, self.metadata, key, org)

    def spawn(self, work: Coroutine[Any, Any, T], name: str) -> asyncio.Task[T]:
        """Run `work` on its own: it goes on when the request that started it ends (or its client
        goes away), is kept referenced until done, and is cancelled when the runtime stops (work
        that must finish after a stop resumes from its database state, as a sweeper's)."""
        task = asyncio.create_task(work, name=name)
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)
        return task

    async def stop(self) -> None:
        for task in [*self._tasks, *self._jobs]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._jobs, return_exceptions=True)
        await self._flush_key_usage()
        for hook in self.on_stop:
            await hook()
        if self.consumer_loop is not None:
            await self.consumer_loop.stop()
            await self._consumer.stop()
        if self.relay is not None:
            await self.relay.stop()
        await self.wakeups.stop()
        if self.producer is not None:
            await self.producer.stop()
        await self.engine.dispose()

    async def _flush_key_usage(self) -> None:
        """The uses noted since the last flush are written before the process stops."""
        uses = self.key_guard.usage.drain()
        try:
            await flush_usage(
                self.uow(), uses, self.settings.service_name, publish=self.settings.kafka_enabled
            )
        except Exception:
            log.warning("could not record the last use of %d API keys at stop", len(uses), exc_info=True)

    async def readiness(self) -> dict[str, Any]:
        checks: dict[str, Any] = {}
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        if self.settings.kafka_enabled:
            checks["broker"] = await self._broker_check()
        return checks

    async def _broker_check(self) -> str:
        if self.producer is None:
            return "not started"
        try:
            await asyncio.wait_for(self.producer.client.fetch_all_metadata(), 3)
            return "ok"
        except Exception as exc:
            return f"unreachable: {type(exc).__name__}"
