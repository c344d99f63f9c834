"""CMS MS-DRG relative weights by fiscal year in the engine's tables (loaded from a CSV)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters import reference_loads
from reimbursement_engine.adapters.orm_reference import msdrg_weights
from reimbursement_engine.adapters.reference_loads import ReferenceKind
from reimbursement_engine.domain.pricing.msdrg import DrgWeightTable

W = msdrg_weights.c


async def replace_year(session: AsyncSession, table: DrgWeightTable) -> int:
    """Delete then insert one fiscal year's weights (a reload of the same year is idempotent)."""
    await session.execute(delete(msdrg_weights).where(W.fiscal_year == table.fiscal_year))
    rows = [
        {
            "fiscal_year": table.fiscal_year,
            "drg": drg,
            "weight": weight,
            "description": table.descriptions.get(drg),
        }
        for drg, weight in table.weights.items()
    ]
    await session.execute(insert(msdrg_weights), rows)
    await reference_loads.stamp(session, ReferenceKind.MSDRG, table.fiscal_year)
    return len(rows)


async def years_present(session: AsyncSession, years: set[int]) -> set[int]:
    if not years:
        return set()
    found = await session.scalars(select(W.fiscal_year).where(W.fiscal_year.in_(years)).distinct())
    return set(found)


async def read_year(session: AsyncSession, fiscal_year: int) -> DrgWeightTable:
    rows = (await session.execute(select(msdrg_weights).where(W.fiscal_year == fiscal_year))).all()
    weights = {r.drg: r.weight for r in rows}
    descriptions = {r.drg: r.description for r in rows if r.description}
    return DrgWeightTable(fiscal_year, weights, descriptions)
