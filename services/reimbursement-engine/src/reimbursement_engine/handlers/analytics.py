"""Analytics per payer and contract over a period, and margin flags (expected below cost or floor)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from accord_common.amounts import MAX_RATE, AmountError, parse_amount
from accord_common.errors import Unprocessable
from accord_common.uow import UnitOfWork
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.claims_repo import ClaimsRepository
from reimbursement_engine.adapters.orm import code_costs, contract_versions
from reimbursement_engine.adapters.variance_repo import VarianceRepository

UNDERPAID = frozenset({"underpaid", "partly_denied"})


@dataclass
class PayerContractStats:
    payer_id: str
    contract_id: str | None
    claims: int = 0
    reconciled: int = 0
    expected: Decimal = Decimal(0)
    expected_reconciled: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    patient_responsibility: Decimal = Decimal(0)
    underpayment: Decimal = Decimal(0)
    underpaid_claims: int = 0
    denied_claims: int = 0
    denials_by_carc: Counter[str] = field(default_factory=Counter)
    days_to_pay: list[int] = field(default_factory=list)
    prompt_pay_days: int | None = None
    late: int = 0

    def rate(self, count: int) -> str | None:
        """Share of reconciled claims, to four places."""
        return (
            str((Decimal(count) / self.reconciled).quantize(Decimal("0.0001"))) if self.reconciled else None
        )

    def as_json(self) -> dict[str, Any]:
        average = sum(self.days_to_pay) / len(self.days_to_pay) if self.days_to_pay else None
        return {
            "payer_id": self.payer_id,
            "contract_id": self.contract_id,
            "claims": self.claims,
            "reconciled_claims": self.reconciled,
            "expected_allowed": str(self.expected),
            "expected_reconciled": str(self.expected_reconciled),
            "paid": str(self.paid),
            "patient_responsibility": str(self.patient_responsibility),
            "underpayment_amount": str(self.underpayment),
            "underpayment_rate": self.rate(self.underpaid_claims),
            "denial_rate": self.rate(self.denied_claims),
            "denials_by_carc": dict(self.denials_by_carc),
            "average_days_to_pay": average,
            "prompt_pay_days": self.prompt_pay_days,
            "paid_late": self.late,
        }


async def _prompt_pay_days(session: AsyncSession, org: str) -> dict[tuple[str, int], int | None]:
    rows = await session.execute(
        select(contract_versions.c.contract_id, contract_versions.c.version, contract_versions.c.data).where(
            contract_versions.c.organization_id == org
        )
    )
    return {(r[0], r[1]): (r[2].get("terms") or {}).get("prompt_pay_days") for r in rows.all()}


async def analytics(
    session: AsyncSession, org: str, start: date, end: date, limit: int
) -> list[dict[str, Any]]:
    claims = await ClaimsRepository(session, org).in_period(None, start, end, limit)
    variances = {
        v.claim_id: v for v in await VarianceRepository(session, org).in_claims([c.id for c in claims])
    }
    prompt = await _prompt_pay_days(session, org)
    stats: dict[tuple[str, str | None], PayerContractStats] = {}
    for claim in claims:
        entry = stats.setdefault(
            (claim.payer_id, claim.contract_id), PayerContractStats(claim.payer_id, claim.contract_id)
        )
        entry.claims += 1
        entry.expected += claim.expected_allowed or Decimal(0)
        if claim.contract_version is not None:
            entry.prompt_pay_days = prompt.get((claim.contract_id, claim.contract_version))
        variance = variances.get(claim.id)
        if variance is not None:
            _add_variance(entry, claim, variance)
    return [s.as_json() for s in sorted(stats.values(), key=lambda s: (s.payer_id, s.contract_id or ""))]


def _add_variance(entry: PayerContractStats, claim: Any, variance: Any) -> None:
    entry.reconciled += 1
    entry.expected_reconciled += variance.expected_allowed
    entry.paid += variance.paid
    entry.patient_responsibility += variance.patient_responsibility
    if variance.classification in UNDERPAID:
        entry.underpaid_claims += 1
        entry.underpayment += variance.variance
    if variance.classification == "denied":
        entry.denied_claims += 1
        entry.denials_by_carc.update(variance.carcs or ["unknown"])
    days = (variance.remittance_date - claim.received_date).days
    entry.days_to_pay.append(days)
    if entry.prompt_pay_days is not None and days > entry.prompt_pay_days:
        entry.late += 1


_CODE_LENGTH = 12


def read_costs(text: str) -> list[dict[str, Any]]:
    """CSV with a header: code_system,code,cost (e.g. CPT,99213,61.20). A row ends at CR, LF or
    CRLF; what the csv module cannot read (a field over its limit) is a 422 naming the line."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return _costs(reader)
    except csv.Error as error:
        raise Unprocessable(
            f"line {reader.line_num}: not readable as CSV ({error})",
            errors=[{"field": f"line {reader.line_num}", "message": str(error)}],
        )


def _costs(reader: csv.DictReader[str]) -> list[dict[str, Any]]:
    if not reader.fieldnames or not {"code_system", "code", "cost"} <= set(reader.fieldnames):
        raise Unprocessable(
            "the cost CSV needs the columns code_system, code, cost",
            errors=[{"field": "header", "message": "missing columns"}],
        )
    rows: dict[tuple[str, str], dict[str, Any]] = {}  # a code listed twice: the last line wins
    for number, row in enumerate(reader, start=2):
        try:
            cost = parse_amount(row.get("cost") or "", MAX_RATE)
        except AmountError as error:
            raise Unprocessable(
                f"line {number}: cost {error}",
                errors=[{"field": f"line {number}.cost", "message": str(error)}],
            )
        if cost < 0:
            raise Unprocessable(
                f"line {number}: cost is negative",
                errors=[{"field": f"line {number}.cost", "message": "negative"}],
            )
        code_system, code = (row.get("code_system") or "").strip().upper(), (row.get("code") or "").strip()
        if not 0 < len(code_system) <= _CODE_LENGTH or not 0 < len(code) <= _CODE_LENGTH:
            raise Unprocessable(
                f"line {number}: code_system and code are required, {_CODE_LENGTH} characters at most",
                errors=[{"field": f"line {number}.code", "message": "required, 12 characters at most"}],
            )
        rows[(code_system, code)] = {"code_system": code_system, "code": code, "cost": cost}
    return list(rows.values())


async def save_costs(uow: UnitOfWork, org: str, rows: list[dict[str, Any]]) -> int:
    now = datetime.now(UTC)
    async with uow:
        for row in rows:
            await uow.session.execute(
                code_costs.delete().where(
                    code_costs.c.organization_id == org,
                    code_costs.c.code_system == row["code_system"],
                    code_costs.c.code == row["code"],
                )
            )
        if rows:
            await uow.session.execute(
                insert(code_costs), [{"organization_id": org, "updated_at": now, **r} for r in rows]
            )
        await uow.commit()
    return len(rows)
