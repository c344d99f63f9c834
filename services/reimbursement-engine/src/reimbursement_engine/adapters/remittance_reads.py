"""Reading remittances back: the organisation's remittances, their claim and line payments (with
CAS adjustments) and PLB provider adjustments, page by page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from accord_common.errors import NotFound
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.orm import claim_payments, line_payments, provider_adjustments, remittances

R, P, L, A = remittances.c, claim_payments.c, line_payments.c, provider_adjustments.c


@dataclass(frozen=True, slots=True)
class RemittanceFilter:
    payer_id: str | None = None
    trace_number: str | None = None
    paid_since: date | None = None
    paid_until: date | None = None


class RemittanceReads:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def page(self, where: RemittanceFilter, after: str | None, limit: int) -> list[Any]:
        query = select(remittances).where(R.organization_id == self.org)
        if where.payer_id:
            query = query.where(R.payer_id == where.payer_id)
        if where.trace_number:
            query = query.where(R.trace_number == where.trace_number)
        if where.paid_since:
            query = query.where(R.payment_date >= where.paid_since)
        if where.paid_until:
            query = query.where(R.payment_date <= where.paid_until)
        if after:
            query = query.where(R.id > after)
        return list((await self.session.execute(query.order_by(R.id).limit(limit))).all())

    async def get(self, remittance_id: str) -> Any:
        """One of the organisation's remittances; NotFound (404) for any other id."""
        row = (
            await self.session.execute(
                select(remittances).where(R.id == remittance_id, R.organization_id == self.org)
            )
        ).first()
        if row is None:
            raise NotFound(f"remittance {remittance_id} not found")
        return row

    async def claim_counts(self, remittance_ids: list[str]) -> dict[str, int]:
        if not remittance_ids:
            return {}
        rows = await self.session.execute(
            select(P.remittance_id, func.count())
            .where(P.organization_id == self.org, P.remittance_id.in_(remittance_ids))
            .group_by(P.remittance_id)
        )
        return {remittance_id: int(count) for remittance_id, count in rows.all()}

    async def payments(self, remittance_id: str, after: str | None, limit: int) -> list[Any]:
        query = select(claim_payments).where(P.organization_id == self.org, P.remittance_id == remittance_id)
        if after:
            query = query.where(P.id > after)
        return list((await self.session.execute(query.order_by(P.id).limit(limit))).all())

    async def payment(self, remittance_id: str, payment_id: str) -> Any:
        row = (
            await self.session.execute(
                select(claim_payments).where(
                    P.id == payment_id, P.remittance_id == remittance_id, P.organization_id == self.org
                )
            )
        ).first()
        if row is None:
            raise NotFound(f"claim payment {payment_id} not found in remittance {remittance_id}")
        return row

    async def lines(self, payment_ids: list[str]) -> dict[str, list[Any]]:
        """Line payments by claim payment, in 835 order (callers pass only their own payments)."""
        out: dict[str, list[Any]] = {payment_id: [] for payment_id in payment_ids}
        if payment_ids:
            rows = await self.session.execute(
                select(line_payments)
                .where(L.claim_payment_id.in_(payment_ids))
                .order_by(L.claim_payment_id, L.line_index)
            )
            for row in rows.all():
                out[row.claim_payment_id].append(row)
        return out

    async def provider_adjustments(self, remittance_id: str) -> list[Any]:
        """PLB adjustments of a remittance (callers check it is the organisation's first)."""
        rows = await self.session.execute(
            select(provider_adjustments).where(A.remittance_id == remittance_id).order_by(A.id)
        )
        return list(rows.all())
