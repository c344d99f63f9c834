"""Deleting a fee schedule: only while no contract version names it; audited; rows go with it."""

from __future__ import annotations

from contract_registry.adapters.orm import fee_schedule_rows
from registry_helpers import CSV_HEADER, import_csv, new_contract, ok
from sqlalchemy import func, select

from conftest import Registry

ROWS = (
    CSV_HEADER
    + "CPT,99213,,11,,unit,amount,80.00,,2026-01-01,\nCPT,99214,,11,,unit,amount,120.00,,2026-01-01,\n"
)


async def _row_count(registry: Registry, schedule_id: str) -> int:
    async with registry.runtime.sessions() as session:
        query = select(func.count()).where(fee_schedule_rows.c.schedule_id == schedule_id)
        return int(await session.scalar(query) or 0)


async def test_an_unlinked_schedule_is_deleted_with_its_rows_and_audited(registry: Registry) -> None:
    sid = ok(await import_csv(registry.a, ROWS, name="typo'd import"), 201)["schedule"]["id"]
    deleted = await registry.a.delete(f"/v1/fee-schedules/{sid}")
    assert deleted.status_code == 204, deleted.text
    assert (await registry.a.get(f"/v1/fee-schedules/{sid}")).status_code == 404
    assert await _row_count(registry, sid) == 0
    entries = ok(await registry.a.get("/v1/audit", params={"limit": 500}))["items"]
    entry = next(e for e in entries if e["action"] == "fee_schedule.deleted" and e["entity_id"] == sid)
    assert entry["changes"]["name"] == "typo'd import" and entry["changes"]["row_count"] == 2
    assert (await registry.a.delete(f"/v1/fee-schedules/{sid}")).status_code == 404


async def test_a_schedule_a_version_names_is_refused_with_409_naming_it(registry: Registry) -> None:
    sid = ok(await import_csv(registry.a, ROWS), 201)["schedule"]["id"]
    cid = (await new_contract(registry.a))["id"]
    ok(
        await registry.a.post(
            f"/v1/contracts/{cid}/fee-schedule", json={"schedule_id": sid, "effective_from": "2026-07-01"}
        ),
        201,
    )
    refused = await registry.a.delete(f"/v1/fee-schedules/{sid}")
    assert refused.status_code == 409 and refused.headers["content-type"] == "application/problem+json"
    assert f"contract {cid} version 2" in refused.json()["detail"]
    assert await _row_count(registry, sid) == 2


async def test_another_organisations_schedule_is_not_found(registry: Registry) -> None:
    sid = ok(await import_csv(registry.a, ROWS), 201)["schedule"]["id"]
    assert (await registry.b.delete(f"/v1/fee-schedules/{sid}")).status_code == 404
    assert await _row_count(registry, sid) == 2
