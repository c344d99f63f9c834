"""An 835's claims reconciled a chunk a transaction after the file is stored (real PostgreSQL).

The upload stores the file and queues its paid claims; each chunk (CHUNK claims) is reconciled and committed
on its own. A chunk that fails leaves the chunks before it committed and its own claims queued; the
sweeper finishes the file, each claim reconciled (and its event published) exactly once.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from accord_common.testing.outbox import outbox_events
from engine_helpers import Engine, claim_json, clp, contract_event, line, medicare_term, new_org, remit_835
from reimbursement_engine.adapters.orm import reconcile_queue, variances
from reimbursement_engine.adapters.reconcile_queue import ReconcileQueue
from reimbursement_engine.handlers.file_reconciliation import CHUNK, reconcile_file, resume_stalled
from reimbursement_engine.handlers.remittances import store_835
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

D = Decimal
CLAIMS = 2 * CHUNK + 100  # three chunks: CHUNK, CHUNK, 100
TOLERANCE = D("0.01")


async def _priced(engine: Engine, org: str, headers: dict[str, str], prefix: str, count: int) -> None:
    """`count` claims of one 99213 ($200.00 billed; $88.95 at 100% of Medicare CY2025) priced."""
    await engine.deliver(
        contract_event(org, str(uuid.uuid4()), "60054", payment_terms=[medicare_term("100")])
    )
    claims = [
        claim_json(f"{prefix}-{n:04d}", "60054", line("99213", "200.00", place_of_service="11"))
        for n in range(count)
    ]
    response = await engine.client.post("/v1/claims/batch", json={"claims": claims}, headers=headers)
    assert response.status_code == 200, response.text[:500]
    assert {c["status"] for c in response.json()["claims"]} == {"priced"}


def _underpaying_835(prefix: str, count: int, first: int = 0) -> bytes:
    """Claims `first`.. paid $78.95 each of their $88.95: $10.00 underpaid."""
    claims = [
        clp(f"{prefix}-{n:04d}", "200.00", "78.95", cas=[("CO", "45", "121.05")], pccn=f"CC{n}")
        for n in range(first, first + count)
    ]
    return remit_835(f"TRACE-{prefix}-{first}", *claims)


async def _variance_counts(engine: Engine, org: str) -> tuple[int, int, int]:
    """(variances, claim.variance_detected events, distinct claims in those events) of `org`."""
    outbox = engine.runtime.metadata.tables["outbox"]
    async with engine.runtime.sessions() as session:
        held = await session.scalar(
            select(func.count()).select_from(variances).where(variances.c.organization_id == org)
        )
        found = await outbox_events(session, outbox, topic="claim.variance_detected")
    events = [json.loads(e.payload)["data"] for e in found]
    mine = [e["claim_id"] for e in events if e["organization_id"] == org]
    return int(held or 0), len(mine), len(set(mine))


async def test_a_chunk_that_fails_keeps_the_chunks_before_and_the_sweeper_finishes_the_rest(
    engine: Engine,
) -> None:
    org, prefix = new_org(), f"Q{uuid.uuid4().hex[:6].upper()}"
    headers = await engine.key(org)
    await _priced(engine, org, headers, prefix, CLAIMS)
    summary = await store_835(engine.runtime.uow(), org, _underpaying_835(prefix, CLAIMS))
    assert (summary.claims, summary.matched, summary.classifications) == (CLAIMS, CLAIMS, {})
    assert summary.file_id is not None
    stored = (await engine.client.get(f"/v1/remittance-files/{summary.file_id}", headers=headers)).json()
    assert (stored["status"], stored["claims_to_reconcile"], stored["claims_reconciled"]) == (
        "reconciling",
        CLAIMS,
        0,
    )
    # the database refuses the variance of a claim of the second chunk, as a failing disk would
    refused = f"{prefix}-{CHUNK + 200:04d}"
    async with engine.runtime.engine.begin() as conn:
        await conn.execute(
            text(
                "CREATE FUNCTION refuse_variance() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.patient_control_number = '{refused}' THEN RAISE EXCEPTION 'refused'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        await conn.execute(
            text(
                "CREATE TRIGGER refuse_variance BEFORE INSERT ON variances "
                "FOR EACH ROW EXECUTE FUNCTION refuse_variance()"
            )
        )
    try:
        with pytest.raises(DBAPIError):
            await reconcile_file(engine.runtime.uow(), org, summary.file_id, TOLERANCE)
    finally:
        async with engine.runtime.engine.begin() as conn:
            await conn.execute(text("DROP TRIGGER refuse_variance ON variances"))
            await conn.execute(text("DROP FUNCTION refuse_variance()"))
    halfway = (await engine.client.get(f"/v1/remittance-files/{summary.file_id}", headers=headers)).json()
    assert (halfway["status"], halfway["claims_reconciled"], halfway["classifications"]) == (
        "reconciling",
        CHUNK,
        {"underpaid": CHUNK},
    )
    assert await _variance_counts(engine, org) == (CHUNK, CHUNK, CHUNK)
    async with engine.runtime.sessions() as session:
        queued = await session.scalar(
            select(func.count())
            .select_from(reconcile_queue)
            .where(reconcile_queue.c.file_id == summary.file_id)
        )
    assert queued == CLAIMS - CHUNK

    # a file with recent progress is left to the process working on it
    assert await resume_stalled(engine.runtime.uow, TOLERANCE, timedelta(minutes=5)) == 0
    assert await resume_stalled(engine.runtime.uow, TOLERANCE, timedelta(0)) == 1
    done = (await engine.client.get(f"/v1/remittance-files/{summary.file_id}", headers=headers)).json()
    assert (done["status"], done["claims_reconciled"], done["classifications"]) == (
        "reconciled",
        CLAIMS,
        {"underpaid": CLAIMS},
    )
    assert done["reconciled_at"] is not None
    assert await _variance_counts(engine, org) == (CLAIMS, CLAIMS, CLAIMS)
    worklist = (await engine.client.get("/v1/worklist", headers=headers)).json()
    assert (worklist["variance_count"], D(worklist["total_amount"])) == (CLAIMS, D("10.00") * CLAIMS)


async def test_the_upload_answers_once_reconciled_or_at_once_when_asked_to_respond_async(
    engine: Engine,
) -> None:
    org, prefix = new_org(), f"A{uuid.uuid4().hex[:6].upper()}"
    headers = await engine.key(org)
    await _priced(engine, org, headers, prefix, 1_200)
    waited = await engine.client.post(
        "/v1/remittances/x12", content=_underpaying_835(prefix, 600), headers=headers
    )
    assert waited.status_code == 200, waited.text[:500]
    body = waited.json()
    assert body["classifications"] == {"underpaid": 600}
    assert body["reconciliation"]["status"] == "reconciled"
    assert waited.headers["content-location"] == f"/v1/remittance-files/{body['file_id']}"

    second = _underpaying_835(prefix, 600, first=600)
    answered = await engine.client.post(
        "/v1/remittances/x12", content=second, headers={**headers, "Prefer": "respond-async, wait=0"}
    )
    assert answered.status_code == 202, answered.text[:500]
    assert answered.headers["preference-applied"] == "respond-async"
    location = answered.headers["location"]
    assert answered.json()["reconciliation"]["claims_to_reconcile"] == 600
    for _ in range(600):
        state = (await engine.client.get(location, headers=headers)).json()
        if state["status"] == "reconciled":
            break
        await asyncio.sleep(0.05)
    assert (state["status"], state["claims_reconciled"], state["classifications"]) == (
        "reconciled",
        600,
        {"underpaid": 600},
    )
    assert await _variance_counts(engine, org) == (1_200, 1_200, 1_200)
    again = await engine.client.post("/v1/remittances/x12", content=second, headers=headers)
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    assert again.json()["reconciliation"]["status"] == "reconciled"


async def test_another_organisations_file_is_not_found(engine: Engine) -> None:
    org, prefix = new_org(), f"N{uuid.uuid4().hex[:6].upper()}"
    headers = await engine.key(org)
    await _priced(engine, org, headers, prefix, 2)
    body = (
        await engine.client.post("/v1/remittances/x12", content=_underpaying_835(prefix, 2), headers=headers)
    ).json()
    other = await engine.key(new_org())
    missing = await engine.client.get(f"/v1/remittance-files/{body['file_id']}", headers=other)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    unknown = await engine.client.get(f"/v1/remittance-files/{uuid.uuid4()}", headers=headers)
    assert unknown.status_code == 404


async def test_two_transactions_that_peek_one_chunk_keep_it_once(engine: Engine) -> None:
    org, prefix = new_org(), f"T{uuid.uuid4().hex[:6].upper()}"
    headers = await engine.key(org)
    await _priced(engine, org, headers, prefix, 3)
    summary = await store_835(engine.runtime.uow(), org, _underpaying_835(prefix, 3))
    assert summary.file_id is not None
    async with engine.runtime.uow() as first, engine.runtime.uow() as second:
        mine, theirs = ReconcileQueue(first.session, org), ReconcileQueue(second.session, org)
        taken = await mine.peek(summary.file_id, 2)
        assert await theirs.peek(summary.file_id, 2) == taken
        assert [claim for _, claim in taken] != []
        assert await mine.remove(summary.file_id, taken) is True
        await first.commit()
        assert await theirs.remove(summary.file_id, taken) is False  # gone: the second keeps nothing
    async with engine.runtime.uow() as after:
        left = await ReconcileQueue(after.session, org).peek(summary.file_id, 10)
    assert [position for position, _ in left] == [2]


async def test_a_write_that_fails_while_the_next_batch_is_read_stores_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store reads the file's next batch while it writes one: a write that fails ends the upload
    with its error once the read under way is done, and the file, its payments and queue are not kept."""
    from reimbursement_engine.adapters.orm import claim_payments, remittance_files
    from reimbursement_engine.handlers import remittance_store

    org = new_org()
    prefix = f"W{uuid.uuid4().hex[:6]}"
    taken = 0
    real_take = remittance_store.RemittanceStore.take

    async def failing_take(self: remittance_store.RemittanceStore, batch: list[object]) -> None:
        nonlocal taken
        taken += 1
        if taken == 2:
            raise RuntimeError("the database refused the second batch")
        await real_take(self, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(remittance_store.RemittanceStore, "take", failing_take)
    with pytest.raises(RuntimeError, match="second batch"):
        await store_835(engine.runtime.uow(), org, _underpaying_835(prefix, CLAIMS))
    assert taken == 2
    async with engine.runtime.sessions() as session:
        for table in (remittance_files, claim_payments, reconcile_queue):
            held = await session.scalar(
                select(func.count()).select_from(table).where(table.c.organization_id == org)
            )
            assert held == 0, table.name
