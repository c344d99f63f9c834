"""Medicare reference data by year in the engine's tables (loaded from the CMS PFS files)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.orm import medicare_gpcis, medicare_rvus
from reimbursement_engine.domain.pricing import Gpci, LocalityKey, MedicareYear, RvuRow
from reimbursement_engine.domain.pricing.medicare_files import medicare_year

_BATCH = 5000


async def replace_year(session: AsyncSession, year: MedicareYear) -> tuple[int, int]:
    """Delete then insert one year's RVUs and GPCIs (a reload of the same year is idempotent)."""
    await session.execute(delete(medicare_rvus).where(medicare_rvus.c.year == year.year))
    await session.execute(delete(medicare_gpcis).where(medicare_gpcis.c.year == year.year))
    rvus = [
        {
            "year": year.year,
            "hcpcs": r.hcpcs,
            "modifier": r.modifier,
            "status": r.status,
            "work": r.work,
            "pe_non_facility": r.pe_non_facility,
            "pe_facility": r.pe_facility,
            "mp": r.mp,
            "mult_proc": r.mult_proc,
            "non_facility_na": r.non_facility_na,
            "facility_na": r.facility_na,
        }
        for r in year.rvus.values()
    ]
    for start in range(0, len(rvus), _BATCH):
        await session.execute(insert(medicare_rvus), rvus[start : start + _BATCH])
    gpcis = [
        {
            "year": year.year,
            "mac": g.locality.mac,
            "locality": g.locality.locality,
            "name": g.name,
            "state": g.state,
            "work": g.work,
            "pe": g.pe,
            "mp": g.mp,
        }
        for g in year.gpcis.values()
    ]
    if gpcis:
        await session.execute(insert(medicare_gpcis), gpcis)
    return len(rvus), len(gpcis)


async def years_present(session: AsyncSession, years: set[int]) -> set[int]:
    if not years:
        return set()
    found = await session.scalars(
        select(medicare_gpcis.c.year).where(medicare_gpcis.c.year.in_(years)).distinct()
    )
    return set(found)


async def read_year(session: AsyncSession, year: int) -> MedicareYear:
    rvu_rows = (await session.execute(select(medicare_rvus).where(medicare_rvus.c.year == year))).all()
    gpci_rows = (await session.execute(select(medicare_gpcis).where(medicare_gpcis.c.year == year))).all()
    rvus = [
        RvuRow(
            r.hcpcs,
            r.modifier,
            r.status,
            r.work,
            r.pe_non_facility,
            r.pe_facility,
            r.mp,
            r.mult_proc,
            r.non_facility_na,
            r.facility_na,
        )
        for r in rvu_rows
    ]
    gpcis = [Gpci(LocalityKey(g.mac, g.locality), g.name, g.state, g.work, g.pe, g.mp) for g in gpci_rows]
    return medicare_year(year, rvus, gpcis)
