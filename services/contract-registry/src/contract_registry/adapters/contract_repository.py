"""Contracts and their versions: load and save the aggregate, scoped to one organisation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from accord_common.errors import NotFound
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contract_registry.adapters.contract_cache import DECODED
from contract_registry.adapters.contract_codec import (
    assemble_contract,
    contract_from_rows,
    decision_to_json,
    decode_parts,
    stored_versions,
    terms_to_json,
)
from contract_registry.adapters.orm import contract_versions, contracts
from contract_registry.domain import Contract, ContractVersion, version_to_dict


class ContractRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def row(self, contract_id: str, *, for_update: bool = False) -> Any:
        """The contract's row; another organisation's contract is simply not found."""
        query = select(contracts).where(
            contracts.c.id == contract_id, contracts.c.organization_id == self.org
        )
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        if row is None:
            raise NotFound(f"contract {contract_id} not found")
        return row

    async def get(self, contract_id: str, *, for_update: bool = False) -> Contract:
        row = await self.row(contract_id, for_update=for_update)
        return contract_from_rows(row, await self.version_rows(contract_id))

    async def read(self, contract_id: str) -> tuple[Any, Contract]:
        """For views: the contract's row and the aggregate, its versions decoded once per process
        for each state of the contract (adapters/contract_cache.py). Not for changing it."""
        row = await self.row(contract_id)
        parts = DECODED.get(row)
        if parts is None:
            parts = decode_parts(row, await self.version_rows(contract_id))
            DECODED.put(row, parts)
        return row, assemble_contract(row, parts)

    async def version_rows(self, contract_id: str) -> list[Any]:
        query = (
            select(contract_versions)
            .where(contract_versions.c.contract_id == contract_id)
            .order_by(contract_versions.c.number)
        )
        return list((await self.session.execute(query)).all())

    async def add(self, contract: Contract, *, name: str, actor: str, now: datetime) -> None:
        await self.session.execute(
            insert(contracts).values(
                id=contract.id,
                organization_id=self.org,
                payer_id=contract.payer_id,
                name=name,
                required_approver_roles=sorted(contract.required_approver_roles),
                created_at=now,
                **self._state(contract, now.date()),
                updated_at=now,
            )
        )
        await self._write_versions(contract, actor, now)

    async def save(self, contract: Contract, *, actor: str, now: datetime, name: str | None = None) -> None:
        renamed = {"name": name} if name is not None else {}
        await self.session.execute(
            update(contracts)
            .where(contracts.c.id == contract.id, contracts.c.organization_id == self.org)
            .values(**self._state(contract, now.date()), **renamed, updated_at=now)
        )
        await self._write_versions(contract, actor, now)

    def _state(self, contract: Contract, today: date) -> dict[str, Any]:
        latest = stored_versions(contract, today)[-1]
        return {
            "status": contract.status.value,
            "line_of_business": contract.line_of_business.value,
            "plan_ids": list(contract.plan_ids),
            "scope": contract.scope.to_dict(),
            "draft_terms": terms_to_json(contract.draft_terms),
            "approvals": [decision_to_json(d) for d in contract.approvals],
            "rejections": [decision_to_json(d) for d in contract.rejections],
            "current_version": latest.number,
            "termination_date": latest.terms.termination_date,
            "revision": contract.revision,
            "submitted_by_key_id": contract.submitted_by,
        }

    async def _write_versions(self, contract: Contract, actor: str, now: datetime) -> None:
        """Insert new versions, restate changed ones (an end date, activation); drop withdrawn ones."""
        versions = stored_versions(contract, now.date())
        held = {row.number: row for row in await self.version_rows(contract.id)}
        proposed = not contract.versions
        for version in versions:
            values = _version_values(version, proposed)
            row = held.get(version.number)
            if row is None:
                await self.session.execute(
                    insert(contract_versions).values(
                        contract_id=contract.id, created_at=now, created_by=actor, **values
                    )
                )
            elif row.data != values["data"] or row.proposed != proposed:
                await self.session.execute(
                    update(contract_versions)
                    .where(
                        contract_versions.c.contract_id == contract.id,
                        contract_versions.c.number == version.number,
                    )
                    .values(**values)
                )
        await self.session.execute(
            delete(contract_versions).where(
                contract_versions.c.contract_id == contract.id,
                contract_versions.c.number > len(versions),
            )
        )


def _version_values(version: ContractVersion, proposed: bool) -> dict[str, Any]:
    return {
        "number": version.number,
        "proposed": proposed,
        "effective_from": version.effective_from,
        "effective_to": version.effective_to,
        "retroactive": version.retroactive,
        "payer_initiated": version.payer_initiated,
        "objection_window_days": version.objection_window_days,
        "data": version_to_dict(version),
    }
