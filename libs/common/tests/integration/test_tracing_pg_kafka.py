"""One trace from an HTTP request through the outbox and Kafka to the consumer."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from accord_common.db import make_engine, make_session_factory, new_metadata
from accord_common.events import CloudEvent, new_event
from accord_common.messaging import ConsumerLoop, KafkaConfig, OutboxRelay, ensure_topics
from accord_common.tables import add_infra_tables
from accord_common.telemetry import configure_tracing, tracer
from accord_common.testing.kafka import KafkaBroker
from accord_common.testing.postgres import PostgresServer
from accord_common.uow import UnitOfWork
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

metadata = new_metadata()
add_infra_tables(metadata)


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    configure_tracing("test", "none", extra=exporter)
    return exporter


async def test_consumer_span_continues_the_producer_trace(
    postgres_server: PostgresServer, kafka_broker: KafkaBroker, spans: InMemorySpanExporter
) -> None:
    url = await postgres_server.create_database_async(f"trace_{uuid.uuid4().hex[:8]}")
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await ensure_topics(kafka_broker.bootstrap, ["obligation.created", "obligation.created.dlq"])
    kafka = KafkaConfig(kafka_broker.bootstrap, session_timeout_ms=6000, heartbeat_interval_ms=2000)
    oid = str(uuid.uuid4())
    with tracer().start_as_current_span("POST /v1/contracts", kind=trace.SpanKind.SERVER) as root:
        trace_id = root.get_span_context().trace_id
        async with UnitOfWork(sessions, metadata) as uow:
            uow.publish(
                new_event(
                    "obligation.created",
                    source="t",
                    subject=oid,
                    data={
                        "obligation_id": oid,
                        "organization_id": "o",
                        "kind": "renewal_notice",
                        "status": "open",
                        "due_date": "2027-10-02",
                        "title": "Renewal notice",
                    },
                )
            )
            await uow.commit()
    producer = kafka.producer()
    consumer = kafka.consumer("obligation.created", group_id=f"trace-{oid[:8]}")
    await producer.start()
    await consumer.start()
    seen: list[int] = []

    async def handler(event: CloudEvent, uow: UnitOfWork) -> None:
        if event.subject == oid:
            seen.append(trace.get_current_span().get_span_context().trace_id)

    loop = ConsumerLoop(
        name="trace",
        consumer=consumer,
        producer=producer,
        handlers={"obligation.created": handler},
        uow_factory=lambda: UnitOfWork(sessions, metadata),
    )
    try:
        await OutboxRelay(sessions, metadata, producer).publish_pending()
        loop.start()
        async with asyncio.timeout(60):
            while not seen:
                await asyncio.sleep(0.2)
    finally:
        await loop.stop()
        await consumer.stop()
        await producer.stop()
        await engine.dispose()
    assert seen == [trace_id]
    consumer_spans = [
        s
        for s in spans.get_finished_spans()
        if s.name == "consume obligation.created" and s.context.trace_id == trace_id
    ]
    assert consumer_spans, "a consumer span joined the request's trace"
    assert consumer_spans[0].parent is not None
