"""JSON logs. Accord logs ids and event types, never payloads: no PHI reaches a log line."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from opentelemetry import trace

# Record attributes that may be logged; anything else passed via `extra` is dropped.
_ALLOWED_EXTRA = {
    "event_id",
    "event_type",
    "topic",
    "organization_id",
    "contract_id",
    "claim_id",
    "obligation_id",
    "delivery_id",
    "subscription_id",
    "status_code",
    "attempt",
    "path",
    "method",
    "duration_ms",
    "count",
    "service",
    "partition",
    "offset",
    "error_type",
    "outage_seconds",
    "retries",
    # failed authentications: why, the key's public prefix (never the key) and the client address
    "reason",
    "key_prefix",
    "key_id",
    "client",
}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            entry["trace_id"] = format(ctx.trace_id, "032x")
        for key in _ALLOWED_EXTRA & record.__dict__.keys():
            entry[key] = record.__dict__[key]
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(entry, default=str)


class RepeatLimiter(logging.Filter):
    """Let a library's repeated message (same logger and template) through at most once per `every_s`.

    During a broker outage aiokafka logs "Unable connect to node ..." on every reconnect attempt of
    every client (thousands of lines a second); one line per message and period, carrying how many
    were held back, says the same."""

    def __init__(self, prefixes: tuple[str, ...] = ("aiokafka",), every_s: float = 30.0) -> None:
        super().__init__()
        self._prefixes = prefixes
        self._every = every_s
        self._seen: dict[tuple[str, object], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self._prefixes):
            return True
        key = (record.name, record.msg)
        last, held = self._seen.get(key, (float("-inf"), 0))
        if record.created - last < self._every:
            self._seen[key] = (last, held + 1)
            return False
        if len(self._seen) > 1000:  # templates are few; bound it anyway
            self._seen.clear()
        self._seen[key] = (record.created, 0)
        if held:
            record.msg = f"{record.msg} (repeated {held} times in the last {self._every:.0f} s)"
        return True


def configure_logging(service: str, level: str = "INFO", json_logs: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RepeatLimiter())
    if json_logs:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel("WARNING")
    logging.getLogger("uvicorn.access").setLevel("WARNING")
    # httpx logs every request it sends at INFO with its whole URL: a webhook's URL can carry the
    # receiver's token, and a line per webhook cost the notifier a tenth of each send
    logging.getLogger("httpx").setLevel("WARNING")
