"""The rows a run of claim events reads and writes, kept in memory for the run (handlers/claim_run.py).

`RunPricings`, `RunObligations` and `RunParked` answer the claim use cases as `ClaimPricings`,
`ObligationRepository` and `ParkedClaimEvents` would inside the same transaction, from the run's
rows: the rows read up front, changed by the events before. A claim not read up front (none of the
run's events named it) is read when first asked for. Rows are kept in the form the table stores
them (to_stored / pricing_of turn them into the domain's objects as a database row would be), and
written by `ClaimRun.flush`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from obligation_tracker.adapters import claim_run_repository as sets
from obligation_tracker.adapters.parked_repository import (
    AWAITING_APPEAL,
    AWAITING_PRICING,
    ParkedClaimEvent,
    ParkedClaimEvents,
    parked_of,
)
from obligation_tracker.adapters.repository import (
    ObligationRefs,
    ObligationRepository,
    StoredObligation,
    history_row,
    obligation_row,
    saved_state,
    to_stored,
)
from obligation_tracker.adapters.version_repository import (
    ClaimPricing,
    ClaimPricings,
    pricing_of,
    pricing_row,
)
from obligation_tracker.domain import Obligation, ObligationKey, ObligationKind, ObligationStatus
from obligation_tracker.ids import as_uuid

WAITING = (AWAITING_PRICING, AWAITING_APPEAL)
Claim = tuple[str, str]  # (organisation, claim id)


class ClaimRun:
    def __init__(self, session: AsyncSession, run_events: set[str]) -> None:
        self.session = session
        self.run_events = run_events
        self.loaded: set[Claim] = set()
        self.loaded_uuids: set[tuple[str, UUID]] = set()
        self.pricings: dict[Claim, dict[str, Any] | None] = {}
        self.stored_pricings: set[Claim] = set()
        self.priced: dict[Claim, None] = {}  # recorded in this run, in order
        self.rows: dict[str, dict[str, Any]] = {}  # obligations by natural key
        self.by_claim: dict[Claim, list[str]] = {}
        self.new_obligations: dict[str, None] = {}
        self.changed_obligations: dict[str, None] = {}
        self.history: list[dict[str, Any]] = []
        self.waiting: dict[tuple[str, str, str], list[ParkedClaimEvent]] = {}
        self.parked_ids: set[str] = set()  # parked now (as this run leaves them)
        self.checked: set[str] = set(run_events)  # event ids whose parked row is known
        self.taken: set[str] = set()  # stored parked rows released by the run
        self.new_parked: dict[str, dict[str, Any]] = {}
        self.uuids: dict[str, UUID] = {}  # as_uuid of the ids the run's rows repeat

    def uuid_of(self, text: str) -> UUID:
        found = self.uuids.get(text)
        if found is None:
            found = self.uuids[text] = as_uuid(text)
        return found

    async def load(self, organization_id: str, claim_ids: list[str]) -> None:
        wanted = [c for c in dict.fromkeys(claim_ids) if (organization_id, c) not in self.loaded]
        if not wanted:
            return
        for claim_id in wanted:
            self.loaded.add((organization_id, claim_id))
            self.loaded_uuids.add((organization_id, self.uuid_of(claim_id)))
        pricings, obligations, waiting = await sets.claims_state(
            self.session, organization_id, wanted, WAITING
        )
        for row in pricings:
            key = (organization_id, row["claim_id"])
            self.pricings[key] = row
            self.stored_pricings.add(key)
        for row in obligations:
            self.keep(row)
        for row in waiting:
            event = parked_of(row)
            self.waiting.setdefault((organization_id, event.awaiting, row.claim_id), []).append(event)
            self.parked_ids.add(event.event_id)
            self.checked.add(event.event_id)

    async def ensure(self, organization_id: str, claim_id: str) -> None:
        if (organization_id, claim_id) not in self.loaded:
            await self.load(organization_id, [claim_id])

    def note_parked(self, event_ids: set[str]) -> None:
        self.parked_ids.update(event_ids)

    def keep(self, row: dict[str, Any]) -> None:
        key = row["natural_key"]
        if key in self.rows:
            return
        self.rows[key] = row
        self.by_claim.setdefault((row["organization_id"], row["claim_id"]), []).append(key)

    async def flush(self) -> None:
        """Write what the run changed: inserts in bulk, updates as one executemany each."""
        recorded = [(k, p) for k in self.priced if (p := self.pricings[k]) is not None]
        new_pricings = [p for k, p in recorded if k not in self.stored_pricings]
        changed = [p for k, p in recorded if k in self.stored_pricings]
        await sets.write_pricings(self.session, new_pricings, changed)
        await sets.write_obligations(
            self.session,
            [self.rows[k] for k in self.new_obligations],
            [self.rows[k] for k in self.changed_obligations if k not in self.new_obligations],
            self.history,
        )
        await sets.write_parked(self.session, sorted(self.taken), list(self.new_parked.values()))


def _row(values: dict[str, Any]) -> Any:
    return SimpleNamespace(**values)


class RunPricings(ClaimPricings):
    def __init__(self, run: ClaimRun, organization_id: str) -> None:
        super().__init__(run.session, organization_id)
        self.run = run

    async def get(self, claim_id: str) -> ClaimPricing | None:
        await self.run.ensure(self.org, claim_id)
        row = self.run.pricings.get((self.org, claim_id))
        return pricing_of(_row(row)) if row is not None else None

    async def record(self, pricing: ClaimPricing, now: datetime) -> None:
        await self.run.ensure(self.org, pricing.claim_id)
        key = (self.org, pricing.claim_id)
        self.run.pricings[key] = pricing_row(self.org, pricing, now)
        self.run.priced[key] = None


class RunObligations(ObligationRepository):
    def __init__(self, run: ClaimRun, organization_id: str, zone: ZoneInfo) -> None:
        super().__init__(run.session, organization_id, zone)
        self.run = run

    async def by_key(self, key: ObligationKey) -> StoredObligation | None:
        text = key.as_text()
        unread = key.claim_id is not None and (self.org, key.claim_id) not in self.run.loaded_uuids
        if text not in self.run.rows and unread:
            stored = await super().by_key(key)  # a claim the run did not name: read it whole
            if stored is not None and stored.refs.claim_id is not None:
                await self.run.ensure(self.org, stored.refs.claim_id)
        row = self.run.rows.get(text)
        if row is None or row["organization_id"] != self.org:
            return None
        return to_stored(_row(row), self.zone, self.run.uuid_of)

    async def for_claim(self, claim_id: str, kind: ObligationKind) -> StoredObligation | None:
        await self.run.ensure(self.org, claim_id)
        for key in self.run.by_claim.get((self.org, claim_id), ()):
            row = self.run.rows[key]
            if row["kind"] == kind.value:
                return to_stored(_row(row), self.zone, self.run.uuid_of)
        return None

    async def add(
        self, obligation: Obligation, refs: ObligationRefs, description: str, now: datetime
    ) -> None:
        if refs.claim_id is not None:
            await self.run.ensure(self.org, refs.claim_id)
        row = obligation_row(self.org, obligation, refs, description, now) | {"interest_owed": None}
        self.run.keep(row)
        self.run.new_obligations[row["natural_key"]] = None

    async def save(
        self,
        obligation: Obligation,
        now: datetime,
        *,
        description: str | None = None,
        interest_owed: Decimal | None = None,
    ) -> None:
        key = obligation.key.as_text()
        self.run.rows[key].update(saved_state(obligation, now, description, interest_owed))
        self.run.changed_obligations[key] = None

    async def record(
        self,
        obligation: Obligation,
        *,
        action: str,
        previous: ObligationStatus | None,
        actor: str,
        at: datetime,
        comment: str | None,
    ) -> None:
        self.run.history.append(history_row(self.org, obligation, action, previous, actor, at, comment))


class RunParked(ParkedClaimEvents):
    def __init__(self, run: ClaimRun, organization_id: str) -> None:
        super().__init__(run.session, organization_id)
        self.run = run

    async def park(self, event: ParkedClaimEvent) -> bool:
        run = self.run
        if event.event_id not in run.checked:
            run.checked.add(event.event_id)
            if await self.holds_anywhere(event.event_id):
                run.parked_ids.add(event.event_id)
        if event.event_id in run.parked_ids:
            return False
        run.parked_ids.add(event.event_id)
        run.new_parked[event.event_id] = self.row(event)
        if event.awaiting in WAITING and event.claim_id is not None:
            run.waiting.setdefault((self.org, event.awaiting, event.claim_id), []).append(event)
        return True

    async def take_waiting(self, awaiting: str, claim_id: str) -> list[ParkedClaimEvent]:
        run = self.run
        await run.ensure(self.org, claim_id)
        taken = sorted(
            run.waiting.pop((self.org, awaiting, claim_id), []), key=lambda p: (p.parked_at, p.event_id)
        )
        for event in taken:
            run.parked_ids.discard(event.event_id)
            if run.new_parked.pop(event.event_id, None) is None:
                run.taken.add(event.event_id)
        return taken
