"""Recovery: the organisation's triage rules, and its open variances as projects by root cause,
payer and contract, with the take-backs (PLB recoupments) tied to its claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from accord_common.uow import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.recovery_repo import RecoveryRepository
from reimbursement_engine.domain.root_causes import Cause
from reimbursement_engine.domain.take_backs import is_take_back
from reimbursement_engine.domain.triage import OpenVariance, Triage, TriageRules, triage


@dataclass(frozen=True, slots=True)
class Projects:
    triage: Triage
    take_backs: list[Any]

    @property
    def take_back_total(self) -> Decimal:
        return sum((r.amount for r in self.take_backs), Decimal(0))


async def rules(session: AsyncSession, org: str) -> TriageRules:
    row = await RecoveryRepository(session, org).rules()
    if row is None:
        return TriageRules()
    return TriageRules(
        row.minimum_amount,
        frozenset(row.excluded_codes),
        frozenset(row.excluded_payers),
        row.appeal_window_days,
        row.timely_filing_days,
    )


async def set_rules(uow: UnitOfWork, org: str, new: TriageRules) -> None:
    async with uow:
        await RecoveryRepository(uow.session, org).set_rules(
            {
                "minimum_amount": new.minimum_amount,
                "excluded_codes": sorted(new.excluded_codes),
                "excluded_payers": sorted(new.excluded_payers),
                "appeal_window_days": new.appeal_window_days,
                "timely_filing_days": new.timely_filing_days,
            }
        )
        await uow.commit()


def _open_variance(row: Any, codes: list[str]) -> OpenVariance:
    return OpenVariance(
        row.id,
        row.claim_id,
        row.payer_id,
        row.contract_id,
        row.primary_cause or Cause.UNEXPLAINED.value,
        row.variance,
        row.remittance_date,
        row.service_date,
        tuple(dict.fromkeys(codes)),
    )


async def projects(session: AsyncSession, org: str, today: date, status: str = "open") -> Projects:
    repo = RecoveryRepository(session, org)
    found = await repo.open_recoverable(status)
    triaged = triage((_open_variance(row, codes) for row, codes in found), await rules(session, org), today)
    take_backs = [r for r in await repo.take_backs() if is_take_back(r.reason_code, r.amount)]
    return Projects(triaged, take_backs)
