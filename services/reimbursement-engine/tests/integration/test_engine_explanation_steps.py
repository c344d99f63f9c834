"""A priced claim's explanation is stored as its steps and rendered on read (PostgreSQL, no broker):
the API gives the text and the steps as data with the same figures; a claim priced before the steps
were stored reads back its stored text."""

from __future__ import annotations

import uuid
from decimal import Decimal

from engine_helpers import Engine, claim_json, contract_event, line, medicare_term, new_org
from reimbursement_engine.adapters.orm import claims
from sqlalchemy import select, update

D = Decimal


async def _priced_claim(engine: Engine) -> tuple[dict[str, str], dict]:  # type: ignore[type-arg]
    org = new_org()
    headers = await engine.key(org)
    await engine.deliver(
        contract_event(org, str(uuid.uuid4()), "60054", payment_terms=[medicare_term("100")])
    )
    body = claim_json(
        "PCN-STEPS-1",
        "60054",
        line("99213", "200.00", place_of_service="11"),
        line("99213", "200.00", place_of_service="22"),
    )
    response = await engine.client.post("/v1/claims", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return headers, response.json()


async def test_the_steps_as_data_say_what_the_text_says(engine: Engine) -> None:
    headers, claim = await _priced_claim(engine)
    steps = claim["explanation_steps"]
    # CMS CY2025 national 99213: non-facility $88.95 (POS 11), facility $63.72 (POS 22), at 100%
    assert [(ln["line_number"], ln["code"], ln["status"]) for ln in steps["lines"]] == [
        (1, "99213", "priced"),
        (2, "99213", "priced"),
    ]
    assert [D(ln["expected_allowed"]) for ln in steps["lines"]] == [D("88.95"), D("63.72")]
    for explained in steps["lines"]:
        amounts = [D(s["amount"]) for s in explained["steps"] if s["amount"] is not None]
        assert sum(amounts) == D(explained["expected_allowed"])
    assert steps["cases"] == []
    text = claim["explanation"]
    assert text.startswith(steps["context"] + "\nClaim PCN-STEPS-1, ")
    assert "  line 1 99213 [priced] $88.95\n" in text and "  line 2 99213 [priced] $63.72\n" in text
    rendered = [
        f"    {s['kind']}: {s['text']}" + (f" = ${D(s['amount']):,.2f}" if s["amount"] is not None else "")
        for ln in steps["lines"]
        for s in ln["steps"]
    ]
    assert [row for row in text.splitlines() if row.startswith("    ")] == rendered
    assert (await engine.client.get(f"/v1/claims/{claim['id']}", headers=headers)).json() == claim
    async with engine.runtime.sessions() as session:
        row = (await session.execute(select(claims).where(claims.c.id == claim["id"]))).one()
    assert row.explanation is None and row.explanation_steps.startswith('{"v":1,')


async def test_a_claim_priced_before_steps_were_stored_reads_its_text(engine: Engine) -> None:
    headers, claim = await _priced_claim(engine)
    old = "Contract: C v1\nClaim PCN-STEPS-1, contract C v1, priced 2025-04-01: charges $400.00, ..."
    async with engine.runtime.sessions() as session, session.begin():
        values = {"explanation": old, "explanation_steps": None}
        await session.execute(update(claims).where(claims.c.id == claim["id"]).values(**values))
    read = (await engine.client.get(f"/v1/claims/{claim['id']}", headers=headers)).json()
    assert (read["explanation"], read["explanation_steps"]) == (old, None)
    assert D(read["expected_allowed"]) == D("152.67")
