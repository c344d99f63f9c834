"""Every request's server span (continuing an incoming traceparent), Prometheus metrics per route
template, and `X-Content-Type-Options: nosniff` on every answer.

Pure ASGI middleware: Starlette's BaseHTTPMiddleware (`app.middleware("http")`) runs the rest of
the app in a task of its own and streams the answer back through a memory channel, which cost the
registry's as-of read a tenth of its time (docs/benchmarks.md); this wraps `send` instead."""

from __future__ import annotations

import time

from opentelemetry import propagate, trace
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord_common.telemetry import tracer

REQUESTS = Counter("accord_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("accord_http_request_seconds", "HTTP latency", ["method", "route"])
NOSNIFF = (b"x-content-type-options", b"nosniff")


class ObserveRequests:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", ())}
        method, started, status = scope["method"], time.perf_counter(), 500

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                if not any(name.lower() == NOSNIFF[0] for name, _ in headers):
                    message = {**message, "headers": [*headers, NOSNIFF]}
            await send(message)

        with tracer().start_as_current_span(
            f"{method} {scope['path']}", context=propagate.extract(carrier), kind=trace.SpanKind.SERVER
        ) as span:
            try:
                await self.app(scope, receive, observed_send)
            finally:
                template = getattr(scope.get("route"), "path", "unmatched")
                span.update_name(f"{method} {template}")
                span.set_attribute("http.response.status_code", status)
                REQUESTS.labels(method, template, str(status)).inc()
                LATENCY.labels(method, template).observe(time.perf_counter() - started)
