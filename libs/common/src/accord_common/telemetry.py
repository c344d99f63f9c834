"""OpenTelemetry tracing: HTTP -> outbox -> Kafka headers -> consumer -> outgoing calls.

W3C trace context travels in the event envelope (`traceparent`) and in Kafka headers. Spans carry ids
and event types only, never payloads, so no PHI reaches a trace backend.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)

if TYPE_CHECKING:
    from accord_common.events import CloudEvent

_configured = False


def configure_tracing(
    service_name: str, exporter: str, extra: SpanExporter | None = None, endpoint: str | None = None
) -> None:
    """Install a tracer provider once per process (tests may add an in-memory exporter).

    `exporter`: "none", "console", or "otlp" (OTLP over HTTP/protobuf, batched, to `endpoint` or,
    when None, where the standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT
    variables say, else http://localhost:4318/v1/traces). Spans still left are flushed at exit.
    """
    global _configured
    if _configured:
        provider = trace.get_tracer_provider()
        if extra is not None and isinstance(provider, TracerProvider):
            provider.add_span_processor(SimpleSpanProcessor(extra))
        return
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if exporter == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    elif exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    if extra is not None:
        provider.add_span_processor(SimpleSpanProcessor(extra))
    trace.set_tracer_provider(provider)
    _configured = True


@cache
def tracer() -> trace.Tracer:
    """The process's tracer, made once: `get_tracer` builds a new one on every call (a consumer
    spent a quarter of its time there, one span an event). OpenTelemetry's global provider is set
    once per process, and before it is set this is a proxy that follows it when it is."""
    return trace.get_tracer("accord")


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span (None outside a valid one): what the trace-context
    propagator writes, formatted here (the global propagator's inject cost more than the event it
    stamps on a consumer's every event)."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"


# CloudEvents Kafka protocol binding, structured mode: the whole event (attributes and data) is the
# message value as JSON; a consumer following the binding reads this header to know it.
STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"


def trace_headers(event: CloudEvent) -> dict[str, str]:
    """Kafka headers stored with an outbox row (str values; encoded by the relay)."""
    headers = {"content-type": STRUCTURED_CONTENT_TYPE}  # no ce_ headers: they mean binary mode
    if event.traceparent:
        headers["traceparent"] = event.traceparent
    return headers


def context_from_kafka(headers: Sequence[tuple[str, bytes]] | None) -> Context:
    carrier = {k: v.decode("latin-1") for k, v in headers or ()}
    return propagate.extract(carrier)


@contextmanager
def consumer_span(topic: str, event_id: str, headers: Any) -> Iterator[trace.Span]:
    """A consumer span, child of the producer's trace."""
    ctx = context_from_kafka(headers)
    with tracer().start_as_current_span(
        f"consume {topic}",
        context=ctx,
        kind=trace.SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.message.id": event_id,
        },
    ) as span:
        yield span


def inject_http_headers(headers: dict[str, str]) -> dict[str, str]:
    """Add traceparent to an outgoing HTTP request's headers."""
    propagate.inject(headers)
    return headers
