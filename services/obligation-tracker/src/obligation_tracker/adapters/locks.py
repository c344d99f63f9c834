"""Transaction-scoped advisory locks (PostgreSQL; SQLite serialises writers by itself).

Taken in one order, a contract before a claim: a contract version applies its parked claims
(whose pricing applies the claim's waiting payments) while holding the contract."""

from __future__ import annotations

import hashlib

from sqlalchemy import BigInteger, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

_KEY = bindparam("key", type_=BigInteger())
_HOLD = {  # built once, by whether the hold is exclusive; the key bound when run
    True: select(func.pg_advisory_xact_lock(_KEY)),
    False: select(func.pg_advisory_xact_lock_shared(_KEY)),
}


async def hold(session: AsyncSession, subject: str, *, exclusive: bool) -> None:
    """Until the transaction ends: holders of the shared lock exclude only the exclusive holder."""
    if session.get_bind().dialect.name != "postgresql":
        return
    await session.execute(_HOLD[exclusive], {"key": lock_key(subject)})


async def hold_contract(session: AsyncSession, contract_id: str, *, exclusive: bool) -> None:
    """Claims reading a contract share it; an arriving version takes it alone. So a claim either
    sees the contract or is parked before the version looks for parked claims."""
    await hold(session, contract_subject(contract_id), exclusive=exclusive)


async def hold_claim(session: AsyncSession, organization_id: str, claim_id: str, *, exclusive: bool) -> None:
    """Payments share it; a claim's pricing takes it alone. So a payment either sees the deadlines
    the pricing created or is parked before the pricing looks for waiting payments."""
    await hold(session, claim_subject(organization_id, claim_id), exclusive=exclusive)


def contract_subject(contract_id: str) -> str:
    return f"contract {contract_id}"


def claim_subject(organization_id: str, claim_id: str) -> str:
    return f"claim {organization_id} {claim_id}"


def lock_key(subject: str) -> int:
    digest = hashlib.sha256(f"obligation-tracker {subject}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
