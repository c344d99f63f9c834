"""Appeals, the variances each cites, their audit trail and the organisation's letter template; and
the facts a letter cites, read from the claim, its 835 payment and the contract projection."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from accord_common.errors import NotFound
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.orm import (
    claim_payments,
    contract_versions,
    contracts,
    line_payments,
)
from reimbursement_engine.adapters.orm_appeals import (
    appeal_audit,
    appeal_templates,
    appeal_variances,
    appeals,
)
from reimbursement_engine.domain.appeals import AdjustmentCited


class AppealRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def add(self, row: dict[str, Any]) -> None:
        await self.session.execute(insert(appeals).values(organization_id=self.org, **row))
        links = [{"appeal_id": row["id"], "variance_id": v} for v in row["variance_ids"]]
        await self.session.execute(insert(appeal_variances), links)

    async def get(self, appeal_id: str, *, for_update: bool = False) -> Any:
        query = select(appeals).where(appeals.c.id == appeal_id, appeals.c.organization_id == self.org)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        if row is None:
            raise NotFound(f"appeal {appeal_id} not found")
        return row

    async def update(self, appeal_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(update(appeals).where(appeals.c.id == appeal_id).values(**values))

    async def of_variance(self, variance_id: str) -> list[Any]:
        query = (
            select(appeals)
            .join(appeal_variances, appeal_variances.c.appeal_id == appeals.c.id)
            .where(appeal_variances.c.variance_id == variance_id, appeals.c.organization_id == self.org)
            .order_by(appeals.c.created_at)
        )
        return list((await self.session.execute(query)).all())

    async def audit(
        self, appeal_id: str, actor: str, moved: tuple[str | None, str], note: str | None, amount: Any
    ) -> None:
        await self.session.execute(
            insert(appeal_audit).values(
                appeal_id=appeal_id,
                organization_id=self.org,
                actor=actor,
                from_status=moved[0],
                to_status=moved[1],
                note=note,
                amount=amount,
                at=datetime.now(UTC),
            )
        )

    async def history(self, appeal_id: str) -> list[Any]:
        query = select(appeal_audit).where(appeal_audit.c.appeal_id == appeal_id).order_by(appeal_audit.c.id)
        return list((await self.session.execute(query)).all())

    async def template(self) -> str | None:
        found: str | None = await self.session.scalar(
            select(appeal_templates.c.source).where(appeal_templates.c.organization_id == self.org)
        )
        return found

    async def set_template(self, source: str) -> None:
        table = appeal_templates
        now = datetime.now(UTC)
        await self.session.execute(table.delete().where(table.c.organization_id == self.org))
        await self.session.execute(
            insert(table).values(organization_id=self.org, source=source, updated_at=now)
        )

    async def contract(self, contract_id: str, version: int) -> tuple[Any, dict[str, Any]]:
        """The contract's projection row and the version's data (name, dates, terms)."""
        head = (
            await self.session.execute(
                select(contracts).where(
                    contracts.c.contract_id == contract_id, contracts.c.organization_id == self.org
                )
            )
        ).first()
        data = await self.session.scalar(
            select(contract_versions.c.data).where(
                contract_versions.c.contract_id == contract_id, contract_versions.c.version == version
            )
        )
        if head is None or data is None:
            raise NotFound(f"contract {contract_id} v{version} is not known to the engine")
        return head, dict(data)

    async def payment(self, payment_id: str) -> tuple[Any, list[Any]]:
        """The 835 claim payment and its service lines."""
        row = (
            await self.session.execute(select(claim_payments).where(claim_payments.c.id == payment_id))
        ).first()
        lines = await self.session.execute(
            select(line_payments)
            .where(line_payments.c.claim_payment_id == payment_id)
            .order_by(line_payments.c.line_index)
        )
        return row, list(lines.all())


def adjustments_of(items: list[dict[str, Any]] | None) -> tuple[AdjustmentCited, ...]:
    return tuple(AdjustmentCited(a["group"], a["carc"], Decimal(str(a["amount"]))) for a in items or [])
