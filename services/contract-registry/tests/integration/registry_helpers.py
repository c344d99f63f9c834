"""Builders shared by the registry's integration tests."""

from __future__ import annotations

from typing import Any

import httpx

CSV_HEADER = "code_system,code,modifiers,place_of_service,setting,unit,rate_kind,amount,percentage,effective_from,effective_to\n"

PROFESSIONAL = {  # a payment term: office visits at 120% of Medicare
    "name": "Professional",
    "service_category": "professional",
    "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
    "methodology": {"kind": "percent_of_medicare", "percent": "120"},
}


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def new_payer(client: httpx.AsyncClient, name: str = "Acme Health Plan") -> dict[str, Any]:
    body = {"name": name, "x12_payer_id": "60054", "plans": [{"name": "Acme PPO"}]}
    return ok(await client.post("/v1/payers", json=body), 201)  # type: ignore[no-any-return]


async def new_contract(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    payer = await new_payer(client)
    body = {
        "payer_id": payer["id"],
        "name": "Acme PPO professional 2026",
        "line_of_business": "commercial",
        "effective_date": "2026-01-01",
        "termination_date": "2027-12-31",
        "auto_renew": False,
        "notice_days": 90,
        **overrides,
    }
    return ok(await client.post("/v1/contracts", json=body), 201)  # type: ignore[no-any-return]


async def active_contract(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """With no approver roles in the profile, submitting approves at once."""
    contract = await new_contract(client, **overrides)
    ok(await client.post(f"/v1/contracts/{contract['id']}/submit"))
    return ok(await client.post(f"/v1/contracts/{contract['id']}/activate"))  # type: ignore[no-any-return]


async def import_csv(client: httpx.AsyncClient, text: str, name: str = "schedule") -> httpx.Response:
    return await client.post(
        "/v1/fee-schedules", data={"name": name}, files={"file": ("rates.csv", text, "text/csv")}
    )


def version_body(effective_from: str, **terms: Any) -> dict[str, Any]:
    return {
        "effective_from": effective_from,
        "effective_date": "2026-01-01",
        "termination_date": "2027-12-31",
        **terms,
    }
