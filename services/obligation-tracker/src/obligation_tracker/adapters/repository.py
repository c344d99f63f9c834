"""The tracker's queries on obligations (the contract projection's are in contract_projection.py).
Reads are scoped to one organisation; the scheduler's cross-organisation reads live in
reminder_repository.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from accord_common.errors import NotFound
from sqlalchemy import (
    Select,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from obligation_tracker.adapters.orm import obligation_history, obligations
from obligation_tracker.domain import Obligation, ObligationKey, ObligationKind, ObligationStatus
from obligation_tracker.ids import as_uuid

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ObligationRefs:
    """Who an obligation belongs to, the ids (as sent) of what it is about and, for a claim's
    deadline, how a person names the claim and its payer."""

    organization_id: str
    contract_id: str
    claim_id: str | None = None
    payer_id: str | None = None
    patient_control_number: str | None = None
    payer_name: str | None = None


@dataclass(frozen=True)
class StoredObligation:
    obligation: Obligation
    refs: ObligationRefs
    description: str
    interest_owed: Decimal | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ObligationFilter:
    kind: str | None = None
    status: str | None = None
    contract_id: str | None = None
    claim_id: str | None = None
    due_by: date | None = None


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything is stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def to_stored(row: Any, zone: ZoneInfo, uuid_of: Callable[[str], UUID] = as_uuid) -> StoredObligation:
    """The row as the domain's obligation; `uuid_of` may remember the contract and claim ids that
    many rows repeat (a run of claim events: handlers/claim_run_stores.py)."""
    kind = ObligationKind(row.kind)
    claim = uuid_of(row.claim_id) if row.claim_id else None
    discriminator = row.natural_key.split("/", 3)[3]
    key = ObligationKey(kind, uuid_of(row.contract_id), claim, discriminator)
    snoozed = aware(row.snoozed_until).astimezone(zone) if row.snoozed_until else None
    obligation = Obligation(
        id=as_uuid(row.id),
        key=key,
        title=row.title,
        due_date=row.due_date,
        due_at=aware(row.due_at).astimezone(zone),
        status=ObligationStatus(row.status),
        reasons=tuple(row.reasons),
        snoozed_until=snoozed,
    )
    refs = ObligationRefs(
        row.organization_id,
        row.contract_id,
        row.claim_id,
        row.payer_id,
        row.patient_control_number,
        row.payer_name,
    )
    interest = row.interest_owed.quantize(CENT) if row.interest_owed is not None else None
    return StoredObligation(
        obligation, refs, row.description, interest, aware(row.created_at), aware(row.updated_at)
    )


def _state(obligation: Obligation) -> dict[str, Any]:
    snoozed = obligation.snoozed_until.astimezone(UTC) if obligation.snoozed_until else None
    return {
        "status": obligation.status.value,
        "due_date": obligation.due_date,
        "due_at": obligation.due_at.astimezone(UTC),
        "title": obligation.title,
        "reasons": list(obligation.reasons),
        "snoozed_until": snoozed,
    }


def obligation_row(
    organization_id: str, obligation: Obligation, refs: ObligationRefs, description: str, now: datetime
) -> dict[str, Any]:
    """A new obligation's row (no interest owed yet)."""
    return {
        "id": str(obligation.id),
        "organization_id": organization_id,
        "natural_key": obligation.key.as_text(),
        "kind": obligation.kind.value,
        "contract_id": refs.contract_id,
        "claim_id": refs.claim_id,
        "payer_id": refs.payer_id,
        "patient_control_number": refs.patient_control_number,
        "payer_name": refs.payer_name,
        "description": description,
        "created_at": now,
        "updated_at": now,
        **_state(obligation),
    }


def saved_state(
    obligation: Obligation, now: datetime, description: str | None, interest_owed: Decimal | None
) -> dict[str, Any]:
    """The columns `ObligationRepository.save` writes."""
    values = _state(obligation) | {"updated_at": now}
    if description is not None:
        values["description"] = description
    if interest_owed is not None:
        values["interest_owed"] = interest_owed
    return values


def history_row(
    organization_id: str,
    obligation: Obligation,
    action: str,
    previous: ObligationStatus | None,
    actor: str,
    at: datetime,
    comment: str | None,
) -> dict[str, Any]:
    return {
        "obligation_id": str(obligation.id),
        "organization_id": organization_id,
        "action": action,
        "from_status": previous.value if previous else None,
        "to_status": obligation.status.value,
        "due_date": obligation.due_date,
        "actor": actor,
        "at": at,
        "comment": comment,
    }


# Built once: what a contract version (and a claim event) runs per event, its values bound when run.
_FOR_CONTRACT = (
    select(obligations)
    .where(
        obligations.c.organization_id == bindparam("org"),
        obligations.c.contract_id == bindparam("contract_id"),
        obligations.c.claim_id.is_(None),
    )
    .order_by(obligations.c.id)
    .with_for_update()
)
_ADD = insert(obligations)
_SAVE = update(obligations).where(obligations.c.id == bindparam("saved_id"))  # SET: the values given
_RECORD = insert(obligation_history)


class ObligationRepository:
    def __init__(self, session: AsyncSession, organization_id: str, zone: ZoneInfo) -> None:
        self.session = session
        self.org = organization_id
        self.zone = zone

    def _scoped(self) -> Select[Any]:
        return select(obligations).where(obligations.c.organization_id == self.org)

    async def get(self, obligation_id: str, *, for_update: bool = False) -> StoredObligation:
        query = self._scoped().where(obligations.c.id == obligation_id)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        if row is None:
            raise NotFound(f"obligation {obligation_id} not found")
        return to_stored(row, self.zone)

    async def by_key(self, key: ObligationKey) -> StoredObligation | None:
        query = self._scoped().where(obligations.c.natural_key == key.as_text()).with_for_update()
        row = (await self.session.execute(query)).first()
        return to_stored(row, self.zone) if row else None

    async def for_contract(self, contract_id: str) -> list[StoredObligation]:
        rows = await self.session.execute(_FOR_CONTRACT, {"org": self.org, "contract_id": contract_id})
        return [to_stored(r, self.zone) for r in rows.all()]

    async def for_claim(self, claim_id: str, kind: ObligationKind) -> StoredObligation | None:
        query = self._scoped().where(obligations.c.claim_id == claim_id, obligations.c.kind == kind.value)
        row = (await self.session.execute(query.with_for_update())).first()
        return to_stored(row, self.zone) if row else None

    async def add(
        self, obligation: Obligation, refs: ObligationRefs, description: str, now: datetime
    ) -> None:
        await self.session.execute(_ADD, obligation_row(self.org, obligation, refs, description, now))

    async def save(
        self,
        obligation: Obligation,
        now: datetime,
        *,
        description: str | None = None,
        interest_owed: Decimal | None = None,
    ) -> None:
        values = saved_state(obligation, now, description, interest_owed)
        await self.session.execute(_SAVE, values | {"saved_id": str(obligation.id)})

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
        row = history_row(self.org, obligation, action, previous, actor, at, comment)
        await self.session.execute(_RECORD, row)

    async def history(self, obligation_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(obligation_history)
            .where(
                obligation_history.c.obligation_id == obligation_id,
                obligation_history.c.organization_id == self.org,
            )
            .order_by(obligation_history.c.id)
        )
        return [r._asdict() | {"at": aware(r.at)} for r in rows.all()]

    async def page(
        self, where: ObligationFilter, after: tuple[date, str] | None, limit: int
    ) -> list[StoredObligation]:
        query = self._scoped()
        for column, value in (
            ("kind", where.kind),
            ("status", where.status),
            ("contract_id", where.contract_id),
            ("claim_id", where.claim_id),
        ):
            if value is not None:
                query = query.where(obligations.c[column] == value)
        if where.due_by is not None:
            query = query.where(obligations.c.due_date <= where.due_by)
        if after is not None:
            due, last_id = after
            query = query.where(
                (obligations.c.due_date > due)
                | ((obligations.c.due_date == due) & (obligations.c.id > last_id))
            )
        query = query.order_by(obligations.c.due_date, obligations.c.id).limit(limit)
        return [to_stored(r, self.zone) for r in (await self.session.execute(query)).all()]

    async def feed(self, since: date) -> list[StoredObligation]:
        query = self._scoped().where(obligations.c.due_date >= since).order_by(obligations.c.due_date)
        return [to_stored(r, self.zone) for r in (await self.session.execute(query)).all()]
