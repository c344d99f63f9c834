"""Fee schedules and their rows: batched inserts and batched (keyset) reads, so size never matters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any

from accord_common.errors import NotFound
from sqlalchemy import Date, delete, func, insert, literal, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from contract_registry.adapters.orm import contract_versions, contracts, fee_schedule_rows, fee_schedules

BATCH = 1000
R = fee_schedule_rows.c


class FeeScheduleRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(fee_schedules).values(organization_id=self.org, **values))

    async def finish(self, schedule_id: str, content_hash: str, row_count: int) -> None:
        await self.session.execute(
            update(fee_schedules)
            .where(fee_schedules.c.id == schedule_id)
            .values(content_hash=content_hash, row_count=row_count)
        )

    async def get(self, schedule_id: str, *, for_update: bool = False) -> Any:
        query = select(fee_schedules).where(
            fee_schedules.c.id == schedule_id, fee_schedules.c.organization_id == self.org
        )
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        if row is None:
            raise NotFound(f"fee schedule {schedule_id} not found")
        return row

    async def versions_naming(self, schedule_id: str, limit: int = 10) -> list[Any]:
        """(contract_id, number) of the organisation's contract versions naming the schedule."""
        named = contract_versions.c.data[("fee_schedule", "schedule_id")].as_string()
        query = (
            select(contract_versions.c.contract_id, contract_versions.c.number)
            .join(contracts, contracts.c.id == contract_versions.c.contract_id)
            .where(contracts.c.organization_id == self.org, named == schedule_id)
            .order_by(contract_versions.c.contract_id, contract_versions.c.number)
            .limit(limit)
        )
        return list((await self.session.execute(query)).all())

    async def delete(self, schedule_id: str) -> None:
        """The schedule and its rows (the caller checked that no version names it)."""
        await self.session.execute(delete(fee_schedule_rows).where(R.schedule_id == schedule_id))
        await self.session.execute(
            delete(fee_schedules).where(
                fee_schedules.c.id == schedule_id, fee_schedules.c.organization_id == self.org
            )
        )

    async def schedules(self, after: str | None, limit: int) -> list[Any]:
        query = select(fee_schedules).where(fee_schedules.c.organization_id == self.org)
        if after:
            query = query.where(fee_schedules.c.id > after)
        return list((await self.session.execute(query.order_by(fee_schedules.c.id).limit(limit))).all())

    async def insert_rows(self, values: Sequence[dict[str, Any]]) -> None:
        if values:
            await self.session.execute(insert(fee_schedule_rows), list(values))

    async def rows_page(self, schedule_id: str, after: int | None, limit: int) -> list[Any]:
        query = select(fee_schedule_rows).where(R.schedule_id == schedule_id)
        if after is not None:
            query = query.where(R.id > after)
        return list((await self.session.execute(query.order_by(R.id).limit(limit))).all())

    async def batches(self, schedule_id: str) -> AsyncIterator[list[Any]]:
        """Every row in insertion order, BATCH at a time."""
        after: int | None = None
        while rows := await self.rows_page(schedule_id, after, BATCH):
            yield rows
            after = rows[-1].id

    async def canonical_lines(self, schedule_id: str) -> AsyncIterator[list[str]]:
        """Canonical rows in byte order (the order the content hash is defined on), BATCH at a time."""
        last: str | None = None
        while True:
            query = select(R.canonical).where(R.schedule_id == schedule_id)
            if last is not None:
                query = query.where(R.canonical > last)
            lines = list((await self.session.scalars(query.order_by(R.canonical).limit(BATCH))).all())
            if not lines:
                return
            yield lines
            last = lines[-1]

    async def clashes(self, schedule_id: str, limit: int = 20) -> list[Any]:
        """Rows whose dates overlap an earlier-starting row for the same code, modifiers, POS and
        setting, each with the first-listed row it overlaps. In date order a row overlaps one before
        it exactly when it starts on or before the furthest last day reached so far, so one sort of
        the schedule finds them (a self-join was quadratic whenever the planner had no statistics
        for a fresh import: minutes for 40,000 rows); the row each overlaps is looked up for the
        `limit` reported only."""
        rows, other = fee_schedule_rows, fee_schedule_rows.alias("other")
        reach = func.max(func.coalesce(rows.c.effective_to, literal(date.max, type_=Date))).over(
            partition_by=rows.c.base_key,
            order_by=(rows.c.effective_from, rows.c.id),
            rows=(None, -1),  # every row before this one
        )
        ordered = (
            select(rows.c.id, rows.c.source_row, rows.c.base_key, rows.c.effective_from, reach.label("reach"))
            .where(rows.c.schedule_id == schedule_id)
            .subquery()
        )
        found = (
            select(ordered)
            .where(ordered.c.reach.is_not(None), ordered.c.effective_from <= ordered.c.reach)
            .order_by(ordered.c.id)
            .limit(limit)
            .subquery()
        )
        overlapped = (
            select(func.min(other.c.source_row))
            .where(other.c.schedule_id == schedule_id, other.c.base_key == found.c.base_key)
            .where(other.c.id != found.c.id, other.c.effective_from <= found.c.effective_from)
            .where(
                func.coalesce(other.c.effective_to, literal(date.max, type_=Date)) >= found.c.effective_from
            )
            .scalar_subquery()
        )
        query = select(overlapped.label("first_row"), found.c.source_row.label("second_row"), found.c.id)
        return list((await self.session.execute(query.order_by(found.c.id))).all())

    async def rows_for_codes(self, schedule_id: str, codes: Sequence[tuple[str, str]]) -> list[Any]:
        if not codes:
            return []
        query = select(fee_schedule_rows).where(
            R.schedule_id == schedule_id, tuple_(R.code_system, R.code).in_(list(codes))
        )
        return list((await self.session.execute(query.order_by(R.id))).all())
