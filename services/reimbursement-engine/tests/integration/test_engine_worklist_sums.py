"""The worklist summed in PostgreSQL gives what the domain sums in Python from the same rows.

`adapters/worklist_sums.py` sums an organisation's variances with one GROUP BY on PostgreSQL and
with `domain.worklist.summed` elsewhere. Here a varied population (every classification, statuses,
zero variances, lines with and without a variance, a claim-level remainder, no contract, no CARC,
sub-cent and negative amounts, two organisations) is written to a real PostgreSQL and both ways are
compared sum by sum, then through the API to the cent.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from engine_helpers import Engine, new_org
from reimbursement_engine.adapters.orm import variance_lines, variances
from reimbursement_engine.adapters.variance_repo import VarianceRepository
from reimbursement_engine.adapters.worklist_sums import (
    SUMS,
    sums_parameters,
    worklist_sums,
    worklist_variance,
)
from reimbursement_engine.domain.reconciliation import Classification
from reimbursement_engine.domain.worklist import CLAIM_LEVEL, WorklistSum, assemble, summed
from sqlalchemy import insert, text

D = Decimal
NOW = datetime(2026, 4, 2, tzinfo=UTC)
AMOUNTS = [D("0"), D("0.01"), D("12.34"), D("-7.50"), D("0.123456"), D("1000.00"), D("-0.005")]


def _variance(org: str, rng: random.Random, status: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    variance_id, claim_id = str(uuid.uuid4()), str(uuid.uuid4())
    lines = []
    for number in range(1, rng.randint(0, 3) + 1):
        lines.append(
            {
                "variance_id": variance_id,
                "line_number": number,
                "code": rng.choice(["99213", "99214", "27447"]),
                "carc": rng.choice(["CO-45", "CO-97", ""]),
                "expected_allowed": rng.choice(AMOUNTS[1:]) + 50,
                "paid": rng.choice(AMOUNTS[1:]) + 40,
                "patient_responsibility": D("0"),
                "variance": rng.choice(AMOUNTS),
            }
        )
    rest = rng.choice([D("0"), D("0"), D("3.33"), D("-1.10")])  # what no line carries
    variance = sum((line["variance"] for line in lines), D("0")) + rest
    row = {
        "id": variance_id,
        "organization_id": org,
        "claim_id": claim_id,
        "claim_payment_id": str(uuid.uuid4()),
        "patient_control_number": f"PCN-{claim_id[:8]}",
        "payer_id": rng.choice(["60054", "87726"]),
        "contract_id": rng.choice(["C-1", "C-2", None]),
        "classification": rng.choice(list(Classification)).value,
        "status": status,
        "expected_allowed": sum((line["expected_allowed"] for line in lines), D("0"))
        + rng.choice([D(0), D(5)]),
        "paid": sum((line["paid"] for line in lines), D("0")) + rng.choice([D(0), D(2)]),
        "patient_responsibility": D("0"),
        "variance": variance,
        "carcs": rng.choice([[], ["CO-45"], ["PR-1", "CO-45"]]),
        "remittance_date": date(2026, 1, 1) + timedelta(days=rng.randint(0, 90)),
        "created_at": NOW,
        "updated_at": NOW,
    }
    return row, lines


async def _write(engine: Engine, rows: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> None:
    async with engine.runtime.sessions() as session, session.begin():
        await session.execute(insert(variances), [row for row, _ in rows])
        lines = [line for _, held in rows for line in held]
        if lines:
            await session.execute(insert(variance_lines), lines)


def _key(s: WorklistSum) -> tuple[str, ...]:
    return (s.classification.value, s.payer_id, s.contract_id or "", s.code, s.carc)


async def test_postgresql_sums_the_worklist_as_the_domain_does(engine: Engine) -> None:
    rng = random.Random(11)
    org, other = new_org(), new_org()
    population = [
        _variance(org, rng, rng.choice(["open", "open", "appealed", "resolved"])) for _ in range(400)
    ]
    population += [_variance(other, rng, "open") for _ in range(50)]
    await _write(engine, population)
    for status in ("open", "appealed"):
        async with engine.runtime.sessions() as session:
            in_database = await worklist_sums(session, org, status)
            rows = await VarianceRepository(session, org).in_status(status)
        in_python = summed(worklist_variance(row, lines) for row, lines in rows)
        assert sorted(in_database[0], key=_key) == sorted(in_python[0], key=_key)
        assert sorted(in_database[1], key=lambda t: t.classification) == sorted(
            in_python[1], key=lambda t: t.classification
        )
        assert assemble(*in_database) == assemble(*in_python)
        assert any(s.code == CLAIM_LEVEL for s in in_database[0])  # the remainder is exercised
        assert any(s.contract_id is None for s in in_database[0])


async def test_the_worklist_api_sums_to_the_cent_from_postgresql(engine: Engine) -> None:
    """Two underpaid claims of one payer, contract and CARC; one with a claim-level remainder."""
    org = new_org()
    headers = await engine.key(org)
    rng = random.Random(3)
    first, first_lines = _variance(org, rng, "open")
    second, second_lines = _variance(org, rng, "open")
    for row in (first, second):
        row.update(classification="underpaid", payer_id="60054", contract_id="C-9", carcs=["CO-45"])
        row.update(remittance_date=date(2026, 2, 1) if row is first else date(2026, 1, 15))
    first_lines[:] = [
        {**_line(first["id"], 1, "99213", D("88.95"), D("78.95")), "variance": D("10.00")},
        {**_line(first["id"], 2, "99213", D("88.95"), D("88.95")), "variance": D("0")},
    ]
    first.update(variance=D("13.33"), expected_allowed=D("182.90"), paid=D("167.90"))  # 3.33 claim-level
    second_lines[:] = [{**_line(second["id"], 1, "99213", D("88.95"), D("83.95")), "variance": D("5.00")}]
    second.update(variance=D("5.00"), expected_allowed=D("88.95"), paid=D("83.95"))
    await _write(engine, [(first, first_lines), (second, second_lines)])
    worklist = (await engine.client.get("/v1/worklist", headers=headers)).json()
    assert (worklist["total_amount"], worklist["variance_count"], worklist["group_count"]) == ("18.33", 2, 2)
    by_code = {item["code"]: item for item in worklist["items"]}
    visit, rest = by_code["99213"], by_code[CLAIM_LEVEL]
    assert (visit["amount"], visit["claim_count"], visit["line_count"]) == ("15.00", 2, 2)
    assert (visit["expected_allowed"], visit["paid"], visit["oldest_remittance"]) == (
        "177.90",
        "162.90",
        "2026-01-15",
    )
    assert (rest["amount"], rest["carc"], rest["claim_count"]) == ("3.33", "CO-45", 1)
    assert (rest["expected_allowed"], rest["paid"], rest["oldest_remittance"]) == (
        "5.00",
        "0.00",
        "2026-02-01",
    )
    assert [item["code"] for item in worklist["items"]] == ["99213", CLAIM_LEVEL]  # largest first


def _line(variance_id: str, number: int, code: str, expected: D, paid: D) -> dict[str, Any]:
    return {
        "variance_id": variance_id,
        "line_number": number,
        "code": code,
        "carc": "CO-45",
        "expected_allowed": expected,
        "paid": paid,
        "patient_responsibility": D("0"),
    }


async def test_the_worklist_sums_are_never_jit_compiled(engine: Engine) -> None:
    """With real statistics the sums of 10,000 variances were estimated as a million-row join and
    JIT-compiled: 470 ms of compiling for a 60 ms query. The service's sessions turn JIT off
    (accord_common.db.SERVER_SETTINGS); here even a zero threshold compiles nothing."""
    org = new_org()
    rng = random.Random(5)
    await _write(engine, [_variance(org, rng, "open") for _ in range(50)])
    values = sums_parameters(org, "open")
    async with engine.runtime.sessions() as session, session.begin():
        assert await session.scalar(text("SHOW jit")) == "off"
        await session.execute(text("SET LOCAL jit_above_cost = 0"))
        explained = text("EXPLAIN (ANALYZE, FORMAT TEXT) " + SUMS.text).bindparams(*SUMS._bindparams.values())
        plan = "\n".join(row[0] for row in await session.execute(explained, values))
        await session.execute(text("SET LOCAL jit = on"))  # the same query compiled when JIT is on
        compiled = "\n".join(row[0] for row in await session.execute(explained, values))
    assert "JIT:" not in plan
    assert "JIT:" in compiled
