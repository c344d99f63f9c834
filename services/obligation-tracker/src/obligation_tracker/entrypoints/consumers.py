"""The tracker's event handlers, by topic: what it consumes and which use case applies it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from accord_common.events import CONTRACT_VERSION_EVENTS, CloudEvent
from accord_common.messaging import EventHandler
from accord_common.messaging.batch import with_run_scope
from accord_common.uow import UnitOfWork

from obligation_tracker.handlers.claim_run import claim_run_scope
from obligation_tracker.handlers.context import Tracker
from obligation_tracker.handlers.contracts import on_contract_version
from obligation_tracker.handlers.parking import CLAIM_USE_CASES, on_claim_event

CONTRACT_TOPICS = CONTRACT_VERSION_EVENTS
TrackerHandler = Callable[[CloudEvent, UnitOfWork, Tracker], Awaitable[None]]


def _bound(handler: TrackerHandler, tracker: Tracker) -> EventHandler:
    async def handle(event: CloudEvent, uow: UnitOfWork) -> None:
        await handler(event, uow, tracker)

    handle.__name__ = handler.__name__
    return handle


def event_handlers(tracker: Tracker) -> dict[str, EventHandler]:
    """{topic: handler}; the consumer loop opens the unit of work, records the inbox row and commits."""
    handlers = {topic: _bound(on_contract_version, tracker) for topic in CONTRACT_TOPICS}
    claim_event = with_run_scope(_bound(on_claim_event, tracker), claim_run_scope)
    for topic in CLAIM_USE_CASES:  # a claim whose contract is not known yet is parked, not retried
        handlers[topic] = claim_event  # a fetched run of them is applied as a set (claim_run.py)
    return handlers
