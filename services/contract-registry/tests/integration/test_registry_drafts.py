"""Drafts edited in place (PATCH), and coverage answered from a draft's proposed versions."""

from __future__ import annotations

from registry_helpers import PROFESSIONAL, active_contract, new_contract, ok, version_body

from conftest import Registry


async def test_a_draft_is_edited_in_place_and_the_edit_is_audited(registry: Registry) -> None:
    contract = await new_contract(registry.a)
    cid, plan_id = contract["id"], None
    payer = ok(await registry.a.get(f"/v1/payers/{contract['payer_id']}"))
    plan_id = payer["plans"][0]["id"]
    patch = {
        "name": "Acme PPO 2026 (redlined)",
        "line_of_business": "medicare_advantage",
        "plan_ids": [plan_id],
        "notice_days": 120,
        "payment_terms": [PROFESSIONAL],
    }
    edited = ok(await registry.a.patch(f"/v1/contracts/{cid}", json=patch))
    assert (edited["name"], edited["line_of_business"], edited["plan_ids"]) == (
        "Acme PPO 2026 (redlined)",
        "medicare_advantage",
        [plan_id],
    )
    version = edited["version"]
    assert (version["version"], version["terms"]["notice_days"]) == (1, 120)
    assert version["terms"]["termination_date"] == "2027-12-31"  # not sent: unchanged
    assert [t["name"] for t in version["payment_terms"]] == ["Professional"]
    assert len(ok(await registry.a.get(f"/v1/contracts/{cid}/versions"))) == 1
    entries = ok(await registry.a.get(f"/v1/contracts/{cid}/audit"))["items"]
    revised = next(e for e in entries if e["action"] == "contract.revised")
    assert revised["changes"]["name"] == {
        "old": "Acme PPO professional 2026",
        "new": "Acme PPO 2026 (redlined)",
    }
    assert revised["changes"]["fields"]["terms.notice_days"] == {"old": 90, "new": 120}
    assert revised["actor"] == "alice@st-mary"


async def test_a_patch_changes_the_latest_proposed_version_only(registry: Registry) -> None:
    cid = (await new_contract(registry.a))["id"]
    ok(await registry.a.post(f"/v1/contracts/{cid}/versions", json=version_body("2026-07-01")), 201)
    ok(await registry.a.patch(f"/v1/contracts/{cid}", json={"notice_days": 60}))
    history = ok(await registry.a.get(f"/v1/contracts/{cid}/versions"))
    assert [(v["version"], v["terms"]["notice_days"]) for v in history] == [(1, 90), (2, 60)]


async def test_editing_is_refused_once_the_contract_left_draft(registry: Registry) -> None:
    cid = (await active_contract(registry.a))["id"]
    refused = await registry.a.patch(f"/v1/contracts/{cid}", json={"name": "renamed"})
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "active" in refused.json()["detail"]
    assert ok(await registry.a.get(f"/v1/contracts/{cid}"))["name"] == "Acme PPO professional 2026"


async def test_an_invalid_edit_names_the_field_and_changes_nothing(registry: Registry) -> None:
    cid = (await new_contract(registry.a))["id"]
    refused = await registry.a.patch(f"/v1/contracts/{cid}", json={"plan_ids": ["no-such-plan"]})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "plan_ids"
    refused = await registry.a.patch(f"/v1/contracts/{cid}", json={"termination_date": "2025-01-01"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "termination_date"
    assert (
        ok(await registry.a.get(f"/v1/contracts/{cid}"))["version"]["terms"]["termination_date"]
        == "2027-12-31"
    )


async def test_coverage_of_a_draft_uses_its_proposed_version(registry: Registry) -> None:
    cid = (await new_contract(registry.a, payment_terms=[PROFESSIONAL]))["id"]
    body = {
        "codes": [{"code_system": "CPT", "code": "99213"}, {"code_system": "CPT", "code": "27447"}],
        "date": "2026-03-15",
    }
    report = ok(await registry.a.post(f"/v1/contracts/{cid}/coverage", json=body))
    assert report["proposed"] is True and report["version"] == 1
    assert [c["code"] for c in report["covered"]] == ["99213"]
    assert [u["code"] for u in report["not_covered"]] == ["27447"]
    outside = await registry.a.post(f"/v1/contracts/{cid}/coverage", json={**body, "date": "2025-01-01"})
    assert outside.status_code == 404
    active = (await active_contract(registry.a, payment_terms=[PROFESSIONAL]))["id"]
    assert ok(await registry.a.post(f"/v1/contracts/{active}/coverage", json=body))["proposed"] is False


async def test_a_contract_must_state_its_line_of_business(registry: Registry) -> None:
    payer = ok(await registry.a.post("/v1/payers", json={"name": "Lob Health", "x12_payer_id": "11111"}), 201)
    body = {"payer_id": payer["id"], "name": "No line of business", "effective_date": "2026-01-01"}
    refused = await registry.a.post("/v1/contracts", json=body)
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert "line_of_business" in refused.text
    made = ok(
        await registry.a.post("/v1/contracts", json={**body, "line_of_business": "medicaid_managed_care"}),
        201,
    )
    assert made["line_of_business"] == "medicaid_managed_care"
