"""What-if on a whole fee schedule (or a rate change over a code range) over the last 12 months of
claims: each priced claim re-priced under its contract's terms and under the proposal, in memory
(nothing is written); the organisation's costs per code give the margin."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.claims_mapping import domain_claim
from reimbursement_engine.adapters.claims_repo import ClaimsRepository
from reimbursement_engine.adapters.orm import code_costs
from reimbursement_engine.domain.pricing import price_claim
from reimbursement_engine.domain.schedule_what_if import (
    ScheduleProposal,
    ScheduleWhatIf,
    last_twelve_months,
    terms_under,
)
from reimbursement_engine.handlers.pricing import Pricer

_SAME = {"HCPCS": "CPT", "CPT/HCPCS": "CPT", "HC": "CPT", "NU": "REV"}


async def costs(session: AsyncSession, org: str) -> dict[tuple[str, str], Decimal]:
    rows = await session.execute(
        select(code_costs.c.code_system, code_costs.c.code, code_costs.c.cost).where(
            code_costs.c.organization_id == org
        )
    )
    return {(_SAME.get(s, s), c): cost for s, c, cost in rows.all()}


async def schedule_what_if(
    session: AsyncSession,
    caches: EngineCaches,
    org: str,
    proposal: ScheduleProposal,
    *,
    contract_id: str | None,
    as_of: date,
    limit: int,
) -> tuple[ScheduleWhatIf, int, tuple[date, date]]:
    """(report, claims skipped for want of terms, the period) over the priced claims of the year."""
    period = last_twelve_months(as_of)
    repo = ClaimsRepository(session, org)
    rows = [r for r in await repo.in_period(contract_id, *period, limit) if r.status == "priced"]
    lines = await repo.lines([r.id for r in rows])
    claims = [(r, domain_claim(r.submitted, [x._asdict() for x in lines[r.id]])) for r in rows]
    today = datetime.now(UTC).date()
    pricer = Pricer(session, caches, org, today)
    await pricer.prepare([c for _, c in claims], [r.submitted for r, _ in claims])
    report, skipped, cost = ScheduleWhatIf(), 0, await costs(session, org)
    for row, claim in claims:
        terms = await pricer.terms_on(claim, row.contract_id)
        if terms is None:
            skipped += 1
            continue
        claim = replace(pricer.resident(claim), site_locality=pricer.place_of(row.submitted).locality)
        current = price_claim(claim, terms, pricer.medicare, today)
        proposed = price_claim(claim, terms_under(terms, proposal), pricer.medicare, today)
        report.add(claim, current, proposed, proposal, cost)
    return report, skipped, period
