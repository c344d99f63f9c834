"""Process-local caches of reference data: contract terms by version, Medicare by year.

A contract version's content changes only with a higher revision (a draft edit, an activation, a
correction), so it is safe to keep: keys include the version's revision and the content hash of its
fee schedule. A Medicare year or MS-DRG fiscal year changes when someone loads it again, in any
process: each use compares the years' load generations with the database (one small query per kind)
and re-reads a year loaded since.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from decimal import Decimal
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters import drg_repo, medicare_repo, reference_loads
from reimbursement_engine.adapters.projection_repo import ProjectionRepository
from reimbursement_engine.adapters.reference_loads import ReferenceKind
from reimbursement_engine.adapters.terms_mapping import contract_terms
from reimbursement_engine.domain.contract_choice import VersionRef
from reimbursement_engine.domain.pricing import ContractTerms, MedicareReference, MedicareYear
from reimbursement_engine.domain.pricing.msdrg import DrgWeightTable
from reimbursement_engine.domain.reconciliation import DEFAULT_TOLERANCE

_TERMS_LIMIT = 2000


Y = TypeVar("Y")


class _Held(Generic[Y]):
    """Years of one reference data set held in memory, with the generation each was read at."""

    def __init__(
        self,
        kind: ReferenceKind,
        read: Callable[[AsyncSession, int], Awaitable[Y]],
        present: Callable[[AsyncSession, set[int]], Awaitable[set[int]]],
    ) -> None:
        self.kind, self.read, self.present = kind, read, present
        self.years: dict[int, Y] = {}
        self.generations: dict[int, int] = {}

    async def refresh(self, session: AsyncSession, wanted: set[int]) -> bool:
        """Read the wanted years loaded (again) since they were held; True when any changed."""
        if not wanted:
            return False
        stamps = await reference_loads.generations(session, self.kind, wanted)
        for year in await self.present(session, wanted - set(stamps) - set(self.years)):
            stamps[year] = 0  # loaded before generations were recorded
        changed = False
        for year in sorted(wanted):
            generation = stamps.get(year)
            if generation is None or (year in self.years and self.generations.get(year) == generation):
                continue
            self.years[year] = await self.read(session, year)
            self.generations[year] = generation
            changed = True
        return changed

    def forget(self, year: int) -> None:
        self.years.pop(year, None)
        self.generations.pop(year, None)


class EngineCaches:
    def __init__(self, default_tolerance: Decimal = DEFAULT_TOLERANCE) -> None:
        self.default_tolerance = default_tolerance
        self._terms: dict[tuple[str, int, int, str | None], ContractTerms] = {}
        self._years = _Held[tuple[MedicareYear, ...]](
            ReferenceKind.MEDICARE, medicare_repo.read_year, medicare_repo.years_present
        )
        self._drg_years = _Held[DrgWeightTable](
            ReferenceKind.MSDRG, drg_repo.read_year, drg_repo.years_present
        )
        self._reference = MedicareReference(years={})

    async def terms(self, session: AsyncSession, ref: VersionRef) -> ContractTerms:
        key = (ref.contract_id, ref.version, ref.revision, ref.fee_schedule_hash)
        cached = self._terms.get(key)
        if cached is None:
            repo = ProjectionRepository(session)
            data = await repo.version_data(ref.contract_id, ref.version)
            rows = await repo.schedule_rows(ref.fee_schedule_hash) if ref.fee_schedule_hash else []
            cached = contract_terms(data, rows or [])
            if len(self._terms) >= _TERMS_LIMIT:
                self._terms.clear()
            self._terms[key] = cached
        return cached

    async def medicare(
        self, session: AsyncSession, years: Iterable[int], drg_years: Iterable[int] = ()
    ) -> MedicareReference:
        """Reference data holding every wanted year (calendar for the PFS, fiscal for MS-DRG
        weights) as last loaded; absent years are re-checked on the next call."""
        changed = await self._years.refresh(session, set(years))
        changed = await self._drg_years.refresh(session, set(drg_years)) or changed
        if changed:
            self._rebuild()
        return self._reference

    def _rebuild(self) -> None:
        held = {year: releases for year, releases in self._years.years.items() if releases}
        self._reference = MedicareReference(
            years={year: releases[0] for year, releases in held.items()},
            later_releases={year: releases[1:] for year, releases in held.items() if len(releases) > 1},
            drg_weights=dict(self._drg_years.years),
        )

    def forget_medicare(self, year: int) -> None:
        self._years.forget(year)
        self._rebuild()

    def forget_drg_weights(self, fiscal_year: int) -> None:
        self._drg_years.forget(fiscal_year)
        self._rebuild()
