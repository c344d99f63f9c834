"""Tenant isolation: organisation B gets 404 for organisation A's things on EVERY endpoint.

The routes are read from the app's routers, so a new endpoint is covered without editing this file;
each is called with the example body its OpenAPI document shows.
"""

from __future__ import annotations

from typing import Any

import pytest
from contract_registry.bootstrap import ROUTERS
from fastapi.routing import APIRoute
from registry_helpers import CSV_HEADER, import_csv, new_contract, ok

from conftest import Registry

SCOPED = sorted(
    (method, route.path, route)
    for router in ROUTERS
    for route in router.routes
    if isinstance(route, APIRoute) and "{" in route.path
    for method in route.methods
)


@pytest.fixture(scope="module")
async def owned(registry: Registry) -> dict[str, str]:
    """One of each of organisation A's things."""
    contract = await new_contract(registry.a)
    schedule = ok(
        await import_csv(registry.a, CSV_HEADER + "CPT,99213,,,,unit,amount,80,,2026-01-01,\n"), 201
    )
    document = ok(
        await registry.a.post("/v1/documents", files={"file": ("a.txt", b"A's notes", "text/plain")}), 201
    )
    key = ok(
        await registry.a.post("/v1/api-keys", json={"name": "A's reader", "scopes": ["contracts:read"]}), 201
    )
    return {
        "key_id": key["id"],
        "contract_id": contract["id"],
        "payer_id": contract["payer_id"],
        "schedule_id": schedule["schedule"]["id"],
        "document_id": document["id"],
        "number": "1",  # a version number of A's contract
    }


def _example(registry: Registry, method: str, path: str) -> dict[str, Any] | None:
    """The request body example the OpenAPI document shows for the operation."""
    document = registry.app.openapi()
    body = document["paths"][path][method.lower()].get("requestBody")
    if body is None:
        return None
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    return dict(document["components"]["schemas"][ref]["examples"][0])


@pytest.mark.parametrize(("method", "path", "route"), SCOPED, ids=[f"{m} {p}" for m, p, _ in SCOPED])
async def test_another_organisations_resource_is_not_found(
    registry: Registry, owned: dict[str, str], method: str, path: str, route: APIRoute
) -> None:
    url = path.format(**owned)
    body = _example(registry, method, path)
    if body is not None:
        body = {k: owned.get(k, v) for k, v in body.items()}  # ids in the example become A's ids
    response = await registry.b.request(method, url, json=body, params={"from": 1, "to": 1})
    assert response.status_code == 404, f"{method} {url}: {response.status_code} {response.text[:300]}"
    assert response.headers["content-type"] == "application/problem+json"
    if method == "GET":
        assert (await registry.a.get(url, params={"from": 1, "to": 1})).status_code == 200


def test_every_scoped_route_is_covered() -> None:
    names = {p.split("{")[1].split("}")[0] for _, p, _ in SCOPED}
    assert names == {"contract_id", "payer_id", "schedule_id", "document_id", "key_id"}
    assert len(SCOPED) >= 20


async def test_lists_never_show_another_organisations_rows(registry: Registry, owned: dict[str, str]) -> None:
    for url, key in [
        ("/v1/contracts", "contract_id"),
        ("/v1/payers", "payer_id"),
        ("/v1/fee-schedules", "schedule_id"),
        ("/v1/audit", "contract_id"),
        ("/v1/api-keys", "key_id"),
    ]:
        items = ok(await registry.b.get(url, params={"limit": 500}))["items"]
        ids = {item.get("id") for item in items} | {item.get("contract_id") for item in items}
        assert owned[key] not in ids, url
