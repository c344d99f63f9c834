"""Envelope, catalogue and AsyncAPI document."""

from __future__ import annotations

from pathlib import Path

import pytest
from accord_common.events import CATALOGUE, CloudEvent, new_event
from accord_common.events.asyncapi import render_yaml

CONTRACT = {
    "contract_id": "c-1",
    "organization_id": "org-a",
    "payer_id": "p-1",
    "status": "draft",
    "version": 1,
    "effective_from": "2026-01-01",
    "terms": {"effective_date": "2026-01-01", "termination_date": "2027-12-31", "notice_days": 90},
}


def test_new_event_is_a_cloudevent_keyed_by_subject() -> None:
    event = new_event("contract.created", source="contract-registry", subject="c-1", data=CONTRACT)
    assert event.specversion == "1.0"
    assert event.type == "contract.created"
    assert event.subject == "c-1"
    assert CATALOGUE["contract.created"].topic == "contract.created"
    back = CloudEvent.from_bytes(event.to_bytes())
    assert back.id == event.id
    assert back.data["terms"]["notice_days"] == 90


def test_producer_is_strict_about_unknown_fields() -> None:
    with pytest.raises(ValueError, match="fields not in the schema: surprise"):
        new_event("contract.created", source="x", subject="c-1", data={**CONTRACT, "surprise": 1})


def test_consumer_tolerates_unknown_fields() -> None:
    raw = new_event("contract.created", source="x", subject="c-1", data=CONTRACT).model_dump()
    raw["newattribute"] = "from a newer producer"
    assert CloudEvent.model_validate(raw).subject == "c-1"


def test_unknown_event_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown event type"):
        new_event("contract.exploded", source="x", subject="c", data={})


def test_money_travels_as_exact_decimal_text() -> None:
    data = {
        "claim_id": "k",
        "organization_id": "o",
        "patient_control_number": "PCN1",
        "payer_id": "p",
        "classification": "underpaid",
        "expected_allowed": "88.95",
        "paid_amount": "80.10",
        "patient_responsibility": "0",
        "variance": "8.85",
        "remittance_date": "2026-03-01",
    }
    event = new_event("claim.variance_detected", source="x", subject="k", data=data)
    assert event.data["variance"] == "8.85"


def test_asyncapi_document_matches_the_catalogue() -> None:
    doc = Path(__file__).resolve().parents[3] / "docs" / "asyncapi.yaml"
    assert doc.read_text() == render_yaml(), "docs/asyncapi.yaml is stale: run `make asyncapi`"


def test_envelope_json_is_byte_for_byte_what_a_cloud_event_serialises_to() -> None:
    from datetime import UTC, datetime

    from accord_common.events.envelope import envelope_json

    moment = datetime(2026, 11, 23, 3, 9, 50, 58900, tzinfo=UTC)
    data = {"claim_id": "c-1", "total": "1260.00", "lines": [{"n": 1, "text": "é"}], "none": None}
    for organization, traceparent in ((None, None), ("org-1", "00-" + "a" * 32 + "-" + "b" * 16 + "-01")):
        event = CloudEvent(
            id="e-1",
            source="accord.test",
            type="claim.priced",
            subject="c-1",
            time=moment,
            data=data,
            dataschemaversion=3,
            organizationid=organization,
            traceparent=traceparent,
        )
        raw = envelope_json(
            event_id="e-1",
            source="accord.test",
            event_type="claim.priced",
            subject="c-1",
            time=moment,
            data=data,
            schema_version=3,
            organization_id=organization,
            traceparent=traceparent,
        )
        assert raw == event.to_bytes()
        assert CloudEvent.from_bytes(raw) == event
