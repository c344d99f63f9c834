"""What fuzzing the tracker against its OpenAPI document found: the iCalendar feed's token is its
credential (the document must not demand an API key there), and tampered cursors are a 422."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from accord_common.errors import Unprocessable
from obligation_tracker.bootstrap import build_app
from obligation_tracker.config import TrackerSettings
from obligation_tracker.entrypoints.api import _after


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    where: Path = tmp_path_factory.mktemp("openapi")
    settings = TrackerSettings(
        database_url=f"sqlite+aiosqlite:///{where}/t.db", kafka_enabled=False, scheduler_enabled=False
    )
    return build_app(settings).openapi()


def test_the_calendar_feed_takes_no_api_key_and_answers_404_as_a_problem(document: dict[str, Any]) -> None:
    feed = document["paths"]["/v1/calendar/{token}.ics"]["get"]
    assert "security" not in feed
    assert "401" not in feed["responses"]
    assert list(feed["responses"]["404"]["content"]) == ["application/problem+json"]


def test_every_other_operation_needs_a_key_and_documents_401(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        if path.startswith("/v1") and not path.endswith(".ics"):
            for method, operation in item.items():
                assert [list(s) for s in operation["security"]] == [["ApiKeyBearer"]], f"{method} {path}"
                assert "401" in operation["responses"], f"{method} {path}"


@pytest.mark.parametrize(
    "position",
    [{"due": "2026-01-01", "id": ["o"]}, {"due": 20260101, "id": "o-1"}, {"due": "soon", "id": "o-1"}],
)
def test_a_tampered_obligation_cursor_is_refused(position: dict[str, Any]) -> None:
    with pytest.raises(Unprocessable, match="cursor"):
        _after(base64.urlsafe_b64encode(json.dumps(position).encode()).decode())
