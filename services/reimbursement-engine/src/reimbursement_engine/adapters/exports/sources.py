"""What each export lists, one row at a time: variances, claims with their pricing (a row per line),
the worklist's groups and the analytics per payer and contract."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from accord_common.exports import Row
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.claims_repo import ClaimsRepository
from reimbursement_engine.adapters.variance_repo import VarianceRepository

Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]
PAGE = 1000

VARIANCE_HEADER = (
    "variance_id", "claim_id", "patient_control_number", "payer_id", "contract_id", "classification",
    "status", "expected_allowed", "paid", "patient_responsibility", "variance", "carcs", "remittance_date",
)  # fmt: skip
CLAIM_HEADER = (
    "claim_id", "patient_control_number", "payer_id", "contract_id", "contract_version", "claim_status",
    "service_date", "received_date", "total_charge", "claim_expected_allowed", "pricing_completeness",
    "line_number", "code_system", "code", "modifiers", "units", "charge", "term", "line_status",
    "line_expected_allowed", "unpriced_reason",
)  # fmt: skip


async def variances(sessions: Sessions, org: str, filters: dict[str, Any]) -> AsyncIterator[Row]:
    after: str | None = None
    while True:
        async with sessions() as session:
            rows = await VarianceRepository(session, org).page(filters, after, PAGE)
        for v in rows:
            yield (
                v.id, v.claim_id, v.patient_control_number, v.payer_id, v.contract_id, v.classification,
                v.status, v.expected_allowed, v.paid, v.patient_responsibility, v.variance,
                " ".join(v.carcs or ()), v.remittance_date,
            )  # fmt: skip
        if len(rows) < PAGE:
            return
        after = rows[-1].id


async def claims(sessions: Sessions, org: str, status: str | None) -> AsyncIterator[Row]:
    after: str | None = None
    while True:
        async with sessions() as session:
            repo = ClaimsRepository(session, org)
            rows = await repo.page(after, PAGE, status, None)
            lines = await repo.lines([c.id for c in rows])
        for claim in rows:
            head = (
                claim.id, claim.patient_control_number, claim.payer_id, claim.contract_id,
                claim.contract_version, claim.status, claim.service_date, claim.received_date,
                claim.total_charge, claim.expected_allowed, claim.pricing_completeness,
            )  # fmt: skip
            for line in lines[claim.id]:
                yield (
                    *head, line.line_number, line.code_system, line.code, line.modifiers, line.units,
                    line.charge, line.term, line.status, line.expected_allowed, line.unpriced_reason,
                )  # fmt: skip
        if len(rows) < PAGE:
            return
        after = rows[-1].id


async def listed(rows: list[Row]) -> AsyncIterator[Row]:
    """Rows already computed (the worklist's groups, analytics: one per payer, contract, code)."""
    for row in rows:
        yield row
