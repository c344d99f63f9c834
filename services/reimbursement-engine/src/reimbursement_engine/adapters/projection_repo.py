"""Queries on the contract projection: contracts, their versions and assembled fee schedules.

Every contract.* event carries the contract's revision (one per change the registry published):
the projection keeps, for each version number, the content of the highest revision it saw, so a
draft edit, an activation or a correction (same number) replaces what it holds, and a stale event
(a lower revision, delivered late from another topic) changes nothing. Events from before
revisions (revision 0) keep the old rule: a version number is applied once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from accord_common.events.payloads import ContractVersionData, FeeScheduleChunkData
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.orm import contract_versions, contracts, fee_schedule_chunks, fee_schedules
from reimbursement_engine.domain.contract_choice import ContractScope, VersionRef

SCOPE_FIELDS = ("line_of_business", "plan_ids", "claim_types", "bill_types", "provider_tins", "provider_npis")


def scope_of(version: ContractVersionData) -> dict[str, Any]:
    """The contract-level matching criteria a contract.* payload carries (JSON-safe)."""
    return {name: getattr(version, name) for name in SCOPE_FIELDS if getattr(version, name)}


def contract_scope(stored: dict[str, Any] | None) -> ContractScope:
    stored = stored or {}
    return ContractScope(
        line_of_business=stored.get("line_of_business"),
        plan_ids=frozenset(stored.get("plan_ids") or ()),
        claim_types=frozenset(stored.get("claim_types") or ()),
        bill_types=frozenset(stored.get("bill_types") or ()),
        provider_tins=frozenset(stored.get("provider_tins") or ()),
        provider_npis=frozenset(stored.get("provider_npis") or ()),
    )


class ProjectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def has_version(self, contract_id: str, version: int) -> bool:
        found = await self.session.scalar(
            select(contract_versions.c.version).where(
                contract_versions.c.contract_id == contract_id, contract_versions.c.version == version
            )
        )
        return found is not None

    async def is_newer_content(self, version: ContractVersionData) -> bool:
        """Whether the event carries content the projection does not hold yet: a version it does
        not hold, or a higher revision than any it holds for the contract."""
        if version.revision and version.revision > await self._held_revision(version.contract_id):
            return True
        return not await self.has_version(version.contract_id, version.version)

    async def _held_revision(self, contract_id: str) -> int:
        held = await self.session.scalars(
            select(contract_versions.c.data).where(contract_versions.c.contract_id == contract_id)
        )
        return max((_revision(data) for data in held), default=0)

    async def contract(self, contract_id: str) -> Any:
        return (
            await self.session.execute(select(contracts).where(contracts.c.contract_id == contract_id))
        ).first()

    async def upsert_contract(self, version: ContractVersionData) -> None:
        """Contract-level state (status, payer) follows the highest revision seen (before
        revisions: the highest version)."""
        now = datetime.now(UTC)
        contract_id, revision = version.contract_id, version.revision
        held = await self.contract(contract_id)
        values = {
            "organization_id": version.organization_id,
            "payer_id": version.payer_id,
            "payer_x12_id": version.payer_x12_id,
            "status": version.status,
            "latest_version": version.version,
            "updated_at": now,
            "contract_name": version.contract_name,
            "scope": scope_of(version),
        }
        if held is None:
            await self.session.execute(insert(contracts).values(contract_id=contract_id, **values))
        elif (revision and revision > await self._held_revision(contract_id)) or (
            not revision and version.version >= held.latest_version
        ):
            await self.session.execute(
                update(contracts).where(contracts.c.contract_id == contract_id).values(**values)
            )

    async def add_version(self, version: ContractVersionData) -> None:
        """Hold the event's version (as the catalogue's model, JSON): inserted, or its content
        replaced (same number, newer revision); a withdrawn version and any after it are dropped."""
        effective_from, effective_to = version.effective_from, version.effective_to
        contract_id, number = version.contract_id, version.version
        if version.withdrawn_version:
            await self.session.execute(
                delete(contract_versions).where(
                    contract_versions.c.contract_id == contract_id,
                    contract_versions.c.version >= version.withdrawn_version,
                    contract_versions.c.version > number,
                )
            )
        content = {
            "organization_id": version.organization_id,
            "effective_from": effective_from,
            "effective_to": effective_to,
            "retroactive": version.retroactive,
            "fee_schedule_hash": version.fee_schedule.content_hash if version.fee_schedule else None,
            "data": version.model_dump(mode="json"),
            "received_at": datetime.now(UTC),
        }
        if await self.has_version(contract_id, number):
            await self.session.execute(
                update(contract_versions)
                .where(contract_versions.c.contract_id == contract_id, contract_versions.c.version == number)
                .values(**content)
            )
        else:
            await self.session.execute(
                insert(contract_versions).values(contract_id=contract_id, version=number, **content)
            )
        # the registry closes the previous version the day before the new one starts
        await self.session.execute(
            update(contract_versions)
            .where(
                contract_versions.c.contract_id == contract_id,
                contract_versions.c.version < number,
                or_(
                    contract_versions.c.effective_to.is_(None),
                    contract_versions.c.effective_to >= effective_from,
                ),
            )
            .values(effective_to=effective_from - timedelta(days=1))
        )

    async def set_version_end(self, contract_id: str, version: int, effective_to: date | None) -> None:
        await self.session.execute(
            update(contract_versions)
            .where(contract_versions.c.contract_id == contract_id, contract_versions.c.version == version)
            .values(effective_to=effective_to)
        )

    async def version_refs(self, organization_id: str) -> list[VersionRef]:
        """Every version of the organisation's contracts (the chooser picks one per claim)."""
        query = (
            select(
                contract_versions,
                contracts.c.payer_id,
                contracts.c.payer_x12_id,
                contracts.c.status,
                contracts.c.contract_name,
                contracts.c.scope,
            )
            .join(contracts, contracts.c.contract_id == contract_versions.c.contract_id)
            .where(contract_versions.c.organization_id == organization_id)
        )
        rows = (await self.session.execute(query)).all()
        return [
            VersionRef(
                r.contract_id,
                r.version,
                r.payer_id,
                r.payer_x12_id,
                r.status,
                r.effective_from,
                r.effective_to,
                r.fee_schedule_hash,
                contract_scope(r.scope),
                r.contract_name,
                _revision(r.data),
            )
            for r in rows
        ]

    async def version_data(self, contract_id: str, version: int) -> dict[str, Any]:
        data: dict[str, Any] | None = await self.session.scalar(
            select(contract_versions.c.data).where(
                contract_versions.c.contract_id == contract_id, contract_versions.c.version == version
            )
        )
        if data is None:
            raise LookupError(f"contract {contract_id} v{version} is not in the projection")
        return data

    async def schedule_rows(self, content_hash: str) -> list[dict[str, Any]] | None:
        rows: list[dict[str, Any]] | None = await self.session.scalar(
            select(fee_schedules.c.rows).where(fee_schedules.c.content_hash == content_hash)
        )
        return rows

    async def assembled_hashes(self, hashes: set[str]) -> set[str]:
        if not hashes:
            return set()
        found = await self.session.scalars(
            select(fee_schedules.c.content_hash).where(fee_schedules.c.content_hash.in_(hashes))
        )
        return set(found)

    async def add_chunk(self, chunk: FeeScheduleChunkData) -> bool:
        """Store one chunk; False when it was already held."""
        held = await self.session.scalar(
            select(fee_schedule_chunks.c.chunk_index).where(
                fee_schedule_chunks.c.content_hash == chunk.content_hash,
                fee_schedule_chunks.c.chunk_index == chunk.chunk_index,
            )
        )
        if held is not None:
            return False
        await self.session.execute(
            insert(fee_schedule_chunks).values(
                content_hash=chunk.content_hash,
                chunk_index=chunk.chunk_index,
                schedule_id=chunk.schedule_id,
                organization_id=chunk.organization_id,
                chunk_count=chunk.chunk_count,
                rows=chunk.rows,
            )
        )
        return True

    async def assemble(self, content_hash: str, chunk_count: int, row_count: int) -> bool:
        """Join the chunks into one schedule once every chunk is held; True when it was assembled."""
        if await self.schedule_rows(content_hash) is not None:
            return False
        chunks = (
            await self.session.execute(
                select(fee_schedule_chunks)
                .where(fee_schedule_chunks.c.content_hash == content_hash)
                .order_by(fee_schedule_chunks.c.chunk_index)
            )
        ).all()
        if len(chunks) < chunk_count:
            return False
        rows = [row for chunk in chunks for row in chunk.rows]
        await self.session.execute(
            insert(fee_schedules).values(
                content_hash=content_hash,
                schedule_id=chunks[0].schedule_id,
                organization_id=chunks[0].organization_id,
                row_count=row_count or len(rows),
                rows=rows,
                assembled_at=datetime.now(UTC),
            )
        )
        return True


def _revision(data: dict[str, Any]) -> int:
    return int(data.get("revision") or 0)
