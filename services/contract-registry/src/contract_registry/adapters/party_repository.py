"""Payers (with their plans) and the organisation's own profile, scoped to one organisation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accord_common.errors import NotFound
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contract_registry.adapters.orm import contracts, organisations, payers

# a payer of one organisation (read on every amendment, for the event's labels): built once,
# values bound per call
_PAYER = select(payers).where(
    payers.c.id == bindparam("wanted"), payers.c.organization_id == bindparam("org")
)


class PartyRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def add_payer(self, row: dict[str, Any]) -> None:
        await self.session.execute(insert(payers).values(organization_id=self.org, **row))

    async def payer(self, payer_id: str) -> Any:
        row = (await self.session.execute(_PAYER, {"wanted": payer_id, "org": self.org})).first()
        if row is None:
            raise NotFound(f"payer {payer_id} not found")
        return row

    async def payers(self, after: str | None, limit: int) -> list[Any]:
        query = select(payers).where(payers.c.organization_id == self.org)
        if after:
            query = query.where(payers.c.id > after)
        return list((await self.session.execute(query.order_by(payers.c.id).limit(limit))).all())

    async def update_payer(self, payer_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(
            update(payers)
            .where(payers.c.id == payer_id, payers.c.organization_id == self.org)
            .values(**values)
        )

    async def contracts_with_payer(self, payer_id: str) -> int:
        query = select(func.count()).select_from(contracts).where(contracts.c.payer_id == payer_id)
        return int(await self.session.scalar(query) or 0)

    async def delete_payer(self, payer_id: str) -> None:
        await self.session.execute(
            delete(payers).where(payers.c.id == payer_id, payers.c.organization_id == self.org)
        )

    async def profile(self) -> Any | None:
        query = select(organisations).where(organisations.c.id == self.org)
        return (await self.session.execute(query)).first()

    async def save_profile(self, values: dict[str, Any], now: datetime) -> None:
        if await self.profile() is None:
            await self.session.execute(insert(organisations).values(id=self.org, updated_at=now, **values))
        else:
            await self.session.execute(
                update(organisations).where(organisations.c.id == self.org).values(updated_at=now, **values)
            )

    async def required_approver_roles(self) -> frozenset[str]:
        profile = await self.profile()
        return frozenset(profile.required_approver_roles) if profile else frozenset()

    async def distinct_approvers(self) -> bool:
        """Whether each required role needs a different approver (the default, also with no profile)."""
        profile = await self.profile()
        return bool(profile.distinct_approvers) if profile else True
