"""What fuzzing the engine against its OpenAPI document found: error responses it did not declare
(every 4xx is application/problem+json) and cursors that reached a query with any JSON in them."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from accord_common.errors import Unprocessable
from accord_common.web.deps import decode_cursor
from reimbursement_engine.bootstrap import build_app
from reimbursement_engine.config import EngineSettings


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    where: Path = tmp_path_factory.mktemp("openapi")
    settings = EngineSettings(database_url=f"sqlite+aiosqlite:///{where}/e.db", kafka_enabled=False)
    return build_app(settings).openapi()


def test_every_error_response_is_documented_as_a_problem(document: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if path.startswith("/v1"):
                assert {"401", "403", "default"} <= set(responses), f"{method} {path}"
            if "{" in path:
                assert "404" in responses, f"{method} {path}"
            for code, response in responses.items():
                if code == "default" or int(code) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], f"{method} {path}"


def test_the_cursor_parameter_is_described_as_base64url(document: dict[str, Any]) -> None:
    [cursor] = [p for p in document["paths"]["/v1/claims"]["get"]["parameters"] if p["name"] == "cursor"]
    assert cursor["schema"]["anyOf"][0]["pattern"] == "^(eyJ[A-Za-z0-9_-]*={0,2})?$"


@pytest.mark.parametrize("after", [[1], {"x": 1}, 1, None])
def test_a_claims_or_variances_cursor_needs_a_string_position(after: Any) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()
    with pytest.raises(Unprocessable, match="cursor"):
        decode_cursor(cursor, {"after": str})
