"""Load generations of reference data (Medicare PFS years, MS-DRG fiscal years).

Every load bumps its year's generation in the same transaction as the rows it writes; a process
holding a year in memory compares generations (one small query) and re-reads a year that another
process (the `load-medicare` CLI, another API worker) loaded since.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.orm_reference import reference_loads

R = reference_loads.c


class ReferenceKind(StrEnum):
    MEDICARE = "medicare"  # physician fee schedule, by calendar year
    MSDRG = "msdrg"  # MS-DRG relative weights, by federal fiscal year
    # the other Medicare schedules (medicare_schedule_files), by the calendar year of their releases
    ASC = "asc"
    OPPS = "opps"
    CLFS = "clfs"
    DMEPOS = "dmepos"


async def stamp(session: AsyncSession, kind: ReferenceKind, year: int) -> int:
    """Record a load of `year` (inside the loader's transaction); answers the new generation."""
    now = datetime.now(UTC)
    where = (R.kind == kind.value, R.year == year)
    result = await session.execute(
        update(reference_loads)
        .where(*where)
        .values(generation=R.generation + 1, loaded_at=now)
        .returning(R.generation)
    )
    generation = result.scalar_one_or_none()
    if generation is not None:
        return int(generation)
    await session.execute(
        insert(reference_loads).values(kind=kind.value, year=year, generation=1, loaded_at=now)
    )
    return 1


async def generations(session: AsyncSession, kind: ReferenceKind, years: set[int]) -> dict[int, int]:
    """The current generation of each of `years` that has been loaded."""
    if not years:
        return {}
    rows = await session.execute(
        select(R.year, R.generation).where(R.kind == kind.value, R.year.in_(sorted(years)))
    )
    return {int(row.year): int(row.generation) for row in rows}
