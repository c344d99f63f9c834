"""What the use cases need from the outside world, so tests can hand in fakes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

# Host name -> every address it resolves to (empty when it does not resolve).
Resolver = Callable[[str], Awaitable[list[str]]]
# Now, timezone-aware; tests move it by hand.
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class SendResult:
    """How one attempt went: a status (HTTP or SMTP reply code) or None for no answer."""

    status_code: int | None
    latency_ms: int
    error: str | None = None
    retry_after: timedelta | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. application/pdf
    content: bytes


@dataclass(frozen=True)
class OutgoingMail:
    recipients: tuple[str, ...]
    subject: str
    text: str
    html: str
    message_id: str  # stable per delivery, so a resend is recognisably the same mail
    attachments: tuple[Attachment, ...] = ()


class MailSender(Protocol):
    async def send(self, mail: OutgoingMail) -> SendResult: ...


class WebhookPoster(Protocol):
    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult: ...


class SecretNotDecryptable(Exception):
    """A stored signing secret that none of the configured keys opens (its key was removed)."""


class SecretBox(Protocol):
    """Keeps webhook signing secrets unreadable at rest: only what `encrypt` returns is stored."""

    def encrypt(self, secret: str) -> str: ...

    def decrypt(self, stored: str) -> str:
        """The secret; raises SecretNotDecryptable if no key opens it."""
        ...

    def reencrypt(self, stored: str) -> str:
        """The same secret, stored anew under the current key (a plain one gets encrypted)."""
        ...
