"""The OpenAPI document states the bounds the registry enforces (issue 13, item 8), and the server
agrees with it: for each bound, a value just inside is admitted by the document's pattern and
accepted by the server (201); a value just outside is refused by the pattern and by the server, a
422 problem naming the field. The upload's part types are listed in the multipart encoding, and a
file of each is accepted (the registry runs in-process on SQLite, no broker)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from contract_registry.bootstrap import build_app
from contract_registry.config import RegistrySettings
from contract_registry.handlers.documents import ALLOWED_TYPES, UPLOAD_TYPES

KEY = "acc_devlocal_registry-schema-bounds-test-key"
TERM = {
    "name": "Professional",
    "service_category": "professional",
    "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    where = tmp_path_factory.mktemp("schema-bounds")
    settings = RegistrySettings(
        database_url=f"sqlite+aiosqlite:///{where}/registry.db",
        kafka_enabled=False,
        documents_dir=str(Path(where) / "documents"),
        bootstrap_api_key=KEY,
        bootstrap_org_id="org-bounds",
    )
    return build_app(settings)


@pytest.fixture(scope="module")
def document(app: Any) -> dict[str, Any]:
    openapi: dict[str, Any] = app.openapi()
    return openapi


@pytest.fixture(scope="module")
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app)
        headers = {"Authorization": f"Bearer {KEY}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://r", headers=headers) as c:
            yield c


@pytest.fixture(scope="module")
async def payer_id(client: httpx.AsyncClient) -> str:
    response = await client.post("/v1/payers", json={"name": "Acme", "x12_payer_id": "60054"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _term(methodology: dict[str, Any], **modifiers: Any) -> dict[str, Any]:
    return {"payment_terms": [{**TERM, "methodology": methodology, **modifiers}]}


MEDICARE = {"kind": "percent_of_medicare", "percent": "120"}
# (schema, property, contract fields with the value, the field the 422 names, inside, outside):
# each figure is the bound in contract_registry.domain.validation (MAX_PERCENT 1000, MAX_MONEY
# 9999999.99, six decimal places; shares and escalators 100; dates 1990-01-01 to 2100-12-31).
BOUNDS = [
    (
        "PercentOfMedicareIn",
        "percent",
        lambda v: _term({"kind": "percent_of_medicare", "percent": v}),
        "payment_terms[0].PercentOfMedicareTerm.percent",
        ["1000", "1000.000000", "0.000001", 1000],
        ["1000.000001", "1001", "0", "0.000000", 1001, 0],
    ),
    (
        "CaseRateIn",
        "rate",
        lambda v: _term({"kind": "case_rate", "rate": v}),
        "payment_terms[0].CaseRateTerm.rate",
        ["9999999.99", "9999999.990000", "0", 9999999],
        ["9999999.990001", "10000000", "-0.01", 10000000],
    ),
    (
        "InvoiceCostIn",
        "markup_percent",
        lambda v: _term({"kind": "invoice_cost", "markup_percent": v}),
        "payment_terms[0].InvoiceCostTerm.markup_percent",
        ["0", "1000", "999.999999"],
        ["1000.000001", "-1"],
    ),
    (
        "MultipleProcedureReductionIn",
        "percentages",
        lambda v: _term(MEDICARE, multiple_procedure_reduction={"percentages": ["100", v]}),
        "payment_terms[0].MultipleProcedureReduction.percentages[2]",
        ["100", "0", "99.999999"],
        ["100.000001", "101"],
    ),
    (
        "StopLossIn",
        "percent",
        lambda v: _term(MEDICARE, stop_loss={"threshold": "100000.00", "percent": v}),
        "payment_terms[0].StopLoss.percent",
        ["1000", "65"],
        ["1000.5", "0"],
    ),
    (
        "AnniversaryEscalatorIn",
        "percent",
        lambda v: _term(MEDICARE, escalators=[{"kind": "anniversary_escalator", "percent": v}]),
        "payment_terms[0].AnniversaryEscalator.percent",
        ["100", "0.000001"],
        ["100.000001", "0"],
    ),
    (
        "CodeFloorIn",
        "minimum",
        lambda v: _term(MEDICARE, floors=[{"code_system": "CPT", "code": "99213", "minimum": v}]),
        "payment_terms[0].CodeFloor[99213].minimum",
        ["9999999.99", "0"],
        ["9999999.991", "10000000.00"],
    ),
    (
        "ContractIn",
        "prompt_pay_interest_rate",
        lambda v: {"prompt_pay_interest_rate": v},
        "prompt_pay_interest_rate",
        ["1000", "0.000001", "18"],
        ["1000.000001", "0"],
    ),
    (
        "ContractIn",
        "effective_date",
        lambda v: {"effective_date": v},
        "effective_date",
        ["1990-01-01", "2100-12-31", "2096-02-29"],
        ["1989-12-31", "2101-01-01"],
    ),
    (
        "DatedEscalatorIn",
        "effective_on",
        lambda v: _term(
            MEDICARE, escalators=[{"kind": "dated_escalator", "percent": "3", "effective_on": v}]
        ),
        "payment_terms[0].DatedEscalator.effective_on",
        ["2100-12-31", "1990-01-01"],
        ["2101-01-01", "1989-12-31"],
    ),
]


def _alternatives(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The non-null schemas a property accepts (anyOf nested by Optional flattened)."""
    if "anyOf" in schema:
        for choice in schema["anyOf"]:
            yield from _alternatives(choice)
    elif schema.get("type") != "null":
        yield schema


def _property(document: dict[str, Any], model: str, name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][model]["properties"][name]
    return schema.get("items", schema)


def _admits(schema: dict[str, Any], value: str | int) -> bool:
    """Whether the document lets a client send `value` (the JSON Schema rules these fields use)."""
    for choice in _alternatives(schema):
        if (
            isinstance(value, int)
            and choice["type"] == "integer"
            and choice["minimum"] <= value <= choice["maximum"]
        ):
            return True
        if isinstance(value, str) and choice["type"] == "string" and re.search(choice["pattern"], value):
            return True
    return False


@pytest.mark.parametrize(("model", "name", "body", "field", "inside", "outside"), BOUNDS)
def test_the_document_states_each_bound(
    document: dict[str, Any],
    model: str,
    name: str,
    body: Any,
    field: str,
    inside: list[Any],
    outside: list[Any],
) -> None:
    schema = _property(document, model, name)
    assert [value for value in inside if not _admits(schema, value)] == []
    assert [value for value in outside if _admits(schema, value)] == []


@pytest.mark.parametrize(("model", "name", "body", "field", "inside", "outside"), BOUNDS)
async def test_the_server_agrees_with_the_document(
    client: httpx.AsyncClient,
    payer_id: str,
    model: str,
    name: str,
    body: Any,
    field: str,
    inside: list[Any],
    outside: list[Any],
) -> None:
    base = {"payer_id": payer_id, "name": f"Bounds {name}", "line_of_business": "commercial"}
    base["effective_date"] = "2026-01-01"
    for value in inside:
        response = await client.post("/v1/contracts", json=base | body(value))
        assert response.status_code == 201, f"{name}={value!r}: {response.text}"
    for value in outside:
        response = await client.post("/v1/contracts", json=base | body(value))
        assert response.status_code == 422, f"{name}={value!r}: {response.text}"
        assert response.headers["content-type"] == "application/problem+json"
        assert field in [error["field"] for error in response.json()["errors"]], response.text


def test_the_upload_lists_the_accepted_part_types(document: dict[str, Any]) -> None:
    body = document["paths"]["/v1/documents"]["post"]["requestBody"]["content"]["multipart/form-data"]
    listed = [kind.strip() for kind in body["encoding"]["file"]["contentType"].split(",")]
    assert listed == list(UPLOAD_TYPES)
    assert sorted(kind.split(";")[0] for kind in listed) == sorted(ALLOWED_TYPES)
    assert "text/plain; charset=utf-8" in listed


@pytest.mark.parametrize("kind", UPLOAD_TYPES)
async def test_a_file_of_each_listed_type_is_accepted_and_downloaded_as_documented(
    document: dict[str, Any], client: httpx.AsyncClient, kind: str
) -> None:
    signature = (ALLOWED_TYPES[kind.split(";")[0]] or (b"",))[0]
    content = signature + f"schema bounds {kind}".encode()
    response = await client.post("/v1/documents", files={"file": ("doc", content, kind)})
    assert response.status_code == 201, response.text
    download = await client.get(f"/v1/documents/{response.json()['id']}/content")
    assert download.status_code == 200 and download.content == content
    documented = document["paths"]["/v1/documents/{document_id}/content"]["get"]["responses"]["200"][
        "content"
    ]
    assert download.headers["content-type"] in documented


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("application/zip", b"PK\x03\x04 a zip"),  # not a listed type
        ("application/pdf", b"MZ an executable"),  # a listed type, not its content
        ("text/plain; charset=utf-8", b"\x7fELF\x02"),  # text with control characters
    ],
)
async def test_a_part_off_the_list_or_not_its_type_is_refused(
    client: httpx.AsyncClient, kind: str, content: bytes
) -> None:
    response = await client.post("/v1/documents", files={"file": ("doc", content, kind)})
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_draft_keeps_its_effective_date_and_the_document_says_so(
    document: dict[str, Any], client: httpx.AsyncClient, payer_id: str
) -> None:
    schema = _property(document, "ContractPatchIn", "effective_date")
    assert schema["type"] == "string" and "anyOf" not in schema and "default" not in schema
    body = {
        "payer_id": payer_id,
        "name": "Kept",
        "line_of_business": "commercial",
        "effective_date": "2026-01-01",
    }
    created = await client.post("/v1/contracts", json=body)
    assert created.status_code == 201, created.text
    path = f"/v1/contracts/{created.json()['id']}"
    moved = await client.patch(path, json={"effective_date": "2025-06-01"})
    assert moved.status_code == 200, moved.text
    refused = await client.patch(path, json={"effective_date": None})
    assert refused.status_code == 422, refused.text
    assert "effective_date" in [error["field"] for error in refused.json()["errors"]]
