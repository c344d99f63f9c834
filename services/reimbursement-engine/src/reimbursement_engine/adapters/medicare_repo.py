"""Medicare reference data by year and release in the engine's tables (loaded from the CMS PFS
files): RVUs, GPCIs, OPPS caps and anesthesia conversion factors, and the releases themselves."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

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
from reimbursement_engine.adapters.orm_reference import medicare_releases
from reimbursement_engine.adapters.reference_loads import ReferenceKind
from reimbursement_engine.domain.pricing import Gpci, LocalityKey, MedicareYear, RvuRow
from reimbursement_engine.domain.pricing.medicare import NATIONAL_GPCI, OppsCap
from reimbursement_engine.domain.pricing.medicare_files import AnesthesiaFactors, medicare_year

_TABLES = (medicare_rvus, medicare_gpcis, medicare_opps_caps, medicare_anesthesia_cfs, medicare_releases)
_RVU_FIELDS = RvuRow.__slots__
_GPCI_FIELDS = ("name", "state", "work", "pe", "mp", "work_without_floor")


class LoadedYear(NamedTuple):
    rvus: int
    localities: int
    opps_caps: int
    anesthesia_localities: int


async def replace_year(session: AsyncSession, year: MedicareYear) -> LoadedYear:
    """Delete then insert one release of a year (a reload of the same release is idempotent; a
    named release also drops the year's unnamed rows, loaded before releases were recorded)."""
    for table in _TABLES:
        releases = {year.release, ""}
        await session.execute(delete(table).where(table.c.year == year.year, table.c.release.in_(releases)))
    key = {"year": year.year, "release": year.release}
    rvus = [{**key, **{f: getattr(r, f) for f in _RVU_FIELDS}} for r in year.rvus.values()]
    await insert_rows(session, medicare_rvus, rvus)
    gpcis = [
        {
            **key,
            "mac": g.locality.mac,
            "locality": g.locality.locality,
            **{f: getattr(g, f) for f in _GPCI_FIELDS},
        }
        for g in year.gpcis.values()
    ]
    await insert_rows(session, medicare_gpcis, gpcis)
    await _replace_extras(session, year, key)
    if year.release:
        await session.execute(
            insert(medicare_releases).values(
                **key,
                effective_on=year.effective_on,
                conversion_factor=year.conversion_factor,
                loaded_at=datetime.now(UTC),
            )
        )
    await reference_loads.stamp(session, ReferenceKind.MEDICARE, year.year)
    return LoadedYear(len(rvus), len(gpcis), len(year.opps_caps), len(year.anesthesia_cfs))


async def _replace_extras(session: AsyncSession, year: MedicareYear, key: dict[str, Any]) -> None:
    caps = [
        {
            **key,
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
        {**key, "mac": k.mac, "locality": k.locality, "name": name, "conversion_factor": factor}
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


async def read_year(session: AsyncSession, year: int) -> tuple[MedicareYear, ...]:
    """The year's releases, earliest in force first."""
    stated = await session.execute(select(medicare_releases).where(medicare_releases.c.year == year))
    meta = {r.release: (r.effective_on, r.conversion_factor) for r in stated}
    names = await session.scalars(
        select(medicare_gpcis.c.release).where(medicare_gpcis.c.year == year).distinct()
    )
    releases = [await _read_release(session, year, name, *meta.get(name, (None, None))) for name in names]
    return tuple(sorted(releases, key=lambda r: r.effective_on))


async def _rows(session: AsyncSession, table: Any, year: int, release: str) -> list[Any]:
    result = await session.execute(select(table).where(table.c.year == year, table.c.release == release))
    return list(result.all())


async def _read_release(
    session: AsyncSession, year: int, release: str, effective: date | None, cf: Any
) -> MedicareYear:
    rvus = [
        RvuRow(**{f: getattr(r, f) for f in _RVU_FIELDS})
        for r in await _rows(session, medicare_rvus, year, release)
    ]
    gpcis = [
        Gpci(LocalityKey(g.mac, g.locality), g.name, g.state, g.work, g.pe, g.mp, g.work_without_floor)
        for g in await _rows(session, medicare_gpcis, year, release)
    ]
    caps = [
        (c.hcpcs, c.modifier, LocalityKey(c.mac, c.locality), OppsCap(c.facility, c.non_facility))
        for c in await _rows(session, medicare_opps_caps, year, release)
    ]
    anes_rows = await _rows(session, medicare_anesthesia_cfs, year, release)
    factors = {LocalityKey(a.mac, a.locality): (a.name, a.conversion_factor) for a in anes_rows}
    national = factors.pop(NATIONAL_GPCI.locality, (None, None))[1]
    anesthesia = AnesthesiaFactors(national, factors) if factors or national is not None else None
    loaded = medicare_year(year, rvus, gpcis, caps, anesthesia)
    return replace(loaded, release=release, effective=effective, conversion_factor=cf)
