"""Kafka edge: every event type in the catalogue but the notifier's own becomes deliveries."""

from __future__ import annotations

from datetime import UTC, datetime

from accord_common.events import CATALOGUE, CloudEvent
from accord_common.messaging import EventHandler
from accord_common.uow import UnitOfWork

from notifier.handlers.events import record_deliveries


def consumed_event_types() -> list[str]:
    return sorted(t for t in CATALOGUE if not t.startswith("notification."))


def event_handlers(digest_hour_utc: int) -> dict[str, EventHandler]:
    async def on_event(event: CloudEvent, uow: UnitOfWork) -> None:
        """Record the deliveries the event owes; the consumer loop commits with the inbox row."""
        await record_deliveries(uow, event, datetime.now(UTC), digest_hour_utc)

    return dict.fromkeys(consumed_event_types(), on_event)
