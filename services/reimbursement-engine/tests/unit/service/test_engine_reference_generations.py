"""A year loaded by another process is read again by every process's caches (issue 10 item 12):
two EngineCaches stand for an API worker and the `load-msdrg-weights` / `load-medicare` CLI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from accord_common.db import make_engine, make_session_factory
from accord_common.uow import UnitOfWork
from reimbursement_engine.adapters import drg_repo, medicare_repo
from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.orm import metadata
from reimbursement_engine.domain.pricing import Gpci, LocalityKey, MedicareYear, RvuRow
from reimbursement_engine.domain.pricing.msdrg import DrgWeightTable
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

D = Decimal
LOCALITY = LocalityKey("01112", "54")
ON = date(2025, 3, 14)


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'engine.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield make_session_factory(engine)
    await engine.dispose()


async def load_drg(sessions: async_sessionmaker[AsyncSession], weight: str) -> None:
    """What `load-msdrg-weights` does in its own process (no caches of the workers to tell)."""
    async with UnitOfWork(sessions, metadata) as uow:
        await drg_repo.replace_year(uow.session, DrgWeightTable(2025, {"470": D(weight)}, {}))
        await uow.commit()


async def load_pfs(sessions: async_sessionmaker[AsyncSession], work_rvu: str) -> None:
    year = MedicareYear(
        2025,
        {("99213", ""): RvuRow("99213", "", "A", D(work_rvu), D("1.35"), D("0.57"), D("0.10"))},
        {LOCALITY: Gpci(LOCALITY, "BAKERSFIELD", "CA", D("1.017"), D("1.093"), D("0.662"))},
    )
    async with UnitOfWork(sessions, metadata) as uow:
        await medicare_repo.replace_year(uow.session, year)
        await uow.commit()


async def test_a_reloaded_msdrg_year_is_used_by_a_running_worker(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    worker = EngineCaches()
    async with sessions() as session:
        assert (await worker.medicare(session, [], [2025])).drg_weight("470", ON) is None
    await load_drg(sessions, "1.9016")
    async with sessions() as session:
        assert (await worker.medicare(session, [], [2025])).drg_weight("470", ON) == (D("1.9016"), 2025)
    await load_drg(sessions, "1.8733")  # CMS's correction notice, loaded while the worker runs
    async with sessions() as session:
        assert (await worker.medicare(session, [], [2025])).drg_weight("470", ON) == (D("1.8733"), 2025)


async def test_a_reloaded_medicare_year_is_used_and_an_unchanged_one_is_not_read_again(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    worker = EngineCaches()
    await load_pfs(sessions, "1.30")
    async with sessions() as session:
        first = await worker.medicare(session, [2025])
        again = await worker.medicare(session, [2025])
    assert again is first  # same generation: nothing re-read
    assert first.years[2025].rvus[("99213", "")].work == D("1.30")
    await load_pfs(sessions, "2.00")
    async with sessions() as session:
        reloaded = await worker.medicare(session, [2025])
    assert reloaded.years[2025].rvus[("99213", "")].work == D("2.00")
