"""Amendments over HTTP on PostgreSQL (issue 10, items 3, 5 and 6): a version inherits the terms
it leaves out and null clears one; a future version is corrected or withdrawn before it takes
effect, audited; payment terms are typed (unknown or misspelt fields are a 422 naming them);
values the engine and tracker cannot apply are refused naming the field, nothing half-written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from registry_helpers import PROFESSIONAL, active_contract, new_payer, ok

from conftest import Registry

FULL_TERMS: dict[str, Any] = {
    "auto_renew": True,
    "renewal_term_months": 12,
    "notice_days": 90,
    "timely_filing_days": 95,
    "appeal_window_days": 180,
    "prompt_pay_days": 30,
    "prompt_pay_interest_rate": "18",
    "payment_terms": [PROFESSIONAL],
}


async def version(client: httpx.AsyncClient, cid: str, number: int) -> dict[str, Any]:
    versions = ok(await client.get(f"/v1/contracts/{cid}/versions"))
    return next(v for v in versions if v["version"] == number)  # type: ignore[no-any-return]


async def test_an_amendment_inherits_every_term_it_leaves_out_and_null_clears_one(registry: Registry) -> None:
    cid = (await active_contract(registry.a, **FULL_TERMS))["id"]
    body = {"effective_from": "2027-01-01", "notice_days": 120}
    ok(await registry.a.post(f"/v1/contracts/{cid}/versions", json=body), 201)
    second = await version(registry.a, cid, 2)
    assert second["terms"] == {
        "effective_date": "2026-01-01",
        "termination_date": "2027-12-31",
        "auto_renew": True,
        "renewal_term_months": 12,
        "notice_days": 120,
        "timely_filing_days": 95,
        "appeal_window_days": 180,
        "prompt_pay_days": 30,
        "prompt_pay_interest_rate": "18",
    }
    assert [t["methodology"]["percent"] for t in second["payment_terms"]] == ["120"]
    body = {"effective_from": "2027-06-01", "timely_filing_days": None, "payment_terms": []}
    ok(await registry.a.post(f"/v1/contracts/{cid}/versions", json=body), 201)
    third = await version(registry.a, cid, 3)
    assert (third["terms"]["timely_filing_days"], third["payment_terms"]) == (None, [])
    assert (third["terms"]["notice_days"], third["terms"]["termination_date"]) == (120, "2027-12-31")


async def test_a_future_version_is_corrected_then_withdrawn_with_an_audit_trail(registry: Registry) -> None:
    cid = (await active_contract(registry.a, **FULL_TERMS))["id"]
    body = {"effective_from": "2027-03-01", "notice_days": 60}
    ok(await registry.a.post(f"/v1/contracts/{cid}/versions", json=body), 201)
    corrected = ok(await registry.a.patch(f"/v1/contracts/{cid}/versions/2", json={"notice_days": 75}))
    assert (corrected["current_version"], corrected["version"]["terms"]["notice_days"]) == (2, 75)
    assert corrected["version"]["terms"]["timely_filing_days"] == 95  # left out: kept
    refused = await registry.a.post(f"/v1/contracts/{cid}/versions/1/withdraw", json={"reason": "typo"})
    assert refused.status_code == 409 and "only the latest version (2)" in refused.json()["detail"]
    reason = "Entered against the wrong payer"
    after = ok(await registry.a.post(f"/v1/contracts/{cid}/versions/2/withdraw", json={"reason": reason}))
    assert after["current_version"] == 1 and after["version"]["effective_to"] is None
    assert [v["version"] for v in ok(await registry.a.get(f"/v1/contracts/{cid}/versions"))] == [1]
    entries = ok(await registry.a.get(f"/v1/contracts/{cid}/audit"))["items"]
    by_action = {e["action"]: e for e in entries}
    assert by_action["contract.version_corrected"]["changes"]["fields"]["terms.notice_days"] == {
        "old": 60,
        "new": 75,
    }
    withdrawn = by_action["contract.version_withdrawn"]
    assert (withdrawn["comment"], withdrawn["changes"]["version"]) == (reason, 2)


async def test_a_version_in_force_cannot_be_corrected(registry: Registry) -> None:
    cid = (await active_contract(registry.a, **FULL_TERMS))["id"]  # in force since 2026-01-01
    refused = await registry.a.patch(f"/v1/contracts/{cid}/versions/1", json={"notice_days": 75})
    assert refused.status_code == 409 and "add an amendment instead" in refused.json()["detail"]


def contract_body(payer_id: str, **terms: Any) -> dict[str, Any]:
    return {
        "payer_id": payer_id,
        "name": "Acme PPO",
        "line_of_business": "commercial",
        "effective_date": "2026-01-01",
        **terms,
    }


@pytest.mark.parametrize(
    ("term", "fields"),
    [
        (
            {**PROFESSIONAL, "methodology": {"kind": "invoice_cost", "markup": "10"}},
            ["payment_terms.0.methodology.invoice_cost.markup"],
        ),
        ({**PROFESSIONAL, "lesser_of_bill": True}, ["payment_terms.0.lesser_of_bill"]),
        ({**PROFESSIONAL, "carve_out": []}, ["payment_terms.0.carve_out"]),
        (
            {**PROFESSIONAL, "stop_loss": {"threshold": "100000", "percentage": "65"}},
            ["payment_terms.0.stop_loss.percent", "payment_terms.0.stop_loss.percentage"],
        ),
        (
            {**PROFESSIONAL, "methodology": {"kind": "percent_of_medicar", "percent": "150"}},
            ["payment_terms.0.methodology"],
        ),
    ],
)
async def test_unknown_or_misspelt_payment_term_fields_are_refused_naming_them(
    registry: Registry, term: dict[str, Any], fields: list[str]
) -> None:
    payer = await new_payer(registry.a)
    before = ok(await registry.a.get("/v1/contracts"))["items"]
    response = await registry.a.post("/v1/contracts", json=contract_body(payer["id"], payment_terms=[term]))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert sorted(e["field"] for e in response.json()["errors"]) == fields
    assert ok(await registry.a.get("/v1/contracts"))["items"] == before


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"notice_days": 10**12}, "notice_days"),
        ({"effective_date": "0001-01-01"}, "effective_date"),
        ({"termination_date": "9999-12-31"}, "termination_date"),
        ({"renewal_term_months": 1200, "auto_renew": True}, "renewal_term_months"),
    ],
)
async def test_values_the_consumers_cannot_apply_are_refused_naming_the_field(
    registry: Registry, terms: dict[str, Any], field: str
) -> None:
    payer = await new_payer(registry.a)
    response = await registry.a.post("/v1/contracts", json=contract_body(payer["id"], **terms))
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_a_version_dated_in_year_9999_is_refused(registry: Registry) -> None:
    cid = (await active_contract(registry.a, **FULL_TERMS))["id"]
    response = await registry.a.post(f"/v1/contracts/{cid}/versions", json={"effective_from": "9999-01-01"})
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["effective_from"]
    assert [v["version"] for v in ok(await registry.a.get(f"/v1/contracts/{cid}/versions"))] == [1]
