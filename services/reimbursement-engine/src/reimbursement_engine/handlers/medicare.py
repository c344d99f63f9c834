"""Medicare reference data by year: loaded from a CMS PFS release folder into the engine's tables."""

from __future__ import annotations

import asyncio
from pathlib import Path

from accord_common.uow import UnitOfWork

from reimbursement_engine.adapters import drg_repo, medicare_repo
from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.medicare_files import LoadedRelease, load_medicare_release
from reimbursement_engine.domain.pricing.msdrg import DrgWeightTable, parse_msdrg_weights


async def load_medicare(
    uow: UnitOfWork, caches: EngineCaches | None, directory: Path, year: int, release: str | None = None
) -> medicare_repo.LoadedYear:
    """Parse the year's CMS files (PPRRVU, GPCI; anesthesia factors and OPPS caps when present)
    and replace that release's rows; answers what was loaded."""
    parsed = await asyncio.to_thread(load_medicare_release, directory, year, release)
    return await store_medicare_release(uow, caches, parsed)


async def store_medicare_release(
    uow: UnitOfWork, caches: EngineCaches | None, parsed: LoadedRelease
) -> medicare_repo.LoadedYear:
    """Replace one release of a year with rows already parsed (from files or an upload)."""
    async with uow:
        counts = await medicare_repo.replace_year(uow.session, parsed.year)
        await uow.commit()
    if caches is not None:
        caches.forget_medicare(parsed.year.year)
    return counts


def read_msdrg_file(path: Path, fiscal_year: int) -> DrgWeightTable:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return parse_msdrg_weights(stream, fiscal_year)


async def load_msdrg_weights(
    uow: UnitOfWork, caches: EngineCaches | None, path: Path, fiscal_year: int
) -> int:
    """Replace one fiscal year's MS-DRG relative weights from a drg,weight[,description] CSV."""
    table = await asyncio.to_thread(read_msdrg_file, path, fiscal_year)
    async with uow:
        count = await drg_repo.replace_year(uow.session, table)
        await uow.commit()
    if caches is not None:
        caches.forget_drg_weights(fiscal_year)
    return count
