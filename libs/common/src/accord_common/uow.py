"""The unit of work: the only place that commits; recorded events go to the outbox in the same
transaction as the state change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accord_common.bulk import insert_rows
from accord_common.events import CloudEvent
from accord_common.telemetry import current_traceparent, trace_headers


class UnitOfWork:
    """One database transaction plus the events it publishes."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        metadata: MetaData,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self.metadata = metadata
        self._outbox = metadata.tables["outbox"]
        self._on_commit = on_commit
        self._events: list[CloudEvent] = []
        self.committed = False

    async def __aenter__(self) -> Self:
        self.session = self._session_factory()
        self._events = []
        self.committed = False
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            await self.session.rollback()
        await self.session.close()

    def publish_all(self, events: list[CloudEvent]) -> None:
        """Record many events built in one span (the trace context is read once)."""
        traceparent = current_traceparent()
        for event in events:
            if event.traceparent is None and traceparent is not None:
                event = event.model_copy(update={"traceparent": traceparent})
            self._events.append(event)

    def publish(self, event: CloudEvent) -> None:
        """Record an event; it is written to the outbox when the unit of work commits."""
        if event.traceparent is None and (traceparent := current_traceparent()) is not None:
            event = event.model_copy(update={"traceparent": traceparent})
        self._events.append(event)

    async def commit(self) -> None:
        now = datetime.now(UTC)
        if self._events:
            await insert_rows(
                self.session,
                self._outbox,
                [
                    {
                        "event_id": e.id,
                        "topic": e.type,
                        "message_key": e.subject,
                        "payload": e.to_bytes(),
                        "headers": trace_headers(e),
                        "created_at": now,
                    }
                    for e in self._events
                ],
            )
        await self.session.commit()
        self.committed = True
        self._events = []
        if self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        await self.session.rollback()
        self._events = []
