"""The contract projection's queries: load, store, the names for a batch of events, and the
terms of each version seen (to say what a new version changed)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.orm import contract_versions, contracts
from notifier.domain import ContractSummary, VersionTerms


def summary_from_row(row: Any) -> ContractSummary:
    return ContractSummary(
        contract_id=row.contract_id,
        organization_id=row.organization_id,
        payer_id=row.payer_id,
        version=row.version,
        status=row.status,
        contract_name=row.contract_name,
        payer_name=row.payer_name,
        payer_x12_id=row.payer_x12_id,
        revision=row.revision,
    )


def _keep_terms(dialect: Any) -> Any:
    """Insert a version's terms, or update them unless the row holds a newer revision."""
    statement = dialect.insert(contract_versions)
    return statement.on_conflict_do_update(
        index_elements=["contract_id", "version"],
        set_={
            "organization_id": statement.excluded.organization_id,
            "terms": statement.excluded.terms,
            "revision": statement.excluded.revision,
            "updated_at": statement.excluded.updated_at,
        },
        where=contract_versions.c.revision <= statement.excluded.revision,
    )


# built once, values bound per call (a statement built with its values each time cost more to
# make and to look up in SQLAlchemy's compiled cache than to run)
_GET = select(contracts).where(contracts.c.contract_id == bindparam("wanted"))
_GET_FOR_UPDATE = _GET.with_for_update()
_UPDATE = update(contracts).where(contracts.c.contract_id == bindparam("wanted"))
_INSERT = insert(contracts)
_KEEP_TERMS = {"postgresql": _keep_terms(postgresql), "sqlite": _keep_terms(sqlite)}


class ContractProjection:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, contract_id: str, *, for_update: bool = False) -> ContractSummary | None:
        query = _GET_FOR_UPDATE if for_update else _GET
        row = (await self.session.execute(query, {"wanted": contract_id})).first()
        return None if row is None else summary_from_row(row)

    async def put(self, summary: ContractSummary, now: datetime, *, exists: bool) -> None:
        values = {
            "organization_id": summary.organization_id,
            "contract_name": summary.contract_name,
            "payer_id": summary.payer_id,
            "payer_name": summary.payer_name,
            "payer_x12_id": summary.payer_x12_id,
            "status": summary.status,
            "version": summary.version,
            "revision": summary.revision,
            "updated_at": now,
        }
        if exists:
            await self.session.execute(_UPDATE, {**values, "wanted": summary.contract_id})
        else:
            await self.session.execute(_INSERT, {**values, "contract_id": summary.contract_id})

    async def for_organization(
        self, organization_id: str, contract_ids: Iterable[str]
    ) -> dict[str, ContractSummary]:
        """The contracts of one organisation among `contract_ids`, by id (unknown ones left out)."""
        wanted = sorted(set(contract_ids))
        if not wanted:
            return {}
        query = select(contracts).where(
            contracts.c.organization_id == organization_id, contracts.c.contract_id.in_(wanted)
        )
        return {row.contract_id: summary_from_row(row) for row in (await self.session.execute(query)).all()}

    async def keep_terms(self, summary: ContractSummary, terms: VersionTerms, now: datetime) -> None:
        """The terms of this version, as the newest revision about it says them (a stale event,
        delivered late from another topic, changes nothing). One statement: insert, or update
        unless the row holds a newer revision."""
        values = {
            "contract_id": summary.contract_id,
            "version": summary.version,
            "organization_id": summary.organization_id,
            "terms": terms,
            "revision": summary.revision,
            "updated_at": now,
        }
        dialect = self.session.get_bind().dialect.name
        await self.session.execute(_KEEP_TERMS["postgresql" if dialect == "postgresql" else "sqlite"], values)

    async def version_before(
        self, organization_id: str, contract_id: str, version: int
    ) -> tuple[int, VersionTerms] | None:
        """The newest version held below `version`, with its terms (None: none held)."""
        query = (
            select(contract_versions.c.version, contract_versions.c.terms)
            .where(
                contract_versions.c.organization_id == organization_id,
                contract_versions.c.contract_id == contract_id,
                contract_versions.c.version < version,
            )
            .order_by(contract_versions.c.version.desc())
            .limit(1)
        )
        row = (await self.session.execute(query)).first()
        return None if row is None else (int(row.version), dict(row.terms))
