"""Contracts: the list, a version with its terms and fee schedule, the diff, approvals, documents."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.adapters.accord_api import ApiRefused, Service
from console.entrypoints.web import Api, Settings, Signed, render

router = APIRouter()


@router.get("/contracts")
async def contracts(
    request: Request,
    session: Signed,
    api: Api,
    settings: Settings,
    q: str = "",
    status: str = "",
    cursor: str = "",
) -> Response:
    filters = {"q": q, "status": status}
    page = await api.get(
        session.api_key, Service.REGISTRY, "/v1/contracts", limit=settings.page_size, cursor=cursor, **filters
    )
    return render(request, "contracts.html", session, page=page, filters=filters)


@router.get("/contracts/{contract_id}")
async def contract(
    request: Request, contract_id: str, session: Signed, api: Api, version: int | None = None
) -> Response:
    path = f"/v1/contracts/{quote(contract_id, safe='')}"
    found, versions, documents = await asyncio.gather(
        api.get(session.api_key, Service.REGISTRY, path),
        api.get(session.api_key, Service.REGISTRY, f"{path}/versions"),
        api.get(session.api_key, Service.REGISTRY, f"{path}/documents"),
    )
    wanted = version or found["current_version"]
    shown = next((v for v in versions if v["version"] == wanted), None)
    if shown is None:
        raise ApiRefused(404, "no such version")
    rows = await _fee_schedule_rows(api, session.api_key, shown)
    return render(
        request,
        "contract.html",
        session,
        contract=found,
        versions=versions,
        shown=shown,
        documents=documents,
        rows=rows,
    )


@router.get("/contracts/{contract_id}/diff")
async def contract_diff(
    request: Request, contract_id: str, session: Signed, api: Api, from_version: int = 1, to_version: int = 2
) -> Response:
    path = f"/v1/contracts/{quote(contract_id, safe='')}"
    diff = await api.get(
        session.api_key, Service.REGISTRY, f"{path}/diff", **{"from": from_version, "to": to_version}
    )
    return render(request, "contract_diff.html", session, contract_id=contract_id, diff=diff)


async def _fee_schedule_rows(api: Any, key: str, version: dict[str, Any]) -> dict[str, Any] | None:
    block = version.get("fee_schedule") or {}
    schedule_id = _find(version, "fee_schedule_id") or _find(block, "schedule_id") or _find(block, "id")
    if not schedule_id:
        return None
    try:
        page: dict[str, Any] = await api.get(
            key, Service.REGISTRY, f"/v1/fee-schedules/{quote(str(schedule_id), safe='')}/rows", limit=100
        )
    except ApiRefused as refusal:
        if refusal.status == 401:
            raise
        return None
    return page


def _find(record: Any, name: str) -> Any:
    """A field at the top or one level down (the version block) of the contract's answer."""
    if isinstance(record, dict):
        if record.get(name):
            return record[name]
        for value in record.values():
            if isinstance(value, dict) and value.get(name):
                return value[name]
    return None
