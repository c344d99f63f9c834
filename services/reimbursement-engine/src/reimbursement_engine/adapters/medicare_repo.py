"""Medicare reference data by year in the engine's tables (loaded from the CMS PFS files): RVUs,
GPCIs, OPPS caps and anesthesia conversion factors."""

from __future__ import annotations

from typing import NamedTuple

from accord_common.bulk import insert_rows
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters import reference_loads
from reimbursement_engine.adapters.orm import (
    medicare_anesthesia_cfs,
    medicare_gpcis,
    medicare_opps_caps,
    medicare_rvus,
)
from reimbursement_engine.adapters.reference_loads import ReferenceKind
from reimbursement_engine.domain.pricing import Gpci, LocalityKey, MedicareYear, RvuRow
from reimbursement_engine.domain.pricing.medicare import NATIONAL_GPCI, OppsCap
from reimbursement_engine.domain.pricing.medicare_files import AnesthesiaFactors, medicare_year

_BATCH = 5000


class LoadedYear(NamedTuple):
    rvus: int
    localities: int
    opps_caps: int
    anesthesia_localities: int


async def replace_year(session: AsyncSession, year: MedicareYear) -> LoadedYear:
    """Delete then insert one year's reference data (a reload of the same year is idempotent)."""
    for table in (medicare_rvus, medicare_gpcis, medicare_opps_caps, medicare_anesthesia_cfs):
        await session.execute(delete(table).where(table.c.year == year.year))
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
    await _replace_extras(session, year)
    await reference_loads.stamp(session, ReferenceKind.MEDICARE, year.year)
    return LoadedYear(len(rvus), len(gpcis), len(year.opps_caps), len(year.anesthesia_cfs))


async def _replace_extras(session: AsyncSession, year: MedicareYear) -> None:
    caps = [
        {
            "year": year.year,
            "hcpcs": hcpcs,
            "modifier": modifier,
            "mac": locality.mac,
            "locality": locality.locality,
            "facility": cap.facility,
            "non_facility": cap.non_facility,
        }
        for (hcpcs, modifier, locality), cap in year.opps_caps.items()
    ]
    await insert_rows(session, medicare_opps_caps, caps)
    factors = [(NATIONAL_GPCI.locality, "national", year.anesthesia_national_cf)] + [
        (locality, getattr(year.gpcis.get(locality), "name", ""), factor)
        for locality, factor in year.anesthesia_cfs.items()
    ]
    rows = [
        {"year": year.year, "mac": k.mac, "locality": k.locality, "name": name, "conversion_factor": factor}
        for k, name, factor in factors
        if factor is not None
    ]
    await insert_rows(session, medicare_anesthesia_cfs, rows)


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
    cap_rows = await session.execute(select(medicare_opps_caps).where(medicare_opps_caps.c.year == year))
    caps = [
        (c.hcpcs, c.modifier, LocalityKey(c.mac, c.locality), OppsCap(c.facility, c.non_facility))
        for c in cap_rows
    ]
    anes_rows = await session.execute(
        select(medicare_anesthesia_cfs).where(medicare_anesthesia_cfs.c.year == year)
    )
    factors = {LocalityKey(a.mac, a.locality): (a.name, a.conversion_factor) for a in anes_rows}
    national = factors.pop(NATIONAL_GPCI.locality, (None, None))[1]
    anesthesia = AnesthesiaFactors(national, factors) if factors or national is not None else None
    return medicare_year(year, rvus, gpcis, caps, anesthesia)
