"""All of the registry's queries. Every read is scoped to one organisation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from accord_common.errors import NotFound
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contract_registry.adapters.orm import audit_log, contract_versions, contracts, payers


class RegistryRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def add_payer(self, row: dict[str, Any]) -> None:
        await self.session.execute(insert(payers).values(organization_id=self.org, **row))

    async def get_payer(self, payer_id: str) -> Any:
        row = (
            await self.session.execute(
                select(payers).where(payers.c.id == payer_id, payers.c.organization_id == self.org)
            )
        ).first()
        if row is None:
            raise NotFound(f"payer {payer_id} not found")
        return row

    async def list_payers(self, after: str | None, limit: int) -> list[Any]:
        query = select(payers).where(payers.c.organization_id == self.org)
        if after:
            query = query.where(payers.c.id > after)
        return list((await self.session.execute(query.order_by(payers.c.id).limit(limit))).all())

    async def add_contract(self, row: dict[str, Any]) -> None:
        await self.session.execute(insert(contracts).values(organization_id=self.org, **row))

    async def get_contract(self, contract_id: str, *, for_update: bool = False) -> Any:
        query = select(contracts).where(
            contracts.c.id == contract_id, contracts.c.organization_id == self.org
        )
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        if row is None:
            raise NotFound(f"contract {contract_id} not found")
        return row

    async def list_contracts(self, after: str | None, limit: int, status: str | None) -> list[Any]:
        query = select(contracts).where(contracts.c.organization_id == self.org)
        if status:
            query = query.where(contracts.c.status == status)
        if after:
            query = query.where(contracts.c.id > after)
        rows = await self.session.execute(query.order_by(contracts.c.id).limit(limit))
        return list(rows.all())

    async def versions(self, contract_id: str) -> list[Any]:
        rows = await self.session.execute(
            select(contract_versions)
            .where(contract_versions.c.contract_id == contract_id)
            .order_by(contract_versions.c.version)
        )
        return list(rows.all())

    async def add_version(self, row: dict[str, Any]) -> None:
        await self.session.execute(insert(contract_versions).values(**row))

    async def close_version(self, contract_id: str, version: int, effective_to: Any) -> None:
        await self.session.execute(
            update(contract_versions)
            .where(contract_versions.c.contract_id == contract_id, contract_versions.c.version == version)
            .values(effective_to=effective_to)
        )

    async def set_current_version(self, contract_id: str, version: int) -> None:
        await self.session.execute(
            update(contracts)
            .where(contracts.c.id == contract_id)
            .values(current_version=version, updated_at=datetime.now(UTC))
        )

    async def audit(
        self,
        *,
        actor: str,
        action: str,
        contract_id: str | None,
        changes: dict[str, Any],
        comment: str | None = None,
    ) -> None:
        await self.session.execute(
            insert(audit_log).values(
                organization_id=self.org,
                contract_id=contract_id,
                actor=actor,
                action=action,
                at=datetime.now(UTC),
                changes=changes,
                comment=comment,
            )
        )

    async def audit_entries(self, contract_id: str | None, after: int | None, limit: int) -> list[Any]:
        query = select(audit_log).where(audit_log.c.organization_id == self.org)
        if contract_id:
            query = query.where(audit_log.c.contract_id == contract_id)
        if after:
            query = query.where(audit_log.c.id > after)
        rows = await self.session.execute(query.order_by(audit_log.c.id).limit(limit))
        return list(rows.all())
