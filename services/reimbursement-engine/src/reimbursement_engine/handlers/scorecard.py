"""Payer scorecard over a period of service: claims, their variances, prompt-pay terms, RARCs and
recoveries loaded, then scored by the domain (domain/scorecard.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.claims_repo import ClaimsRepository
from reimbursement_engine.adapters.scorecard_repo import ScorecardRepository
from reimbursement_engine.adapters.variance_repo import VarianceRepository
from reimbursement_engine.domain.scorecard import ClaimFact, PayerScorecard, Remitted, scorecards


async def scorecard(
    session: AsyncSession,
    org: str,
    start: date,
    end: date,
    limit: int,
    payer_id: str | None = None,
    contract_id: str | None = None,
) -> list[PayerScorecard]:
    claims = await ClaimsRepository(session, org).in_period(contract_id, start, end, limit)
    claims = [c for c in claims if payer_id in (None, c.payer_id)]
    found = await VarianceRepository(session, org).in_claims([c.id for c in claims])
    variances = {v.claim_id: v for v in found if v.status != "void"}  # void: the payment was reversed
    repo = ScorecardRepository(session, org)
    terms = await repo.prompt_pay()
    rarcs = await repo.remark_codes([v.claim_payment_id for v in variances.values()])
    recovered = await repo.recoveries([v.id for v in variances.values()])
    facts = []
    for claim in claims:
        days, rate = terms.get((claim.contract_id, claim.contract_version), (None, None))
        variance = variances.get(claim.id)
        remitted = None if variance is None else _remitted(variance, rarcs, recovered)
        expected = claim.expected_allowed or Decimal(0)
        facts.append(
            ClaimFact(
                claim.payer_id,
                claim.contract_id,
                claim.service_date,
                claim.received_date,
                expected,
                days,
                rate,
                remitted,
            )
        )
    return scorecards(facts)


def _remitted(v: Any, rarcs: dict[str, set[str]], recovered: dict[str, tuple[Decimal, date]]) -> Remitted:
    amount, on = recovered.get(v.id, (None, None))
    return Remitted(
        v.remittance_date,
        v.paid,
        v.patient_responsibility,
        v.expected_allowed,
        v.classification,
        v.variance,
        tuple(v.carcs or ()),
        tuple(sorted(rarcs.get(v.claim_payment_id, set()))),
        amount,
        on,
    )
