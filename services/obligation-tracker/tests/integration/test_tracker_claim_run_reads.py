"""On PostgreSQL: a run of claim events reads its claims' obligations by the (organisation, claim)
index even when the table has no statistics (a new database, or minutes after a bulk load before
autovacuum analyses it), and reads exactly those claims' obligations, locked.

As one `claim_id = ANY(...)` the plan followed the statistics: without them an organisation-only
index was used and every obligation of the organisation filtered on each call (6-18 ms a run in
benchmarks/cpu_835.py, against ~2). The read is now a lookup a claim (a LATERAL join from the
array of ids), both equalities of that index (docs/benchmarks.md)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from accord_common.db import make_engine
from accord_common.migrate import upgrade_async
from accord_common.testing.postgres import PostgresServer
from obligation_tracker.adapters.claim_run_repository import _each_claims_obligations, obligations_of
from obligation_tracker.adapters.orm import obligations
from obligation_tracker.bootstrap import SERVICE_ROOT
from sqlalchemy import insert, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

pytestmark = pytest.mark.integration
ORG = "org-reads"


def _rows(claims: list[str], contract: str) -> list[dict[str, object]]:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    rows = []
    for number, claim in enumerate(claims):
        for kind in ("timely_filing", "prompt_pay"):
            key = f"{kind}/{contract}/{claim}"
            rows.append(
                {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, key)),
                    "organization_id": ORG,
                    "natural_key": key,
                    "kind": kind,
                    "status": "open",
                    "due_date": date(2027, 1, 1),
                    "due_at": now,
                    "contract_id": contract,
                    "claim_id": claim,
                    "payer_id": "payer-1",
                    "patient_control_number": f"PCN{number}",
                    "payer_name": "Payer",
                    "title": f"{kind} for PCN{number}",
                    "description": "due",
                    "reasons": ["contract term"],
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return rows


async def test_a_runs_obligations_are_read_by_the_claim_index_without_statistics(
    postgres_server: PostgresServer,
) -> None:
    url = await postgres_server.create_database_async(f"tracker_reads_{uuid.uuid4().hex[:8]}")
    await upgrade_async(SERVICE_ROOT, url)
    engine = make_engine(url, null_pool=True)
    contract = str(uuid.uuid4())
    claims = [str(uuid.uuid4()) for _ in range(3000)]
    wanted = claims[1000:1300]
    try:
        async with engine.begin() as conn:  # no statistics: autovacuum kept off this table, no ANALYZE
            await conn.execute(text("ALTER TABLE obligations SET (autovacuum_enabled = false)"))
            await conn.execute(insert(obligations), _rows(claims, contract))
        async with engine.connect() as conn:
            analysed = await conn.scalar(
                text("SELECT count(*) FROM pg_stats WHERE tablename = 'obligations'")
            )
            assert analysed == 0  # the condition under test: the planner knows nothing of the table
        statement = _each_claims_obligations(ORG, wanted)
        sql = str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
        async with engine.begin() as conn:
            plan = "\n".join(row[0] for row in await conn.execute(text("EXPLAIN " + sql)))
        assert "ix_obligations_claim" in plan, plan
        assert "Seq Scan on obligations" not in plan, plan
        assert "ix_obligations_org_due" not in plan and "ix_obligations_contract" not in plan, plan
        async with AsyncSession(engine) as session, session.begin():
            read = await obligations_of(session, ORG, wanted)
            # locked for update: another transaction cannot lock one of them meanwhile
            async with engine.connect() as other:
                await other.execute(text("SET lock_timeout = '200ms'"))
                with pytest.raises(DBAPIError, match="could not obtain lock"):
                    await other.execute(
                        select(obligations.c.id)
                        .where(obligations.c.claim_id == wanted[0])
                        .with_for_update(nowait=True)
                    )
        assert len(read) == 2 * len(wanted)
        assert {row["claim_id"] for row in read} == set(wanted)
        assert {row["kind"] for row in read} == {"timely_filing", "prompt_pay"}
        assert all(row["organization_id"] == ORG and row["reasons"] == ["contract term"] for row in read)
        async with AsyncSession(engine) as session:
            assert await obligations_of(session, ORG, []) == []
            assert await obligations_of(session, "another-org", wanted) == []
    finally:
        await engine.dispose()
