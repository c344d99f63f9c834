"""Claim intake (issue 10, Shape): one claim command whichever way a claim comes in, and the claim
lifecycle (original, replacement, void) decided by the domain.

A billing office sends Acme Health Plan (99213 at $100.00 on its activated professional contract)
claims every way the engine takes them: one JSON claim, a plain JSON batch (the lean fast path), a
batch naming the line of business (the pydantic path) and an 837P file. Each $100.00 visit is priced
at $100.00 to the cent whichever path it took. A batch with one bad code is refused whole (422 naming
the field, nothing stored). A corrected claim (frequency 7) replaces the first one and is priced at
$200.00; the payer's $80.00 remittance on 2026-04-02 then leaves a $120.00 underpayment against the
replacement and the tracker opens the appeal deadline 180 days later, 2026-09-29. A void (frequency 8)
cancels a claim; a void naming no claim is refused.
"""

from __future__ import annotations

from typing import Any

import pytest
from accord_common.devstack.demo_money import underpaying_remittance

from tests.scenarios.conftest import Tenant, eventually
from tests.scenarios.test_837_files import compact, interchange, professional
from tests.scenarios.workflows import activate_acme_professional


def _line(day: str, code: str = "99213") -> dict[str, Any]:
    return {"code_system": "CPT", "code": code, "units": 1, "charge": "150.00", "service_date": day}


def _claim(pcn: str, contract_id: str, *days: str, **extra: Any) -> dict[str, Any]:
    return {
        "patient_control_number": pcn,
        "payer_id": "60054",
        "contract_id": contract_id,
        "place_of_service": "11",
        "lines": [_line(day) for day in days],
        **extra,
    }


def _claims(t: Tenant) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for claim in t.get("engine", "/v1/claims", limit=200)["items"]:
        out.setdefault(claim["patient_control_number"], []).append(claim)
    return out


def _live(t: Tenant, pcn: str) -> dict[str, Any] | None:
    live = [c for c in _claims(t).get(pcn, []) if c["status"] not in ("replaced", "voided")]
    return live[0] if live else None


@pytest.mark.timeout(900)  # the first scenario of a run also starts the broker, database and stack
def test_every_intake_path_gives_the_same_price_and_the_lifecycle_follows_the_frequency(
    new_tenant: Any,
) -> None:
    t = new_tenant("intake")
    contract_id = str(activate_acme_professional(t)["id"])
    eventually(  # the engine holds the activated contract: the batches below are priced as they answer
        "the contract in the engine",
        lambda: (
            t.call(
                "GET", "engine", "/v1/margin", params={"contract_id": contract_id, "on": "2026-03-14"}
            ).status_code
            == 200
        ),
    )

    # one JSON claim
    single = t.post("engine", "/v1/claims", _claim("INTAKE-1", contract_id, "2026-03-14"))
    # a plain batch (lean fast path) and a batch naming its line of business (pydantic path)
    plain = t.post("engine", "/v1/claims/batch", {"claims": [_claim("INTAKE-2", contract_id, "2026-03-14")]})
    named = t.post(
        "engine",
        "/v1/claims/batch",
        {"claims": [_claim("INTAKE-3", contract_id, "2026-03-14", line_of_business="commercial")]},
    )
    # an 837P from the clearinghouse
    segments = interchange(
        101, "005010X222A1", [professional("INTAKE-4", "150", ("99213", "150", "20260314"))]
    )
    x12 = t.call(
        "POST",
        "engine",
        "/v1/claims/x12",
        content=compact([s.replace("SHP01", "60054") for s in segments]).encode(),
    )
    assert x12.status_code == 200, x12.text
    assert x12.json()["refused"] == []

    assert plain["expected_allowed"] == named["expected_allowed"] == "100.00"
    claims = eventually(
        "all four claims priced",
        lambda: (
            c
            if {f"INTAKE-{n}" for n in range(1, 5)} <= (c := _claims(t)).keys()
            and all(c[f"INTAKE-{n}"][0]["status"] == "priced" for n in range(1, 5))
            else None
        ),
    )
    for n in range(1, 5):
        (claim,) = claims[f"INTAKE-{n}"]
        assert (claim["expected_allowed"], claim["total_charge"]) == ("100.00", "150.00"), claim
        detail = t.get("engine", f"/v1/claims/{claim['id']}")
        assert (detail["service_date"], detail["service_to"]) == ("2026-03-14", "2026-03-14")

    # a batch with one bad code is refused whole, naming the field
    bad = t.call(
        "POST",
        "engine",
        "/v1/claims/batch",
        json={
            "claims": [
                _claim("INTAKE-5", contract_id, "2026-03-14"),
                {**_claim("INTAKE-6", contract_id, "2026-03-14"), "lines": [_line("2026-03-14", "9921")]},
            ]
        },
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert "claims.1.lines.0.code" in bad.text
    assert "INTAKE-5" not in _claims(t) and "INTAKE-6" not in _claims(t)

    # the corrected claim (frequency 7) replaces INTAKE-1: two visits, $200.00
    replacement = t.post(
        "engine",
        "/v1/claims",
        _claim("INTAKE-1", contract_id, "2026-03-14", "2026-03-15", frequency_code="7"),
    )
    assert replacement["id"] != single["id"]
    old = t.get("engine", f"/v1/claims/{single['id']}")
    assert old["status"] == "replaced"
    new = eventually(
        "the replacement priced",
        lambda: c if (c := _live(t, "INTAKE-1")) and c["status"] == "priced" else None,
    )
    assert new["id"] == replacement["id"]
    assert (new["expected_allowed"], new["total_charge"]) == ("200.00", "300.00")

    # the payer pays $80.00 against it: $120.00 underpaid, appeal by 2026-09-29 (180 days after 2026-04-02)
    t.post("engine", "/v1/remittances/json", underpaying_remittance("INTAKE-1"))
    variance = eventually(
        "the variance on the replacement",
        lambda: [v for v in t.get("engine", "/v1/variances")["items"] if v["claim_id"] == replacement["id"]],
    )[0]
    assert (variance["classification"], variance["variance"]) == ("underpaid", "120.00")
    appeal = eventually(
        "the appeal deadline",
        lambda: [
            o
            for o in t.get("tracker", "/v1/obligations", claim_id=replacement["id"])["items"]
            if o["kind"] == "appeal"
        ],
    )[0]
    assert appeal["due_date"] == "2026-09-29"

    # a void (frequency 8) cancels INTAKE-2; a void naming no claim is refused
    voided = t.post(
        "engine",
        "/v1/claims/batch",
        {"claims": [_claim("INTAKE-2", contract_id, "2026-03-14", frequency_code="8")]},
    )
    assert [c["status"] for c in voided["claims"]] == ["voided"]
    assert t.get("engine", f"/v1/claims/{plain['claims'][0]['id']}")["status"] == "voided"
    unknown = t.call(
        "POST", "engine", "/v1/claims", json=_claim("INTAKE-9", contract_id, "2026-03-14", frequency_code="8")
    )
    assert unknown.status_code == 422
    assert "frequency_code" in unknown.text
    assert "INTAKE-9" not in _claims(t)
