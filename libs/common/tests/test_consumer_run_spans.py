"""A fetched run is traced with one consumer span per stretch of events from the same producer context.

Each handler runs inside a span of its own event's trace (so what it publishes continues that trace);
events of one request share one span. Real SQLite database, scripted records (no broker needed)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from accord_common.db import make_engine, make_session_factory, new_metadata
from accord_common.events import CloudEvent
from accord_common.messaging.batch import apply_run
from accord_common.tables import add_infra_tables
from accord_common.telemetry import configure_tracing, current_traceparent, tracer
from accord_common.testing.events import contract_amended as amended
from accord_common.uow import UnitOfWork
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy.ext.asyncio import AsyncEngine

metadata = new_metadata()
add_infra_tables(metadata)


@dataclass
class Record:
    value: bytes
    offset: int
    headers: tuple[tuple[str, bytes], ...]
    key: bytes | None = None
    topic: str = "contract.amended"
    partition: int = 0


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    configure_tracing("test", "none", extra=exporter)
    return exporter


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'spans.db'}")
    async with eng.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield eng
    await eng.dispose()


def request(name: str) -> tuple[trace.SpanContext, str]:
    """A producer's request span: its context and the traceparent its events carry."""
    with tracer().start_as_current_span(name) as span:
        traceparent = current_traceparent()
    assert traceparent is not None
    return span.get_span_context(), traceparent


async def test_one_span_per_stretch_of_events_from_the_same_request_each_handler_in_its_trace(
    engine: AsyncEngine, spans: InMemorySpanExporter
) -> None:
    upload, upload_tp = request("POST /v1/remittances/835")
    other, other_tp = request("POST /v1/claims/batch")
    cid = str(uuid.uuid4())
    events = [amended(cid, v) for v in range(1, 6)]
    producers = [upload_tp, upload_tp, upload_tp, other_tp, upload_tp]
    records = [
        Record(e.to_bytes(), i, (("content-type", b"x"), ("traceparent", tp.encode())))
        for i, (e, tp) in enumerate(zip(events, producers, strict=True))
    ]
    seen: list[tuple[int, int]] = []

    async def handler(event: CloudEvent, uow: UnitOfWork) -> None:
        current = trace.get_current_span().get_span_context()
        seen.append((current.trace_id, current.span_id))

    sessions = make_session_factory(engine)
    outcome = await apply_run(
        "tracker", records, {"contract.amended": handler}, lambda: UnitOfWork(sessions, metadata)
    )

    assert outcome.applied == 5
    mine = [s for s in spans.get_finished_spans() if s.name == "consume contract.amended"]
    mine = [s for s in mine if s.context.trace_id in (upload.trace_id, other.trace_id)]
    assert [s.attributes["messaging.batch.message_count"] for s in mine] == [3, 1, 1]  # type: ignore[index]
    assert [s.parent.span_id for s in mine] == [upload.span_id, other.span_id, upload.span_id]  # type: ignore[union-attr]
    assert [s.kind for s in mine] == [trace.SpanKind.CONSUMER] * 3
    assert mine[1].attributes["messaging.message.id"] == events[3].id  # type: ignore[index]
    assert "messaging.message.id" not in mine[0].attributes  # type: ignore[operator]
    spans_of = [s.context.span_id for s in mine]
    assert seen == [
        (upload.trace_id, spans_of[0]),
        (upload.trace_id, spans_of[0]),
        (upload.trace_id, spans_of[0]),
        (other.trace_id, spans_of[1]),
        (upload.trace_id, spans_of[2]),
    ]


async def test_events_without_trace_headers_share_one_span_of_a_new_trace(
    engine: AsyncEngine, spans: InMemorySpanExporter
) -> None:
    cid = str(uuid.uuid4())
    events = [amended(cid, v) for v in range(1, 4)]
    records = [Record(e.to_bytes(), i, ()) for i, e in enumerate(events)]
    traces: list[int] = []

    async def handler(event: CloudEvent, uow: UnitOfWork) -> None:
        traces.append(trace.get_current_span().get_span_context().trace_id)

    sessions = make_session_factory(engine)
    spans.clear()
    await apply_run("tracker", records, {"contract.amended": handler}, lambda: UnitOfWork(sessions, metadata))

    [span] = [s for s in spans.get_finished_spans() if s.name == "consume contract.amended"]
    assert span.parent is None
    assert span.attributes is not None and span.attributes["messaging.batch.message_count"] == 3
    assert traces == [span.context.trace_id] * 3


@pytest.mark.parametrize("sampled", [True, False])
def test_current_traceparent_is_what_the_trace_context_propagator_writes(sampled: bool) -> None:
    configure_tracing("accord-test", "none")
    flags = trace.TraceFlags(trace.TraceFlags.SAMPLED if sampled else trace.TraceFlags.DEFAULT)
    parent = trace.SpanContext(0x0AF7651916CD43DD8448EB211C80319C, 0xB7AD6B7169203331, True, flags)
    assert current_traceparent() is None  # outside any span
    with trace.use_span(trace.NonRecordingSpan(parent)):
        carrier: dict[str, str] = {}
        TraceContextTextMapPropagator().inject(carrier)
        assert current_traceparent() == carrier["traceparent"]
        assert carrier["traceparent"].endswith("-01" if sampled else "-00")
    with tracer().start_as_current_span("a recorded span"):
        carrier = {}
        TraceContextTextMapPropagator().inject(carrier)
        assert current_traceparent() == carrier["traceparent"]
