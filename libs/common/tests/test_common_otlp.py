"""`otel_exporter=otlp` sends spans over OTLP/HTTP to a real receiver: the service name and span
names arrive, and nothing of a span's payload beyond what the code put there. Runs the exporting
side in a subprocess (a process has one tracer provider)."""

from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

SCRIPT = """
import sys
from accord_common.telemetry import configure_tracing, tracer
configure_tracing("accord-test-service", "otlp", endpoint=sys.argv[1])
with tracer().start_as_current_span("POST /v1/claims"):
    with tracer().start_as_current_span("outbox publish claim.priced"):
        pass
"""


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers.get("Content-Type", ""), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return


def test_spans_reach_an_otlp_http_receiver() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_port}/v1/traces"
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, endpoint], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
    finally:
        server.shutdown()
    assert _Receiver.received, "no OTLP request arrived"
    path, content_type, body = _Receiver.received[0]
    assert (path, content_type) == ("/v1/traces", "application/x-protobuf")
    request = ExportTraceServiceRequest.FromString(body)
    resource = request.resource_spans[0]
    attributes = {a.key: a.value.string_value for a in resource.resource.attributes}
    assert attributes["service.name"] == "accord-test-service"
    names = sorted(span.name for scope in resource.scope_spans for span in scope.spans)
    assert names == ["POST /v1/claims", "outbox publish claim.priced"]
