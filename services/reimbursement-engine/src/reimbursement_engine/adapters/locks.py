"""Contract changes and claim pricing of one organisation, kept apart.

Pricing a claim reads the contract projection; a contract version arriving re-prices the claims it
affects. Run at the same time, a claim could be priced under the version before (or held as pending
while no version was in force) while the arriving version's re-pricing did not yet see the claim:
priced under a superseded version, or left pending, for good. So both take a lock before they read:

- PostgreSQL: the organisation's advisory lock, shared for pricing (claims still price side by side),
  exclusive for a contract change, so the change either sees the claim or the claim sees the change.
- SQLite: one writer at a time, but Python's driver opens a transaction only at the first write, so
  a read before it sees the database of that moment and a change can commit between the read and the
  write. A write that changes nothing opens the write transaction first: from there to the commit no
  other writer commits, and every read of the transaction sees what it will write beside."""

from __future__ import annotations

import hashlib

from sqlalchemy import BigInteger, false, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.orm import contracts


async def hold_contract_terms(session: AsyncSession, organization_id: str, *, exclusive: bool) -> None:
    """Until the transaction ends: shared for pricing, exclusive for a contract change."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        await session.execute(update(contracts).where(false()).values(status=contracts.c.status))
        return
    if dialect != "postgresql":
        return
    lock = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
    digest = hashlib.sha256(f"reimbursement-engine terms {organization_id}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    await session.execute(select(lock(literal(key, BigInteger()))))
