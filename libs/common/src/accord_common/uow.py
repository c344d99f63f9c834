"""The unit of work: the only place that commits; recorded events go to the outbox in the same
transaction as the state change."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accord_common.bulk import insert_rows
from accord_common.events import CATALOGUE, CloudEvent
from accord_common.events.catalogue import check_payload
from accord_common.events.envelope import envelope_json
from accord_common.ids import new_id
from accord_common.outbox_bundles import bundled
from accord_common.telemetry import STRUCTURED_CONTENT_TYPE, current_traceparent, trace_headers
from accord_common.wakeups import OUTBOX, Wakeups, rings_asked


class CommitDeferred(RuntimeError):
    """A handler tried to commit inside a transaction that its caller commits (a consumer's batch)."""


class UnitOfWork:
    """One database transaction plus the events it publishes."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        metadata: MetaData,
        on_commit: Callable[[], None] | None = None,
        wakeups: Wakeups | None = None,
    ) -> None:
        self._session_factory = session_factory
        self.metadata = metadata
        self._outbox = metadata.tables["outbox"]
        self._on_commit = on_commit
        self._wakeups = wakeups
        self._rings: set[str] = set()  # wake-up channels to ring once this transaction commits
        self._events: list[CloudEvent | dict[str, Any]] = []  # events, or outbox rows made already
        self.committed = False
        self.defer_commits = False  # set by a caller that commits many handlers' work at once

    async def __aenter__(self) -> Self:
        self.session = self._session_factory()
        self._events = []
        self._rings = set()
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

    def publish_batch(
        self,
        event_type: str,
        *,
        source: str,
        organization_id: str | None,
        items: Sequence[tuple[str, dict[str, Any]]],
    ) -> None:
        """Record many events of one type built in one span, as (subject, payload) pairs.

        Every payload is checked strictly against the catalogue (unknown fields refused); each
        becomes its outbox row directly, with the same bytes `publish` would write, without a
        CloudEvent model per event."""
        if not items:
            return
        spec = CATALOGUE.get(event_type)
        if spec is None:
            raise ValueError(f"unknown event type {event_type!r}: add it to the catalogue")
        for _, data in items:
            check_payload(event_type, data)
        traceparent, now = current_traceparent(), datetime.now(UTC)
        for subject, data in items:
            event_id = new_id()
            payload = envelope_json(
                event_id=event_id,
                source=source,
                event_type=event_type,
                subject=subject,
                time=now,
                data=data,
                schema_version=spec.schema_version,
                organization_id=organization_id,
                traceparent=traceparent,
            )
            headers = {"content-type": STRUCTURED_CONTENT_TYPE}
            if traceparent:
                headers["traceparent"] = traceparent
            self._events.append(
                {
                    "event_id": event_id,
                    "topic": event_type,
                    "message_key": subject,
                    "payload": payload,
                    "headers": headers,
                }
            )

    def publish(self, event: CloudEvent) -> None:
        """Record an event (its payload checked against the catalogue); it is written to the outbox
        when the unit of work commits or flushes."""
        if event.type in CATALOGUE:
            check_payload(event.type, event.data)
        if event.traceparent is None and (traceparent := current_traceparent()) is not None:
            event = event.model_copy(update={"traceparent": traceparent})
        self._events.append(event)

    async def flush_events(self) -> None:
        """Write the events recorded so far to the outbox now, inside the open transaction.

        For a long unit of work that publishes many large events (a 100,000-row fee schedule's
        hundred chunk events): memory stays flat, and the events still commit or roll back with
        the rows they describe. `commit` flushes whatever is left. Consecutive events of one type
        and trace share a row (outbox_bundles.py)."""
        if not self._events:
            return
        now = datetime.now(UTC)
        rows = []
        for event in self._events:
            row = _outbox_row(event) if isinstance(event, CloudEvent) else event
            row["created_at"] = now
            rows.append(row)
        self._events = []
        await insert_rows(self.session, self._outbox, bundled(rows))
        self.wake_on_commit(OUTBOX)

    def wake_on_commit(self, channel: str) -> None:
        """Ring wake-up `channel` (see wakeups.py) if and when this transaction commits: at once in
        this process; on PostgreSQL a NOTIFY in the transaction reaches every other process too."""
        self._rings.add(channel)

    async def commit(self) -> None:
        if self.defer_commits:
            raise CommitDeferred("this unit of work is committed by its caller")
        await self.flush_events()
        rings, self._rings = self._rings | rings_asked(self.session), set()
        await self._notify(rings)
        await self.session.commit()
        self.committed = True
        self._events = []
        if self._on_commit is not None:
            self._on_commit()
        if self._wakeups is not None:
            self._wakeups.ring(rings)

    async def _notify(self, channels: set[str]) -> None:
        """NOTIFY in the transaction: PostgreSQL delivers it on commit, never on rollback."""
        if self._wakeups is None or not channels or self.session.get_bind().dialect.name != "postgresql":
            return
        for channel in sorted(channels):
            await self.session.execute(
                _NOTIFY, {"channel": self._wakeups.channel(channel), "token": self._wakeups.token}
            )

    async def rollback(self) -> None:
        await self.session.rollback()
        self._events = []
        self._rings = set()
        rings_asked(self.session)


# one statement for every NOTIFY (built once: a Core select of pg_notify was compiled anew each commit)
_NOTIFY = text("SELECT pg_notify(:channel, :token)")


def _outbox_row(event: CloudEvent) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "topic": event.type,
        "message_key": event.subject,
        "payload": event.to_bytes(),
        "headers": trace_headers(event),
    }
