"""835 files in over HTTP: balancing, refusal, idempotence, reversals and reconciliation."""

from __future__ import annotations

import uuid
from decimal import Decimal

from engine_helpers import (
    X12,
    Engine,
    claim_json,
    clp,
    contract_event,
    line,
    medicare_term,
    new_org,
    remit_835,
)
from reimbursement_engine.adapters.orm import (
    claim_payments,
    provider_adjustments,
    remittance_files,
    remittances,
)
from sqlalchemy import func, select

D = Decimal


async def _counts(engine: Engine, org: str) -> tuple[int, int]:
    async with engine.runtime.sessions() as session:
        files = await session.scalar(
            select(func.count())
            .select_from(remittance_files)
            .where(remittance_files.c.organization_id == org)
        )
        payments = await session.scalar(
            select(func.count()).select_from(claim_payments).where(claim_payments.c.organization_id == org)
        )
    return int(files or 0), int(payments or 0)


async def _totals(engine: Engine, org: str) -> tuple[Decimal, Decimal, Decimal]:
    """(sum BPR02, sum CLP04, sum PLB) of what the organisation holds, summed exactly in Python."""
    async with engine.runtime.sessions() as session:
        bpr = (
            await session.scalars(
                select(remittances.c.total_paid).where(remittances.c.organization_id == org)
            )
        ).all()
        clp04 = (
            await session.scalars(
                select(claim_payments.c.paid).where(claim_payments.c.organization_id == org)
            )
        ).all()
        ids = select(remittances.c.id).where(remittances.c.organization_id == org)
        plb = (
            await session.scalars(
                select(provider_adjustments.c.amount).where(provider_adjustments.c.remittance_id.in_(ids))
            )
        ).all()
    return sum(bpr, D(0)), sum(clp04, D(0)), sum(plb, D(0))


async def test_every_shared_835_is_ingested_and_balances(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    files = sorted((X12 / "835").iterdir())
    for path in files:
        response = await engine.client.post("/v1/remittances/x12", content=path.read_bytes(), headers=headers)
        assert response.status_code == 200, (path.name, response.text)
        assert response.json()["claims"] >= 1
    bpr, clp04, plb = await _totals(engine, org)
    assert bpr == clp04 - plb
    assert await _counts(engine, org) == (len(files), 8)


async def test_malformed_835s_are_refused_naming_segment_and_rule_and_store_nothing(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    for path in sorted((X12 / "malformed").iterdir()):
        response = await engine.client.post("/v1/remittances/x12", content=path.read_bytes(), headers=headers)
        assert response.status_code == 422, path.name
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert problem["errors"][0]["segment"] in ("BPR", "CLP", "SVC", "SE")
        assert "balance" in problem["detail"] or "=" in problem["errors"][0]["rule"]
    not_x12 = await engine.client.post("/v1/remittances/x12", content=b"hello", headers=headers)
    assert not_x12.status_code == 422
    assert await _counts(engine, org) == (0, 0)


async def test_an_upload_over_the_size_limit_is_refused(engine: Engine) -> None:
    headers = await engine.key(new_org())
    limit = engine.runtime.settings.max_upload_bytes
    response = await engine.client.post("/v1/remittances/x12", content=b"x" * (limit + 1), headers=headers)
    assert response.status_code == 413


async def test_the_same_file_or_trace_again_changes_nothing(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    raw = (X12 / "835" / "managed-care.835").read_bytes()
    first = (await engine.client.post("/v1/remittances/x12", content=raw, headers=headers)).json()
    again = (await engine.client.post("/v1/remittances/x12", content=raw, headers=headers)).json()
    assert (first["duplicate"], again["duplicate"], again["file_id"]) == (False, True, first["file_id"])
    same_trace = raw.replace(b"RUSHMORE LIFE", b"RUSHMORE  LIFE")
    third = (await engine.client.post("/v1/remittances/x12", content=same_trace, headers=headers)).json()
    assert (third["transactions"], third["skipped_transactions"]) == (0, 1)
    assert await _counts(engine, org) == (2, 2)


async def _priced_claim(engine: Engine, org: str, headers: dict[str, str], pcn: str) -> str:
    body = claim_json(pcn, "60054", line("99213", "200.00", place_of_service="11"))
    response = await engine.client.post("/v1/claims", json=body, headers=headers)
    assert response.json()["status"] == "priced", response.text
    return str(response.json()["id"])


async def test_underpayment_is_classified_and_a_reversal_undoes_its_payment(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    await engine.deliver(
        contract_event(org, str(uuid.uuid4()), "60054", payment_terms=[medicare_term("100")])
    )
    claim_id = await _priced_claim(engine, org, headers, "PCN-REV-1")
    paid_less = remit_835("TRACE-REV-1", clp("PCN-REV-1", "200.00", "50.00", cas=[("CO", "45", "150.00")]))
    out = (await engine.client.post("/v1/remittances/x12", content=paid_less, headers=headers)).json()
    assert out["classifications"] == {"underpaid": 1}
    (variance,) = (await engine.client.get("/v1/variances", headers=headers)).json()["items"]
    assert (variance["classification"], D(variance["variance"]), variance["carcs"]) == (
        "underpaid",
        D("38.95"),
        ["CO-45"],
    )
    reversal = clp("PCN-REV-1", "-200.00", "-50.00", status="22", cas=[("CO", "45", "-150.00")])
    undo = remit_835("TRACE-REV-2", reversal, plb="PLB*1234567893*20251231*WO:X*-50.00")
    out = (await engine.client.post("/v1/remittances/x12", content=undo, headers=headers)).json()
    assert out["reversals"] == 1
    claim = (await engine.client.get(f"/v1/claims/{claim_id}", headers=headers)).json()
    original = next(p for p in claim["payments"] if p["status_code"] == "1")
    assert original["reversed_by"] is not None
    after = (await engine.client.get(f"/v1/variances/{variance['id']}", headers=headers)).json()
    assert after["status"] == "void"
    corrected = remit_835("TRACE-REV-3", clp("PCN-REV-1", "200.00", "88.95", cas=[("CO", "45", "111.05")]))
    out = (await engine.client.post("/v1/remittances/x12", content=corrected, headers=headers)).json()
    assert out["classifications"] == {"paid_as_expected": 1}


async def test_denials_and_partial_denials_carry_their_carc(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    await engine.deliver(
        contract_event(org, str(uuid.uuid4()), "60054", payment_terms=[medicare_term("100")])
    )
    await _priced_claim(engine, org, headers, "PCN-DEN-1")
    two_lines = claim_json(
        "PCN-DEN-2",
        "60054",
        line("99213", "200.00", place_of_service="11"),
        line("99214", "250.00", place_of_service="11"),
    )
    assert (await engine.client.post("/v1/claims", json=two_lines, headers=headers)).status_code == 201
    denied = clp("PCN-DEN-1", "200.00", "0", status="4", cas=[("CO", "50", "200.00")])
    partly = clp(
        "PCN-DEN-2",
        "450.00",
        "88.95",
        pccn="PCCN2",
        svc=[
            ("99213", "200.00", "88.95", [("CO", "45", "111.05")]),
            ("99214", "250.00", "0", [("CO", "97", "250.00")]),
        ],
    )
    out = (
        await engine.client.post(
            "/v1/remittances/x12", content=remit_835("TRACE-DEN", denied, partly), headers=headers
        )
    ).json()
    assert out["classifications"] == {"denied": 1, "partly_denied": 1}
    items = (
        await engine.client.get("/v1/variances", params={"classification": "denied"}, headers=headers)
    ).json()["items"]
    assert items[0]["carcs"] == ["CO-50"]


async def test_a_json_remittance_is_reconciled_like_an_835(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    await engine.deliver(
        contract_event(org, str(uuid.uuid4()), "60054", payment_terms=[medicare_term("100")])
    )
    await _priced_claim(engine, org, headers, "PCN-JSON-1")
    body = {
        "payer_id": "60054",
        "trace_number": "EFT-1",
        "payment_date": "2025-04-02",
        "claims": [
            {
                "patient_control_number": "PCN-JSON-1",
                "charge": "200.00",
                "paid": "68.95",
                "patient_responsibility": "20.00",
                "adjustments": [{"group_code": "CO", "reason_code": "45", "amount": "111.05"}],
            }
        ],
    }
    out = (await engine.client.post("/v1/remittances/json", json=body, headers=headers)).json()
    assert out["classifications"] == {"paid_as_expected": 1}
