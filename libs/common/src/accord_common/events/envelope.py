"""CloudEvents 1.0 structured-mode JSON envelope with Accord's extensions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from accord_common.ids import new_id


class CloudEvent(BaseModel):
    """One event as it travels on Kafka: CloudEvents attributes plus schema version and traceparent."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    specversion: str = "1.0"
    id: str = Field(default_factory=new_id)
    source: str
    type: str
    subject: str
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: str = "application/json"
    dataschemaversion: int = 1
    organizationid: str | None = None
    traceparent: str | None = None
    data: dict[str, Any]

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> CloudEvent:
        return cls.model_validate(json.loads(raw))


def new_event(
    event_type: str,
    *,
    source: str,
    subject: str,
    data: dict[str, Any],
    organization_id: str | None = None,
    time: datetime | None = None,
) -> CloudEvent:
    """Build an event whose payload is checked strictly against the catalogue."""
    from accord_common.events.catalogue import CATALOGUE, validate_payload
    from accord_common.telemetry import current_traceparent

    spec = CATALOGUE.get(event_type)
    if spec is None:
        raise ValueError(f"unknown event type {event_type!r}: add it to the catalogue")
    return CloudEvent(
        source=source,
        type=event_type,
        subject=subject,
        data=validate_payload(event_type, data, strict=True),
        dataschemaversion=spec.schema_version,
        organizationid=organization_id,
        time=time or datetime.now(UTC),
        traceparent=current_traceparent(),  # captured here so the outbox needs no copy later
    )
