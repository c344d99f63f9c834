"""A draft's effective date moved through the API (PATCH /v1/contracts/{id}): version 1 follows it,
later or earlier, and activation puts it in force from the moved date. An active contract's
effective date is not moved in place (409: add a version instead). In-process, on SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from contract_registry.bootstrap import build_app
from contract_registry.config import RegistrySettings

KEY = "acc_devlocal_registry-draft-dates-test-key"


@pytest.fixture(scope="module")
async def client(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    where = tmp_path_factory.mktemp("draft-dates")
    settings = RegistrySettings(
        database_url=f"sqlite+aiosqlite:///{where}/registry.db",
        kafka_enabled=False,
        documents_dir=str(Path(where) / "documents"),
        bootstrap_api_key=KEY,
        bootstrap_org_id="org-draft-dates",
    )
    app = build_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app)
        headers = {"Authorization": f"Bearer {KEY}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://r", headers=headers) as c:
            yield c


async def _draft(client: httpx.AsyncClient) -> str:
    payer = await client.post("/v1/payers", json={"name": "Acme", "x12_payer_id": "60054"})
    assert payer.status_code == 201, payer.text
    body = {
        "payer_id": payer.json()["id"],
        "name": "Acme PPO 2026",
        "line_of_business": "commercial",
        "effective_date": "2026-01-01",
        "termination_date": "2027-12-31",
        "notice_days": 90,
    }
    created = await client.post("/v1/contracts", json=body)
    assert created.status_code == 201, created.text
    contract_id: str = created.json()["id"]
    return contract_id


def _dates(view: dict[str, Any]) -> tuple[int, str, str | None, str]:
    version = view["version"]
    return (
        version["version"],
        version["effective_from"],
        version["effective_to"],
        version["terms"]["effective_date"],
    )


@pytest.mark.parametrize(
    "moved_to", ["2027-01-01", "2025-07-01", "2026-01-01"], ids=["later", "earlier", "same"]
)
async def test_version_1_follows_the_drafts_effective_date(client: httpx.AsyncClient, moved_to: str) -> None:
    contract_id = await _draft(client)
    patched = await client.patch(f"/v1/contracts/{contract_id}", json={"effective_date": moved_to})
    assert patched.status_code == 200, patched.text
    assert _dates(patched.json()) == (1, moved_to, None, moved_to)
    for step in ("submit", "activate"):
        response = await client.post(f"/v1/contracts/{contract_id}/{step}")
        assert response.status_code == 200, response.text
    assert response.json()["status"] == "active"
    in_force = await client.get(f"/v1/contracts/{contract_id}", params={"as_of": moved_to})
    assert _dates(in_force.json()) == (1, moved_to, None, moved_to)
    day_before = {"2027-01-01": "2026-12-31", "2025-07-01": "2025-06-30", "2026-01-01": "2025-12-31"}
    before = await client.get(f"/v1/contracts/{contract_id}", params={"as_of": day_before[moved_to]})
    assert before.status_code == 404, before.text


async def test_a_move_past_the_termination_date_is_a_422_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    contract_id = await _draft(client)
    response = await client.patch(f"/v1/contracts/{contract_id}", json={"effective_date": "2028-01-01"})
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["termination_date"]
    moved = await client.patch(
        f"/v1/contracts/{contract_id}",
        json={"effective_date": "2028-01-01", "termination_date": "2028-12-31"},
    )
    assert _dates(moved.json()) == (1, "2028-01-01", None, "2028-01-01")
    assert moved.json()["termination_date"] == "2028-12-31"


async def test_an_active_contracts_effective_date_is_not_moved_in_place(client: httpx.AsyncClient) -> None:
    contract_id = await _draft(client)
    for step in ("submit", "activate"):
        assert (await client.post(f"/v1/contracts/{contract_id}/{step}")).status_code == 200
    response = await client.patch(f"/v1/contracts/{contract_id}", json={"effective_date": "2027-01-01"})
    assert response.status_code == 409, response.text
    view = (await client.get(f"/v1/contracts/{contract_id}", params={"as_of": "2026-01-01"})).json()
    assert _dates(view) == (1, "2026-01-01", None, "2026-01-01")


async def test_a_termination_reason_blank_or_holding_nul_is_a_422_and_the_document_says_so(
    client: httpx.AsyncClient,
) -> None:
    """The document's pattern for a reason refuses what the service refuses (schemathesis found a
    reason with NUL valid by the document and refused by the service)."""
    import re

    contract_id = await _draft(client)
    for step in ("submit", "activate"):
        assert (await client.post(f"/v1/contracts/{contract_id}/{step}")).status_code == 200
    url = f"/v1/contracts/{contract_id}/terminate"
    for reason in (" \t", "lost\x00payer"):
        refused = await client.post(url, json={"reason": reason, "last_day": "2026-06-30"})
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "reason" in refused.text
    document = (await client.get("/openapi.json")).json()["components"]["schemas"]
    for model in ("TerminateIn", "WithdrawalIn"):
        pattern = document[model]["properties"]["reason"]["pattern"]
        assert re.search(pattern, "Payer merged") and not re.search(pattern, " \t")
        assert not re.search(pattern, "lost\x00payer")
    done = await client.post(url, json={"reason": "Payer merged", "last_day": "2026-06-30"})
    assert done.status_code == 200, done.text


async def test_a_last_day_outside_contract_dates_is_a_422_and_the_document_says_so(
    client: httpx.AsyncClient,
) -> None:
    """The document bounds a termination's last day as the service does (schemathesis sent
    7052-04-26, valid by the document and refused by the service)."""
    import re

    contract_id = await _draft(client)
    for step in ("submit", "activate"):
        assert (await client.post(f"/v1/contracts/{contract_id}/{step}")).status_code == 200
    url = f"/v1/contracts/{contract_id}/terminate"
    refused = await client.post(url, json={"reason": "Payer merged", "last_day": "7052-04-26"})
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]["TerminateIn"]
    pattern = schema["properties"]["last_day"]["pattern"]
    assert re.search(pattern, "2026-06-30") and re.search(pattern, "2100-12-31")
    assert not re.search(pattern, "7052-04-26") and not re.search(pattern, "1989-12-31")
