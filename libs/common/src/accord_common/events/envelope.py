"""CloudEvents 1.0 structured-mode JSON envelope with Accord's extensions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

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


_ANY = TypeAdapter(Any)


def envelope_json(
    *,
    event_id: str,
    source: str,
    event_type: str,
    subject: str,
    time: datetime,
    data: dict[str, Any],
    schema_version: int = 1,
    organization_id: str | None = None,
    traceparent: str | None = None,
) -> bytes:
    """Exactly the bytes `CloudEvent(...).to_bytes()` gives for these attributes, without building
    the model (a thousand claim.priced events per batch spent more on model construction and copy
    than on serialising). Same serializer, same field order; a test holds the two equal."""
    return _ANY.dump_json(
        {
            "specversion": "1.0",
            "id": event_id,
            "source": source,
            "type": event_type,
            "subject": subject,
            "time": time,
            "datacontenttype": "application/json",
            "dataschemaversion": schema_version,
            "organizationid": organization_id,
            "traceparent": traceparent,
            "data": data,
        }
    )


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
