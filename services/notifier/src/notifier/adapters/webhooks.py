"""POST signed webhooks with httpx, to an address checked against SSRF at send time.

The host is resolved once, every address is checked, and the request goes to the checked
address (Host header and TLS server name keep the original host), so DNS rebinding between
the check and the call cannot reach an internal address. Redirects are never followed; the
response body is streamed and read up to the domain's cap.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

import httpx
from accord_common.telemetry import inject_http_headers, tracer
from opentelemetry import propagate, trace

from notifier.domain import (
    CONNECT_TIMEOUT_SECONDS,
    AllowList,
    CappedBody,
    UnsafeWebhookUrl,
    check_webhook_url,
)
from notifier.ports import Resolver, SendResult

USER_AGENT = "Accord-Notifier/0.1 (+https://www.standardwebhooks.com)"


@dataclass(frozen=True)
class PinnedTarget:
    url: str  # the original URL with the host replaced by the checked address
    host_header: str
    server_name: str | None  # for TLS: the certificate must match the original host


class HttpWebhookPoster:
    def __init__(
        self,
        resolve: Resolver,
        allow_list: AllowList,
        total_timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._resolve = resolve
        self._allow_list = allow_list
        self._total_timeout = total_timeout
        timeout = httpx.Timeout(total_timeout, connect=min(CONNECT_TIMEOUT_SECONDS, total_timeout))
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=timeout,
            trust_env=False,  # no proxy from the environment: it would bypass the address check
            transport=transport,
            headers={"user-agent": USER_AGENT},
        )

    async def close(self) -> None:
        """Close the connection pool (the runtime's on_stop calls this)."""
        await self._client.aclose()

    @property
    def is_closed(self) -> bool:
        return self._client.is_closed

    async def pin(self, url: str) -> PinnedTarget:
        """Resolve and check the URL's host; raises UnsafeWebhookUrl when it may not be called."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        addresses = await self._resolve(host) if host else []
        check_webhook_url(url, addresses, self._allow_list)
        address = addresses[0] if addresses else host
        literal = f"[{address}]" if ":" in address else address
        netloc = f"{literal}:{parts.port}" if parts.port else literal
        server_name = host if parts.scheme.lower() == "https" else None
        return PinnedTarget(urlunsplit(parts._replace(netloc=netloc)), parts.netloc, server_name)

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        started = time.perf_counter()
        try:
            target = await self.pin(url)
        except UnsafeWebhookUrl as refusal:
            return SendResult(None, 0, f"refused before sending: {refusal.message}")
        parent = propagate.extract(dict(headers))
        with tracer().start_as_current_span("webhook POST", context=parent, kind=trace.SpanKind.CLIENT):
            outgoing = {**headers, "host": target.host_header}
            inject_http_headers(outgoing)
            try:
                async with asyncio.timeout(self._total_timeout):
                    status, excerpt, retry_after = await self._exchange(target, body, outgoing)
            except (httpx.HTTPError, TimeoutError) as exc:
                return SendResult(None, _since(started), _describe(exc))
        error = None if 200 <= status <= 299 else f"HTTP {status}: {excerpt}".strip()
        return SendResult(status, _since(started), error, retry_after)

    async def _exchange(
        self, target: PinnedTarget, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int, str, timedelta | None]:
        extensions = {"sni_hostname": target.server_name} if target.server_name else None
        request = self._client.build_request(
            "POST", target.url, content=body, headers=headers, extensions=extensions
        )
        response = await self._client.send(request, stream=True)
        try:
            answer = CappedBody()
            async for chunk in response.aiter_raw():
                answer = answer.append(chunk)
                if answer.is_full:
                    break
        finally:
            await response.aclose()
        return response.status_code, answer.excerpt(), parse_retry_after(response.headers.get("retry-after"))


def parse_retry_after(value: str | None, now: datetime | None = None) -> timedelta | None:
    """Retry-After in seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return timedelta(seconds=int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - (now or datetime.now(UTC)), timedelta(0))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return "no answer before the timeout"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
