"""Every service's OpenAPI document is complete enough to integrate against without reading code.

EHR and billing systems generate clients from these documents, so for each of the four services:
every operation has a written summary, a description, tags and a unique operationId; every request
body (JSON or multipart) shows an example; every path and query parameter says what it means; and
every operation that takes the API key says so (the bearer scheme) and documents its 401 as
problem+json. The exceptions are the health probes and the iCalendar feed, whose URL token is its
own credential: those must *not* claim to need the API key.

The documents are built from each service's bootstrap.build_app with a throwaway SQLite database
and Kafka off; no server is started and no lifespan runs.

Known gap: the health probes (/healthz, /readyz) come from accord_common.web.app, which gives them
a summary but no description; they are exempt from the description check until it does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from accord_common.auth import ALL_SCOPES
from fastapi import FastAPI
from fastapi.routing import APIRoute

METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
PROBLEM_JSON = "application/problem+json"
BEARER = "ApiKeyBearer"  # the scheme name accord_common.web.deps.API_KEY declares
PROBES = {("get", "/healthz"), ("get", "/readyz")}
# Operations that do not take the API key: the probes, and the calendar feed (its token is the credential).
UNAUTHENTICATED = PROBES | {("get", "/v1/calendar/{token}.ics")}

Operation = tuple[str, str, dict[str, Any]]


def _registry(where: Path) -> FastAPI:
    from contract_registry.bootstrap import build_app
    from contract_registry.config import RegistrySettings

    return build_app(
        RegistrySettings(
            database_url=f"sqlite+aiosqlite:///{where}/registry.db",
            kafka_enabled=False,
            documents_dir=str(where / "documents"),
        )
    )


def _engine(where: Path) -> FastAPI:
    from reimbursement_engine.bootstrap import build_app
    from reimbursement_engine.config import EngineSettings

    return build_app(
        EngineSettings(database_url=f"sqlite+aiosqlite:///{where}/engine.db", kafka_enabled=False)
    )


def _tracker(where: Path) -> FastAPI:
    from obligation_tracker.bootstrap import build_app
    from obligation_tracker.config import TrackerSettings

    return build_app(
        TrackerSettings(database_url=f"sqlite+aiosqlite:///{where}/tracker.db", kafka_enabled=False)
    )


def _notifier(where: Path) -> FastAPI:
    from notifier.bootstrap import build_app
    from notifier.config import NotifierSettings

    return build_app(
        NotifierSettings(database_url=f"sqlite+aiosqlite:///{where}/notifier.db", kafka_enabled=False)
    )


SERVICES: dict[str, Callable[[Path], FastAPI]] = {
    "contract-registry": _registry,
    "reimbursement-engine": _engine,
    "obligation-tracker": _tracker,
    "notifier": _notifier,
}


@pytest.fixture(scope="module", params=sorted(SERVICES))
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return SERVICES[request.param](tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local $ref (#/components/...) to what it names."""
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_the_document_is_openapi_3_1_with_operations(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    assert len([op for op in operations(document) if op[1].startswith("/v1")]) >= 5


def test_every_operation_has_a_summary_and_a_description(document: dict[str, Any]) -> None:
    missing = [
        f"{method.upper()} {path}: {field}"
        for method, path, operation in operations(document)
        for field in ("summary", "description")
        if not str(operation.get(field, "")).strip()
    ]
    assert missing == []


def test_summaries_are_written_not_generated_from_function_names(app: FastAPI) -> None:
    """Without summary=..., FastAPI title-cases the function's name ("Rotate Secret")."""
    generated = [
        f"{sorted(route.methods)} {route.path} ({route.name})"
        for route in app.routes
        if isinstance(route, APIRoute) and route.include_in_schema and not route.summary
    ]
    assert generated == []


def test_every_operation_has_tags(document: dict[str, Any]) -> None:
    untagged = [f"{m.upper()} {p}" for m, p, op in operations(document) if not op.get("tags")]
    assert untagged == []


def test_operation_ids_are_present_and_unique(document: dict[str, Any]) -> None:
    ids = [op.get("operationId") for _, _, op in operations(document)]
    assert None not in ids and "" not in ids
    assert [i for i, n in Counter(ids).items() if n > 1] == []


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    missing = []
    for method, path, operation in operations(document):
        if "requestBody" not in operation:
            continue
        body = resolve(document, operation["requestBody"])
        assert body.get("content"), f"{method.upper()} {path}: request body without content"
        for media_type, content in body["content"].items():
            if "example" in content or content.get("examples"):
                continue
            schema = resolve(document, content.get("schema", {}))
            if "example" in schema or schema.get("examples"):
                continue
            missing.append(f"{method.upper()} {path} ({media_type})")
    assert missing == []


def test_the_bearer_scheme_is_declared(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"][BEARER]
    assert scheme["type"] == "http"
    assert scheme["scheme"].lower() == "bearer"


# Any valid key may ask who it is, and end its own session (sign-out revokes the calling key).
SELF_SERVICE = ("/v1/whoami", "/v1/sign-ins/current/end")


def test_authenticated_operations_declare_bearer_and_a_401_problem(document: dict[str, Any]) -> None:
    wrong = []
    for method, path, operation in operations(document):
        where = f"{method.upper()} {path}"
        if (method, path) in UNAUTHENTICATED:
            if operation.get("security"):
                wrong.append(f"{where}: claims to need the API key")
            continue
        security = operation.get("security") or [{}]
        if [list(s) for s in security] != [[BEARER]] or not set(security[0][BEARER]) <= ALL_SCOPES:
            wrong.append(f"{where}: security is {operation.get('security')!r}")
        elif path not in SELF_SERVICE and len(security[0][BEARER]) != 1:
            wrong.append(f"{where}: names no scope (Requires) the key must carry")
        unauthorized = resolve(document, operation.get("responses", {}).get("401", {}))
        if PROBLEM_JSON not in unauthorized.get("content", {}):
            wrong.append(f"{where}: no 401 {PROBLEM_JSON} response")
    assert wrong == []


def test_the_unauthenticated_operations_exist(document: dict[str, Any]) -> None:
    """So the exemptions above cannot silently outlive a renamed route."""
    present = {(m, p) for m, p, _ in operations(document)}
    assert present >= PROBES
    if document["info"]["title"] == "Accord obligation tracker":
        assert present >= UNAUTHENTICATED


def test_every_path_and_query_parameter_has_a_description(document: dict[str, Any]) -> None:
    missing = []
    for method, path, operation in operations(document):
        shared = document["paths"][path].get("parameters", [])
        for parameter in [resolve(document, p) for p in [*shared, *operation.get("parameters", [])]]:
            if parameter["in"] in ("path", "query") and not str(parameter.get("description", "")).strip():
                missing.append(f"{method.upper()} {path}: {parameter['in']} parameter {parameter['name']}")
    assert missing == []
