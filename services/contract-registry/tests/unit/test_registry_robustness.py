"""Bad input found by fuzzing the registry against its OpenAPI document: a clear 4xx problem, never a
500, and nothing half-written (the registry runs in-process on SQLite, no broker)."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from contract_registry.bootstrap import build_app
from contract_registry.config import RegistrySettings
from contract_registry.entrypoints.schemas.contracts import CoverageIn
from contract_registry.entrypoints.schemas.parties import PayerPatch
from pydantic import ValidationError

KEY = "acc_devlocal_registry-robustness-test-key"


@pytest.fixture(scope="module")
async def client(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    where = tmp_path_factory.mktemp("robustness")
    settings = RegistrySettings(
        database_url=f"sqlite+aiosqlite:///{where}/registry.db",
        kafka_enabled=False,
        documents_dir=str(Path(where) / "documents"),
        bootstrap_api_key=KEY,
        bootstrap_org_id="org-robust",
    )
    app = build_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app)
        headers = {"Authorization": f"Bearer {KEY}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://r", headers=headers) as c:
            yield c


async def _payer(client: httpx.AsyncClient) -> dict[str, Any]:
    body = {"name": "Acme", "x12_payer_id": "60054", "plans": [{"name": "PPO"}]}
    response = await client.post("/v1/payers", json=body)
    assert response.status_code == 201, response.text
    payer: dict[str, Any] = response.json()
    return payer


def _assert_problem(response: httpx.Response, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if field is not None:
        assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize("field", ["name", "plans"])
def test_a_payer_patch_refuses_null_where_the_column_cannot_be_empty(field: str) -> None:
    with pytest.raises(ValidationError, match="not null"):
        PayerPatch.model_validate({field: None})
    assert PayerPatch.model_validate({"x12_payer_id": None}).changes() == {"x12_payer_id": None}


def test_a_payer_patch_keeps_the_plan_defaults_it_was_not_sent() -> None:
    patch = PayerPatch.model_validate({"plans": [{"id": "p-1", "name": "PPO"}]})
    assert patch.changes(mode="json") == {
        "plans": [{"id": "p-1", "name": "PPO", "line_of_business": "commercial"}]
    }


@pytest.mark.parametrize(
    "code",
    [
        {"code_system": "", "code": "99213"},
        {"code_system": "ICD", "code": "1"},
        {"code_system": "CPT", "code": ""},
    ],
)
def test_coverage_refuses_an_unknown_code_system_or_an_empty_code(code: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        CoverageIn.model_validate({"codes": [code], "date": "2026-03-15"})


async def test_a_null_name_is_a_422_and_the_payer_is_unchanged(client: httpx.AsyncClient) -> None:
    payer = await _payer(client)
    response = await client.patch(f"/v1/payers/{payer['id']}", json={"name": None})
    _assert_problem(response, 422, "name")
    _assert_problem(await client.patch(f"/v1/payers/{payer['id']}", json={"plans": None}), 422, "plans")
    assert (await client.get(f"/v1/payers/{payer['id']}")).json()["name"] == "Acme"


async def test_plans_patched_without_a_line_of_business_still_read_back(client: httpx.AsyncClient) -> None:
    payer = await _payer(client)
    plan_id = payer["plans"][0]["id"]
    response = await client.patch(
        f"/v1/payers/{payer['id']}", json={"plans": [{"id": plan_id, "name": "P2"}]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["plans"] == [{"id": plan_id, "name": "P2", "line_of_business": "commercial"}]
    assert (await client.get("/v1/payers")).status_code == 200


async def test_stored_times_are_rfc_3339_with_an_offset(client: httpx.AsyncClient) -> None:
    payer = await _payer(client)
    assert payer["created_at"].endswith(("Z", "+00:00")), payer["created_at"]


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize("path", ["/v1/payers", "/v1/contracts", "/v1/fee-schedules", "/v1/audit"])
@pytest.mark.parametrize(
    "cursor",
    [
        _cursor({"after": [1]}),
        _cursor({"after": {"x": 1}}),
        _cursor({"after": 1e300, "created_at": 1, "id": [1]}),
        "%%%",
    ],
)
async def test_a_tampered_cursor_is_a_422(client: httpx.AsyncClient, path: str, cursor: str) -> None:
    _assert_problem(await client.get(path, params={"cursor": cursor}), 422, "cursor")


async def test_a_contract_cursor_with_a_bad_time_is_a_422(client: httpx.AsyncClient) -> None:
    cursor = _cursor({"created_at": "not a time", "id": "c-1"})
    _assert_problem(await client.get("/v1/contracts", params={"cursor": cursor}), 422, "cursor")


async def test_an_unknown_code_system_in_a_coverage_check_is_a_422(client: httpx.AsyncClient) -> None:
    body = {"codes": [{"code_system": "", "code": ""}], "date": "2026-01-01"}
    _assert_problem(await client.post("/v1/contracts/c-unknown/coverage", json=body), 422)


def test_every_operation_documents_its_errors_as_problems() -> None:
    # The document is what schemathesis fuzzes against: an undocumented 401/404 or a 422 said to be
    # FastAPI's HTTPValidationError made every error response "non-conforming".
    settings = RegistrySettings(database_url="sqlite+aiosqlite:///:memory:", kafka_enabled=False)
    document = build_app(settings).openapi()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if path.startswith("/v1"):
                assert [list(s) for s in operation["security"]] == [["ApiKeyBearer"]], f"{method} {path}"
                assert {"401", "403", "default"} <= set(responses), f"{method} {path}"
            for code, response in responses.items():
                if code == "default" or int(code) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (
                        f"{method} {path} {code}"
                    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Acme", "plans": [{"name": "PPO\u0000"}]}, "plans.0.name"),
        ({"name": "\u0000"}, "name"),
        ({"name": "Acme", "x\u0000": 1}, "body"),
    ],
)
async def test_nul_in_a_json_body_is_a_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    """Fuzzing found NUL (U+0000) as a 500 (PostgreSQL text cannot hold it) or stored in JSON columns
    then answered against the document; refused before any use case runs, nothing written."""
    before = (await client.get("/v1/payers")).json()["items"]
    response = await client.post("/v1/payers", json=body)
    _assert_problem(response, 422, field)
    assert (await client.get("/v1/payers")).json()["items"] == before
    legal = await client.post("/v1/payers", json={"name": "Back\\u0000slash"})
    assert legal.status_code == 201, legal.text  # a backslash then "u0000" is text, not NUL


async def test_nul_in_a_parameter_is_refused_only_after_the_key_and_its_scope(
    client: httpx.AsyncClient,
) -> None:
    """The NUL check finds the parameter first and authenticates only then: an unknown key is still a
    401 and a key without the operation's scope a 403, never the 422 that would tell a stranger what
    the route accepts."""
    anonymous = httpx.AsyncClient(transport=client._transport, base_url="http://r")
    reader = await client.post("/v1/api-keys", json={"name": "Reader", "scopes": ["contracts:read"]})
    assert reader.status_code == 201, reader.text
    as_reader = {"Authorization": f"Bearer {reader.json()['key']}"}
    async with anonymous:
        _assert_problem(await anonymous.get("/v1/contracts/c%00x"), 401)
        _assert_problem(await anonymous.get("/v1/contracts/c%00x", headers={"X-API-Key": "acc_no_such"}), 401)
        _assert_problem(await anonymous.delete("/v1/payers/p%00x", headers=as_reader), 403)
        _assert_problem(await anonymous.get("/v1/contracts/c%00x", headers=as_reader), 422, "contract_id")
        _assert_problem(await anonymous.get("/v1/contracts?q=a%00b", headers=as_reader), 422, "q")
    _assert_problem(await client.get("/v1/contracts/c%00x?as_of=2026-01-01"), 422, "contract_id")
