"""The event envelope (CloudEvents 1.0) and the typed catalogue of Accord's events."""

from accord_common.events.catalogue import (
    CATALOGUE,
    CONTRACT_VERSION_EVENTS,
    EventSpec,
    payload_model,
    validate_payload,
)
from accord_common.events.envelope import CloudEvent, new_event

__all__ = [
    "CATALOGUE",
    "CONTRACT_VERSION_EVENTS",
    "CloudEvent",
    "EventSpec",
    "new_event",
    "payload_model",
    "validate_payload",
]
