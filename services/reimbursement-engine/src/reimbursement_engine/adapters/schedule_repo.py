"""Medicare schedule files in the engine's tables: one row per schedule, effective date and part,
replaced when the same part of the same release is loaded again."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, delete, extract, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters import reference_loads
from reimbursement_engine.adapters.orm_schedules import medicare_schedule_files
from reimbursement_engine.adapters.reference_loads import ReferenceKind
from reimbursement_engine.domain.pricing.schedule_files import FileReport
from reimbursement_engine.domain.pricing.schedule_releases import HeldFile, ScheduleYear, schedule_year
from reimbursement_engine.domain.pricing.schedules import Basis

F = medicare_schedule_files.c


def kind_of(schedule: Basis) -> ReferenceKind:
    return ReferenceKind(schedule.value.lower())


async def replace_file(
    session: AsyncSession,
    schedule: Basis,
    effective_on: date,
    part: str,
    filename: str,
    text: str,
    report: FileReport,
) -> int:
    """Store one part of a release (replacing it) and bump the year's generation (answered)."""
    where = (F.schedule == schedule.value, F.effective_on == effective_on, F.part == part)
    await session.execute(delete(medicare_schedule_files).where(*where))
    await session.execute(
        insert(medicare_schedule_files).values(
            schedule=schedule.value,
            effective_on=effective_on,
            part=part,
            filename=filename[:200],
            content=text,
            rows_read=report.read,
            rows_refused=len(report.refused),
            loaded_at=datetime.now(UTC),
        )
    )
    if schedule is Basis.PFS:  # held until the year loads whole (load_medicare stamps it then)
        return 0
    return await reference_loads.stamp(session, kind_of(schedule), effective_on.year)


def _in_year(year: int) -> ColumnElement[bool]:
    return extract("year", F.effective_on) == year


async def read_year(session: AsyncSession, schedule: Basis, year: int) -> ScheduleYear:
    rows = await session.execute(
        select(F.effective_on, F.part, F.content).where(F.schedule == schedule.value, _in_year(year))
    )
    files = [HeldFile(r.effective_on, r.part, r.content) for r in rows]
    return schedule_year(schedule, year, files)


async def years_present(session: AsyncSession, schedule: Basis, years: set[int]) -> set[int]:
    if not years:
        return set()
    found = await session.scalars(select(F.effective_on).where(F.schedule == schedule.value).distinct())
    return {on.year for on in found} & years


async def held_parts(
    session: AsyncSession, schedule: Basis, effective_on: date
) -> dict[str, tuple[str, str]]:
    """The parts held of one release: part -> (file name, text)."""
    rows = await session.execute(
        select(F.part, F.filename, F.content).where(
            F.schedule == schedule.value, F.effective_on == effective_on
        )
    )
    return {r.part: (r.filename, r.content) for r in rows}
