"""Margin: the expected reimbursement of each costed (or floored) code under a contract, flagged
when below the organisation's cost or the contract's floor."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from accord_common.errors import NotFound
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.orm import code_costs, contracts
from reimbursement_engine.adapters.terms_mapping import CODE_SYSTEMS
from reimbursement_engine.domain.pricing import Claim, ClaimLine, CodeSystem, ContractTerms, price_claim
from reimbursement_engine.handlers.pricing import Pricer


async def _terms(
    session: AsyncSession, caches: EngineCaches, org: str, contract_id: str, on: date
) -> tuple[str, ContractTerms, Pricer]:
    """The contract's payer, the terms in force on `on` and a prepared pricer."""
    payer = await session.scalar(
        select(contracts.c.payer_id).where(
            contracts.c.contract_id == contract_id, contracts.c.organization_id == org
        )
    )
    if payer is None:
        raise NotFound(f"contract {contract_id} not found")
    pricer = Pricer(session, caches, org, datetime.now(UTC).date())
    probe = Claim("margin", payer, on, on, (ClaimLine(1, "99213", Decimal(1), Decimal(0), on),))
    await pricer.prepare([probe])
    terms = await pricer.terms_on(probe, contract_id)
    if terms is None:
        raise NotFound(f"no version of contract {contract_id} is in force on {on.isoformat()}")
    return str(payer), terms, pricer


async def margin(
    session: AsyncSession, caches: EngineCaches, org: str, contract_id: str, on: date, place_of_service: str
) -> list[dict[str, Any]]:
    payer, terms, pricer = await _terms(session, caches, org, contract_id, on)
    costs = (await session.execute(select(code_costs).where(code_costs.c.organization_id == org))).all()
    wanted: dict[tuple[CodeSystem, str], Decimal | None] = {
        (CODE_SYSTEMS.get(c.code_system, CodeSystem.CPT_HCPCS), c.code): c.cost for c in costs
    }
    for key in terms.floors:
        wanted.setdefault(key, None)
    out = []
    for (system, code), cost in sorted(wanted.items()):
        line = ClaimLine(1, code, Decimal(1), Decimal("999999"), on, code_system=system)
        claim = Claim("margin", payer, on, on, (line,), place_of_service=place_of_service)
        priced = price_claim(claim, terms, pricer.medicare, pricer.today).lines[0]
        floor = terms.floors.get((system, code))
        expected = priced.expected_allowed
        out.append(
            {
                "code_system": system.value,
                "code": code,
                "status": priced.status.value,
                "term": priced.term,
                "expected_allowed": str(expected),
                "cost": None if cost is None else str(cost),
                "floor": None if floor is None else str(floor),
                "below_cost": cost is not None and expected < cost,
                "below_floor": floor is not None and expected < floor,
            }
        )
    return out
