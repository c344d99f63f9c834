"""What the payer scorecard reads beside claims and variances: the contract versions' prompt-pay
terms, the remark codes (RARCs) of remitted claims, and recoveries from the variance audit trail."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.orm import claim_payments, contract_versions, line_payments, variance_audit

CHUNK = 5000


class ScorecardRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def prompt_pay(self) -> dict[tuple[str, int], tuple[int | None, Decimal | None]]:
        """(contract, version) -> (prompt-pay days, annual interest rate as a fraction: 0.18 for 18%)."""
        rows = await self.session.execute(
            select(
                contract_versions.c.contract_id, contract_versions.c.version, contract_versions.c.data
            ).where(contract_versions.c.organization_id == self.org)
        )
        out: dict[tuple[str, int], tuple[int | None, Decimal | None]] = {}
        for contract_id, version, data in rows.all():
            terms = data.get("terms") or {}
            rate = terms.get("prompt_pay_interest_rate")
            out[(contract_id, version)] = (
                terms.get("prompt_pay_days"),
                None if rate is None else Decimal(str(rate)) / 100,  # the contract says 18 for 18%
            )
        return out

    async def remark_codes(self, payment_ids: list[str]) -> dict[str, set[str]]:
        """Claim payment -> its RARCs (claim level and every service line's)."""
        out: dict[str, set[str]] = {p: set() for p in payment_ids}
        for start in range(0, len(payment_ids), CHUNK):
            chunk = payment_ids[start : start + CHUNK]
            claims = await self.session.execute(
                select(claim_payments.c.id, claim_payments.c.remark_codes).where(
                    claim_payments.c.id.in_(chunk)
                )
            )
            lines = await self.session.execute(
                select(line_payments.c.claim_payment_id, line_payments.c.remark_codes).where(
                    line_payments.c.claim_payment_id.in_(chunk)
                )
            )
            for payment_id, codes in [*claims.all(), *lines.all()]:
                out[payment_id].update(codes or ())
        return out

    async def recoveries(self, variance_ids: list[str]) -> dict[str, tuple[Decimal, date]]:
        """Variance -> (amount recovered, day recovered), from its move to recovered."""
        out: dict[str, tuple[Decimal, date]] = {}
        for start in range(0, len(variance_ids), CHUNK):
            rows = await self.session.execute(
                select(variance_audit.c.variance_id, variance_audit.c.amount, variance_audit.c.at).where(
                    variance_audit.c.variance_id.in_(variance_ids[start : start + CHUNK]),
                    variance_audit.c.to_status == "recovered",
                )
            )
            for variance_id, amount, at in rows.all():
                out[variance_id] = (amount if amount is not None else Decimal(0), _day(at))
        return out


def _day(at: datetime) -> date:
    return at.date()
