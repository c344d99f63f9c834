"""Claim events parked until what they wait for arrives; scoped to one organisation (but for the
scheduler's sweep of the events that can be applied now, across organisations).

Most wait for their contract (or the version that priced the claim) to reach the tracker; a
payment or variance may also wait for its claim's pricing, and a variance status change for the
appeal deadline its variance opens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, exists, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from obligation_tracker.adapters.orm import claim_pricings, contracts, obligations
from obligation_tracker.adapters.orm import parked_claim_events as parked
from obligation_tracker.adapters.repository import aware

AWAITING_CONTRACT = "contract"
AWAITING_PRICING = "claim.priced"
AWAITING_APPEAL = "appeal"  # a variance status change, for the appeal deadline of its variance


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


def parked_of(row: Any) -> ParkedClaimEvent:
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


# Built once (a contract version looks for its parked claims per event), its values bound when run.
_WAITING_FOR_CONTRACT = (
    select(parked)
    .where(
        parked.c.organization_id == bindparam("org"),
        parked.c.awaiting == AWAITING_CONTRACT,
        parked.c.contract_id == bindparam("contract_id"),
    )
    .order_by(parked.c.parked_at, parked.c.event_id)
    .with_for_update()
)


class ParkedClaimEvents:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    def _scoped(self) -> Select[Any]:
        return select(parked).where(parked.c.organization_id == self.org)

    async def park(self, event: ParkedClaimEvent) -> bool:
        """Keep the event; False when it is parked already (a redelivery parks once)."""
        if await self.holds_anywhere(event.event_id):
            return False
        await self.session.execute(insert(parked).values(**self.row(event)))
        return True

    def row(self, event: ParkedClaimEvent) -> dict[str, Any]:
        return {
            "event_id": event.event_id,
            "organization_id": self.org,
            "contract_id": event.contract_id,
            "event_type": event.event_type,
            "event": event.event,
            "parked_at": event.parked_at,
            "awaiting": event.awaiting,
            "claim_id": event.claim_id,
        }

    async def holds_anywhere(self, event_id: str) -> bool:
        """Whether the event is parked (in any organisation: event ids are unique)."""
        held = await self.session.scalar(select(parked.c.event_id).where(parked.c.event_id == event_id))
        return held is not None

    async def holds(self, event_id: str) -> bool:
        held = await self.session.scalar(
            select(parked.c.event_id).where(
                parked.c.event_id == event_id, parked.c.organization_id == self.org
            )
        )
        return held is not None

    async def take(self, contract_id: str) -> list[ParkedClaimEvent]:
        """The events waiting for the contract, in the order they were parked, removed from the table."""
        found = await self.session.execute(
            _WAITING_FOR_CONTRACT, {"org": self.org, "contract_id": contract_id}
        )
        return await self._forget([parked_of(r) for r in found.all()])

    async def take_waiting(self, awaiting: str, claim_id: str) -> list[ParkedClaimEvent]:
        """The claim's events waiting for ``awaiting``, in the order parked, removed from the table."""
        return await self._take(parked.c.awaiting == awaiting, parked.c.claim_id == claim_id)

    async def take_one(self, event_id: str) -> ParkedClaimEvent | None:
        """One parked event, removed from the table; None when it was applied meanwhile."""
        taken = await self._take(parked.c.event_id == event_id)
        return taken[0] if taken else None

    async def _take(self, *where: Any) -> list[ParkedClaimEvent]:
        query = self._scoped().where(*where).order_by(parked.c.parked_at, parked.c.event_id).with_for_update()
        return await self._forget([parked_of(r) for r in (await self.session.execute(query)).all()])

    async def _forget(self, taken: list[ParkedClaimEvent]) -> list[ParkedClaimEvent]:
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
        return [parked_of(r) for r in (await self.session.execute(query)).all()]


@dataclass(frozen=True)
class ReadyEvent:
    """A parked event whose wait is over: what it waits for is in the tracker now."""

    event_id: str
    organization_id: str
    contract_id: str | None
    claim_id: str | None


async def ready_to_apply(session: AsyncSession, parked_before: datetime, limit: int) -> list[ReadyEvent]:
    """Parked events (all organisations, oldest first) whose contract, claim pricing or appeal
    deadline has arrived: the safety net for one that missed its release."""
    same_org = parked.c.organization_id
    contract_known = exists().where(
        contracts.c.contract_id == parked.c.contract_id, contracts.c.organization_id == same_org
    )
    claim_priced = exists().where(
        claim_pricings.c.organization_id == same_org, claim_pricings.c.claim_id == parked.c.claim_id
    )
    appeal_open = exists().where(
        obligations.c.organization_id == same_org,
        obligations.c.claim_id == parked.c.claim_id,
        obligations.c.kind == "appeal",
    )
    query = (
        select(parked.c.event_id, parked.c.organization_id, parked.c.contract_id, parked.c.claim_id)
        .where(
            parked.c.parked_at < parked_before,
            or_(
                and_(parked.c.awaiting == AWAITING_CONTRACT, contract_known),
                and_(parked.c.awaiting == AWAITING_PRICING, claim_priced),
                and_(parked.c.awaiting == AWAITING_APPEAL, appeal_open),
            ),
        )
        .order_by(parked.c.parked_at, parked.c.event_id)
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    return [ReadyEvent(r.event_id, r.organization_id, r.contract_id, r.claim_id) for r in rows]


async def count_parked(session: AsyncSession) -> int:
    """How many claim events wait, across organisations (for the operators' gauge)."""
    return int(await session.scalar(select(func.count()).select_from(parked)) or 0)
