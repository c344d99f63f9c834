"""Process-local caches of immutable reference data: contract terms by version, Medicare by year.

A contract version's content changes only with a higher revision (a draft edit, an activation, a
correction) and a Medicare year only by an explicit reload, so both are safe to keep; keys include
the version's revision and the content hash of its fee schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters import drg_repo, medicare_repo
from reimbursement_engine.adapters.projection_repo import ProjectionRepository
from reimbursement_engine.adapters.terms_mapping import contract_terms
from reimbursement_engine.domain.contract_choice import VersionRef
from reimbursement_engine.domain.pricing import ContractTerms, MedicareReference, MedicareYear
from reimbursement_engine.domain.pricing.msdrg import DrgWeightTable
from reimbursement_engine.domain.reconciliation import DEFAULT_TOLERANCE

_TERMS_LIMIT = 2000


class EngineCaches:
    def __init__(self, default_tolerance: Decimal = DEFAULT_TOLERANCE) -> None:
        self.default_tolerance = default_tolerance
        self._terms: dict[tuple[str, int, int, str | None], ContractTerms] = {}
        self._years: dict[int, MedicareYear] = {}
        self._drg_years: dict[int, DrgWeightTable] = {}
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
        weights) that is loaded; absent years are re-checked on the next call."""
        wanted = set(years) - set(self._years)
        present = await medicare_repo.years_present(session, wanted)
        for year in sorted(present):
            self._years[year] = await medicare_repo.read_year(session, year)
        drg_present = await drg_repo.years_present(session, set(drg_years) - set(self._drg_years))
        for year in sorted(drg_present):
            self._drg_years[year] = await drg_repo.read_year(session, year)
        if present or drg_present:
            self._rebuild()
        return self._reference

    def _rebuild(self) -> None:
        self._reference = MedicareReference(years=dict(self._years), drg_weights=dict(self._drg_years))

    def forget_medicare(self, year: int) -> None:
        self._years.pop(year, None)
        self._rebuild()

    def forget_drg_weights(self, fiscal_year: int) -> None:
        self._drg_years.pop(fiscal_year, None)
        self._rebuild()
