"""Variances (one per claim, kept current), their lines, the worklist and the audit trail."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from accord_common.bulk import insert_rows
from accord_common.errors import NotFound
from accord_common.sql_sets import among, on_postgresql, parts, planned_for_their_values
from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.orm import organization_settings, variance_audit, variance_lines, variances

_WORKLIST_COLUMNS = (
    "id",
    "payer_id",
    "contract_id",
    "claim_id",
    "classification",
    "remittance_date",
    "variance",
    "expected_allowed",
    "paid",
    "carcs",
)
_WORKLIST_LINE_COLUMNS = ("variance_id", "code", "carc", "variance", "expected_allowed", "paid")


class VarianceRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def tolerance(self, default: Decimal) -> Decimal:
        found: Decimal | None = await self.session.scalar(
            select(organization_settings.c.variance_tolerance).where(
                organization_settings.c.organization_id == self.org
            )
        )
        return default if found is None else found

    async def set_tolerance(self, tolerance: Decimal) -> None:
        now = datetime.now(UTC)
        table = organization_settings
        held = await self.session.scalar(
            select(table.c.organization_id).where(table.c.organization_id == self.org)
        )
        if held is None:
            await self.session.execute(
                insert(table).values(organization_id=self.org, variance_tolerance=tolerance, updated_at=now)
            )
        else:
            await self.session.execute(
                update(table)
                .where(table.c.organization_id == self.org)
                .values(variance_tolerance=tolerance, updated_at=now)
            )

    async def by_claim(self, claim_id: str) -> Any:
        return (await self.session.execute(select(variances).where(variances.c.claim_id == claim_id))).first()

    async def get(self, variance_id: str, *, for_update: bool = False) -> Any:
        query = select(variances).where(
            variances.c.id == variance_id, variances.c.organization_id == self.org
        )
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        if row is None:
            raise NotFound(f"variance {variance_id} not found")
        return row

    async def insert(self, row: dict[str, Any]) -> None:
        await self.session.execute(insert(variances).values(organization_id=self.org, **row))

    async def update(self, variance_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(update(variances).where(variances.c.id == variance_id).values(**values))

    async def insert_many(self, rows: list[dict[str, Any]]) -> None:
        """New variances in bulk (each row with every column but the organisation, which is set
        on the row: 10,000 rows are not copied to add one key)."""
        for row in rows:
            row["organization_id"] = self.org
        await insert_rows(self.session, variances, rows)

    async def add_lines(self, rows: list[dict[str, Any]]) -> None:
        """Lines of variances that have none yet (new variances), in bulk."""
        await insert_rows(self.session, variance_lines, rows)

    async def audit_many(self, entries: list[tuple[str, str | None, str, str]]) -> None:
        """System audit entries (variance id, from status, to status, note) stamped now, in bulk."""
        at = datetime.now(UTC)
        rows = [
            {
                "variance_id": variance_id,
                "organization_id": self.org,
                "actor": "system",
                "from_status": from_status,
                "to_status": to_status,
                "note": note,
                "amount": None,
                "at": at,
            }
            for variance_id, from_status, to_status, note in entries
        ]
        await insert_rows(self.session, variance_audit, rows)

    async def replace_lines(self, variance_id: str, rows: list[dict[str, Any]]) -> None:
        await self.session.execute(delete(variance_lines).where(variance_lines.c.variance_id == variance_id))
        if rows:
            await self.session.execute(insert(variance_lines), rows)

    async def lines(self, variance_id: str) -> list[Any]:
        rows = await self.session.execute(
            select(variance_lines)
            .where(variance_lines.c.variance_id == variance_id)
            .order_by(variance_lines.c.line_number)
        )
        return list(rows.all())

    async def audit(
        self,
        variance_id: str,
        actor: str,
        from_status: str | None,
        to_status: str,
        note: str | None = None,
        amount: Decimal | None = None,
    ) -> None:
        await self.session.execute(
            insert(variance_audit).values(
                variance_id=variance_id,
                organization_id=self.org,
                actor=actor,
                from_status=from_status,
                to_status=to_status,
                note=note,
                amount=amount,
                at=datetime.now(UTC),
            )
        )

    async def history(self, variance_id: str) -> list[Any]:
        rows = await self.session.execute(
            select(variance_audit)
            .where(variance_audit.c.variance_id == variance_id)
            .order_by(variance_audit.c.id)
        )
        return list(rows.all())

    async def page(self, filters: dict[str, Any], after: str | None, limit: int) -> list[Any]:
        query = select(variances).where(variances.c.organization_id == self.org)
        for name in (
            "status",
            "classification",
            "payer_id",
            "contract_id",
            "patient_control_number",
            "primary_cause",
        ):
            if filters.get(name):
                query = query.where(variances.c[name] == filters[name])
        if filters.get("since"):
            query = query.where(variances.c.remittance_date >= filters["since"])
        if filters.get("until"):
            query = query.where(variances.c.remittance_date <= filters["until"])
        if after:
            query = query.where(variances.c.id > after)
        return list((await self.session.execute(query.order_by(variances.c.id).limit(limit))).all())

    async def in_status(self, status: str) -> list[tuple[Any, list[Any]]]:
        """The organisation's variances in `status`, each with its lines: only the columns the
        worklist sums (in Python: exact on SQLite), the lines in one query joined to their variance
        (not an id list: at 10,000 variances the lists and the unread columns were half the read).
        On PostgreSQL both reads see one snapshot when the session has not begun yet."""
        session = self.session
        if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        chosen = and_(variances.c.organization_id == self.org, variances.c.status == status)
        rows = (
            await session.execute(
                select(*(variances.c[name] for name in _WORKLIST_COLUMNS))
                .where(chosen)
                .order_by(variances.c.id)
            )
        ).all()
        lines: dict[str, list[Any]] = {row.id: [] for row in rows}
        found = await session.execute(
            select(*(variance_lines.c[name] for name in _WORKLIST_LINE_COLUMNS))
            .join(variances, variances.c.id == variance_lines.c.variance_id)
            .where(chosen)
            .order_by(variance_lines.c.variance_id, variance_lines.c.line_number)
        )
        for line in found.all():
            if (held := lines.get(line.variance_id)) is not None:  # SQLite: one that came in between
                held.append(line)
        return [(row, lines[row.id]) for row in rows]

    async def in_period(self, start: date, end: date) -> list[Any]:
        query = select(variances).where(
            variances.c.organization_id == self.org,
            variances.c.remittance_date >= start,
            variances.c.remittance_date <= end,
        )
        return list((await self.session.execute(query)).all())

    async def in_claims(self, claim_ids: list[str]) -> list[Any]:
        out: list[Any] = []
        pg = on_postgresql(self.session)
        async with planned_for_their_values(self.session):
            for part in parts(claim_ids, pg):
                rows = await self.session.execute(
                    select(variances).where(among(variances.c.claim_id, part, pg))
                )
                out += rows.all()
        return out
