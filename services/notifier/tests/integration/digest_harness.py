"""Helpers of the digest tests: a mail server that holds the first message unanswered, and the
digest hour brought forward."""

from __future__ import annotations

import asyncio
import email
import email.policy
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from notifier.adapters.orm import digests
from notifier_harness import MailSink, Notifier
from sqlalchemy import select, update


class HoldingMailSink(MailSink):
    """aiosmtpd that never answers the first message's DATA: its sender hangs mid-send. The message
    is not accepted (so not kept); when the sender's connection goes, aiosmtpd cancels the wait.
    Every later message is accepted as by MailSink. With `hold_to` set, only a message to that
    address is held: the broker is shared by the session, so a fresh notifier also sends what earlier
    tests published without a subscription (an appeal letter names its own recipients)."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[EmailMessage] = []
        self.hold_to: str | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[arg-type]
        if not self.held and (self.hold_to is None or str(message["To"]).lower() == self.hold_to):
            self.held.append(message)
            await asyncio.Event().wait()  # until the connection is lost or the server stops
        return await super().handle_DATA(server, session, envelope)


def reader() -> str:
    """A recipient address of this test only (the mail sink is shared by the session)."""
    return f"Reader-{uuid.uuid4().hex[:8]}@Clinic.example"


async def digest_rows(notifier: Notifier, organization_id: str) -> list[Any]:
    query = select(digests).where(digests.c.organization_id == organization_id)
    async with notifier.runtime.sessions() as session:
        return list((await session.execute(query)).all())


async def digest_hour_comes(notifier: Notifier, organization_id: str) -> None:
    """Bring the organisation's waiting digests forward to now, as if it were the digest hour."""
    async with notifier.runtime.sessions() as session, session.begin():
        await session.execute(
            update(digests)
            .where(digests.c.organization_id == organization_id, digests.c.status == "pending")
            .values(next_attempt_at=datetime.now(UTC))
        )
