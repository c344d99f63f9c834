"""Contracts over HTTP on PostgreSQL: versions as of a date, refusals, approvals, audit, search."""

from __future__ import annotations

from typing import Any

import pytest
from accord_common.auth import issue_key
from registry_helpers import PROFESSIONAL, active_contract, new_contract, new_payer, ok, version_body
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from conftest import Registry


async def test_reading_as_of_a_date_gives_the_version_in_force_that_day(registry: Registry) -> None:
    contract = await active_contract(registry.a)
    cid = contract["id"]
    ok(
        await registry.a.post(
            f"/v1/contracts/{cid}/versions", json=version_body("2026-07-01", notice_days=120)
        ),
        201,
    )
    ok(
        await registry.a.post(
            f"/v1/contracts/{cid}/versions", json=version_body("2027-01-01", notice_days=150)
        ),
        201,
    )
    for day, number, notice in [
        ("2026-03-31", 1, 90),
        ("2026-06-30", 1, 90),
        ("2026-07-01", 2, 120),
        ("2027-06-01", 3, 150),
    ]:
        version = ok(await registry.a.get(f"/v1/contracts/{cid}", params={"as_of": day}))["version"]
        assert (version["version"], version["terms"]["notice_days"]) == (number, notice), day
    missing = await registry.a.get(f"/v1/contracts/{cid}", params={"as_of": "2025-12-31"})
    assert missing.status_code == 404 and "2025-12-31" in missing.json()["detail"]
    history = ok(await registry.a.get(f"/v1/contracts/{cid}/versions"))
    assert [(v["version"], v["effective_from"], v["effective_to"]) for v in history] == [
        (1, "2026-01-01", "2026-06-30"),
        (2, "2026-07-01", "2026-12-31"),
        (3, "2027-01-01", None),
    ]


async def test_overlapping_and_gapped_versions_are_refused_naming_the_dates(registry: Registry) -> None:
    cid = (await active_contract(registry.a))["id"]
    ok(await registry.a.post(f"/v1/contracts/{cid}/versions", json=version_body("2026-07-01")), 201)
    overlap = await registry.a.post(f"/v1/contracts/{cid}/versions", json=version_body("2026-05-01"))
    assert overlap.status_code == 409
    assert overlap.headers["content-type"] == "application/problem+json"
    assert "2026-05-01" in overlap.json()["detail"] and "2026-07-01" in overlap.json()["detail"]
    assert len(ok(await registry.a.get(f"/v1/contracts/{cid}/versions"))) == 2  # nothing half-written


async def test_retroactive_and_payer_initiated_amendments_are_marked(registry: Registry) -> None:
    cid = (await active_contract(registry.a, effective_date="2020-01-01"))["id"]
    body = version_body(
        "2021-01-01", effective_date="2020-01-01", payer_initiated=True, objection_window_days=30
    )
    version = ok(await registry.a.post(f"/v1/contracts/{cid}/versions", json=body), 201)["version"]
    assert version["retroactive"] is True
    assert (version["payer_initiated"], version["objection_window_days"]) == (True, 30)
    refused = await registry.a.post(
        f"/v1/contracts/{cid}/versions",
        json=version_body("2022-01-01", effective_date="2020-01-01", payer_initiated=True),
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "objection_window_days"


async def test_a_draft_is_revised_by_a_new_version_before_activation(registry: Registry) -> None:
    cid = (await new_contract(registry.a))["id"]
    draft = ok(
        await registry.a.post(
            f"/v1/contracts/{cid}/versions", json=version_body("2026-07-01", notice_days=120)
        ),
        201,
    )
    assert (draft["status"], draft["version"]["version"]) == ("draft", 2)
    ok(await registry.a.post(f"/v1/contracts/{cid}/submit"))
    active = ok(await registry.a.post(f"/v1/contracts/{cid}/activate"))
    assert (active["status"], active["current_version"]) == ("active", 2)
    assert [v["proposed"] for v in ok(await registry.a.get(f"/v1/contracts/{cid}/versions"))] == [
        False,
        False,
    ]


async def test_invalid_payment_terms_are_refused_naming_the_field(registry: Registry) -> None:
    payer = await new_payer(registry.a)
    for figure, expected in [("5000", "5000%"), ("-10", "-10%")]:
        term = {**PROFESSIONAL, "methodology": {"kind": "percent_of_medicare", "percent": figure}}
        response = await registry.a.post(
            "/v1/contracts",
            json={
                "payer_id": payer["id"],
                "name": "bad",
                "line_of_business": "commercial",
                "effective_date": "2026-01-01",
                "payment_terms": [term],
            },
        )
        assert response.status_code == 422, response.text
        [error] = response.json()["errors"]
        assert error["field"] == "payment_terms[0].PercentOfMedicareTerm.percent"
        assert expected in error["message"]


async def test_activation_waits_for_every_required_role(registry: Registry) -> None:
    profile = {"name": "St Mary Medical Group", "required_approver_roles": ["legal", "finance"]}
    ok(await registry.a.put("/v1/organisation", json=profile))
    try:
        cid = (await new_contract(registry.a, payment_terms=[PROFESSIONAL]))["id"]
    finally:
        ok(await registry.a.put("/v1/organisation", json={**profile, "required_approver_roles": []}))
    assert ok(await registry.a.post(f"/v1/contracts/{cid}/submit"))["status"] == "in_review"
    # segregation of duties: alice submitted, so lee (legal) and fox (finance) approve
    legal, finance = await _approver(registry, "lee@st-mary"), await _approver(registry, "fox@st-mary")
    ok(
        await registry.a.post(
            f"/v1/contracts/{cid}/approve", json={"role": "legal", "comment": "indemnity ok"}, headers=legal
        )
    )
    refused = await registry.a.post(f"/v1/contracts/{cid}/activate")
    assert refused.status_code == 409 and refused.headers["content-type"] == "application/problem+json"
    assert "finance" in refused.json()["detail"]
    assert refused.json()["errors"] == [{"field": "approvals", "message": "awaiting approval by finance"}]
    approved = ok(
        await registry.a.post(f"/v1/contracts/{cid}/approve", json={"role": "finance"}, headers=finance)
    )
    assert approved["status"] == "approved"
    assert [(x["role"], x["reviewer"]) for x in approved["approvals"]] == [
        ("legal", "lee@st-mary"),
        ("finance", "fox@st-mary"),
    ]
    assert ok(await registry.a.post(f"/v1/contracts/{cid}/activate"))["status"] == "active"


async def _approver(registry: Registry, name: str) -> dict[str, str]:
    """An Authorization header for another person of organisation A who may approve."""
    runtime = registry.runtime
    async with runtime.sessions() as session, session.begin():
        key = await issue_key(
            session, runtime.metadata, organization_id=registry.org_a, name=name, scopes={"contracts:approve"}
        )
    return {"Authorization": f"Bearer {key}"}


async def test_every_change_leaves_an_audit_entry(registry: Registry) -> None:
    cid = (await new_contract(registry.a))["id"]
    ok(
        await registry.a.post(
            f"/v1/contracts/{cid}/versions", json=version_body("2026-07-01", notice_days=120)
        ),
        201,
    )
    ok(await registry.a.post(f"/v1/contracts/{cid}/submit"))
    ok(await registry.a.post(f"/v1/contracts/{cid}/activate"))
    ok(await registry.a.post(f"/v1/contracts/{cid}/renew", json={"renewal_term_months": 12}))
    ok(
        await registry.a.post(
            f"/v1/contracts/{cid}/terminate", json={"last_day": "2028-03-31", "reason": "breach"}
        )
    )
    entries = ok(await registry.a.get(f"/v1/contracts/{cid}/audit"))["items"]
    assert [e["action"] for e in entries] == [
        "contract.created",
        "contract.version_added",
        "contract.submitted",
        "contract.activated",
        "contract.renewed",
        "contract.terminated",
    ]
    assert all(e["actor"] == "alice@st-mary" and e["at"] for e in entries)
    assert entries[1]["changes"]["fields"]["terms.notice_days"] == {"old": 90, "new": 120}
    assert entries[5]["changes"]["status"] == {"old": "active", "new": "terminated"}
    assert entries[5]["comment"] == "breach"
    async with registry.runtime.sessions() as session:  # append-only, enforced by the database
        with pytest.raises(DBAPIError, match="append-only"):
            await session.execute(text("UPDATE audit_log SET actor = 'mallory'"))
    page = ok(await registry.a.get("/v1/audit", params={"limit": 2}))
    assert len(page["items"]) == 2 and page["next_cursor"]
    assert not [e for e in ok(await registry.b.get("/v1/audit"))["items"] if e["contract_id"] == cid]


async def test_the_diff_lists_fields_and_fee_schedule_rows(registry: Registry) -> None:
    cid = (await active_contract(registry.a))["id"]
    ok(
        await registry.a.post(
            f"/v1/contracts/{cid}/versions", json=version_body("2026-07-01", notice_days=120)
        ),
        201,
    )
    diff = ok(await registry.a.get(f"/v1/contracts/{cid}/diff", params={"from": 1, "to": 2}))
    fields = {f["field"]: (f["old"], f["new"]) for f in diff["fields"]}
    assert fields["terms.notice_days"] == (90, 120)
    assert fields["effective_from"] == ("2026-01-01", "2026-07-01")


async def test_search_by_payer_status_expiry_and_text_with_a_cursor(registry: Registry) -> None:
    payer = await new_payer(registry.a, name="Zenith Mutual")
    made: list[Any] = []
    for index in range(3):
        body = {
            "payer_id": payer["id"],
            "name": f"Zenith HMO {index}",
            "line_of_business": "commercial",
            "effective_date": "2026-01-01",
            "termination_date": "2026-12-31" if index else None,
        }
        made.append(ok(await registry.a.post("/v1/contracts", json=body), 201)["id"])
    first = ok(await registry.a.get("/v1/contracts", params={"q": "zenith", "limit": 2}))
    second = ok(
        await registry.a.get(
            "/v1/contracts", params={"q": "zenith", "limit": 2, "cursor": first["next_cursor"]}
        )
    )
    assert [c["id"] for c in first["items"] + second["items"]] == made
    by_payer = ok(await registry.a.get("/v1/contracts", params={"payer_id": payer["id"], "status": "draft"}))
    assert len(by_payer["items"]) == 3
    expiring = ok(
        await registry.a.get("/v1/contracts", params={"payer_id": payer["id"], "expiring_within_days": 3650})
    )
    assert {c["id"] for c in expiring["items"]} == set(made[1:])
    assert ok(await registry.b.get("/v1/contracts", params={"q": "zenith"}))["items"] == []
