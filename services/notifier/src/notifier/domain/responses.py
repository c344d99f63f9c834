"""How much of a receiver's answer the notifier reads and keeps.

Adapters read a webhook response as a stream and stop at `RESPONSE_BODY_CAP_BYTES` (closing the
connection): a receiver must not be able to exhaust memory or hold a worker with an endless
body. Only `STORED_EXCERPT_CHARS` of it are kept on the attempt, for the subscription's owner
to debug with. Redirects are never followed (see retry.py).
"""

from __future__ import annotations

from dataclasses import dataclass

RESPONSE_BODY_CAP_BYTES = 64 * 1024
STORED_EXCERPT_CHARS = 1024
CONNECT_TIMEOUT_SECONDS = 5.0
# The whole request, body included; a receiver should acknowledge fast and work later.
TOTAL_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class CappedBody:
    """A response body read chunk by chunk, never holding more than `cap` bytes.

    Usage: `body = CappedBody()`, then for each chunk `body = body.append(chunk)` until
    `body.is_full`; then stop reading.
    """

    content: bytes = b""
    truncated: bool = False
    cap: int = RESPONSE_BODY_CAP_BYTES

    @property
    def is_full(self) -> bool:
        return self.truncated or len(self.content) >= self.cap

    def append(self, chunk: bytes) -> CappedBody:
        room = self.cap - len(self.content)
        if len(chunk) > room:
            return CappedBody(self.content + chunk[: max(room, 0)], True, self.cap)
        return CappedBody(self.content + chunk, self.truncated, self.cap)

    def excerpt(self) -> str:
        """What is stored on the attempt: decoded leniently, trimmed, marked if cut short."""
        text = self.content.decode("utf-8", errors="replace")
        return error_excerpt(text, cut=self.truncated) or ""


def error_excerpt(text: str | None, cut: bool = False) -> str | None:
    """At most `STORED_EXCERPT_CHARS` of printable text, with an ellipsis if anything was cut."""
    if text is None:
        return None
    printable = "".join(ch if ch.isprintable() or ch in "\n\t" else "\ufffd" for ch in text)
    if len(printable) > STORED_EXCERPT_CHARS:
        return printable[: STORED_EXCERPT_CHARS - 1] + "\u2026"
    return printable + "\u2026" if cut else printable
