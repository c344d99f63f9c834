"""A real HTTP receiver, a real SMTP server and the notifier app in-process, for integration tests."""

from __future__ import annotations

import asyncio
import email
import email.policy
import secrets
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

import httpx
from accord_common.auth import issue_key
from accord_common.events import CloudEvent, new_event
from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller
from asgi_lifespan import LifespanManager
from notifier.adapters.orm import deliveries, delivery_attempts, metadata
from notifier.bootstrap import build_app
from notifier.config import NotifierSettings
from notifier.entrypoints.send_loop import STRAGGLER_SECONDS
from sqlalchemy import func, select

T = TypeVar("T")
SCOPES = {"notifications:read", "notifications:write"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1. `answer(n)` gives the status for the n-th request (0-based);
    `hang_first` holds the first request until `release` is set; `delay_seconds` is how long it
    takes to answer each request. `in_progress` counts requests read but not yet answered and
    `most_at_once` the most of those there ever were."""

    answer: Callable[[int], int] = lambda n: 204
    hang_first: bool = False
    delay_seconds: float = 0.0
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    in_progress: int = 0
    most_at_once: int = 0

    def __post_init__(self) -> None:
        receiver = self
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with lock:
                    index = len(receiver.received)
                    receiver.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                    receiver.in_progress += 1
                    receiver.most_at_once = max(receiver.most_at_once, receiver.in_progress)
                try:
                    if index == 0 and receiver.hang_first:
                        receiver.release.wait(30)
                    if receiver.delay_seconds:
                        receiver.release.wait(receiver.delay_seconds)
                    self.send_response(receiver.answer(index))
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up (it was stopped mid-request)
                finally:
                    with lock:
                        receiver.in_progress -= 1

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/accord"

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def about(self, needle: str) -> list[Received]:
        return [r for r in self.received if needle.encode() in r.body]


class MailSink:
    """aiosmtpd on a free port, keeping every message it accepts; it answers each message after
    `delay_seconds` (`in_progress` counts those not yet answered)."""

    def __init__(self, delay_seconds: float = 0.0) -> None:
        self.port = free_port()
        self.delay_seconds = delay_seconds
        self.in_progress = 0
        self.messages: list[EmailMessage] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))  # type: ignore[arg-type]
        self.in_progress += 1
        try:
            await asyncio.sleep(self.delay_seconds)
        finally:
            self.in_progress -= 1
        return "250 OK"

    def start(self) -> MailSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def about(self, needle: str) -> list[EmailMessage]:
        """Messages whose subject or plain-text body mention `needle`."""
        return [m for m in self.messages if needle in f"{m['Subject']}\n{plain_text(m)}"]


def plain_text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    return "" if part is None else str(part.get_content())  # type: ignore[attr-defined]


def html_text(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    return "" if part is None else str(part.get_content())  # type: ignore[attr-defined]


async def wait_for(what: str, check: Callable[[], Awaitable[T]], timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def settings_for(database_url: str, bootstrap: str, mail: MailSink, **overrides: Any) -> NotifierSettings:
    values: dict[str, Any] = {
        "service_name": f"notifier-it-{uuid.uuid4().hex[:8]}",
        "database_url": database_url,
        "kafka_bootstrap": bootstrap,
        "smtp_port": mail.port,
        "webhook_allow_private": "127.0.0.0/8,::1/128",
        "dispatcher_interval_seconds": 0.1,
        "retry_delays_seconds": [0.3, 0.3, 0.3],
        "log_json": False,
        "links_base_url": "https://accord.clinic.example",
        "outbox_retention_days": 1,  # published rows kept: tests read what was published from them
    }
    return NotifierSettings(**(values | overrides))


class Notifier:
    """The notifier app running in-process, with a client and the database behind it."""

    def __init__(self, app: Any, client: httpx.AsyncClient, settings: NotifierSettings) -> None:
        self.app = app
        self.client = client
        self.settings = settings
        self.runtime = app.state.runtime

    async def tenant(self) -> tuple[str, dict[str, str]]:
        """A fresh organisation and the headers of an API key for it."""
        org = new_org()
        return org, await self.api_key(org)

    async def publish(self, *events: CloudEvent) -> None:
        """Produce the events to the broker this notifier consumes from."""
        await publish(self.settings.kafka_bootstrap, *events)

    async def api_key(self, organization_id: str) -> dict[str, str]:
        raw = f"acc_{secrets.token_hex(6)}_{secrets.token_hex(24)}"  # hex: no '_' inside the secret
        async with self.runtime.sessions() as session, session.begin():
            await issue_key(
                session,
                self.runtime.metadata,
                organization_id=organization_id,
                name="it",
                scopes=SCOPES,
                raw_key=raw,
            )
        return {"Authorization": f"Bearer {raw}"}

    async def subscribe(self, headers: dict[str, str], **body: Any) -> dict[str, Any]:
        response = await self.client.post("/v1/subscriptions", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def delivery_rows(self, event_id: str) -> list[Any]:
        async with self.runtime.sessions() as session:
            result = await session.execute(select(deliveries).where(deliveries.c.event_id == event_id))
            return list(result.all())

    async def wait_delivered(self, event_id: str) -> Any:
        """The first of the event's deliveries to reach 'delivered' (polled until one does)."""

        async def delivered() -> list[Any]:
            return [r for r in await self.delivery_rows(event_id) if r.status == "delivered"]

        return (await wait_for(f"a delivered delivery of {event_id}", delivered))[0]

    async def consumed(self, event_id: str) -> bool:
        """Whether the notifier's consumer has taken the event in (its inbox row is committed)."""
        inbox = metadata.tables["inbox"]
        async with self.runtime.sessions() as session:
            found = await session.scalar(select(inbox.c.event_id).where(inbox.c.event_id == event_id))
        return found is not None

    async def attempt_count(self, delivery_id: str) -> int:
        query = select(func.count()).where(delivery_attempts.c.delivery_id == delivery_id)
        async with self.runtime.sessions() as session:
            return int(await session.scalar(query) or 0)


@asynccontextmanager
async def running(settings: NotifierSettings) -> AsyncIterator[Notifier]:
    app = build_app(settings)
    # shutting down lets sends in flight finish (dispatcher_drain_seconds, then STRAGGLER_SECONDS to
    # record a cancelled one) before the consumers and relays stop: allow that whole budget and more
    # (30 s, the drain's own length, timed out once on a loaded CI machine with a send in flight)
    shutdown = settings.dispatcher_drain_seconds + STRAGGLER_SECONDS + 30
    async with LifespanManager(app, startup_timeout=90, shutdown_timeout=shutdown):
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notifier") as client:
            yield Notifier(app, client, settings)


def obligation_event(organization_id: str, **overrides: Any) -> CloudEvent:
    obligation_id = str(uuid.uuid4())
    data = {
        "obligation_id": obligation_id,
        "organization_id": organization_id,
        "kind": "renewal_notice",
        "status": "open",
        "due_date": "2027-10-02",
        "contract_id": str(uuid.uuid4()),
        "payer_id": "payer-acme",
        "title": "Renewal notice to Acme Health Plan",
        "lead_days": 90,
    } | overrides
    return new_event(
        "obligation.created",
        source="obligation-tracker",
        subject=obligation_id,
        data=data,
        organization_id=organization_id,
    )


def variance_event(organization_id: str) -> CloudEvent:
    claim = uuid.uuid4().hex[:8]
    data = {
        "claim_id": f"claim-{claim}",
        "organization_id": organization_id,
        "patient_control_number": f"PCN-{claim}",
        "payer_id": "payer-acme",
        "classification": "underpaid",
        "expected_allowed": "250.00",
        "paid_amount": "180.00",
        "patient_responsibility": "20.00",
        "variance": "-50.00",
        "remittance_date": "2026-03-02",
    }
    return new_event(
        "claim.variance_detected",
        source="reimbursement-engine",
        subject=data["claim_id"],
        data=data,
        organization_id=organization_id,
    )


async def publish(bootstrap: str, *events: CloudEvent) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False, acks="all")
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(event.type, value=event.to_bytes(), key=event.subject.encode())
    finally:
        await producer.stop()


def new_org() -> str:
    return f"org-{uuid.uuid4().hex[:10]}"
