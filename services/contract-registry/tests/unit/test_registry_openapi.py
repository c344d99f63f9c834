"""The OpenAPI document describes every operation with a summary and every request body with an example."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from contract_registry.bootstrap import build_app
from contract_registry.config import RegistrySettings
from contract_registry.entrypoints.schemas.contracts import ContractIn

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    where = tmp_path_factory.mktemp("openapi")
    settings = RegistrySettings(
        database_url=f"sqlite+aiosqlite:///{where}/r.db",
        kafka_enabled=False,
        documents_dir=str(Path(where) / "d"),
    )
    return build_app(settings).openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_every_operation_has_a_summary_and_a_description(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        assert operation.get("summary"), f"{method} {path} has no summary"
        if path.startswith("/v1"):
            assert operation.get("description"), f"{method} {path} has no description"
            assert [list(s) for s in operation.get("security", [])] == [["ApiKeyBearer"]], (
                f"{method} {path} is not authenticated"
            )


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    bodies = [(m, p, o["requestBody"]) for m, p, o in operations(document) if "requestBody" in o]
    assert len(bodies) >= 15
    for method, path, body in bodies:
        for media_type, content in body["content"].items():
            if "example" in content or "examples" in content:
                continue
            ref = content["schema"]["$ref"].rsplit("/", 1)[-1]
            schema = document["components"]["schemas"][ref]
            assert schema.get("examples"), f"{method} {path} ({media_type}) has no example"


def test_the_main_paths_are_documented(document: dict[str, Any]) -> None:
    paths = set(document["paths"])
    for path in [
        "/v1/payers",
        "/v1/organisation",
        "/v1/contracts",
        "/v1/contracts/{contract_id}",
        "/v1/contracts/{contract_id}/versions",
        "/v1/contracts/{contract_id}/diff",
        "/v1/contracts/{contract_id}/coverage",
        "/v1/contracts/{contract_id}/activate",
        "/v1/contracts/{contract_id}/audit",
        "/v1/fee-schedules",
        "/v1/fee-schedules/tic",
        "/v1/fee-schedules/{schedule_id}/export.csv",
        "/v1/documents",
        "/v1/documents/{document_id}/content",
        "/v1/audit",
    ]:
        assert path in paths, path


METHODOLOGY_KINDS = {
    "fee_schedule",
    "percent_of_medicare",
    "percent_of_charges",
    "per_diem",
    "case_rate",
    "ms_drg",
    "capitation",
    "invoice_cost",
}


def test_every_methodology_and_modifier_has_a_closed_schema_with_an_example(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    term = schemas["PaymentTermIn"]
    assert term["additionalProperties"] is False and term["examples"]
    methodology = term["properties"]["methodology"]
    assert set(methodology["discriminator"]["mapping"]) == METHODOLOGY_KINDS
    modifiers = [
        "MultipleProcedureReductionIn",
        "StopLossIn",
        "CarveOutIn",
        "AnniversaryEscalatorIn",
        "DatedEscalatorIn",
        "CodeFloorIn",
        "CodeMatcherIn",
        "CodeRangeIn",
    ]
    named = [ref.rsplit("/", 1)[-1] for ref in methodology["discriminator"]["mapping"].values()]
    for name in [*named, *modifiers]:
        assert schemas[name]["additionalProperties"] is False, name
        assert schemas[name]["examples"], f"{name} has no example"
    for body in ("ContractIn", "ContractPatchIn", "VersionIn", "CorrectionIn"):
        items = schemas[body]["properties"]["payment_terms"]
        assert "PaymentTermIn" in str(items), f"{body}.payment_terms is not typed"


def test_term_bounds_are_published(document: dict[str, Any]) -> None:
    notice = document["components"]["schemas"]["ContractIn"]["properties"]["notice_days"]
    assert '"maximum": 3650' in str(notice).replace("'", '"')
    for path, method in [
        ("/v1/contracts/{contract_id}/versions/{number}", "patch"),
        ("/v1/contracts/{contract_id}/versions/{number}/withdraw", "post"),
    ]:
        assert "409" in document["paths"][path][method]["responses"]


def _links(document: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    links: dict[str, Any] = document["paths"][path][method]["responses"][status].get("links", {})
    return links


def test_a_new_payer_links_to_the_contract_it_is_the_payer_of(document: dict[str, Any]) -> None:
    links = _links(document, "/v1/payers", "post", "201")
    assert links["CreateContract"] == {
        "operationRef": "#/paths/~1v1~1contracts/post",
        "requestBody": {"payer_id": "$response.body#/id"},
        "description": "The payer is the new contract's payer_id.",
    }
    draft = links["CreateDraft"]
    assert draft["operationRef"] == "#/paths/~1v1~1contracts/post"
    assert draft["x-schemathesis"] == {"merge_body": False}  # the whole body, not merged
    assert draft["requestBody"]["payer_id"] == "$response.body#/id"
    assert ContractIn.model_validate({**draft["requestBody"], "payer_id": "p-1"}).effective_date == date(
        2026, 1, 1
    )


def test_free_text_excludes_nul_which_postgresql_cannot_store(document: dict[str, Any]) -> None:
    payer = document["components"]["schemas"]["PayerIn"]["properties"]["name"]
    assert payer["pattern"] == "^[^\\x00]*$"
    assert re.search(payer["pattern"], "Acme") and not re.search(payer["pattern"], "Ac\x00me")
    name = document["components"]["schemas"]["ReportingDeliverableIn"]["properties"]["name"]["pattern"]
    assert [bool(re.search(name, text)) for text in ("Acme PPO", "  ", "Acme\x00")] == [True, False, False]


def test_a_contract_links_to_every_operation_on_it(document: dict[str, Any]) -> None:
    on_a_contract = sorted(
        (path, method) for method, path, _ in operations(document) if "{contract_id}" in path
    )
    assert len(on_a_contract) == 19
    for source, method, status in [
        ("/v1/contracts", "post", "201"),
        ("/v1/contracts/{contract_id}/submit", "post", "200"),
        ("/v1/contracts/{contract_id}/versions", "post", "201"),
    ]:
        links = _links(document, source, method, status).values()
        targets = sorted(_target(document, link["operationRef"]) for link in links)
        assert targets == on_a_contract, source
        for link in links:
            assert link["parameters"]["path.contract_id"] == "$response.body#/id"
            if "{number}" in link["operationRef"]:
                assert link["parameters"]["path.number"] == "$response.body#/current_version"


def _target(document: dict[str, Any], ref: str) -> tuple[str, str]:
    """The (path, method) an operationRef names; it must exist in the document."""
    *escaped, method = ref.removeprefix("#/paths/").split("/")
    path = "/".join(escaped).replace("~1", "/").replace("~0", "~")
    assert method in document["paths"][path], ref
    return path, method
