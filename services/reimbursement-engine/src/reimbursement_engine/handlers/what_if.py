"""What-if: re-price past claims under a proposed change, in memory; nothing is written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.claims_mapping import domain_claim
from reimbursement_engine.adapters.claims_repo import ClaimsRepository
from reimbursement_engine.domain.pricing import price_claim
from reimbursement_engine.domain.what_if import Proposal, WhatIfReport, proposed_terms
from reimbursement_engine.handlers.pricing import Pricer


async def what_if(
    session: AsyncSession,
    caches: EngineCaches,
    org: str,
    proposal: Proposal,
    *,
    contract_id: str | None,
    start: date,
    end: date,
    limit: int,
) -> tuple[WhatIfReport, int]:
    """(report, claims skipped for want of terms) over the priced claims with service in [start, end]."""
    repo = ClaimsRepository(session, org)
    rows = [r for r in await repo.in_period(contract_id, start, end, limit) if r.status == "priced"]
    lines = await repo.lines([r.id for r in rows])
    claims = [(r, domain_claim(r.submitted, [x._asdict() for x in lines[r.id]])) for r in rows]
    today = datetime.now(UTC).date()
    pricer = Pricer(session, caches, org, today)
    await pricer.prepare([c for _, c in claims], [r.submitted for r, _ in claims])
    report, skipped = WhatIfReport(), 0
    for row, claim in claims:
        terms = await pricer.terms_on(claim, row.contract_id)
        if terms is None:
            skipped += 1
            continue
        claim = pricer.located(claim, row.submitted)
        current = price_claim(claim, terms, pricer.medicare, today)
        proposed = price_claim(claim, proposed_terms(terms, proposal), pricer.medicare, today)
        report.add(current, proposed, proposal)
    return report, skipped


def impact_json(name: str, impact: Any) -> dict[str, Any]:
    return {
        "key": name,
        "lines": impact.lines,
        "current": str(impact.current),
        "proposed": str(impact.proposed),
        "change": str(impact.change),
    }
