"""The OpenAPI document describes every operation (summary and description) and shows an example
for every request body, whatever its media type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from reimbursement_engine.bootstrap import build_app
from reimbursement_engine.config import EngineSettings

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    where: Path = tmp_path_factory.mktemp("openapi")
    settings = EngineSettings(database_url=f"sqlite+aiosqlite:///{where}/e.db", kafka_enabled=False)
    return build_app(settings).openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _schema(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def test_every_operation_has_a_summary_and_a_description(document: dict[str, Any]) -> None:
    missing = [
        f"{method} {path}"
        for method, path, operation in operations(document)
        if not operation.get("summary") or (path.startswith("/v1") and not operation.get("description"))
    ]
    assert missing == []


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    bodies = [(m, p, o["requestBody"]) for m, p, o in operations(document) if "requestBody" in o]
    assert len(bodies) >= 6
    missing = []
    for method, path, body in bodies:
        for media_type, content in body["content"].items():
            if "example" in content or "examples" in content:
                continue
            schema = _schema(document, content.get("schema", {}))
            if not schema.get("examples"):
                missing.append(f"{method} {path} ({media_type})")
    assert missing == []


def test_the_main_paths_are_documented(document: dict[str, Any]) -> None:
    paths = set(document["paths"])
    for path in [
        "/v1/claims",
        "/v1/claims/batch",
        "/v1/claims/x12",
        "/v1/remittances/x12",
        "/v1/remittances/json",
        "/v1/variances",
    ]:
        assert path in paths, path


def test_the_examples_parse_and_balance() -> None:
    from reimbursement_engine.adapters.remittance_json import transaction
    from reimbursement_engine.domain.json_balance import check_json_remittance
    from reimbursement_engine.domain.x12 import parse_835, parse_837, validate_835
    from reimbursement_engine.entrypoints.openapi_examples import X835, X837
    from reimbursement_engine.entrypoints.schemas_remittances import RemittanceIn

    assert validate_835(parse_835(X835.encode())) == []
    assert [c.patient_control_number for c in parse_837(X837.encode())] == ["PCN-000123"]
    example = RemittanceIn.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
    body = RemittanceIn.model_validate(example)
    assert check_json_remittance(transaction(body.model_dump()), True) == []
