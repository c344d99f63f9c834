"""Medicare reference data by year: loaded from a CMS PFS release folder into the engine's tables."""

from __future__ import annotations

import asyncio
from pathlib import Path

from accord_common.uow import UnitOfWork

from reimbursement_engine.adapters import medicare_repo
from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.domain.pricing.medicare_files import load_medicare_year


async def load_medicare(
    uow: UnitOfWork, caches: EngineCaches | None, directory: Path, year: int
) -> tuple[int, int]:
    """Parse pprrvu<year>_oct.csv and gpci<year>.csv and replace that year's rows; (rvus, gpcis)."""
    parsed = await asyncio.to_thread(load_medicare_year, directory, year)
    async with uow:
        counts = await medicare_repo.replace_year(uow.session, parsed)
        await uow.commit()
    if caches is not None:
        caches.forget_medicare(year)
    return counts
