"""Contract changes and claim pricing of one organisation, kept apart (PostgreSQL advisory locks;
SQLite serialises writers by itself).

Pricing a claim reads the contract projection; a contract version arriving re-prices the claims it
affects. Run at the same time, a claim could be priced under the version before while the arriving
version's re-pricing did not yet see the claim: priced under a superseded version for good. Pricing
takes the organisation's lock shared (claims still price side by side); a contract change takes it
alone, so it either sees the claim, or the claim sees the new version."""

from __future__ import annotations

import hashlib

from sqlalchemy import BigInteger, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession


async def hold_contract_terms(session: AsyncSession, organization_id: str, *, exclusive: bool) -> None:
    """Until the transaction ends: shared for pricing, exclusive for a contract change."""
    if session.get_bind().dialect.name != "postgresql":
        return
    lock = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
    digest = hashlib.sha256(f"reimbursement-engine terms {organization_id}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    await session.execute(select(lock(literal(key, BigInteger()))))
