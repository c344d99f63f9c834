"""On PostgreSQL, where a NOT NULL column or a mistyped bind parameter fails loudly: bad input found by
fuzzing is a 422 problem, and nothing is written."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from registry_helpers import new_contract, new_payer, ok

from conftest import Registry


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize("body", [{"name": None}, {"plans": None}])
async def test_a_null_in_a_payer_patch_is_a_422_and_writes_nothing(
    registry: Registry, body: dict[str, Any]
) -> None:
    payer = await new_payer(registry.a)
    response = await registry.a.patch(f"/v1/payers/{payer['id']}", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert ok(await registry.a.get(f"/v1/payers/{payer['id']}")) == payer


async def test_plans_patched_without_their_line_of_business_read_back(registry: Registry) -> None:
    payer = await new_payer(registry.a)
    ok(await registry.a.patch(f"/v1/payers/{payer['id']}", json={"plans": [{"name": "Bare plan"}]}))
    listed = ok(await registry.a.get("/v1/payers", params={"limit": 500}))
    [plan] = next(p for p in listed["items"] if p["id"] == payer["id"])["plans"]
    assert plan["line_of_business"] == "commercial"


@pytest.mark.parametrize(
    ("path", "position"),
    [
        ("/v1/audit", {"after": "not-a-number"}),
        ("/v1/fee-schedules", {"after": 7}),
        ("/v1/payers", {"after": [1]}),
        ("/v1/contracts", {"created_at": "yesterday", "id": "c"}),
        ("/v1/contracts", {"created_at": 1, "id": {"a": 1}}),
    ],
)
async def test_a_tampered_cursor_is_a_422(registry: Registry, path: str, position: dict[str, Any]) -> None:
    await new_contract(registry.a)
    response = await registry.a.get(path, params={"cursor": _cursor(position)})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [{"field": "cursor", "message": "malformed"}]


async def test_an_unknown_code_system_in_a_coverage_check_is_a_422(registry: Registry) -> None:
    contract = await new_contract(registry.a)
    body = {"codes": [{"code_system": "", "code": "99213"}], "date": "2026-03-15"}
    response = await registry.a.post(f"/v1/contracts/{contract['id']}/coverage", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "codes.0.code_system"
