"""Bad input found by fuzzing the notifier against its OpenAPI document: a clear 422, never a 500 or a
subscription named "None"."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from accord_common.errors import Unprocessable
from accord_common.web.deps import decode_cursor
from notifier.bootstrap import build_app
from notifier.config import NotifierSettings
from notifier.entrypoints.schemas import SubscriptionPatch
from pydantic import ValidationError


@pytest.mark.parametrize("field", ["name", "event_types", "channel"])
def test_a_patch_refuses_null_for_what_a_subscription_cannot_lack(field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        SubscriptionPatch.model_validate({field: None})
    assert [error["loc"] for error in refused.value.errors()] == [(field,)]


def test_a_patch_may_clear_filters_and_owner_and_keeps_channel_defaults() -> None:
    patch = SubscriptionPatch.model_validate(
        {"filters": None, "owner_email": None, "channel": {"kind": "email", "recipients": ["a@example.com"]}}
    )
    assert patch.changes() == {
        "filters": None,
        "owner_email": None,
        "channel": {"kind": "email", "recipients": ["a@example.com"], "digest": False},
    }


@pytest.mark.parametrize(
    "position",
    [{"created_at": ["x"], "id": "d-1"}, {"created_at": "2026-01-01T00:00:00Z", "id": {"a": 1}}, {}],
)
def test_a_delivery_cursor_of_the_wrong_shape_is_refused(position: dict[str, Any]) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(position).encode()).decode()
    with pytest.raises(Unprocessable, match="cursor"):
        decode_cursor(cursor, {"created_at": str, "id": str})


def test_the_document_shows_which_patch_fields_may_be_null_and_errors_as_problems(tmp_path: Path) -> None:
    settings = NotifierSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/n.db", kafka_enabled=False)
    document = build_app(settings).openapi()
    patch = document["components"]["schemas"]["SubscriptionPatch"]["properties"]
    assert "anyOf" not in patch["name"] and "anyOf" not in patch["event_types"]
    assert {"type": "null"} not in patch["channel"].get("anyOf", [])
    operation = document["paths"]["/v1/subscriptions/{subscription_id}"]["patch"]
    for code in ("401", "404", "422", "default"):
        assert list(operation["responses"][code]["content"]) == ["application/problem+json"]
