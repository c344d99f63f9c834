"""Claim events parked until what they wait for arrives; scoped to one organisation.

Most wait for their contract to reach the projection; a payment may also wait for its claim's
pricing (the claim.priced that creates the deadlines a payment settles)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from obligation_tracker.adapters.orm import parked_claim_events as parked
from obligation_tracker.adapters.repository import aware

AWAITING_CONTRACT = "contract"
AWAITING_PRICING = "claim.priced"


@dataclass(frozen=True)
class ParkedClaimEvent:
    event_id: str
    organization_id: str
    contract_id: str | None
    event_type: str
    event: dict[str, Any]  # the CloudEvent envelope as JSON, its data cut to ids, dates and amounts
    parked_at: datetime
    awaiting: str = AWAITING_CONTRACT
    claim_id: str | None = None


def _parked(row: Any) -> ParkedClaimEvent:
    return ParkedClaimEvent(
        row.event_id,
        row.organization_id,
        row.contract_id,
        row.event_type,
        row.event,
        aware(row.parked_at),
        row.awaiting,
        row.claim_id,
    )


class ParkedClaimEvents:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    def _scoped(self) -> Select[Any]:
        return select(parked).where(parked.c.organization_id == self.org)

    async def park(self, event: ParkedClaimEvent) -> bool:
        """Keep the event; False when it is parked already (a redelivery parks once)."""
        held = await self.session.scalar(select(parked.c.event_id).where(parked.c.event_id == event.event_id))
        if held is not None:
            return False
        await self.session.execute(
            insert(parked).values(
                event_id=event.event_id,
                organization_id=self.org,
                contract_id=event.contract_id,
                event_type=event.event_type,
                event=event.event,
                parked_at=event.parked_at,
                awaiting=event.awaiting,
                claim_id=event.claim_id,
            )
        )
        return True

    async def take(self, contract_id: str) -> list[ParkedClaimEvent]:
        """The events waiting for the contract, in the order they were parked, removed from the table."""
        return await self._take(parked.c.awaiting == AWAITING_CONTRACT, parked.c.contract_id == contract_id)

    async def take_payments(self, claim_id: str) -> list[ParkedClaimEvent]:
        """The payments waiting for the claim's pricing, in the order parked, removed from the table."""
        return await self._take(parked.c.awaiting == AWAITING_PRICING, parked.c.claim_id == claim_id)

    async def _take(self, *where: Any) -> list[ParkedClaimEvent]:
        query = self._scoped().where(*where).order_by(parked.c.parked_at, parked.c.event_id).with_for_update()
        taken = [_parked(r) for r in (await self.session.execute(query)).all()]
        if taken:
            ids = [t.event_id for t in taken]
            await self.session.execute(delete(parked).where(parked.c.event_id.in_(ids)))
        return taken

    async def page(
        self,
        contract_id: str | None,
        after: tuple[datetime, str] | None,
        limit: int,
        claim_id: str | None = None,
    ) -> list[ParkedClaimEvent]:
        """Oldest parked first; `after` is the (parked_at, event id) of the previous page's last."""
        query = self._scoped()
        if contract_id is not None:
            query = query.where(parked.c.contract_id == contract_id)
        if claim_id is not None:
            query = query.where(parked.c.claim_id == claim_id)
        if after is not None:
            at, last_id = after
            query = query.where(
                (parked.c.parked_at > at) | ((parked.c.parked_at == at) & (parked.c.event_id > last_id))
            )
        query = query.order_by(parked.c.parked_at, parked.c.event_id).limit(limit)
        return [_parked(r) for r in (await self.session.execute(query)).all()]
