"""OpenAPI links: which answer gives the id another operation needs, so a client (and stateful
fuzzing) can follow the workflow: a payer (POST /v1/payers) is the `payer_id` of a new contract;
a contract (POST /v1/contracts, and every operation answering with the contract) is the
`contract_id` of the contract's operations, and its `current_version` their version `number`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

METHODS = ("get", "post", "put", "patch", "delete")
CONTRACT = "#/components/schemas/ContractOut"
PAYER = "#/components/schemas/PayerOut"


def link_operations(app: FastAPI) -> None:
    """Wrap app.openapi so the document it generates carries the links."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = generate()
        add_links(document)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def add_links(document: dict[str, Any]) -> None:
    paths: dict[str, dict[str, Any]] = document.get("paths", {})
    contract_operations = [
        (path, method)
        for path, item in paths.items()
        for method in METHODS
        if method in item
        if "{contract_id}" in path
    ]
    for path, item in paths.items():
        for method in METHODS:
            for status, response in item.get(method, {}).get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                answers = _schema_ref(response)
                if answers == PAYER and (path, method) == ("/v1/payers", "post"):
                    response["links"] = _payer_links()
                elif answers == CONTRACT:
                    response["links"] = _contract_links(contract_operations)


def _schema_ref(response: dict[str, Any]) -> str | None:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref")
    return ref if isinstance(ref, str) else None


def _ref(path: str, method: str) -> str:
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


DRAFT = {
    "name": "Draft with this payer",
    "line_of_business": "commercial",
    "effective_date": "2026-01-01",
    "termination_date": "2027-12-31",
    "auto_renew": True,
    "renewal_term_months": 12,
    "notice_days": 90,
}
"""The smallest draft a payer can have: a tool that replaces the body with it (x-schemathesis
merge_body: false) starts the contract's workflow from a draft the domain accepts."""


def _payer_links() -> dict[str, Any]:
    create = _ref("/v1/contracts", "post")
    return {
        "CreateContract": {
            "operationRef": create,
            "requestBody": {"payer_id": "$response.body#/id"},
            "description": "The payer is the new contract's payer_id.",
        },
        "CreateDraft": {
            "operationRef": create,
            "requestBody": {**DRAFT, "payer_id": "$response.body#/id"},
            "x-schemathesis": {"merge_body": False},
            "description": "A draft with this payer (the whole body).",
        },
    }


def _contract_links(operations: list[tuple[str, str]]) -> dict[str, Any]:
    links = {}
    for path, method in operations:
        parameters = {"path.contract_id": "$response.body#/id"}
        if "{number}" in path:
            parameters["path.number"] = "$response.body#/current_version"
        name = method.capitalize() + "".join(
            part.strip("{}").replace("-", "_").title().replace("_", "")
            for part in path.removeprefix("/v1/contracts").split("/")
        )
        links[name] = {
            "operationRef": _ref(path, method),
            "parameters": parameters,
            "description": f"The contract's id is the contract_id of {method.upper()} {path}.",
        }
    return links
