"""A large 835 streams through the ingest on a throwaway SQLite database: a few hundred claims at a
time, in one transaction (issue 11: a 20 MiB upload under 200 MiB of service memory).

Memory is Python's own (tracemalloc) during `ingest_835`: what the ingest holds grows with the batch,
not with the file (~290 bytes a claim, held once as bytes, decoded a window at a time)."""

from __future__ import annotations

import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from accord_common.db import make_engine, make_session_factory
from accord_common.errors import Unprocessable
from accord_common.uow import UnitOfWork
from reimbursement_engine.adapters.orm import claim_payments, line_payments, metadata, remittance_files
from reimbursement_engine.bench.x12_835 import generate_835
from reimbursement_engine.handlers.remittance_store import BATCH
from reimbursement_engine.handlers.remittances import IngestSummary, ingest_835
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

ORG = "org-stream"
MIB = 2**20


class Store:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions: async_sessionmaker = make_session_factory(engine)  # type: ignore[type-arg]

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, metadata)

    async def count(self, table_name: str, where: str = "") -> int:
        table = metadata.tables[table_name]
        counted = func.sum(table.c.event_count) if table_name == "outbox" else func.count()  # events
        query = select(counted).select_from(table)
        if where:
            query = query.where(table.c.topic == where)
        async with self.sessions() as session:
            return int(await session.scalar(query) or 0)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'engine.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield Store(engine)
    await engine.dispose()


async def _traced(store: Store, org: str, raw: bytes) -> tuple[IngestSummary, int]:
    """The ingest's summary and the peak of what Python allocated while it ran (the body excluded:
    it is allocated before)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        summary = await ingest_835(store.uow(), org, raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return summary, peak


async def test_a_large_835_is_stored_whole_with_memory_that_follows_the_batch(store: Store) -> None:
    small, large = generate_835(BATCH).encode(), generate_835(5 * BATCH).encode()

    small_summary, small_peak = await _traced(store, "org-small", small)
    large_summary, large_peak = await _traced(store, "org-large", large)

    assert (small_summary.claims, large_summary.claims) == (500, 2_500)
    assert await store.count("claim_payments") == 3_000
    assert await store.count("line_payments") == 6_000  # generate_835: two lines a claim
    assert await store.count("outbox", "claim.paid") == 3_000
    # Five times the claims: the peak grows by little (the file, 0.55 MiB more here, is decoded a
    # 1 MiB window at a time), not five-fold. Measured: 4.8 and 5.2 MiB; read whole, as before the
    # ingest streamed, 4.7 and 22.0 MiB.
    assert large_peak - small_peak < 3 * MIB, (small_peak / MIB, large_peak / MIB)
    assert large_peak < 12 * MIB, large_peak / MIB


async def test_a_breach_at_the_end_of_a_streamed_835_stores_nothing(store: Store) -> None:
    """The last claim does not balance: by then two batches of claims, their lines and claim.paid
    events are written (in the upload's transaction), and all of it rolls back with the 422."""
    remittance = generate_835(2 * BATCH + 1)
    last = remittance.rindex("CLP*")
    clp = remittance[last : remittance.index("~", last)]
    paid = clp.split("*")[4]
    broken = remittance[:last] + clp.replace(f"*{paid}*", "*0.01*", 1) + remittance[last + len(clp) :]
    assert broken != remittance

    with pytest.raises(Unprocessable) as refused:
        await ingest_835(store.uow(), ORG, broken.encode())

    where = [(e["rule"], e["segment"], e["segment_index"]) for e in refused.value.errors]
    clp_index = broken[:last].count("~")  # segments before the last CLP: its 0-based index
    assert where == [
        ("835 BPR02 = sum(CLP04) - sum(PLB amounts)", "BPR", 3),
        ("835 CLP03 - sum(claim and line CAS) = CLP04", "CLP", clp_index),
    ]
    for table in (remittance_files, claim_payments, line_payments):
        assert await store.count(table.name) == 0
    assert await store.count("outbox") == 0

    taken = await ingest_835(store.uow(), ORG, remittance.encode())  # the same file, balanced
    assert (taken.duplicate, taken.claims) == (False, 2 * BATCH + 1)
