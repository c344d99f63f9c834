"""Kafka edge: every event type in the catalogue but the notifier's own becomes deliveries;
contract.* events also keep the contract projection (names for mails) up to date."""

from __future__ import annotations

from datetime import UTC, datetime

from accord_common.events import CATALOGUE, CloudEvent, payload_model
from accord_common.events.payloads import ContractVersionData, Payload
from accord_common.messaging import EventHandler
from accord_common.uow import UnitOfWork

from notifier.domain import CONTRACT_EVENT_TYPES
from notifier.handlers.contracts import apply_contract_version
from notifier.handlers.events import record_deliveries
from notifier.ports import SecretBox


def consumed_event_types() -> list[str]:
    """Every business event; never the notifier's own, nor an API key's (no hash reaches a mail or
    webhook: the key projection takes those)."""
    return sorted(t for t in CATALOGUE if not t.startswith(("notification.", "api_key.")))


def payload_of(event: CloudEvent) -> Payload:
    """The event's payload as the catalogue's model; one off its model raises ValidationError (naming
    the field), so the consumer loop dead-letters it before anything is written."""
    return payload_model(event.type).model_validate(event.data)


def event_handlers(digest_hour_utc: int, box: SecretBox) -> dict[str, EventHandler]:
    async def on_event(event: CloudEvent, uow: UnitOfWork) -> None:
        """Record the deliveries the event owes; the consumer loop commits with the inbox row."""
        await record_deliveries(uow, event, payload_of(event), datetime.now(UTC), digest_hour_utc, box)

    async def on_contract_event(event: CloudEvent, uow: UnitOfWork) -> None:
        """Update the projection, then deliver it like any event, all in one transaction."""
        version = ContractVersionData.model_validate(event.data)
        now = datetime.now(UTC)
        await apply_contract_version(uow, event, version, now)
        await record_deliveries(uow, event, version, now, digest_hour_utc, box)

    handlers: dict[str, EventHandler] = dict.fromkeys(consumed_event_types(), on_event)
    for event_type in CONTRACT_EVENT_TYPES:
        if event_type in handlers:
            handlers[event_type] = on_contract_event
    return handlers
