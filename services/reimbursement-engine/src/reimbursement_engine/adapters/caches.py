"""Process-local caches of immutable reference data: contract terms by version, Medicare by year.

A contract version never changes once received and a Medicare year only by an explicit reload,
so both are safe to keep; keys include the content hash of the version's fee schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters import medicare_repo
from reimbursement_engine.adapters.projection_repo import ProjectionRepository
from reimbursement_engine.adapters.terms_mapping import contract_terms
from reimbursement_engine.domain.contract_choice import VersionRef
from reimbursement_engine.domain.pricing import ContractTerms, MedicareReference, MedicareYear

_TERMS_LIMIT = 2000


class EngineCaches:
    def __init__(self, default_tolerance: Decimal = Decimal("1.00")) -> None:
        self.default_tolerance = default_tolerance
        self._terms: dict[tuple[str, int, str | None], ContractTerms] = {}
        self._years: dict[int, MedicareYear] = {}
        self._reference = MedicareReference(years={})

    async def terms(self, session: AsyncSession, ref: VersionRef) -> ContractTerms:
        key = (ref.contract_id, ref.version, ref.fee_schedule_hash)
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

    async def medicare(self, session: AsyncSession, years: Iterable[int]) -> MedicareReference:
        """Reference data holding every wanted year that is loaded (absent years are re-checked)."""
        wanted = set(years) - set(self._years)
        present = await medicare_repo.years_present(session, wanted)
        for year in sorted(present):
            self._years[year] = await medicare_repo.read_year(session, year)
        if present:
            self._reference = MedicareReference(years=dict(self._years))
        return self._reference

    def forget_medicare(self, year: int) -> None:
        self._years.pop(year, None)
        self._reference = MedicareReference(years=dict(self._years))
